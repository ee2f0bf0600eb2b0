// `splitbench model inspect|split|verify` end to end through the built CLI (node bin/splitbench.js).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoInTwoOut } from '../../../src/model/build.js';
import { readModel } from '../../../src/model/read.js';
import { POSE_LITE, writeTestModel, writeTestModels, type TestModelSet } from '../../support/models.js';
import { float32s, npyBytes } from '../../support/npy.js';
import { hasShared, sharedModel } from '../../support/tflite.js';

const CLI = fileURLToPath(new URL('../../../bin/splitbench.js', import.meta.url));

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

const run = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
        execFile(process.execPath, [CLI, ...args], { timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
            const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
            resolve({ code, stdout, stderr });
        });
    });

let models: TestModelSet;
let out: string;
beforeAll(() => {
    models = writeTestModels();
    out = mkdtempSync(join(tmpdir(), 'splitbench-cli-model-'));
});
afterAll(() => {
    models.cleanup();
    rmSync(out, { recursive: true, force: true });
});

describe('splitbench model inspect', () => {
    it('--json gives ops, tensors and split points by tensor index', async () => {
        const r = await run(['model', 'inspect', models.residual, '--json']);
        expect(r.code).toBe(0);
        const rep = JSON.parse(r.stdout) as {
            ops: { index: number; type: string; inputs: number[]; outputs: number[] }[];
            tensors: {
                index: number;
                name: string;
                shape: number[];
                dtype: string;
                bytes: number;
                constant: boolean;
            }[];
            splitPoints: { after: number; tensors: number[]; bytes: number }[];
        };
        expect(rep.ops).toHaveLength(13);
        expect(rep.splitPoints).toHaveLength(12);
        const at6 = rep.splitPoints[6]!;
        expect(at6.tensors.map((t) => rep.tensors[t]!.name)).toEqual(['residual', 'branch_a', 'branch_b']);
        expect(at6.bytes).toBe(at6.tensors.reduce((s, t) => s + rep.tensors[t]!.bytes, 0));
        expect(rep.tensors.find((t) => t.name === 'stem/weights')!.constant).toBe(true);
    });

    it('prints a readable table', async () => {
        const r = await run(['model', 'inspect', models.twoInTwoOut]);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('split points (5; k = ops 0..k on the UE)');
        expect(r.stdout).toMatch(/inputs: {2}#0 left \[1,8,8,2\] float32; #1 right/);
    });
});

describe('splitbench model split', () => {
    it('writes head and tail for each split point and says what it wrote', async () => {
        const dir = join(out, 'pairs');
        const r = await run(['model', 'split', models.twoInTwoOut, '--at', '1,3', '--out', dir]);
        expect(r.code, r.stderr).toBe(0);
        const files = readdirSync(dir).sort();
        expect(files).toEqual([
            'two_in_two_out.split1.head.tflite',
            'two_in_two_out.split1.tail.tflite',
            'two_in_two_out.split3.head.tflite',
            'two_in_two_out.split3.tail.tflite',
        ]);
        const headSize = readFileSync(join(dir, files[0]!)).length;
        expect(r.stdout).toContain(`two_in_two_out.split1.head.tflite (${headSize} bytes)`);
        expect(r.stdout.trim().split('\n')).toHaveLength(2);
        const tail = readModel(readFileSync(join(dir, 'two_in_two_out.split3.tail.tflite')), 'tail');
        expect(tail.subgraphs[0]!.inputs.map((t) => tail.subgraphs[0]!.tensors[t]!.name)).toEqual(['left', 'dw']);
    });

    it('--at all --json on the fp16 model writes one pair per real split point', async () => {
        const dir = join(out, 'all');
        const r = await run(['model', 'split', models.residualFp16, '--at', 'all', '--out', dir, '--json']);
        expect(r.code, r.stderr).toBe(0);
        const written = JSON.parse(r.stdout) as { k: number; head: { path: string; bytes: number } }[];
        expect(written).toHaveLength(12);
        expect(readdirSync(dir)).toHaveLength(24);
        for (const w of written) expect(readFileSync(w.head.path).length).toBe(w.head.bytes);
    });

    it('refuses bad input with one line naming the file, exit 2, and writes nothing', async () => {
        const dir = join(out, 'nothing');
        const bad = join(out, 'bad.tflite');
        writeFileSync(bad, 'definitely not a model');
        const trunc = join(out, 'trunc.tflite');
        writeFileSync(trunc, readFileSync(models.residual).subarray(0, 300));
        const cases: [string[], RegExp][] = [
            [
                ['model', 'split', models.residual, '--at', '2,40', '--out', dir],
                /residual\.tflite: split point 40 out of range \(valid: 0\.\.11\)/,
            ],
            [['model', 'split', models.residual, '--at', 'tensor:nope', '--out', dir], /no tensor named 'nope'/],
            [
                ['model', 'split', bad, '--at', '1', '--out', dir],
                /bad\.tflite: not a TFLite file \(identifier 'nite', expected 'TFL3'\)/,
            ],
            [['model', 'split', trunc, '--at', '1', '--out', dir], /trunc\.tflite: truncated or corrupt/],
            [['model', 'inspect', join(out, 'missing.tflite')], /missing\.tflite: no such file/],
            [['model', 'split', models.residual, '--out', dir], /required option '--at <spec>'/],
        ];
        for (const [args, message] of cases) {
            const r = await run(args);
            expect(r.code, args.join(' ')).toBe(2);
            expect(r.stderr).toMatch(message);
            expect(r.stdout).toBe('');
        }
        expect(existsSync(dir)).toBe(false);
    });
});

describe('split points that are not cuts (constant-only ops)', () => {
    // residual_fp16 ops, by hand from the builder: DEQUANTIZE at 0,1,3,4,6,7,9,10,13,14,16,17,23,24; real ops
    // 2,5,8,11,12,15,18..22,25,26; the last real op (26) ends the model, so 12 split points.
    const valid = 'valid: 2, 5, 8, 11, 12, 15, 18..22, 25';
    it('model split and model verify refuse them like a campaign does, exit 2, writing nothing', async () => {
        const dir = join(out, 'not-a-cut');
        for (const args of [
            ['model', 'split', models.residualFp16, '--at', '1', '--out', dir],
            ['model', 'verify', models.residualFp16, '--at', '2,1,5'],
        ]) {
            const r = await run(args);
            expect(r.code, args.join(' ')).toBe(2);
            expect(r.stdout).toBe('');
            expect(r.stderr).toBe(
                `splitbench: split point 1 is not a cut of model ${models.residualFp16} (op 1 only feeds constants of later ops; ${valid})\n`,
            );
        }
        const beyond = await run(['model', 'verify', models.residualFp16, '--at', '26']);
        expect(beyond.code).toBe(2);
        expect(beyond.stderr).toBe(
            `splitbench: model ${models.residualFp16}: split point 26 out of range (${valid})\n`,
        );
        expect(existsSync(dir)).toBe(false);
    });

    it('a long list of valid points is cut short and counted', async () => {
        const r = await run(['model', 'verify', POSE_LITE, '--at', '1']);
        const inspect = await run(['model', 'inspect', POSE_LITE, '--json']);
        const points = (JSON.parse(inspect.stdout) as { splitPoints: { after: number }[] }).splitPoints;
        expect(r.code).toBe(2);
        const shown = /; valid: (.*), … \((\d+) in all; 'splitbench model inspect' lists them\)\)\n$/.exec(r.stderr);
        expect(shown, r.stderr).not.toBeNull();
        expect(Number(shown![2])).toBe(points.length);
        expect(shown![1]!.split(', ')).toHaveLength(12);
        expect(shown![1]!.startsWith(`${points[0]!.after}, `)).toBe(true);
    });
});

describe('splitbench model verify', () => {
    it('prints one line per split point and exits 0 when all pass', async () => {
        const r = await run(['model', 'verify', models.residualInt8, '--at', 'every:3']);
        expect(r.code, r.stderr).toBe(0);
        const lines = r.stdout.trim().split('\n');
        expect(lines).toHaveLength(4);
        for (const l of lines) expect(l).toMatch(/^split \d+: pass, outputs identical \(head \d+ B, tail \d+ B\)$/);
    });

    it('says cannot verify, naming the op, for an op the runtime lacks (exit 0, or 1 with --strict)', async () => {
        const spec = twoInTwoOut();
        spec.layers.push({ op: 'CUSTOM', name: 'post', customCode: 'NoSuchOp', inputs: ['late'], shape: [1, 8, 8, 3] });
        spec.outputs = ['post'];
        const path = writeTestModel(out, 'custom', spec);
        const r = await run(['model', 'verify', path, '--at', '2']);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^split 2: cannot verify: .*NoSuchOp/);
        expect((await run(['model', 'verify', path, '--at', '2', '--strict'])).code).toBe(1);
    });
});

// LiteRT's dynamic-shapes model: x [8,42,1024], y [1,90,1024], z [1,1] → Identity [8,n,1024] with n = int(z[0]); the
// seeded random z lies in [-0.5, 0.5), so n = 0 and there is nothing to compare (see dynamic-outputs.test.ts).
describe.runIf(hasShared)('splitbench model verify --input', () => {
    const DYN = sharedModel('dyn_litert_dynamic_shapes_3in_float.tflite');

    it('verifies on the given inputs where random ones give empty outputs', async () => {
        const x = join(out, 'x.bin');
        const y = join(out, 'y.npy');
        const z = join(out, 'z.npy');
        writeFileSync(x, float32s(8 * 42 * 1024, 0.5));
        writeFileSync(y, npyBytes('<f4', [1, 90, 1024], float32s(90 * 1024, 0.25)));
        writeFileSync(z, npyBytes('<f4', [1, 1], float32s(1, 5)));
        const random = await run(['model', 'verify', DYN, '--at', '10']);
        expect(random.stdout).toMatch(/^split 10: cannot verify: the full model's outputs are empty/);
        const given = ['--input', `x=${x}`, '--input', `y=${y}`, '--input', `z=${z}`];
        const r = await run(['model', 'verify', DYN, '--at', '0,10,22', ...given, '--json']);
        expect(r.code, r.stderr).toBe(0);
        const results = JSON.parse(r.stdout) as {
            k: number;
            status: string;
            outputs: { name: string; bytes: number }[];
        }[];
        // Identity is [8,5,1024] float32 = 163840 bytes on these inputs
        expect(results.map((v) => [v.k, v.status, v.outputs.map((o) => [o.name, o.bytes])])).toEqual([
            [0, 'pass', [['Identity', 163840]]],
            [10, 'pass', [['Identity', 163840]]],
            [22, 'pass', [['Identity', 163840]]],
        ]);
    });

    it('exits 2 naming the input when one is missing or its data does not fit', async () => {
        const y = join(out, 'y.bin');
        writeFileSync(y, float32s(90 * 1024, 0.25));
        const missing = await run(['model', 'verify', DYN, '--at', '10', '--input', `x=${y}`, '--input', `y=${y}`]);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain("--input: no data for 'z' (give every input: 'x', 'y', 'z')");
        const wrong = await run([
            'model',
            'verify',
            DYN,
            '--at',
            '10',
            '--input',
            `x=${y}`,
            '--input',
            `y=${y}`,
            '--input',
            `z=${y}`,
        ]);
        expect(wrong.code).toBe(2);
        // x is float32 [8,42,1024] = 1376256 bytes; y.bin holds 90*1024 float32 = 368640
        expect(wrong.stderr).toContain(
            `input file ${y} for 'x': 368640 bytes of data, the input needs 1376256 (float32 [8,42,1024])`,
        );
        expect(wrong.stdout).toBe('');
    });
});
