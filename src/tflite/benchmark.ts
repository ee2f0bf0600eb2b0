// benchmark_model's run semantics on the built-in native runtime: init, warm-up phase, timed phase, per-op profile.
// Produces the same BenchmarkResult the benchmark_model text parser produces (origin 'runner').
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SplitbenchError } from '../errors.js';
import type { DType } from '../model/dtype.js';
import type { BenchmarkResult, DelegateInfo, ProfileBlock, RunnerInfo } from '../parse/types.js';
import { VERSION } from '../version.js';
import { BENCHMARK_DEFAULTS } from './defaults.js';
import { buildProfileBlock } from './profile-block.js';
import { openInterpreter, runtimeVersion } from './native.js';
import { asPrinted, statLine, summarize } from './stats.js';
import type { Interpreter, RuntimeTensor } from './types.js';
import { toFloat16 } from '../model/float16.js';
import { mulberry32 } from '../random.js';

export interface BenchmarkOptions {
    graph: string;
    /** -1 = runtime default. */
    numThreads?: number | undefined;
    numRuns?: number | undefined;
    minSecs?: number | undefined;
    maxSecs?: number | undefined;
    warmupRuns?: number | undefined;
    warmupMinSecs?: number | undefined;
    /** Seconds to sleep after each run; negative = none. */
    runDelay?: number | undefined;
    enableOpProfiling?: boolean | undefined;
    /** Default true, as benchmark_model applies XNNPACK by default. */
    useXnnpack?: boolean | undefined;
    /** Names for inputShapes (benchmark_model's --input_layer); when absent, shapes go to inputs in model order. */
    inputLayers?: readonly string[] | undefined;
    inputShapes?: readonly (readonly number[])[] | undefined;
    /** Input name → file of raw bytes (--input_layer_value_files). */
    inputValueFiles?: Readonly<Record<string, string>> | undefined;
    /** Seed of the random input data. */
    seed?: number | undefined;
    /** Also run an unprofiled timed phase of the same length to measure the profiler's overhead. */
    measureProfilerOverhead?: boolean | undefined;
    /** Parameter echo (`Num threads` → `4`), as the command line set them. */
    params?: Readonly<Record<string, string>> | undefined;
    /** RSS at tool start, for the memory-footprint deltas; default: RSS when runBenchmark starts. */
    startRssBytes?: number | undefined;
}

const sleepSab = new Int32Array(new SharedArrayBuffer(4));
/** Synchronous sleep: the timed loop must not yield to the event loop (benchmark_model sleeps in-thread too). */
const sleepSecs = (secs: number): void => {
    if (secs > 0) Atomics.wait(sleepSab, 0, 0, secs * 1000);
};

const rng = mulberry32;

/** Random data per dtype with benchmark_model's ranges (floats in [-0.5, 0.5], ints small and non-negative). */
export const randomTensorData = (t: RuntimeTensor, next: () => number): Uint8Array => {
    const out = new Uint8Array(t.bytes);
    const dv = new DataView(out.buffer);
    const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
    const each = (size: number, write: (off: number) => void): void => {
        for (let off = 0; off + size <= out.length; off += size) write(off);
    };
    const dtype: DType = t.dtype;
    switch (dtype) {
        case 'float32':
            each(4, (o) => dv.setFloat32(o, next() - 0.5, true));
            break;
        case 'float64':
            each(8, (o) => dv.setFloat64(o, next() - 0.5, true));
            break;
        case 'float16':
            each(2, (o) => dv.setUint16(o, toFloat16(next() - 0.5), true));
            break;
        case 'bfloat16': {
            // bfloat16 is the upper half of a float32
            const f = new DataView(new ArrayBuffer(4));
            each(2, (o) => {
                f.setFloat32(0, next() - 0.5, true);
                dv.setUint16(o, f.getUint16(2, true), true);
            });
            break;
        }
        case 'int8':
            each(1, (o) => dv.setInt8(o, int(-127, 127)));
            break;
        case 'uint8':
            each(1, (o) => dv.setUint8(o, int(0, 254)));
            break;
        case 'bool':
            each(1, (o) => dv.setUint8(o, int(0, 1)));
            break;
        case 'int16':
        case 'uint16':
            each(2, (o) => dv.setUint16(o, int(0, 99), true));
            break;
        case 'int32':
        case 'uint32':
            each(4, (o) => dv.setUint32(o, int(0, 99), true));
            break;
        case 'int64':
        case 'uint64':
            each(8, (o) => dv.setBigUint64(o, BigInt(int(0, 99)), true));
            break;
        case 'string':
        case 'resource':
        case 'variant':
        case 'complex64':
        case 'complex128':
        case 'int4':
        default:
            // No meaningful random bytes for these; zeros (or the runtime's own contents for opaque types).
            break;
    }
    return out;
};

interface PhaseResult {
    samplesUs: number[];
}

/** benchmark_model's BenchmarkModel::Run loop: at least minRuns AND minSecs, stopping once maxSecs is exceeded. */
const runPhase = (it: Interpreter, minRuns: number, minSecs: number, maxSecs: number, delay: number): PhaseResult => {
    const samplesUs: number[] = [];
    const start = performance.now();
    const minFinish = start + minSecs * 1000;
    const maxFinish = start + maxSecs * 1000;
    let now = start;
    for (let run = 0; (run < minRuns || now < minFinish) && now <= maxFinish; run++) {
        const t0 = performance.now();
        it.invoke();
        const t1 = performance.now();
        samplesUs.push(Math.round((t1 - t0) * 1000));
        sleepSecs(delay);
        now = performance.now();
    }
    return { samplesUs };
};

const resolveInputShapes = (
    graph: string,
    opts: BenchmarkOptions,
    names: () => string[],
): Record<string, readonly number[]> | undefined => {
    const shapes = opts.inputShapes;
    if (shapes === undefined || shapes.length === 0) return undefined;
    const layers = opts.inputLayers !== undefined && opts.inputLayers.length > 0 ? opts.inputLayers : names();
    if (layers.length !== shapes.length) {
        throw new SplitbenchError(
            'USAGE',
            `model ${basename(graph)}: ${shapes.length} input shape(s) given for ${layers.length} input layer(s) (${layers.join(', ')})`,
        );
    }
    const out: Record<string, readonly number[]> = {};
    layers.forEach((l, i) => {
        out[l] = shapes[i] as readonly number[];
    });
    return out;
};

const rssBytes = (): number => process.memoryUsage.rss();
const MB = 1024 * 1024;

export const runBenchmark = (opts: BenchmarkOptions): BenchmarkResult => {
    const startRss = opts.startRssBytes ?? rssBytes();
    const threads = opts.numThreads ?? BENCHMARK_DEFAULTS.numThreads;
    const numRuns = opts.numRuns ?? BENCHMARK_DEFAULTS.numRuns;
    const minSecs = opts.minSecs ?? BENCHMARK_DEFAULTS.minSecs;
    const maxSecs = opts.maxSecs ?? BENCHMARK_DEFAULTS.maxSecs;
    const warmupRuns = opts.warmupRuns ?? BENCHMARK_DEFAULTS.warmupRuns;
    const warmupMinSecs = opts.warmupMinSecs ?? BENCHMARK_DEFAULTS.warmupMinSecs;
    const delay = opts.runDelay ?? BENCHMARK_DEFAULTS.runDelay;
    const profiling = opts.enableOpProfiling === true;
    const xnnpack = opts.useXnnpack ?? true;
    const graph = opts.graph;
    const name = basename(graph);

    // Input names are needed to map shapes before the interpreter exists; peek with a throwaway interpreter only then.
    let inputShapes: Record<string, readonly number[]> | undefined;
    if (opts.inputShapes !== undefined && opts.inputShapes.length > 0) {
        inputShapes = resolveInputShapes(graph, opts, () => peekInputNames(graph));
    }

    const t0 = performance.now();
    const it = openInterpreter(graph, { threads, xnnpack, profile: profiling, inputShapes });
    const initUs = Math.round((performance.now() - t0) * 1000);
    const initRss = rssBytes();
    try {
        const next = rng(opts.seed ?? 1);
        const files = opts.inputValueFiles ?? {};
        const known = new Set(it.inputs.map((t) => t.name));
        for (const k of Object.keys(files)) {
            if (!known.has(k)) {
                throw new SplitbenchError(
                    'USAGE',
                    `model ${name}: --input_layer_value_files names '${k}', which is not an input (inputs: ${[...known].join(', ')})`,
                );
            }
        }
        const inputInfo: RunnerInfo['inputs'] = [];
        it.inputs.forEach((t, i) => {
            const file = files[t.name];
            let data: Uint8Array;
            if (file !== undefined) {
                try {
                    data = readFileSync(file);
                } catch (e) {
                    throw new SplitbenchError('NOT_FOUND', `input file ${file} for '${t.name}': cannot read`, {
                        cause: e,
                    });
                }
                if (data.byteLength !== t.bytes) {
                    throw new SplitbenchError(
                        'USAGE',
                        `input file ${file} for '${t.name}': ${data.byteLength} bytes, the input needs ${t.bytes} (${t.dtype} [${t.shape.join(',')}])`,
                    );
                }
            } else {
                data = randomTensorData(t, next);
            }
            const opaque = t.dtype === 'string' || t.dtype === 'resource' || t.dtype === 'variant';
            if (t.bytes > 0 && (file !== undefined || !opaque)) it.setInput(i, data);
            inputInfo.push({
                name: t.name,
                dtype: t.dtype,
                shape: [...t.shape],
                bytes: t.bytes,
                source: file ?? `random(seed=${opts.seed ?? 1})`,
            });
        });

        const warm = runPhase(it, warmupRuns, warmupMinSecs, maxSecs, delay);
        it.resetTimings(); // warm-up runs are not profiled, as in benchmark_model
        const timed = runPhase(it, numRuns, minSecs, maxSecs, delay);
        const timings = it.nodeTimings();
        const endRss = rssBytes();

        const w = summarize(warm.samplesUs);
        const s = summarize(timed.samplesUs);
        const runs = timed.samplesUs.length;

        const profile: ProfileBlock[] = [];
        if (profiling) {
            const subgraphs = [...new Set(timings.map((t) => t.subgraphIndex ?? 0))].sort((a, b) => a - b);
            if (subgraphs.length === 0) subgraphs.push(0);
            for (const sg of subgraphs) {
                profile.push(
                    buildProfileBlock(
                        timings.filter((t) => (t.subgraphIndex ?? 0) === sg),
                        runs,
                        sg,
                    ),
                );
            }
        }
        const primaryTimings = timings.filter((t) => (t.subgraphIndex ?? 0) === 0);
        const opSumAvgUs =
            profiling && runs > 0
                ? primaryTimings.reduce((a, t) => a + t.samplesUs.reduce((x, y) => x + y, 0), 0) / runs
                : undefined;

        const delegates: DelegateInfo[] = [];
        if (xnnpack && profiling) {
            const kernels = primaryTimings.filter((t) => t.type === 'TfLiteXNNPackDelegate').length;
            delegates.push({
                name: 'XNNPACK',
                kernel: 'TfLiteXNNPackDelegate',
                mode: kernels === 0 ? 'none' : primaryTimings.length === 1 ? 'complete' : 'partial',
                ...(kernels > 0 && primaryTimings.length > 1 ? { kernels } : {}),
            });
        }

        const runner: RunnerInfo = {
            runtime: `TFLite ${runtimeVersion()} (native libtensorflowlite_c, npm tfjs-tflite-node)`,
            threads,
            xnnpack,
            opProfiling: profiling,
            inputs: inputInfo,
            phases: { warmupRuns, warmupMinSecs, numRuns, minSecs, maxSecs },
        };
        if (opSumAvgUs !== undefined && s !== undefined) {
            runner.opSumAvgUs = opSumAvgUs;
            runner.opSumToInvokeRatio = s.avg > 0 ? opSumAvgUs / s.avg : undefined;
        }

        const result: BenchmarkResult = {
            parserVersion: `splitbench-runner ${VERSION}`,
            origin: 'runner',
            params: {
                'Log parameter values verbosely': '0',
                ...(opts.params ?? {}),
                Graph: graph,
                'Signature to run': '',
            },
            modelPath: graph,
            modelSizeMb: asPrinted(statSync(graph).size / 1e6),
            initMs: asPrinted(initUs / 1000),
            warmup: statLine(warm.samplesUs, true),
            timed: statLine(timed.samplesUs, true),
            inference: {
                initUs,
                ...(w !== undefined ? { firstUs: w.first, warmupAvgUs: asPrinted(w.avg) } : {}),
                ...(s !== undefined
                    ? {
                          avgUs: asPrinted(s.avg),
                          count: s.count,
                          minUs: s.min,
                          maxUs: s.max,
                          stdUs: s.std,
                          p5Us: s.p5,
                          medianUs: s.median,
                          p95Us: s.p95,
                          p90Us: s.p90,
                      }
                    : {}),
            },
            memory: {
                initMb: asPrinted((initRss - startRss) / MB),
                overallMb: asPrinted((endRss - startRss) / MB),
                peakMb: asPrinted(process.resourceUsage().maxRSS / 1024),
            },
            delegates,
            initProfile: [],
            profile,
            ops: profile[0]?.runOrder ?? [],
            samplesUs: [...timed.samplesUs],
            truncated: false,
            unknownLines: 0,
            modelLoaded: true,
            runner,
        };
        if (opts.measureProfilerOverhead === true && profiling && s !== undefined) {
            const plain = openInterpreter(graph, { threads, xnnpack, profile: false, inputShapes });
            try {
                plain.inputs.forEach((t, i) => {
                    if (t.bytes > 0 && t.dtype !== 'string')
                        plain.setInput(i, randomTensorData(t, rng(opts.seed ?? 1)));
                });
                runPhase(plain, warmupRuns, warmupMinSecs, maxSecs, delay);
                const un = summarize(runPhase(plain, runs, 0, maxSecs, delay).samplesUs);
                if (un !== undefined && un.avg > 0) {
                    runner.unprofiledAvgUs = un.avg;
                    runner.profilerOverheadPct = ((s.avg - un.avg) / un.avg) * 100;
                }
            } finally {
                plain.close();
            }
        }
        return result;
    } finally {
        it.close();
    }
};

/** Input tensor names in model order (opens and closes an interpreter without the profiler). */
const peekInputNames = (graph: string): string[] => {
    const it = openInterpreter(graph, { threads: 1, allowUnsizedInputs: true });
    try {
        return it.inputs.map((t) => t.name);
    } finally {
        it.close();
    }
};
