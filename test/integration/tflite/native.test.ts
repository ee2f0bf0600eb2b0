import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import { openInterpreter } from '../../../src/tflite/native.js';
import type { Interpreter } from '../../../src/tflite/types.js';
import { hasShared, POSE_LITE, sharedModel } from '../../support/tflite.js';

const tmp = mkdtempSync(join(tmpdir(), 'sb-tflite-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fill = (it: Interpreter, byte: number): void => {
    it.inputs.forEach((t, i) => it.setInput(i, new Uint8Array(t.bytes).fill(byte)));
};

const codeOf = (fn: () => unknown): string => {
    try {
        fn();
    } catch (e) {
        if (isSplitbenchError(e)) return `${e.code}: ${e.message}`;
        throw e;
    }
    throw new Error('expected an error');
};

describe('native TFLite 2.9 interpreter', () => {
    it('describes tensors, and the profiler leaves outputs bit-identical', () => {
        const a = openInterpreter(POSE_LITE, { threads: 1 });
        const b = openInterpreter(POSE_LITE, { threads: 1, profile: true });
        try {
            expect(a.inputs).toEqual([{ name: 'input_1', dtype: 'float32', shape: [1, 256, 256, 3], bytes: 786432 }]);
            expect(a.outputs.map((t) => t.dtype)).toEqual(['float32', 'float32', 'float32', 'float32', 'float32']);
            expect(a.outputs[0]?.shape).toEqual([1, 195]);
            fill(a, 0x3e); // 0x3e3e3e3e ≈ 0.186 as float32
            fill(b, 0x3e);
            a.invoke();
            b.invoke();
            for (let i = 0; i < a.outputs.length; i++) expect(b.output(i)).toEqual(a.output(i));
            expect(a.nodeTimings()).toEqual([]);
        } finally {
            a.close();
            b.close();
        }
    });

    it('times every node once per invoke, in execution order, with names from the model', () => {
        const it = openInterpreter(POSE_LITE, { threads: 1, profile: true });
        try {
            fill(it, 0);
            const invokes = 3;
            let wallUs = 0;
            for (let i = 0; i < invokes; i++) {
                const t0 = performance.now();
                it.invoke();
                wallUs += (performance.now() - t0) * 1000;
            }
            const rows = it.nodeTimings();
            expect(rows.length).toBe(305);
            expect(rows.map((r) => r.nodeIndex)).toEqual(rows.map((_, i) => i));
            for (const r of rows) {
                expect(r.samplesUs).toHaveLength(invokes);
                expect(r.timesCalled).toBe(invokes);
                expect(r.outputs.length).toBeGreaterThan(0);
                expect(r.type).toMatch(/^[A-Z0-9_]+$/);
            }
            expect(rows[0]).toMatchObject({ type: 'PAD', outputs: ['model_1/model/zero_padding2d/Pad'] });
            expect(new Set(rows.map((r) => r.type))).toContain('CONV_2D');
            // The per-op rows are timed inside invoke, so they can only explain part of it, never more.
            const opSum = rows.reduce((a, r) => a + r.samplesUs.reduce((x, y) => x + y, 0), 0);
            expect(opSum).toBeLessThanOrEqual(wallUs);
            expect(opSum / wallUs).toBeGreaterThan(0.5);
            it.resetTimings();
            expect(it.nodeTimings().every((r) => r.samplesUs.length === 0 && r.timesCalled === 0)).toBe(true);
        } finally {
            it.close();
        }
    });

    it('shows an XNNPACK partition as one TfLiteXNNPackDelegate row named by its outputs', () => {
        const it = openInterpreter(POSE_LITE, { threads: 1, xnnpack: true, profile: true });
        try {
            fill(it, 0);
            it.invoke();
            const rows = it.nodeTimings();
            const kernels = rows.filter((r) => r.type === 'TfLiteXNNPackDelegate');
            expect(kernels.length).toBeGreaterThan(0);
            // Delegate kernel nodes are appended after the model's 305 ops.
            for (const k of kernels) expect(k.nodeIndex).toBeGreaterThanOrEqual(305);
            const outNames = new Set(it.outputs.map((t) => t.name));
            expect(kernels.flatMap((k) => k.outputs).some((n) => outNames.has(n))).toBe(true);
        } finally {
            it.close();
        }
    });

    it('resizes dynamic inputs it is given shapes for', () => {
        const it = openInterpreter(POSE_LITE, { inputShapes: { input_1: [1, 256, 256, 3] } });
        it.close();
        expect(codeOf(() => openInterpreter(POSE_LITE, { inputShapes: { nope: [1] } }))).toMatch(
            /^USAGE: model pose_landmark_lite.tflite: no input named 'nope' \(inputs: 'input_1'\)/,
        );
        expect(codeOf(() => openInterpreter(POSE_LITE, { inputShapes: { input_1: [1, 2] } }))).toMatch(/rank 4/);
    });

    it('refuses bad input with one-line errors naming the file', () => {
        expect(codeOf(() => openInterpreter(join(tmp, 'missing.tflite')))).toMatch(
            /^NOT_FOUND: model .*missing\.tflite: file not found$/,
        );
        const junk = join(tmp, 'junk.tflite');
        writeFileSync(junk, 'definitely not a flatbuffer');
        expect(codeOf(() => openInterpreter(junk))).toBe(
            `MODEL_INVALID: model ${junk}: not a TFLite file (identifier "nite", expected 'TFL3')`,
        );
        expect(codeOf(() => openInterpreter(POSE_LITE, { threads: 0 }))).toMatch(/^USAGE: invalid thread count 0/);
        expect(codeOf(() => openInterpreter(POSE_LITE, { threads: 2.5 }))).toMatch(/^USAGE: invalid thread count 2.5/);
        const closed = openInterpreter(POSE_LITE);
        closed.close();
        closed.close();
        expect(codeOf(() => closed.invoke())).toMatch(/interpreter is closed/);
    });

    describe.runIf(hasShared)('shared models', () => {
        it.each([
            ['custom_sinh.tflite', /custom op Sinh at node 0 not supported/],
            ['custom_posenet_decoder_only.tflite', /custom op PosenetDecoderOp at node 0 not supported/],
            ['custom_flex_multi_add_4in_2out.tflite', /TensorFlow \(Flex\) op FlexAddV2 at node 0 not supported/],
        ])('%s fails naming op and node', (file, re) => {
            const msg = codeOf(() => {
                const it = openInterpreter(sharedModel(file), { threads: 1 });
                try {
                    fill(it, 0);
                    it.invoke();
                } finally {
                    it.close();
                }
            });
            expect(msg).toMatch(/^RUNTIME_FAILED: model /);
            expect(msg).toMatch(re);
            expect(msg).not.toContain('\n');
        });

        it('refuses an unsized dynamic input and runs once it is sized', () => {
            const m = sharedModel('micro_hello_world_float.tflite');
            expect(codeOf(() => openInterpreter(m))).toBe(
                "UNSUPPORTED: model micro_hello_world_float.tflite: input 'serving_default_dense_input:0' has dynamic shape [-1,1]; give its shape (--input_layer_shape)",
            );
            const it = openInterpreter(m, { inputShapes: { 'serving_default_dense_input:0': [4, 1] } });
            try {
                expect(it.inputs[0]?.shape).toEqual([4, 1]);
                expect(it.outputs[0]?.shape).toEqual([4, 1]);
                fill(it, 0);
                it.invoke();
                expect(it.output(0).byteLength).toBe(16);
            } finally {
                it.close();
            }
        });

        it('profiles control-flow subgraphs separately', () => {
            const it = openInterpreter(sharedModel('cf_while_multi_subgraphs.tflite'), { profile: true });
            try {
                fill(it, 0);
                it.invoke();
                const rows = it.nodeTimings();
                expect(rows.some((r) => r.type === 'WHILE' && r.subgraphIndex === 0)).toBe(true);
                expect(rows.some((r) => (r.subgraphIndex ?? 0) > 0)).toBe(true);
            } finally {
                it.close();
            }
        });
    });
});
