import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCampaignText, loadCampaign } from '../../../src/config/load.js';
import { readModelFacts } from '../../../src/config/model-facts.js';
import { planCampaign } from '../../../src/plan/plan.js';
import { SplitbenchError } from '../../../src/errors.js';
import { DEVICES } from '../../support/config-fixtures.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const LITE = 'node_modules/@mediapipe/pose/pose_landmark_lite.tflite';
const POSE = resolve(ROOT, LITE);

describe('campaigns over a real model (pose_landmark_lite from @mediapipe/pose)', () => {
    it('reads op count, valid split points (constant-only ops excluded) and tensor producers', () => {
        const f = readModelFacts(POSE);
        expect(f.opCount).toBe(305);
        expect(f.splitPoints).toHaveLength(128);
        expect(f.splitPoints?.slice(0, 4)).toEqual([0, 3, 6, 9]);
        expect(f.tensorProducers?.get('model_1/model/zero_padding2d/Pad')).toBe(0);
    });

    it('loads the demo and plans a small two-device campaign', () => {
        // relative paths resolve against configs/, the campaign file's folder
        const l = loadCampaign(resolve(ROOT, 'configs/demo.yaml'), {
            knownDevices: DEVICES,
            modelInfo: readModelFacts,
        });
        expect(l.models[0]).toMatchObject({ exists: true, sizeBytes: expect.any(Number) as number });
        const splits = l.planModels?.[0]?.splits ?? [];
        expect(splits).toHaveLength(6);
        const jobs = planCampaign(l.campaign, l.planModels ?? []);
        // 3 repetitions × (estimate and baseline on each of 2 devices + a head and a tail per split)
        expect(jobs).toHaveLength(3 * (2 + 2 + 2 * splits.length));
    });

    it('names split points beyond the real model, constant-only ops, and tensors it lacks', () => {
        const text = `name: t
models:
    - { path: ${LITE}, splits: [0, 1, 301, 400] }
    - { id: p2, path: ${LITE}, splits: { tensors: [model_1/model/zero_padding2d/Pad, nope] } }
roles: { ue: [local-ue], server: [local-server] }
`;
        let err: unknown;
        try {
            checkCampaignText(text, 't.yaml', { knownDevices: DEVICES, modelInfo: readModelFacts, baseDir: ROOT });
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(SplitbenchError);
        expect((err as SplitbenchError).message.split('\n')).toEqual([
            't.yaml:3:83 models[0].splits[1]: split point 1 is not a cut of model pose_landmark_lite (op 1 only feeds constants of later ops)',
            't.yaml:3:86 models[0].splits[2]: split point 301 is not a cut of model pose_landmark_lite (op 301 only feeds constants of later ops)',
            't.yaml:3:91 models[0].splits[3]: split point 400 is beyond model pose_landmark_lite (305 ops: valid 0..303)',
            't.yaml:4:133 models[1].splits.tensors[1]: model p2 has no tensor "nope" produced by an op',
        ]);
    });
});
