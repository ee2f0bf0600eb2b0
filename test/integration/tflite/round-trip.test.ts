// The runner's text output, read back by the project's benchmark_model parser, gives the numbers its JSON holds.
import { describe, expect, it } from 'vitest';
import { parseBenchmarkOutput } from '../../../src/parse/benchmark-model.js';
import type { BenchmarkResult, OpRow, ProfileBlock } from '../../../src/parse/types.js';
import { runBenchmark } from '../../../src/tflite/benchmark.js';
import { formatBenchmarkText } from '../../../src/tflite/text-format.js';
import { hasShared, POSE_LITE, QUICK, sharedModel } from '../../support/tflite.js';

/** The fields a benchmark_model text carries (the JSON has more: p90, min/max/std per op, runner details). */
const opFacts = (o: OpRow) => ({
    nodeIndex: o.nodeIndex,
    type: o.type,
    firstMs: o.firstMs,
    avgMs: o.avgMs,
    pct: o.pct,
    cdfPct: o.cdfPct,
    memKb: o.memKb,
    timesCalled: o.timesCalled,
    name: o.name,
    outputs: o.outputs,
});
const blockFacts = (b: ProfileBlock) => ({
    subgraphIndex: b.subgraphIndex,
    runOrder: b.runOrder.map(opFacts),
    top: b.top.map(opFacts),
    byType: b.byType,
    timings: b.timings,
    nodesObserved: b.nodesObserved,
});
const facts = (r: BenchmarkResult) => {
    const inference = { ...r.inference };
    delete inference.p90Us;
    return {
        params: r.params,
        modelPath: r.modelPath,
        modelSizeMb: r.modelSizeMb,
        initMs: r.initMs,
        warmup: r.warmup,
        timed: r.timed,
        inference,
        memory: r.memory,
        samplesUs: r.samplesUs,
        profile: r.profile.map(blockFacts),
        ops: r.ops.map(opFacts),
    };
};

const roundTrip = (r: BenchmarkResult): BenchmarkResult => {
    const parsed = parseBenchmarkOutput(formatBenchmarkText(r));
    expect(parsed.failure).toBeUndefined();
    expect(parsed.truncated).toBe(false);
    expect(facts(parsed)).toEqual(facts(r));
    return parsed;
};

describe('built-in runner text ⇄ JSON', () => {
    it('builtin kernels with op profiling: every op once per run, same numbers both ways', () => {
        const r = runBenchmark({
            graph: POSE_LITE,
            numThreads: 1,
            useXnnpack: false,
            enableOpProfiling: true,
            ...QUICK,
            params: { 'Num threads': '1', 'Use xnnpack': '0', 'Enable op profiling': '1' },
        });
        expect(r.inference.count).toBe(3);
        expect(r.samplesUs).toHaveLength(3);
        expect(r.ops).toHaveLength(305);
        expect(r.ops.map((o) => o.nodeIndex)).toEqual(r.ops.map((_, i) => i));
        expect(r.ops.every((o) => o.timesCalled === 1)).toBe(true);
        expect(r.profile[0]?.timings?.count).toBe(3);
        const ratio = r.runner?.opSumToInvokeRatio ?? 0;
        expect(ratio).toBeGreaterThan(0.5);
        expect(ratio).toBeLessThanOrEqual(1);
        expect(r.inference.p90Us).toBeGreaterThanOrEqual(r.inference.medianUs ?? Infinity);
        roundTrip(r);
    });

    it('XNNPACK: the delegate partition is one row, and the delegate line round-trips', () => {
        const r = runBenchmark({ graph: POSE_LITE, useXnnpack: true, enableOpProfiling: true, ...QUICK });
        expect(r.ops.some((o) => o.type === 'TfLiteXNNPackDelegate')).toBe(true);
        expect(r.delegates[0]).toMatchObject({ name: 'XNNPACK', kernel: 'TfLiteXNNPackDelegate' });
        const parsed = roundTrip(r);
        expect(parsed.delegates.find((d) => d.name === 'XNNPACK')).toMatchObject({ mode: r.delegates[0]?.mode });
    });

    it('without op profiling the text has no tables, and still round-trips', () => {
        const r = runBenchmark({ graph: POSE_LITE, useXnnpack: true, ...QUICK, numRuns: 2 });
        expect(r.profile).toEqual([]);
        expect(formatBenchmarkText(r)).not.toContain('Run Order');
        roundTrip(r);
    });

    describe.runIf(hasShared)('shared models', () => {
        it.each([
            ['cls_mobilenet_v1_025_224_float.tflite'],
            ['tiny_multi_add_4in_2out_float.tflite'],
            ['cls_mobilenet_v2_100_224_uint8.tflite'],
        ])('%s', (file) => {
            const r = runBenchmark({ graph: sharedModel(file), useXnnpack: false, enableOpProfiling: true, ...QUICK });
            expect(r.ops.length).toBeGreaterThan(0);
            expect(r.ops.every((o) => o.timesCalled === 1)).toBe(true);
            roundTrip(r);
        });

        it('control flow: subgraph blocks survive the text', () => {
            const r = runBenchmark({
                graph: sharedModel('cf_while_multi_subgraphs.tflite'),
                useXnnpack: false,
                enableOpProfiling: true,
                ...QUICK,
            });
            expect(r.profile.length).toBeGreaterThan(1);
            roundTrip(r);
        });
    });
});
