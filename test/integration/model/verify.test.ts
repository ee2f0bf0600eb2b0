// Verification on the real native TFLite 2.9 runtime: builder models and the npm-shipped pose model.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoInTwoOut, type LayerSpec } from '../../../src/model/build.js';
import { loadModel } from '../../../src/model/load.js';
import { buildSplit } from '../../../src/model/split.js';
import { graphFacts, splitPointIndices } from '../../../src/model/split-points.js';
import { verifySplit, verifySplitFiles, verifySplits } from '../../../src/model/verify.js';
import { openInterpreter } from '../../../src/tflite/native.js';
import {
    HAVE_SHARED_MODELS,
    POSE_LITE,
    SHARED_MODELS,
    writeTestModel,
    writeTestModels,
    type TestModelSet,
} from '../../support/models.js';

let models: TestModelSet;
beforeAll(() => {
    models = writeTestModels();
});
afterAll(() => models.cleanup());

const everyPoint = (path: string): number[] => splitPointIndices(graphFacts(loadModel(path)));

describe('verifySplits on builder models', () => {
    for (const key of ['residual', 'residualUint8', 'residualInt8', 'residualFp16', 'twoInTwoOut', 'chain'] as const) {
        it(`${key}: every split point gives bit-identical outputs (XNNPACK off)`, () => {
            const path = models[key];
            const results = verifySplits(path, everyPoint(path));
            expect(results.length).toBeGreaterThan(3);
            for (const r of results) {
                expect(r, `split ${r.k}: ${r.reason ?? ''}`).toMatchObject({ status: 'pass' });
                expect(r.outputs.every((o) => o.identical)).toBe(true);
                expect(r.headBytes).toBeGreaterThan(0);
            }
        });
    }

    it('the builder models compute something input-dependent (the check is not vacuous)', () => {
        const interp = openInterpreter(models.residual, { threads: 1 });
        try {
            const outs = [0x3f, 0xbe].map((fill) => {
                interp.setInput(0, new Uint8Array(interp.inputs[0]!.bytes).fill(fill));
                interp.invoke();
                return interp.output(0);
            });
            expect(outs[0]).not.toEqual(outs[1]);
        } finally {
            interp.close();
        }
    });

    it('with XNNPACK on, float outputs pass within tolerance and report the error', () => {
        const results = verifySplits(models.residual, [2, 6], { xnnpack: true });
        for (const r of results) {
            expect(r.status).toBe('pass');
            expect(r.outputs[0]!.maxAbsError).toBeLessThan(1e-4);
        }
    });

    it('reports a model whose op the runtime lacks as cannot verify, naming the op', () => {
        const spec = twoInTwoOut();
        spec.layers.push({ op: 'CUSTOM', name: 'post', customCode: 'NoSuchOp', inputs: ['late'], shape: [1, 8, 8, 3] });
        spec.outputs = ['post'];
        const path = writeTestModel(models.dir, 'custom', spec);
        const r = verifySplit(path, 2);
        expect(r.status).toBe('cannot-verify');
        expect(r.reason).toMatch(/NoSuchOp/);
    });

    it('fails, with error figures, a head/tail pair that computes something else (the verifier can fail)', () => {
        // Same names and shapes, but early_sum is a MUL: a tail/head from this model is wrong for the real one.
        const wrongSpec = twoInTwoOut();
        wrongSpec.layers = wrongSpec.layers.map((l): LayerSpec =>
            l.op === 'ADD' && l.name === 'early_sum' ? { ...l, op: 'MUL' } : l,
        );
        const wrong = buildSplit(loadModel(writeTestModel(models.dir, 'wrong', wrongSpec)), 2);
        const files = { head: join(models.dir, 'wrong.head.tflite'), tail: join(models.dir, 'wrong.tail.tflite') };
        writeFileSync(files.head, wrong.head);
        writeFileSync(files.tail, wrong.tail);
        const r = verifySplitFiles(models.twoInTwoOut, 2, files);
        expect(r.status).toBe('fail');
        expect(r.reason).toMatch(/early_sum: max abs error [\d.e+-]+, max rel error/);
        const right = buildSplit(loadModel(models.twoInTwoOut), 2);
        writeFileSync(files.head, right.head);
        writeFileSync(files.tail, right.tail);
        expect(verifySplitFiles(models.twoInTwoOut, 2, files).status).toBe('pass');
    });
});

describe('verifySplits on MediaPipe pose_landmark_lite (npm)', () => {
    it('passes at sampled split points with outputs identical', () => {
        const ks = everyPoint(POSE_LITE).filter((_, i) => i % 40 === 0);
        const results = verifySplits(POSE_LITE, ks);
        expect(results.map((r) => r.status)).toEqual(ks.map(() => 'pass'));
    });
});

describe.runIf(HAVE_SHARED_MODELS)('control flow from the shared corpus', () => {
    it('carries WHILE cond/body subgraphs into the tail, which the runtime loads and runs', () => {
        const path = join(SHARED_MODELS, 'cf_while_forwarding_input_string.tflite');
        if (!existsSync(path)) return;
        const { tail } = buildSplit(loadModel(path), 0);
        const file = join(models.dir, 'cf_tail.tflite');
        writeFileSync(file, tail);
        const interp = openInterpreter(file, { threads: 1, allowUnsizedInputs: true });
        try {
            const n = interp.inputs.findIndex((t) => t.dtype === 'int32');
            interp.setInput(n, new Uint8Array(Int32Array.of(3).buffer));
            interp.invoke();
            expect(interp.outputs.length).toBe(3);
        } finally {
            interp.close();
        }
    });
});
