// `splitbench-benchmark-model` / `splitbench bench`: benchmark_model's command line on the built-in runner.
// Flags use benchmark_model's `--flag=value` syntax; bad input is one `ERROR: ...` line on stderr. Exit codes: the
// drop-in keeps benchmark_model's (0 ok, 1 anything else: EXIT_FAILURE in benchmark_main.cc), so harnesses written
// for benchmark_model read it unchanged; `splitbench bench` uses splitbench's (2 bad input, 1 failed benchmark).
import { writeFileSync } from 'node:fs';
import { SplitbenchError, isSplitbenchError, messageOf } from '../errors.js';
import { runBenchmark, type BenchmarkOptions } from './benchmark.js';
import { BENCHMARK_DEFAULTS } from './defaults.js';
import { validateThreads } from './native.js';
import { formatBenchmarkText } from './text-format.js';

type Kind = 'int' | 'float' | 'bool' | 'string';

interface FlagSpec {
    kind: Kind;
    /** How benchmark_model echoes it (`INFO: <desc>: [value]`); undefined = not echoed. */
    desc?: string;
    help: string;
}

// Declaration order = echo order, as benchmark_model logs base params, then the TFLite model's, then delegates'.
const FLAGS: Readonly<Record<string, FlagSpec>> = {
    num_runs: {
        kind: 'int',
        desc: 'Min num runs',
        help: `minimum number of timed runs (${BENCHMARK_DEFAULTS.numRuns})`,
    },
    min_secs: {
        kind: 'float',
        desc: 'Min runs duration (seconds)',
        help: `minimum seconds of timed runs (${BENCHMARK_DEFAULTS.minSecs})`,
    },
    max_secs: {
        kind: 'float',
        desc: 'Max runs duration (seconds)',
        help: `stop a phase once it exceeds this many seconds (${BENCHMARK_DEFAULTS.maxSecs})`,
    },
    run_delay: { kind: 'float', desc: 'Inter-run delay (seconds)', help: 'seconds to sleep between runs (-1: none)' },
    num_threads: { kind: 'int', desc: 'Num threads', help: 'threads (-1: runtime default)' },
    warmup_runs: {
        kind: 'int',
        desc: 'Min warmup runs',
        help: `minimum number of warm-up runs (${BENCHMARK_DEFAULTS.warmupRuns})`,
    },
    warmup_min_secs: {
        kind: 'float',
        desc: 'Min warmup runs duration (seconds)',
        help: `minimum seconds of warm-up (${BENCHMARK_DEFAULTS.warmupMinSecs})`,
    },
    graph: { kind: 'string', help: 'the .tflite model (required)' },
    input_layer: { kind: 'string', desc: 'Input layers', help: 'comma-separated input names for --input_layer_shape' },
    input_layer_shape: {
        kind: 'string',
        desc: 'Input shapes',
        help: 'shapes for dynamic inputs, e.g. 1,224,224,3:1,10 (in --input_layer order, else model order)',
    },
    input_layer_value_files: {
        kind: 'string',
        desc: 'Input value files',
        help: 'raw input bytes per input: name:/path,name2:/path (escape ":" in names as "::")',
    },
    enable_op_profiling: { kind: 'bool', desc: 'Enable op profiling', help: 'per-op profile tables (false)' },
    output_filepath: { kind: 'string', desc: 'Result JSON file', help: 'also write the result as JSON to this file' },
    use_xnnpack: { kind: 'bool', desc: 'Use xnnpack', help: 'apply the XNNPACK delegate (true)' },
    format: { kind: 'string', help: 'splitbench: text (benchmark_model output, default) or json' },
    random_seed: { kind: 'int', help: 'splitbench: seed of the random input data (1)' },
    measure_profiler_overhead: {
        kind: 'bool',
        help: 'splitbench: with op profiling, also time an unprofiled phase and report the overhead (false)',
    },
    print_raw_samples: {
        kind: 'bool',
        help: 'splitbench: print every timed run (µs) on one "Raw inference samples" line (false; json has them always)',
    },
    report_peak_memory_footprint: { kind: 'bool', help: 'accepted for compatibility; peak RSS is always reported' },
    help: { kind: 'bool', help: 'print this list' },
};

/** The flag list `--help` prints; `program` is the command the user typed (`splitbench bench` or the drop-in). */
export const benchmarkUsage = (program = 'splitbench-benchmark-model'): string => {
    const lines = [`usage: ${program} --graph=model.tflite [--flag=value ...]`, 'Flags:'];
    const names = Object.entries(FLAGS).map(([name, spec]) => `--${name}=${spec.kind}`);
    const width = Math.max(...names.map((n) => n.length)) + 2;
    Object.values(FLAGS).forEach((spec, i) => lines.push(`  ${(names[i] ?? '').padEnd(width)}${spec.help}`));
    lines.push(
        'Exit codes: 0 ok; 1 failure (as benchmark_model); `splitbench bench` exits 2 for bad input (flags, model file).',
    );
    return `${lines.join('\n')}\n`;
};

const usage = (msg: string): SplitbenchError => new SplitbenchError('USAGE', msg);

const parseBool = (flag: string, v: string): boolean => {
    const s = v.toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0') return false;
    throw usage(`--${flag}: '${v}' is not a boolean (true/false/1/0)`);
};

const parseIntFlag = (flag: string, v: string): number => {
    if (!/^[-+]?\d+$/.test(v.trim())) throw usage(`--${flag}: '${v}' is not an integer`);
    return Number(v);
};

const parseFloatFlag = (flag: string, v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw usage(`--${flag}: '${v}' is not a number`);
    return n;
};

const parseShapes = (v: string): number[][] =>
    v.split(':').map((part) => {
        const dims = part.split(',').map((d) => d.trim());
        if (dims.some((d) => !/^\d+$/.test(d) || Number(d) < 1)) {
            throw usage(`--input_layer_shape: '${part}' is not a shape of positive integers (e.g. 1,224,224,3)`);
        }
        return dims.map(Number);
    });

/** `name:/path,name2:/path`; `::` stands for a literal ':' in a name. */
const parseValueFiles = (v: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const item of v.split(',')) {
        if (item.trim() === '') continue;
        const masked = item.replaceAll('::', '\u0000');
        const at = masked.indexOf(':');
        if (at <= 0 || at === masked.length - 1) {
            throw usage(`--input_layer_value_files: '${item}' is not name:/path`);
        }
        out[masked.slice(0, at).replaceAll('\u0000', ':')] = masked.slice(at + 1).replaceAll('\u0000', ':');
    }
    return out;
};

interface Parsed {
    values: Map<string, string>;
}

const parseArgv = (argv: readonly string[]): Parsed => {
    const values = new Map<string, string>();
    for (const arg of argv) {
        const m = /^--?([A-Za-z0-9_]+)(?:=(.*))?$/s.exec(arg);
        if (m === null) throw usage(`Unknown flag: ${arg}`);
        const name = m[1] as string;
        const spec = FLAGS[name];
        if (spec === undefined) throw usage(`Unknown flag: --${name}`);
        let value = m[2];
        if (value === undefined) {
            if (spec.kind !== 'bool') throw usage(`--${name} needs a value (--${name}=VALUE)`);
            value = 'true';
        }
        values.set(name, value);
    }
    return { values };
};

export interface BenchCliIo {
    stdout: (s: string) => void;
    stderr: (s: string) => void;
}

const defaultIo: BenchCliIo = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
};

export interface BenchExitCodes {
    /**
     * Exit code for bad input: a usage error (unknown flag, bad value, no --graph), a missing or non-TFLite model.
     * 1 for the benchmark_model drop-in (benchmark_model's EXIT_FAILURE), 2 for `splitbench bench` (splitbench's
     * convention, README "Exit codes"). @default 1
     */
    badInput?: 1 | 2 | undefined;
    /** The command `--help`'s usage line names. @default 'splitbench-benchmark-model' */
    program?: string | undefined;
}

// Codes that mean the command line or the model file is wrong, not that the benchmark failed.
const BAD_INPUT: ReadonlySet<string> = new Set(['USAGE', 'MODEL_INVALID', 'NOT_FOUND', 'UNSUPPORTED']);

/**
 * Runs one benchmark from benchmark_model-style argv; resolves to the exit code: 0 ok, 1 the benchmark failed,
 * `exits.badInput` (1 or 2) for bad input.
 */
export const benchmarkModelMain = (
    argv: readonly string[],
    io: BenchCliIo = defaultIo,
    exits: BenchExitCodes = {},
): Promise<number> => Promise.resolve(benchmarkModelSync(argv, io, exits));

const benchmarkModelSync = (argv: readonly string[], io: BenchCliIo, exits: BenchExitCodes): number => {
    const badInputExit = exits.badInput ?? 1;
    const startRss = process.memoryUsage.rss();
    try {
        const { values } = parseArgv(argv);
        if (values.has('help') && parseBool('help', values.get('help') ?? 'true')) {
            io.stdout(benchmarkUsage(exits.program));
            return 0;
        }
        const graph = values.get('graph');
        if (graph === undefined || graph === '') {
            throw usage('Please specify the name of your TF Lite input file with --graph');
        }
        const format = values.get('format') ?? 'text';
        if (format !== 'text' && format !== 'json') throw usage(`--format: '${format}' is not text or json`);

        const opts: BenchmarkOptions = { graph };
        const params: Record<string, string> = {};
        for (const [name, spec] of Object.entries(FLAGS)) {
            const v = values.get(name);
            if (v === undefined) continue;
            let echoed = v;
            switch (spec.kind) {
                case 'int':
                    echoed = String(parseIntFlag(name, v));
                    break;
                case 'float':
                    echoed = String(parseFloatFlag(name, v));
                    break;
                case 'bool':
                    echoed = parseBool(name, v) ? '1' : '0';
                    break;
                case 'string':
                    break;
            }
            if (name === 'graph') {
                params['Graph'] = graph;
                params['Signature to run'] = '';
            } else if (spec.desc !== undefined) params[spec.desc] = echoed;
        }
        if (params['Graph'] === undefined) {
            params['Graph'] = graph;
            params['Signature to run'] = '';
        }
        const int = (f: string): number | undefined =>
            values.has(f) ? parseIntFlag(f, values.get(f) ?? '') : undefined;
        const num = (f: string): number | undefined =>
            values.has(f) ? parseFloatFlag(f, values.get(f) ?? '') : undefined;
        const bool = (f: string): boolean | undefined =>
            values.has(f) ? parseBool(f, values.get(f) ?? '') : undefined;

        opts.numThreads = int('num_threads');
        if (opts.numThreads !== undefined) {
            validateThreads(opts.numThreads);
            params['#threads used for CPU inference'] = String(opts.numThreads);
        }
        opts.numRuns = int('num_runs');
        opts.warmupRuns = int('warmup_runs');
        for (const f of ['num_runs', 'warmup_runs'] as const) {
            const n = int(f);
            if (n !== undefined && n < 0) throw usage(`--${f}: ${n} is negative`);
        }
        opts.minSecs = num('min_secs');
        opts.maxSecs = num('max_secs');
        opts.warmupMinSecs = num('warmup_min_secs');
        for (const f of ['min_secs', 'max_secs', 'warmup_min_secs'] as const) {
            const n = num(f);
            if (n !== undefined && n < 0) throw usage(`--${f}: ${n} is negative`);
        }
        opts.runDelay = num('run_delay');
        opts.enableOpProfiling = bool('enable_op_profiling');
        opts.useXnnpack = bool('use_xnnpack');
        opts.measureProfilerOverhead = bool('measure_profiler_overhead');
        // the overhead is profiled vs unprofiled time: without profiling there is nothing to measure
        if (opts.measureProfilerOverhead === true && opts.enableOpProfiling !== true)
            throw usage('--measure_profiler_overhead=true needs --enable_op_profiling=true');
        opts.seed = int('random_seed');
        const layers = values.get('input_layer');
        if (layers !== undefined && layers !== '') opts.inputLayers = layers.split(',').map((s) => s.trim());
        const shapes = values.get('input_layer_shape');
        if (shapes !== undefined && shapes !== '') opts.inputShapes = parseShapes(shapes);
        const files = values.get('input_layer_value_files');
        if (files !== undefined && files !== '') opts.inputValueFiles = parseValueFiles(files);
        opts.params = params;
        opts.startRssBytes = startRss;

        const result = runBenchmark(opts);
        const out = values.get('output_filepath');
        if (out !== undefined && out !== '') {
            try {
                writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
            } catch (e) {
                throw new SplitbenchError('NOT_FOUND', `--output_filepath ${out}: cannot write (${messageOf(e)})`);
            }
        }
        io.stdout(
            format === 'json'
                ? `${JSON.stringify(result, null, 2)}\n`
                : formatBenchmarkText(result, { rawSamples: bool('print_raw_samples') === true }),
        );
        return 0;
    } catch (e) {
        io.stderr(`ERROR: ${messageOf(e).replace(/\s*\n\s*/g, ' ')}\n`);
        return isSplitbenchError(e) && BAD_INPUT.has(e.code) ? badInputExit : 1;
    }
};
