// npm run bench:runtime — figures for the built-in TFLite runner on real models:
// latency with XNNPACK on/off, profiler overhead, per-op sum / invoke ratio, init time, peak RSS, and the runner's
// latency against a plain invoke loop over the same binding. Phases are interleaved in rounds and compared by
// median, because this box is a shared 2-vCPU VM whose timings drift by tens of percent between minutes.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBenchmark } from '../src/tflite/benchmark.js';
import { openInterpreter } from '../src/tflite/native.js';
import { summarize } from '../src/tflite/stats.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const SHARED = here('../../shared/models/');
const candidates = [
    here('../node_modules/@mediapipe/pose/pose_landmark_lite.tflite'),
    `${SHARED}cls_mobilenet_v1_025_224_float.tflite`,
    `${SHARED}cls_mobilenet_v2_100_224_uint8.tflite`,
    `${SHARED}pose_bodypix_mnv1_050_s8_257_float.tflite`,
    // µs-scale invokes: shows what the runner loop itself adds over a plain loop, without kernel-time noise.
    `${SHARED}tiny_add_twice_float.tflite`,
];
const models = (process.argv.length > 2 ? process.argv.slice(2) : candidates).filter((m) => existsSync(m));
const ROUNDS = Number(process.env['ROUNDS'] ?? 5);
const RUNS = Number(process.env['RUNS'] ?? 20);
const THREADS = Number(process.env['THREADS'] ?? 1);

const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n === 0
        ? NaN
        : n % 2 === 1
          ? (s[(n - 1) / 2] as number)
          : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};
const ms = (us: number): string => (us / 1000).toFixed(3);
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)}%`;

/** A plain loop over the binding: what the runner must not be slower than. */
const plainLoop = (model: string, xnnpack: boolean, runs: number): number[] => {
    const it = openInterpreter(model, { threads: THREADS, xnnpack });
    try {
        it.inputs.forEach((t, i) => it.setInput(i, new Uint8Array(t.bytes)));
        it.invoke();
        const out: number[] = [];
        for (let i = 0; i < runs; i++) {
            const t0 = performance.now();
            it.invoke();
            out.push(Math.round((performance.now() - t0) * 1000));
        }
        return out;
    } finally {
        it.close();
    }
};

const quick = { numThreads: THREADS, numRuns: RUNS, minSecs: 0, warmupRuns: 2, warmupMinSecs: 0 };

console.log(`built-in runner bench: ${ROUNDS} interleaved rounds × ${RUNS} runs, ${THREADS} thread(s)\n`);
for (const model of models) {
    const plain: number[] = [];
    const runner: number[] = [];
    const profiled: number[] = [];
    const xnn: number[] = [];
    const ratios: number[] = [];
    const inits: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
        plain.push(...plainLoop(model, false, RUNS));
        const a = runBenchmark({ graph: model, useXnnpack: false, ...quick });
        runner.push(...(a.samplesUs ?? []));
        inits.push(a.inference.initUs ?? NaN);
        const p = runBenchmark({ graph: model, useXnnpack: false, enableOpProfiling: true, ...quick });
        profiled.push(...(p.samplesUs ?? []));
        ratios.push(p.runner?.opSumToInvokeRatio ?? NaN);
        const x = runBenchmark({ graph: model, useXnnpack: true, ...quick });
        xnn.push(...(x.samplesUs ?? []));
    }
    const mPlain = median(plain);
    const mRunner = median(runner);
    const mProf = median(profiled);
    const mXnn = median(xnn);
    const x = runBenchmark({ graph: model, useXnnpack: true, ...quick, numRuns: 2 });
    const profRows = runBenchmark({ graph: model, useXnnpack: false, enableOpProfiling: true, ...quick, numRuns: 2 })
        .ops.length;
    console.log(`${basename(model)} (${profRows} nodes)`);
    console.log(`  builtin kernels   median ${ms(mRunner)} ms  mean ${ms(summarize(runner)?.avg ?? NaN)} ms`);
    console.log(
        `  XNNPACK           median ${ms(mXnn)} ms  mean ${ms(summarize(xnn)?.avg ?? NaN)} ms  (init ${ms(x.inference.initUs ?? NaN)} ms)`,
    );
    console.log(
        `  plain invoke loop median ${ms(mPlain)} ms → runner vs plain ${pct(((mRunner - mPlain) / mPlain) * 100)}`,
    );
    console.log(
        `  profiled          median ${ms(mProf)} ms → profiler overhead ${pct(((mProf - mRunner) / mRunner) * 100)}`,
    );
    console.log(`  per-op sum / invoke (median of rounds) ${median(ratios).toFixed(4)}`);
    console.log(`  init (builtin, median) ${ms(median(inits))} ms`);
    console.log('');
}
// The profiler's own cost per node call, measured where it is not drowned by kernel time: a 2-node model,
// plain and profiled interpreters alternating in blocks. Overhead on a model ≈ this × nodes / latency.
const tiny = `${SHARED}tiny_add_twice_float.tflite`;
if (existsSync(tiny)) {
    const plainIt = openInterpreter(tiny, { threads: 1 });
    const profIt = openInterpreter(tiny, { threads: 1, profile: true });
    const nodes = 2;
    const block = (it: ReturnType<typeof openInterpreter>, n: number): number => {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) it.invoke();
        return ((performance.now() - t0) * 1000) / n;
    };
    for (const it of [plainIt, profIt]) it.inputs.forEach((t, i) => it.setInput(i, new Uint8Array(t.bytes)));
    block(plainIt, 2000);
    block(profIt, 2000);
    const diffs: number[] = [];
    const plainUs: number[] = [];
    for (let r = 0; r < 40; r++) {
        const a = block(plainIt, 500);
        const b = block(profIt, 500);
        plainUs.push(a);
        diffs.push(b - a);
    }
    plainIt.close();
    profIt.close();
    const perCall = median(diffs) / nodes;
    console.log(
        `profiler cost per node call: ${perCall.toFixed(2)} µs (plain invoke of the 2-node model ${median(plainUs).toFixed(2)} µs)`,
    );
    console.log(
        `  → on MobileNetV1-0.25 (31 nodes) at the doc's unloaded 7.8 ms builtin latency: ${(((perCall * 31) / 7800) * 100).toFixed(2)}%`,
    );
}
console.log(`peak RSS of this process: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
