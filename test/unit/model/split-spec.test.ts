import { describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import { buildTestModel, residualCnn } from '../../../src/model/build.js';
import { inspectModel, renderInspect } from '../../../src/model/inspect.js';
import { readModel } from '../../../src/model/read.js';
import { parseSplitSpec } from '../../../src/model/split-spec.js';

const model = readModel(buildTestModel(residualCnn()), 'res.tflite');
const f16 = readModel(buildTestModel(residualCnn({ fp16Weights: true })), 'f16.tflite');

const splitInvalid = (spec: string, m = model): string => {
    try {
        parseSplitSpec(spec, m);
    } catch (e) {
        expect(isSplitbenchError(e, 'SPLIT_INVALID')).toBe(true);
        return (e as Error).message;
    }
    throw new Error(`'${spec}' was accepted`);
};

describe('parseSplitSpec', () => {
    it('reads lists, all, every:N and tensor:NAME', () => {
        expect(parseSplitSpec('3', model)).toEqual([3]);
        expect(parseSplitSpec(' 5, 1,5 ', model)).toEqual([1, 5]);
        expect(parseSplitSpec('all', model)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        expect(parseSplitSpec('every:5', model)).toEqual([0, 5, 10]);
        expect(parseSplitSpec('tensor:residual', model)).toEqual([4]);
        expect(parseSplitSpec('tensor:#3', model)).toEqual([parseSplitSpec('tensor:stem', model)[0]]);
    });

    it('walks only real split points for all / every:N when weights are dequantized', () => {
        const all = parseSplitSpec('all', f16);
        expect(all).toHaveLength(12);
        expect(parseSplitSpec('every:4', f16)).toEqual([all[0], all[4], all[8]]);
    });

    it('names the model and the problem', () => {
        expect(splitInvalid('12')).toBe('model res.tflite: split point 12 out of range (valid: 0..11)');
        expect(splitInvalid('1,x')).toMatch(/^model res\.tflite: split spec '1,x': 'x' is not a split point/);
        expect(splitInvalid('every:0')).toMatch(/every:N needs a whole N >= 1/);
        expect(splitInvalid('tensor:nope')).toBe("model res.tflite: no tensor named 'nope' in subgraph 0");
        expect(splitInvalid('tensor:image')).toMatch(/is not produced by an op \(a model input\)/);
        expect(splitInvalid('tensor:stem/weights')).toMatch(/not produced by an op \(a constant\)/);
        expect(splitInvalid('tensor:probs')).toMatch(/split point 12 out of range/);
        expect(splitInvalid('tensor:stem/weights', f16)).toMatch(/is a constant \(made by DEQUANTIZE op \d+\)/);
    });

    it('refuses an explicit K that is a constant-folding op, listing the real split points', () => {
        // f16 DEQUANTIZE ops (by hand): 0,1,3,4,6,7,9,10,13,14,16,17,23,24; split points 2,5,8,11,12,15,18..22,25
        const valid = 'valid: 2, 5, 8, 11, 12, 15, 18..22, 25';
        expect(splitInvalid('2,3', f16)).toBe(
            `split point 3 is not a cut of model f16.tflite (op 3 only feeds constants of later ops; ${valid})`,
        );
        expect(splitInvalid('26', f16)).toBe(`model f16.tflite: split point 26 out of range (${valid})`);
        expect(parseSplitSpec('2,12,18', f16)).toEqual([2, 12, 18]);
    });
});

describe('inspectModel', () => {
    it('gives ops, tensors and split points by tensor index', () => {
        const rep = inspectModel(model);
        expect(rep.ops).toHaveLength(13);
        expect(rep.ops[4]).toMatchObject({ index: 4, type: 'ADD' });
        const residual = rep.tensors.find((t) => t.name === 'residual')!;
        expect(residual).toMatchObject({ shape: [1, 8, 8, 8], dtype: 'float32', bytes: 2048, constant: false });
        expect(rep.splitPoints[5]).toMatchObject({ after: 5, count: 2, bytes: 2048 + 1024 });
        expect(rep.splitPoints[5]!.tensors).toContain(residual.index);
        const text = renderInspect(rep);
        expect(text).toContain('split points (12; k = ops 0..k on the UE)');
        expect(text).toMatch(/\n {2}6 +CONV_2D +3 +4096 +7\/6 +#13,#16,#19\n/);
    });
    it('marks constant-folding ops and tensors', () => {
        const rep = inspectModel(f16);
        expect(rep.ops.filter((o) => o.constantFolding === true)).toHaveLength(14);
        expect(rep.tensors.filter((t) => t.constantFolded === true)).toHaveLength(14);
    });
});
