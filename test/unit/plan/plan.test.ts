import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCampaignText } from '../../../src/config/load.js';
import type { ResolvedCampaign } from '../../../src/config/normalize.js';
import { formatPlan, summarizePlan, estimateJobSecs } from '../../../src/plan/format-plan.js';
import { canonicalJson, jobId, planCampaign } from '../../../src/plan/plan.js';
import { resolveSplits, validSplitPoints } from '../../../src/plan/splits.js';
import type { PlanModel } from '../../../src/plan/types.js';
import { ctx, FILES, fileFacts, SHA_A, SHA_B } from '../../support/config-fixtures.js';

const campaign = (yaml: string): ResolvedCampaign =>
    checkCampaignText(yaml, 'c.yaml', ctx(), fileFacts(FILES)).campaign;

const TEXT = `name: p
models:
    - path: models/net.tflite
    - path: models/other.tflite
splits: [2, 5]
roles: { ue: [local-ue, linux-pc], server: [local-server] }
repetitions: 2
modes: [estimate, measure]
`;

const MODELS: PlanModel[] = [
    { id: 'net', sha256: SHA_A, path: '/proj/models/net.tflite', opCount: 30, splits: [2, 5] },
    { id: 'other', sha256: SHA_B, path: '/proj/models/other.tflite', opCount: 12, splits: [2, 5] },
];

describe('planCampaign', () => {
    const c = campaign(TEXT);
    const jobs = planCampaign(c, MODELS);

    it('plans estimate and baseline per model×device×repetition and head/tail per split', () => {
        // per repetition and model: estimate on 3 devices, baseline on 3, heads 2 splits × 2 UEs, tails 2 × 1
        expect(jobs).toHaveLength(2 * 2 * (3 + 3 + 4 + 2));
        const count = (kind: string) => jobs.filter((j) => j.kind === kind).length;
        expect([count('estimate'), count('baseline'), count('measure-head'), count('measure-tail')]).toEqual([
            12, 12, 16, 8,
        ]);
        expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
        const head = jobs.find((j) => j.kind === 'measure-head' && j.split === 5 && j.device === 'linux-pc');
        expect(head).toMatchObject({ role: 'ue', mode: 'measure', profile: false, modelSha256: SHA_A, repetition: 0 });
        expect(head?.label).toBe('measure-head net@5 on linux-pc #0');
        expect(jobs.filter((j) => j.profile).every((j) => j.kind === 'estimate' && j.split === null)).toBe(true);
        expect(jobs.filter((j) => j.role === 'server').every((j) => j.device === 'local-server')).toBe(true);
    });

    it('orders repetition-major with full-model jobs first', () => {
        const reps = jobs.map((j) => j.repetition);
        expect(reps).toEqual([...reps].sort());
        expect(jobs[0]?.kind).toBe('estimate');
    });

    it('gives the same ids on a rerun, whatever the key order in the file', () => {
        const again = planCampaign(
            campaign(
                TEXT.replace(
                    'repetitions: 2\nmodes: [estimate, measure]',
                    'modes: [estimate, measure]\nrepetitions: 2',
                ),
            ),
            MODELS,
        );
        expect(again.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
        const reordered = campaign(`${TEXT}settings: { ue: { runs: 7, threads: 2 } }\n`);
        const reordered2 = campaign(`${TEXT}settings: { ue: { threads: 2, runs: 7 } }\n`);
        expect(planCampaign(reordered, MODELS).map((j) => j.id)).toEqual(
            planCampaign(reordered2, MODELS).map((j) => j.id),
        );
    });

    it('changes ids when a measurement setting or the model bytes change, not for scheduling settings', () => {
        const ueIds = (cc: ResolvedCampaign, models = MODELS) =>
            planCampaign(cc, models)
                .filter((j) => j.role === 'ue')
                .map((j) => j.id);
        const base = ueIds(c);
        expect(ueIds(campaign(`${TEXT}settings: { ue: { runs: 51 } }\n`))).not.toContain(base[0]);
        expect(ueIds(campaign(`${TEXT}settings: { ue: { cooldownSecs: 30, thermalGateC: 45 } }\n`))).toEqual(base);
        const changed = [{ ...MODELS[0]!, sha256: 'c'.repeat(64) }, MODELS[1]!];
        const ids = ueIds(c, changed);
        expect(ids.filter((id) => base.includes(id))).toHaveLength(base.length / 2); // the other model's jobs keep theirs
    });

    it('plans one device only for re-benchmarking, with the same ids as the full plan', () => {
        const only = planCampaign(c, MODELS, { onlyDevices: new Set(['linux-pc']) });
        expect(only.every((j) => j.device === 'linux-pc')).toBe(true);
        expect(only).toHaveLength(2 * 2 * (1 + 1 + 2));
        const all = new Set(jobs.map((j) => j.id));
        expect(only.every((j) => all.has(j.id))).toBe(true);
    });

    it('plans estimate only, and measures the same file once when listed twice', () => {
        const est = planCampaign(campaign(TEXT.replace('modes: [estimate, measure]', 'modes: [estimate]')), MODELS);
        expect(est.every((j) => j.kind === 'estimate')).toBe(true);
        const twice = planCampaign(c, [MODELS[0]!, { ...MODELS[1]!, sha256: SHA_A }]);
        expect(twice).toHaveLength(jobs.length / 2);
    });

    it('never repeats an id across random settings and splits (property)', () => {
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.nat(28), { minLength: 1, maxLength: 8 }),
                fc.integer({ min: 1, max: 3 }),
                (splits, reps) => {
                    const cc = { ...c, repetitions: reps };
                    const js = planCampaign(cc, [{ ...MODELS[0]!, splits }, MODELS[1]!]);
                    return new Set(js.map((j) => j.id)).size === js.length;
                },
            ),
            { numRuns: 50 },
        );
    });

    it('hashes canonical JSON', () => {
        expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, w: null }] })).toBe('{"a":[{"w":null,"y":2}],"b":1}');
        const key = {
            kind: 'estimate',
            modelSha256: SHA_A,
            split: null,
            device: 'd',
            role: 'ue',
            repetition: 0,
            settings: c.settings.ue,
        } as const;
        expect(jobId(key)).toMatch(/^[0-9a-f]{20}$/);
        expect(jobId({ ...key, repetition: 1 })).not.toBe(jobId(key));
        expect(jobId({ ...key, role: 'server' })).not.toBe(jobId(key));
    });
});

describe('resolveSplits', () => {
    const facts = { opCount: 10 };
    it('resolves all, lists, every N and tensor names', () => {
        expect(validSplitPoints(facts)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
        expect(resolveSplits('all', facts, 'm').splits).toHaveLength(9);
        expect(resolveSplits([5, 1, 5], facts, 'm')).toEqual({ splits: [1, 5], problems: [] });
        expect(resolveSplits({ every: 3 }, facts, 'm').splits).toEqual([2, 5, 8]);
        expect(resolveSplits({ every: 2 }, { opCount: 10, splitPoints: [1, 3, 4, 7, 8] }, 'm').splits).toEqual([3, 7]);
        const tensors = resolveSplits(
            { tensors: ['b', 'a'] },
            {
                opCount: 10,
                tensorProducers: new Map([
                    ['a', 2],
                    ['b', 6],
                ]),
            },
            'm',
        );
        expect(tensors).toEqual({ splits: [2, 6], problems: [] });
    });

    it('reports out-of-range and non-cut split points by index', () => {
        expect(resolveSplits([1, 9, 3], { opCount: 10, splitPoints: [1, 2] }, 'm').problems).toEqual([
            { index: 1, message: 'split point 9 is beyond model m (10 ops: valid 0..8)' },
            { index: 2, message: 'split point 3 is not a cut of model m (op 3 only feeds constants of later ops)' },
        ]);
        expect(resolveSplits([0], { opCount: 1 }, 'one').problems[0]?.message).toBe(
            'split point 0 is beyond model one (1 op(s): no split point)',
        );
        expect(resolveSplits({ tensors: ['x'] }, facts, 'm').problems[0]?.message).toBe(
            'cannot resolve tensor "x": tensor names of m unknown',
        );
    });
});

describe('formatPlan', () => {
    const c = campaign(TEXT);
    const jobs = planCampaign(c, MODELS);

    it('estimates a job from its settings: warm-up and timed loops with their minimum times and cap', () => {
        const s = c.settings.ue; // warmupRuns 1 (min 0.5 s), runs 50 (min 1 s), maxSecs 150
        expect(estimateJobSecs(s, 10, 1.5)).toBeCloseTo(1.5 + 0.5 + 1, 6);
        expect(estimateJobSecs(s, 100, 1.5)).toBeCloseTo(1.5 + 0.5 + 5, 6);
        expect(estimateJobSecs(s, 10_000, 0)).toBeCloseTo(10 + 150, 6);
    });

    it('prints counts per device and kind, skipped jobs, and the parallel wall time', () => {
        const skip = new Set(jobs.filter((j) => j.device === 'local-ue' && j.repetition === 0).map((j) => j.id));
        const text = formatPlan(jobs, { skip, perRunMs: (j) => (j.device === 'linux-pc' ? 200 : undefined) });
        expect(text).toBe(
            [
                'device            estimate     baseline measure-head measure-tail   jobs   skip  estimate',
                'local-ue                 2            2            4            0      8      8  ~24s',
                'linux-pc                 4            4            8            0     16      0  ~3m12s (16 from earlier results)',
                'local-server             4            4            0            8     16      0  ~48s',
                '40 job(s) to run, 8 already done on 3 device(s); estimated wall time ~3m12s (devices in parallel)',
                '',
            ].join('\n'),
        );
        const sum = summarizePlan(jobs);
        expect(sum.total).toBe(48);
        expect(sum.wallSecs).toBeCloseTo(Math.max(...sum.devices.map((d) => d.secs)), 6);

        // a per-device fixed cost: 0.3 s on the local devices instead of 1.5 s takes 1.2 s off each of their jobs
        const local = summarizePlan(jobs, { skip, overheadSecs: (d) => (d.startsWith('local') ? 0.3 : 1.5) });
        const base = summarizePlan(jobs, { skip });
        for (const d of local.devices) {
            const b = base.devices.find((x) => x.device === d.device);
            expect(d.secs).toBeCloseTo((b?.secs ?? 0) - (d.device.startsWith('local') ? 1.2 * d.jobs : 0), 6);
        }
        // every device on one host: one queue, the jobs one after another
        const one = formatPlan(jobs, {
            skip,
            queues: [{ devices: ['local-ue', 'linux-pc', 'local-server'], cpuHost: 'linux:abc' }],
        });
        expect(one).toContain(
            'queue (its devices never run at the same time):\n  local-ue + linux-pc + local-server: linux:abc\n',
        );
        // 24 s + 48 s + 48 s in a row (no earlier results given this time)
        expect(one).toContain('estimated wall time ~2m00s (one queue: every job one after another)');
    });
});
