// Outputs whose size is known only after invoke, on LiteRT's dynamic-shapes model (../shared): x [8,42,1024],
// y [1,90,1024], z [1,1] → Identity [8,-1,1024]. Read off the graph (`splitbench model inspect`): n = int(z[0]) rows
// of y are sliced, tiled 8×, multiplied with x, L2-normalised, softmaxed over 42 and multiplied with x again, so
// Identity is [8,n,1024]; with x and y constant and positive every element of Identity equals x's value.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import { loadModel } from '../../../src/model/load.js';
import { buildSplit } from '../../../src/model/split.js';
import { verifySplits } from '../../../src/model/verify.js';
import { parseBenchmarkOutput } from '../../../src/parse/benchmark-model.js';
import { openInterpreter } from '../../../src/tflite/native.js';
import type { Interpreter } from '../../../src/tflite/types.js';
import { BENCH_BIN, hasShared, QUICK_FLAGS, sharedModel } from '../../support/tflite.js';

const DYN = sharedModel('dyn_litert_dynamic_shapes_3in_float.tflite');
const tmp = mkdtempSync(join(tmpdir(), 'sb-dyn-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const floats = (n: number, v: number): Uint8Array => new Uint8Array(new Float32Array(n).fill(v).buffer);

/** x = 0.5 everywhere, y = 0.25 everywhere, z = rows. */
const feed = (it: Interpreter, rows: number): void => {
    it.setInput(0, floats(8 * 42 * 1024, 0.5));
    it.setInput(1, floats(90 * 1024, 0.25));
    it.setInput(2, floats(1, rows));
};

describe.runIf(hasShared)('outputs sized by the invoke (dynamic shapes)', () => {
    it('reads the output with the size and shape the invoke gave it', () => {
        const it = openInterpreter(DYN, { threads: 1, xnnpack: false });
        try {
            expect(it.outputs[0]?.name).toBe('Identity');
            feed(it, 5);
            it.invoke();
            expect(it.outputInfo(0)).toMatchObject({ name: 'Identity', shape: [8, 5, 1024], bytes: 8 * 5 * 1024 * 4 });
            const out = new Float32Array(it.output(0).slice().buffer);
            expect(out.length).toBe(8 * 5 * 1024);
            for (const v of out) expect(v).toBeCloseTo(0.5, 5);
            // a second invoke with another size: the output follows
            feed(it, 2);
            it.invoke();
            expect(it.outputInfo(0).shape).toEqual([8, 2, 1024]);
            expect(it.output(0).length).toBe(8 * 2 * 1024 * 4);
            feed(it, 0);
            it.invoke();
            expect(it.outputInfo(0).shape).toEqual([8, 0, 1024]);
            expect(it.output(0).length).toBe(0);
        } finally {
            it.close();
        }
    });

    it("a head written by splitbench's writer has a dynamic output too (split after TILE)", () => {
        const headFile = join(tmp, 'dyn.split8.head.tflite');
        writeFileSync(headFile, buildSplit(loadModel(DYN), 8).head);
        const it = openInterpreter(headFile, { threads: 1, allowUnsizedInputs: true });
        try {
            // x goes straight to the tail: the head slices y by z and tiles it
            expect(it.inputs.map((t) => t.name)).toEqual(['y', 'z']);
            it.setInput(0, floats(90 * 1024, 0.25));
            it.setInput(1, floats(1, 3));
            it.invoke();
            const tile = it.outputs.findIndex((t) => t.name === 'Tile');
            expect(it.outputInfo(tile).shape).toEqual([8, 3, 1024]);
            const out = new Float32Array(it.output(tile).slice().buffer);
            expect(out.length).toBe(8 * 3 * 1024);
            expect(out.every((v) => v === 0.25)).toBe(true); // y's rows, tiled
        } finally {
            it.close();
        }
    });

    it('verifies every split point, sizing dynamic cut tensors at run time', () => {
        const model = loadModel(DYN);
        const ks = Array.from({ length: 23 }, (_, k) => k);
        const inputs = [floats(8 * 42 * 1024, 0.5), floats(90 * 1024, 0.25), floats(1, 5)];
        const results = verifySplits(DYN, ks, { model, inputs });
        expect(results.map((r) => `${r.k}:${r.status}${r.reason !== undefined ? ` ${r.reason}` : ''}`)).toEqual(
            ks.map((k) => `${k}:pass`),
        );
        // not a vacuous pass: Identity is [8,5,1024] float32 on these inputs
        expect(results.map((r) => r.outputs.map((o) => [o.name, o.bytes, o.identical]))).toEqual(
            ks.map(() => [['Identity', 8 * 5 * 1024 * 4, true]]),
        );
    });

    it('says so instead of passing when the seeded random inputs give empty outputs', () => {
        // random floats lie in [-0.5, 0.5): z casts to 0 rows, Identity is [8,0,1024]
        const [r] = verifySplits(DYN, [10]);
        expect(r).toEqual({
            k: 10,
            status: 'cannot-verify',
            reason: "the full model's outputs are empty on these inputs (Identity [8,0,1024]): nothing to compare; verify with other inputs",
            outputs: [],
        });
    });

    it('shows why the runtime refuses the model with XNNPACK (it reports nothing itself)', () => {
        let err: unknown;
        try {
            openInterpreter(DYN, { threads: 1, xnnpack: true }).close();
        } catch (e) {
            err = e;
        }
        expect(isSplitbenchError(err, 'RUNTIME_FAILED')).toBe(true);
        // 13 tensors with a -1 dim in the inspect listing: #25-#27, #33-#42
        expect((err as Error).message).toBe(
            'model dyn_litert_dynamic_shapes_3in_float.tflite: Failed to apply XNNPACK delegate: the graph has ' +
                'dynamic-sized tensors (13 with -1 dims) and TFLite 2.9 applies XNNPACK only to static-sized graphs; ' +
                'the model loads without it (--use_xnnpack=false)',
        );
    });

    it('the runner fails with XNNPACK, naming it, and runs without; the parser reads both right', () => {
        const on = spawnSync(process.execPath, [BENCH_BIN, `--graph=${DYN}`, ...QUICK_FLAGS], { encoding: 'utf8' });
        const failed = parseBenchmarkOutput(on.stdout + on.stderr);
        expect(on.status).not.toBe(0);
        expect(failed.failure).toMatchObject({ kind: 'delegate_failed', delegate: 'XNNPACK' });
        expect(failed.truncated).toBe(false);
        const off = spawnSync(process.execPath, [BENCH_BIN, `--graph=${DYN}`, '--use_xnnpack=false', ...QUICK_FLAGS], {
            encoding: 'utf8',
        });
        const ran = parseBenchmarkOutput(off.stdout + off.stderr);
        expect(off.status).toBe(0);
        expect(ran.failure).toBeUndefined();
        expect(ran.inference.count).toBe(3);
        expect(ran.inference.avgUs).toBeGreaterThan(0);
    });

    it('a refusal without a delegate to blame stays a failure, not a truncation', () => {
        const r = parseBenchmarkOutput(
            'INFO: Loaded model m.tflite\nERROR: model m.tflite: interpreter creation failed (runtime: odd)\n',
        );
        expect(r.failure?.kind).toBe('benchmark_failed');
        expect(r.truncated).toBe(false);
    });
});
