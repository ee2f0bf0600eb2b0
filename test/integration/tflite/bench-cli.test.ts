// The standalone benchmark_model drop-in, run as a real process from the built package (dist/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchmarkOutput } from '../../../src/parse/benchmark-model.js';
import type { BenchmarkResult } from '../../../src/parse/types.js';
import { BENCH_BIN, BENCH_DIST, hasShared, POSE_LITE, QUICK_FLAGS, REPO, sharedModel } from '../../support/tflite.js';

const tmp = mkdtempSync(join(tmpdir(), 'sb-bench-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[]): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [BENCH_BIN, ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** The ERROR line (the runtime may print its own INFO lines on stderr first, as benchmark_model's runtime does). */
const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('ERROR: '));

beforeAll(() => {
    if (!existsSync(BENCH_DIST)) throw new Error(`missing ${BENCH_DIST}: run "npm run build" first`);
});

describe('splitbench-benchmark-model (built package)', () => {
    it('prints benchmark_model text that the parser reads as a complete run', () => {
        const r = run([`--graph=${POSE_LITE}`, '--num_threads=1', '--use_xnnpack=false', ...QUICK_FLAGS]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^INFO: STARTING!\n/);
        expect(r.stdout).toContain('INFO: Num threads: [1]\n');
        expect(r.stdout).toContain(`INFO: Loaded model ${POSE_LITE}\n`);
        expect(r.stdout).toMatch(/INFO: Initialized session in [\d.]+ms\.\n/);
        expect(r.stdout).toMatch(
            /INFO: count=3 (first=\d+ curr=\d+ min=\d+ max=\d+ avg=[\d.e+]+ std=\d+|curr=\d+\(all same\)) p5=\d+ median=\d+ p95=\d+\n\n/,
        );
        const parsed = parseBenchmarkOutput(r.stdout);
        expect(parsed.failure).toBeUndefined();
        expect(parsed.truncated).toBe(false);
        expect(parsed.inference.count).toBe(3);
        // raw samples only on request: thousands of numbers on one line are not for a terminal
        expect(r.stdout).not.toContain('Raw inference samples');
        expect(parsed.samplesUs).toBeUndefined();
        expect(parsed.ops).toEqual([]);
    });

    it('--print_raw_samples=true prints every timed run', () => {
        const r = run([`--graph=${POSE_LITE}`, '--print_raw_samples=true', ...QUICK_FLAGS]);
        expect(r.code).toBe(0);
        const parsed = parseBenchmarkOutput(r.stdout);
        expect(parsed.samplesUs).toHaveLength(3);
        expect(parsed.samplesUs?.every((v) => Number.isInteger(v) && v > 0)).toBe(true);
    });

    it('--measure_profiler_overhead=true reports the overhead in text mode', () => {
        const r = run([
            `--graph=${POSE_LITE}`,
            '--enable_op_profiling=true',
            '--measure_profiler_overhead=true',
            ...QUICK_FLAGS,
        ]);
        expect(r.code).toBe(0);
        const m =
            /^INFO: Profiler overhead: (-?[\d.]+)% \(Inference \(avg\) ([\d.e+]+) us with op profiling, ([\d.e+]+) us without\)$/m.exec(
                r.stdout,
            );
        expect(m).not.toBeNull();
        const [pct, withProf, without] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
        // the printed percentage is the printed averages' relative difference (rounded to 0.1 %, averages to 6 digits)
        expect(Math.abs(pct - ((withProf - without) / without) * 100)).toBeLessThan(0.2);
        expect(parseBenchmarkOutput(r.stdout).inference.avgUs).toBe(withProf);
    });

    it('--format=json prints the result and --output_filepath writes the same JSON', () => {
        const out = join(tmp, 'result.json');
        const r = run([
            `--graph=${POSE_LITE}`,
            '--enable_op_profiling=true',
            `--output_filepath=${out}`,
            '--format=json',
            ...QUICK_FLAGS,
        ]);
        expect(r.code).toBe(0);
        const printed = JSON.parse(r.stdout) as BenchmarkResult;
        expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(printed);
        expect(printed.origin).toBe('runner');
        expect(printed.runner?.xnnpack).toBe(true); // benchmark_model's default
        expect(printed.ops.every((o) => o.type === 'TfLiteXNNPackDelegate' || /^[A-Z0-9_]+$/.test(o.type))).toBe(true);
        expect(printed.ops.some((o) => o.type === 'TfLiteXNNPackDelegate')).toBe(true);
        expect(printed.profile[0]?.timings?.count).toBe(printed.inference.count);
    });

    it('lists its flags with --help', () => {
        const r = run(['--help']);
        expect(r.code).toBe(0);
        for (const f of ['--graph', '--num_threads', '--input_layer_shape', '--enable_op_profiling', '--use_xnnpack']) {
            expect(r.stdout).toContain(f);
        }
        // one column of help texts: every description starts at the same offset, at least two spaces after the flag
        const rows = r.stdout.split('\n').filter((l) => l.startsWith('  --'));
        const starts = rows.map((l) => /^ {2}--\S+ {2,}/.exec(l)?.[0].length);
        expect(starts.every((x) => x !== undefined)).toBe(true);
        expect(new Set(starts).size).toBe(1);
        expect(r.stdout).toMatch(/--report_peak_memory_footprint=bool {2,}accepted/);
    });

    const bad: [string, string[], RegExp][] = [
        ['missing file', [`--graph=${join(tmp, 'nope.tflite')}`], /^ERROR: model .*nope\.tflite: file not found$/],
        [
            'not a model',
            ['--graph=package.json'],
            /^ERROR: model package\.json: not a TFLite file \(identifier .*expected 'TFL3'\)$/,
        ],
        ['unknown flag', [`--graph=${POSE_LITE}`, '--foo=1'], /^ERROR: Unknown flag: --foo$/],
        ['no graph', ['--num_runs=1'], /^ERROR: Please specify the name of your TF Lite input file with --graph$/],
        ['thread count', [`--graph=${POSE_LITE}`, '--num_threads=-4'], /^ERROR: invalid thread count -4/],
        [
            'thread count text',
            [`--graph=${POSE_LITE}`, '--num_threads=four'],
            /^ERROR: --num_threads: 'four' is not an integer$/,
        ],
        ['boolean', [`--graph=${POSE_LITE}`, '--use_xnnpack=maybe'], /^ERROR: --use_xnnpack: 'maybe' is not a boolean/],
        [
            'overhead without profiling',
            [`--graph=${POSE_LITE}`, '--measure_profiler_overhead=true'],
            /^ERROR: --measure_profiler_overhead=true needs --enable_op_profiling=true$/,
        ],
        [
            'value file size',
            [`--graph=${POSE_LITE}`, `--input_layer_value_files=input_1:${join(REPO, 'package.json')}`],
            /^ERROR: input file .*package\.json for 'input_1': \d+ bytes, the input needs 786432/,
        ],
        [
            'value file name',
            [`--graph=${POSE_LITE}`, '--input_layer_value_files=other:/x'],
            /^ERROR: model pose_landmark_lite\.tflite: --input_layer_value_files names 'other'/,
        ],
    ];
    it.each(bad)('%s: one ERROR line on stderr, exit 1, nothing on stdout', (_name, args, re) => {
        const r = run(args);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        const errs = errorLines(r.stderr);
        expect(errs).toHaveLength(1);
        expect(errs[0]).toMatch(re);
    });

    // `splitbench bench` follows splitbench's exit codes: bad input is 2, a failing benchmark stays 1
    it.each(bad)('splitbench bench, %s: exit 2 with the same ERROR line', (_name, args, re) => {
        const r = spawnSync(process.execPath, [join(REPO, 'bin', 'splitbench.js'), 'bench', ...args], {
            cwd: REPO,
            encoding: 'utf8',
            timeout: 120_000,
        });
        expect(r.status).toBe(2);
        expect(r.stdout).toBe('');
        expect(errorLines(r.stderr)).toEqual([expect.stringMatching(re)]);
    });

    it('reads input bytes from --input_layer_value_files', () => {
        const file = join(tmp, 'input_1.bin');
        writeFileSync(file, Buffer.alloc(786432));
        const r = run([
            `--graph=${POSE_LITE}`,
            `--input_layer_value_files=input_1:${file}`,
            '--format=json',
            '--num_runs=1',
            '--min_secs=0',
            '--warmup_min_secs=0',
        ]);
        expect(r.code).toBe(0);
        expect((JSON.parse(r.stdout) as BenchmarkResult).runner?.inputs[0]?.source).toBe(file);
    });

    describe.runIf(hasShared)('shared models', () => {
        it('names the custom op and node', () => {
            const r = run([`--graph=${sharedModel('custom_sinh.tflite')}`, ...QUICK_FLAGS]);
            expect(r.code).toBe(1);
            expect(errorLines(r.stderr)).toEqual([
                expect.stringMatching(/^ERROR: model custom_sinh\.tflite: custom op Sinh at node 0 not supported/),
            ]);
        });

        it('asks for --input_layer_shape on dynamic inputs, and runs with it', () => {
            const m = sharedModel('micro_hello_world_float.tflite');
            const r = run([`--graph=${m}`, ...QUICK_FLAGS]);
            expect(r.code).toBe(1);
            expect(errorLines(r.stderr)[0]).toMatch(/dynamic shape \[-1,1\]; give its shape \(--input_layer_shape\)$/);
            const ok = run([
                `--graph=${m}`,
                '--input_layer=serving_default_dense_input:0',
                '--input_layer_shape=8,1',
                '--format=json',
                ...QUICK_FLAGS,
            ]);
            expect(ok.code).toBe(0);
            expect((JSON.parse(ok.stdout) as BenchmarkResult).runner?.inputs[0]?.shape).toEqual([8, 1]);
        });
    });
});

describe('splitbench bench', () => {
    it('passes benchmark_model flags through to the same runner', () => {
        const r = spawnSync(
            process.execPath,
            [join(REPO, 'bin/splitbench.js'), 'bench', `--graph=${POSE_LITE}`, '--format=json', ...QUICK_FLAGS],
            {
                cwd: REPO,
                encoding: 'utf8',
            },
        );
        expect(r.status).toBe(0);
        expect((JSON.parse(r.stdout) as BenchmarkResult).inference.count).toBe(3);
        const bad = spawnSync(process.execPath, [join(REPO, 'bin/splitbench.js'), 'bench', '--bogus'], {
            cwd: REPO,
            encoding: 'utf8',
        });
        expect(bad.status).toBe(2);
        expect(bad.stderr).toContain('ERROR: Unknown flag: --bogus');
        const help = spawnSync(process.execPath, [join(REPO, 'bin/splitbench.js'), 'bench', '--help'], {
            cwd: REPO,
            encoding: 'utf8',
        });
        expect(help.status).toBe(0);
        expect(help.stdout).toContain('--input_layer_value_files');
    });
});
