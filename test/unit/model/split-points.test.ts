import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTestModel, chainCnn, residualCnn, twoInTwoOut } from '../../../src/model/build.js';
import { readModel } from '../../../src/model/read.js';
import { graphFacts, partition, splitAt, splitPoints } from '../../../src/model/split-points.js';
import { POSE_LITE } from '../../support/models.js';

const names = (sp: { cut: { name: string }[] }): string[] => sp.cut.map((c) => c.name);

describe('split points of the residual CNN', () => {
    const model = readModel(buildTestModel(residualCnn()), 'residual.tflite');
    const points = splitPoints(model);

    it('has one split point per op but the last', () => {
        expect(points.map((p) => p.after)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    });

    it('counts every tensor crossing a residual skip, with bytes', () => {
        // ops: 0 stem, 1 expand, 2 dw, 3 project, 4 residual ADD(stem, project), 5 branch_a, 6 branch_b, 7 concat, 8 gate MUL(concat, residual)
        expect(names(points[0]!)).toEqual(['stem']);
        expect(names(points[1]!)).toEqual(['stem', 'expand']);
        expect(names(points[3]!)).toEqual(['stem', 'project']);
        expect(points[3]!.count).toBe(2);
        expect(points[3]!.bytes).toBe(2 * 8 * 8 * 8 * 4);
        expect(names(points[5]!)).toEqual(['residual', 'branch_a']);
        expect(names(points[6]!)).toEqual(['residual', 'branch_a', 'branch_b']);
        expect(points[6]!.bytes).toBe((8 * 8 * 8 + 2 * 8 * 8 * 4) * 4);
        expect(names(points[7]!)).toEqual(['residual', 'concat']);
        expect(names(points[11]!)).toEqual(['logits']);
        expect(points.every((p) => p.unsupported === undefined && p.outputsAlreadyProduced.length === 0)).toBe(true);
    });

    it('a uint8 variant has the same cuts at a quarter of the bytes', () => {
        const q = splitPoints(readModel(buildTestModel(residualCnn({ quantize: 'uint8' })), 'q.tflite'));
        expect(q.map(names)).toEqual(points.map(names));
        expect(q.map((p) => (p.bytes ?? 0) * 4)).toEqual(points.map((p) => p.bytes));
    });
});

describe('split points with several inputs and outputs', () => {
    const model = readModel(buildTestModel(twoInTwoOut()), 'two.tflite');
    const points = splitPoints(model);
    // ops: 0 left_conv(left), 1 right_conv(right), 2 early_sum, 3 dw, 4 joined = concat(dw, left), 5 late
    it('lists a model input the tail consumes as crossing the cut', () => {
        expect(points[0]!.cut.map((c) => [c.name, c.source])).toEqual([
            ['left', 'model-input'],
            ['right', 'model-input'],
            ['left_conv', 'head'],
        ]);
        expect(points[3]!.cut.map((c) => [c.name, c.source])).toEqual([
            ['left', 'model-input'],
            ['dw', 'head'],
        ]);
        expect(points[4]!.cut.map((c) => c.name)).toEqual(['joined']);
    });
    it('reports model outputs the head already produced', () => {
        expect(points[1]!.outputsAlreadyProduced).toEqual([]);
        expect(points[2]!.outputsAlreadyProduced.map((o) => o.name)).toEqual(['early_sum']);
        expect(points[2]!.cut.map((c) => c.name)).toContain('early_sum'); // also consumed by the tail
        expect(points[3]!.outputsAlreadyProduced.map((o) => o.name)).toEqual(['early_sum']);
        expect(points[3]!.cut.map((c) => c.name)).not.toContain('early_sum');
    });
});

describe('constant-folding ops (fp16 weights behind DEQUANTIZE)', () => {
    const model = readModel(buildTestModel(residualCnn({ fp16Weights: true })), 'f16.tflite');
    const facts = graphFacts(model);
    const sg = facts.sg;

    it('marks DEQUANTIZE of constants as constant folding and skips them as split points', () => {
        const deq = sg.operators.filter((o) => o.type === 'DEQUANTIZE').map((o) => o.index);
        expect(deq.length).toBe(14);
        expect(deq.every((i) => facts.constOp[i])).toBe(true);
        const points = splitPoints(model, facts);
        expect(points.map((p) => p.after).every((k) => sg.operators[k]!.type !== 'DEQUANTIZE')).toBe(true);
        expect(points).toHaveLength(12);
    });

    it('never puts a dequantized weight in a cut, and has the float model cuts', () => {
        const plain = splitPoints(readModel(buildTestModel(residualCnn()), 'p.tflite'));
        const points = splitPoints(model, facts);
        expect(points.map(names)).toEqual(plain.map(names));
        expect(points.flatMap((p) => p.cut).every((c) => c.dtype === 'float32' && !c.name.includes('/'))).toBe(true);
    });

    it('sends each DEQUANTIZE to the side that consumes it; a k at a DEQUANTIZE cuts like the op before', () => {
        const conv0 = sg.operators.findIndex((o) => o.type === 'CONV_2D');
        const { head, tail } = partition(facts, conv0);
        expect(head.map((i) => sg.operators[i]!.type)).toEqual(['DEQUANTIZE', 'DEQUANTIZE', 'CONV_2D']);
        expect(tail.some((i) => sg.operators[i]!.type === 'DEQUANTIZE')).toBe(true);
        expect(names(splitAt(facts, conv0 + 1))).toEqual(names(splitAt(facts, conv0)));
    });

    it('duplicates a constant-folding op that both sides consume', () => {
        // Hand-made layout: one dequantized weight used by an op on each side.
        const spec = chainCnn();
        const shared = readModel(buildTestModel({ ...spec, fp16Weights: true }), 'chain16.tflite');
        const f = graphFacts(shared);
        // Rewire in memory: make the last FC also consume the first conv's dequantized weights.
        const firstDeq = f.sg.operators.find((o) => o.type === 'DEQUANTIZE')!;
        const fc = f.sg.operators.at(-1)!;
        fc.inputs = [...fc.inputs, firstDeq.outputs[0]!];
        const g = graphFacts(shared);
        const k = g.realOps[1]!;
        const { head, tail } = partition(g, k);
        expect(head).toContain(firstDeq.index);
        expect(tail).toContain(firstDeq.index);
        expect(names(splitAt(g, k)).some((n) => n.includes('weights'))).toBe(false);
    });
});

describe('split points of MediaPipe pose_landmark_lite', () => {
    const model = readModel(readFileSync(POSE_LITE), POSE_LITE);
    const facts = graphFacts(model);
    const points = splitPoints(model, facts);
    it('has 128 split points, none at a DEQUANTIZE, no fp16 weight ever crossing', () => {
        expect(points).toHaveLength(305 - 176 - 1);
        for (const p of points) {
            expect(facts.sg.operators[p.after]!.type).not.toBe('DEQUANTIZE');
            expect(p.cut.every((c) => c.dtype === 'float32' && c.bytes !== null)).toBe(true);
            expect(p.bytes).toBe(p.cut.reduce((s, c) => s + c.bytes!, 0));
        }
    });
    it('sees the skip connections: several tensors cross inside residual blocks', () => {
        expect(Math.max(...points.map((p) => p.count))).toBeGreaterThanOrEqual(3);
        const at15 = points.find((p) => p.after === 15)!;
        expect(at15.count).toBe(3);
        expect(at15.bytes).toBe((128 * 128 * 8 + 128 * 128 * 32 + 128 * 128 * 8) * 4);
    });
    it('the last split points already produced some of the five outputs', () => {
        const last = points.at(-1)!;
        expect(last.outputsAlreadyProduced.length).toBeGreaterThan(0);
        expect(last.outputsAlreadyProduced.length).toBeLessThan(5);
    });
});
