import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import { buildTestModel, residualCnn, twoInTwoOut } from '../../../src/model/build.js';
import { readModel } from '../../../src/model/read.js';
import { buildSplit, planSplit } from '../../../src/model/split.js';
import { graphFacts, splitPointIndices } from '../../../src/model/split-points.js';
import type { TfliteModel } from '../../../src/model/types.js';
import { buildSubModel, joinSegments, SubModelWriter } from '../../../src/model/write.js';
import { POSE_LITE } from '../../support/models.js';

const ioNames = (m: TfliteModel): { inputs: string[]; outputs: string[] } => {
    const sg = m.subgraphs[0]!;
    return { inputs: sg.inputs.map((t) => sg.tensors[t]!.name), outputs: sg.outputs.map((t) => sg.tensors[t]!.name) };
};

describe('head/tail writer', () => {
    const model = readModel(buildTestModel(residualCnn({ quantize: 'uint8' })), 'residual_uint8.tflite');

    it('writes a head ending in the cut and a tail starting from it', () => {
        const { head, tail, plan } = buildSplit(model, 6);
        const h = readModel(head, 'head');
        const t = readModel(tail, 'tail');
        expect(ioNames(h)).toEqual({ inputs: ['image'], outputs: ['residual', 'branch_a', 'branch_b'] });
        expect(ioNames(t)).toEqual({ inputs: ['residual', 'branch_a', 'branch_b'], outputs: ['probs'] });
        expect(h.subgraphs[0]!.operators.map((o) => o.type)).toEqual([
            'CONV_2D',
            'CONV_2D',
            'DEPTHWISE_CONV_2D',
            'CONV_2D',
            'ADD',
            'CONV_2D',
            'CONV_2D',
        ]);
        expect(t.subgraphs[0]!.operators.map((o) => o.type)).toEqual([
            'CONCATENATION',
            'MUL',
            'AVERAGE_POOL_2D',
            'RESHAPE',
            'FULLY_CONNECTED',
            'SOFTMAX',
        ]);
        expect(plan.point.count).toBe(3);
    });

    it('keeps names, dtypes, shapes and quantization of every tensor it carries', () => {
        const orig = model.subgraphs[0]!.tensors;
        for (const k of [0, 4, 8]) {
            const { head, tail } = buildSplit(model, k);
            for (const sub of [readModel(head, 'h'), readModel(tail, 't')]) {
                for (const t of sub.subgraphs[0]!.tensors) {
                    const o = orig.find((x) => x.name === t.name)!;
                    expect({ dtype: t.dtype, shape: t.shape, q: t.quantization, constant: t.constant }).toEqual({
                        dtype: o.dtype,
                        shape: o.shape,
                        q: o.quantization,
                        constant: o.constant,
                    });
                    if (t.constant) expect(sub.buffers[t.buffer]!.data).toEqual(model.buffers[o.buffer]!.data);
                }
            }
        }
    });

    it('keeps only the tensors, buffers and operator codes each side uses', () => {
        const { head, tail } = buildSplit(model, 0);
        const h = readModel(head, 'h');
        const t = readModel(tail, 't');
        expect(h.subgraphs[0]!.tensors.map((x) => x.name).sort()).toEqual([
            'image',
            'stem',
            'stem/bias',
            'stem/weights',
        ]);
        expect(h.buffers).toHaveLength(3); // sentinel + weights + bias
        expect(h.buffers[0]!.data.length).toBe(0);
        expect(h.operatorCodes.map((c) => c.name)).toEqual(['CONV_2D']);
        expect(t.subgraphs[0]!.tensors.some((x) => x.name === 'stem/weights')).toBe(false);
        const weightBytes = (m: TfliteModel): number => m.buffers.reduce((s, b) => s + b.data.length, 0);
        expect(weightBytes(h) + weightBytes(t)).toBe(weightBytes(model));
        expect(head.length).toBeLessThan(tail.length);
    });

    it('is deterministic, with a fresh or a reused writer', () => {
        const facts = graphFacts(model);
        const writer = new SubModelWriter();
        for (const k of splitPointIndices(facts)) {
            const plan = planSplit(model, k, facts);
            const a = joinSegments(buildSubModel(model, plan.tail, writer));
            const b = joinSegments(buildSubModel(model, plan.tail));
            expect(a).toEqual(b);
            expect(a.length % 16).toBe(0);
        }
    });

    it('places buffer data 16-byte aligned (schema force_align)', () => {
        const { tail } = buildSplit(model, 3);
        const t = readModel(tail, 't');
        for (const b of t.buffers) if (b.data.length > 0) expect(b.data.byteOffset % 16).toBe(0);
    });

    it('lets a model input cross: the tail takes it, the head does not re-emit it', () => {
        const two = readModel(buildTestModel(twoInTwoOut()), 'two.tflite');
        const { head, tail } = buildSplit(two, 3);
        expect(ioNames(readModel(head, 'h'))).toEqual({ inputs: ['left', 'right'], outputs: ['dw', 'early_sum'] });
        expect(ioNames(readModel(tail, 't'))).toEqual({ inputs: ['left', 'dw'], outputs: ['late'] });
    });

    it('carries custom ops and their options bytes unchanged', () => {
        const spec = twoInTwoOut();
        const options = Uint8Array.from([1, 2, 3, 250, 0, 7]);
        spec.layers.push({
            op: 'CUSTOM',
            name: 'post',
            customCode: 'MyPostOp',
            inputs: ['late', 'early_sum'],
            shape: [1, 8, 8, 3],
            options,
        });
        spec.outputs = ['post'];
        const m = readModel(buildTestModel(spec), 'custom.tflite');
        const { tail } = buildSplit(m, 5);
        const t = readModel(tail, 't');
        const op = t.subgraphs[0]!.operators[0]!;
        expect(op.type).toBe('CUSTOM:MyPostOp');
        expect(ioNames(t)).toEqual({ inputs: ['early_sum', 'late'], outputs: ['post'] });
        expect(op.customOptions).toEqual(options);
        const again = readModel(buildSplit(m, 4).tail, 't2');
        expect(again.subgraphs[0]!.operators.map((o) => [o.type, o.customOptions?.length])).toEqual([
            ['CONV_2D', undefined],
            ['CUSTOM:MyPostOp', options.length],
        ]);
    });

    it('refuses an out-of-range split point with SPLIT_INVALID', () => {
        for (const k of [-1, 12, 1.5]) {
            expect(() => planSplit(model, k)).toThrow(
                /residual_uint8\.tflite: split point .* out of range \(valid: 0\.\.11\)/,
            );
            try {
                planSplit(model, k);
            } catch (e) {
                expect(isSplitbenchError(e, 'SPLIT_INVALID')).toBe(true);
            }
        }
    });

    it('splits the pose landmark model with DEQUANTIZE going to its consumers', () => {
        const pose = readModel(readFileSync(POSE_LITE), POSE_LITE);
        const { head, tail } = buildSplit(pose, 19);
        const h = readModel(head, 'h');
        const t = readModel(tail, 't');
        const deq = (m: TfliteModel): number => m.subgraphs[0]!.operators.filter((o) => o.type === 'DEQUANTIZE').length;
        expect(deq(h) + deq(t)).toBe(176);
        expect(h.subgraphs[0]!.operators).toHaveLength(20);
        expect(ioNames(t).outputs).toEqual(ioNames(pose).outputs);
        expect(h.subgraphs[0]!.outputs).toHaveLength(2);
    });
});
