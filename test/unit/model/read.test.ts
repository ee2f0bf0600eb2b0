import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import { buildTestModel, residualCnn, twoInTwoOut } from '../../../src/model/build.js';
import { readModel, tensorByteSize } from '../../../src/model/read.js';
import { POSE_LITE } from '../../support/models.js';

const expectModelInvalid = (fn: () => unknown, pattern: RegExp): void => {
    try {
        fn();
    } catch (e) {
        expect(isSplitbenchError(e, 'MODEL_INVALID')).toBe(true);
        expect((e as Error).message).toMatch(pattern);
        expect((e as Error).message).not.toContain('\n');
        return;
    }
    throw new Error('expected MODEL_INVALID');
};

describe('readModel on builder models', () => {
    it('reads ops, tensors, shapes, dtypes and constants of a float model', () => {
        const m = readModel(buildTestModel(residualCnn()), 'residual.tflite');
        const sg = m.subgraphs[0]!;
        expect(sg.operators.map((o) => o.type)).toEqual([
            'CONV_2D',
            'CONV_2D',
            'DEPTHWISE_CONV_2D',
            'CONV_2D',
            'ADD',
            'CONV_2D',
            'CONV_2D',
            'CONCATENATION',
            'MUL',
            'AVERAGE_POOL_2D',
            'RESHAPE',
            'FULLY_CONNECTED',
            'SOFTMAX',
        ]);
        const image = sg.tensors[sg.inputs[0]!]!;
        expect(image).toMatchObject({
            name: 'image',
            shape: [1, 16, 16, 3],
            dtype: 'float32',
            constant: false,
            isInput: true,
        });
        expect(image.bytes).toBe(16 * 16 * 3 * 4);
        const stemWeights = sg.tensors.find((t) => t.name === 'stem/weights')!;
        expect(stemWeights).toMatchObject({ shape: [8, 3, 3, 3], constant: true });
        expect(m.buffers[stemWeights.buffer]!.data.length).toBe(8 * 3 * 3 * 3 * 4);
        const out = sg.tensors[sg.outputs[0]!]!;
        expect(out).toMatchObject({ name: 'probs', shape: [1, 5], isOutput: true });
        expect(m.description).toContain('residual');
    });

    it('reads quantization parameters of a uint8 model', () => {
        const m = readModel(buildTestModel(residualCnn({ quantize: 'uint8' })), 'q.tflite');
        const sg = m.subgraphs[0]!;
        const image = sg.tensors[sg.inputs[0]!]!;
        expect(image.dtype).toBe('uint8');
        expect(image.quantization).toEqual({ scale: [1 / 16], zeroPoint: [128], quantizedDimension: 0 });
        const bias = sg.tensors.find((t) => t.name === 'stem/bias')!;
        expect(bias.dtype).toBe('int32');
        expect(sg.tensors[sg.outputs[0]!]!.quantization).toMatchObject({ scale: [1 / 256], zeroPoint: [0] });
    });

    it('names unnamed tensors #<index> and reads custom ops as CUSTOM:<name>', () => {
        const spec = twoInTwoOut();
        spec.layers[0] = { ...spec.layers[0]!, unnamed: true };
        spec.layers.push({ op: 'CUSTOM', name: 'post', customCode: 'MyPostOp', inputs: ['late'], shape: [1, 8, 8, 3] });
        spec.outputs.push('post');
        const m = readModel(buildTestModel(spec), 'x.tflite');
        const sg = m.subgraphs[0]!;
        const first = sg.tensors[sg.operators[0]!.outputs[0]!]!;
        expect(first.rawName).toBe('');
        expect(first.name).toBe(`#${first.index}`);
        expect(sg.operators.at(-1)!.type).toBe('CUSTOM:MyPostOp');
        expect(m.operatorCodes.map((c) => c.name)).toContain('CUSTOM:MyPostOp');
    });

    it('reads the MediaPipe pose landmark model (npm @mediapipe/pose)', () => {
        const m = readModel(readFileSync(POSE_LITE), POSE_LITE);
        const sg = m.subgraphs[0]!;
        expect(sg.operators).toHaveLength(305);
        expect(sg.operators.filter((o) => o.type === 'DEQUANTIZE')).toHaveLength(176);
        expect(sg.inputs).toHaveLength(1);
        expect(sg.outputs).toHaveLength(5);
        const fp16 = sg.tensors.filter((t) => t.dtype === 'float16');
        expect(fp16.length).toBeGreaterThan(100);
        expect(fp16.every((t) => t.constant)).toBe(true);
    });
});

describe('tensorByteSize', () => {
    it('multiplies shape by element size, int4 packed', () => {
        expect(tensorByteSize('float32', [1, 2, 3])).toEqual({ bytes: 24 });
        expect(tensorByteSize('int4', [3])).toEqual({ bytes: 2 });
        expect(tensorByteSize('uint8', [])).toEqual({ bytes: 1 });
    });
    it('refuses to guess dynamic and string sizes', () => {
        expect(tensorByteSize('float32', [1, 4], [-1, 4])).toEqual({ unknown: 'dynamic shape [-1,4]' });
        expect(tensorByteSize('string', [1])).toEqual({ unknown: 'string tensor: size depends on its contents' });
        expect('unknown' in tensorByteSize('resource', [])).toBe(true);
    });
});

describe('readModel on bad files', () => {
    const good = buildTestModel(twoInTwoOut());

    it('rejects short files, wrong identifiers and empty files', () => {
        expectModelInvalid(
            () => readModel(new Uint8Array(0), 'empty.tflite'),
            /empty\.tflite: not a TFLite file \(0 bytes/,
        );
        const wrong = good.slice();
        wrong.set([0x41, 0x42, 0x43, 0x44], 4);
        expectModelInvalid(
            () => readModel(wrong, 'w.tflite'),
            /w\.tflite: not a TFLite file \(identifier 'ABCD', expected 'TFL3'\)/,
        );
        expectModelInvalid(
            () => readModel(new TextEncoder().encode('<html>hello</html>'), 'page.tflite'),
            /not a TFLite file/,
        );
    });

    it('rejects a root offset outside the file', () => {
        const bad = good.slice();
        new DataView(bad.buffer).setUint32(0, good.length + 100, true);
        expectModelInvalid(() => readModel(bad, 'root.tflite'), /root\.tflite: truncated or corrupt/);
    });

    it('rejects every truncation with MODEL_INVALID, never another error', () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: good.length - 1 }), (n) => {
                expectModelInvalid(() => readModel(good.subarray(0, n), 't.tflite'), /^model t\.tflite: /);
            }),
            { numRuns: 200 },
        );
    });

    it('random corruption gives a model or MODEL_INVALID, never a crash', () => {
        fc.assert(
            fc.property(fc.integer({ min: 8, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
                const bad = good.slice();
                bad[at] = byte;
                try {
                    readModel(bad, 'c.tflite');
                } catch (e) {
                    expect(isSplitbenchError(e, 'MODEL_INVALID')).toBe(true);
                }
            }),
            { numRuns: 300 },
        );
    });
});
