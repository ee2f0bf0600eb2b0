// Test data for the results store: jobs and parsed results of known shape, so round trips can be checked
// field by field. (These are inputs to the store, not stand-ins for benchmark runs.)
import { RoleSettingsSchema } from '../../src/config/schema.js';
import type { BenchmarkResult, OpRow } from '../../src/parse/types.js';
import { jobId } from '../../src/plan/plan.js';
import type { Job, JobKind } from '../../src/plan/types.js';
import type { NewRun } from '../../src/store/types.js';

export const MODEL_SHA = '1'.repeat(64);
export const SETTINGS = RoleSettingsSchema.parse({ runs: 5 });

export const makeJob = (
    over: { kind?: JobKind; split?: number | null; device?: string; repetition?: number } = {},
): Job => {
    const kind = over.kind ?? 'measure-head';
    const split = over.split === undefined ? (kind.startsWith('measure-') ? 3 : null) : over.split;
    const device = over.device ?? 'ue1';
    const role = kind === 'measure-tail' ? 'server' : 'ue';
    const repetition = over.repetition ?? 0;
    const id = jobId({ kind, modelSha256: MODEL_SHA, split, device, role, repetition, settings: SETTINGS });
    return {
        id,
        kind,
        mode: kind === 'estimate' ? 'estimate' : 'measure',
        modelId: 'net',
        modelSha256: MODEL_SHA,
        modelPath: '/models/net.tflite',
        split,
        device,
        role,
        repetition,
        profile: kind === 'estimate',
        settings: SETTINGS,
        label: `${kind} net on ${device}`,
    };
};

export const makeOps = (n: number, seed = 1): OpRow[] =>
    Array.from({ length: n }, (_, i) => ({
        nodeIndex: i,
        type: i % 2 === 0 ? 'CONV_2D' : 'DEPTHWISE_CONV_2D',
        firstMs: 0.5 + i * seed * 0.01,
        avgMs: 0.25 + i * seed * 0.01,
        minMs: 0.2,
        maxMs: 0.4 + i * 0.001,
        pct: 100 / n,
        cdfPct: ((i + 1) * 100) / n,
        memKb: 0,
        timesCalled: 1,
        name: `[t${i}]:${i}`,
        outputs: [`t${i}`],
    }));

export const makeResult = (
    opts: { ops?: number; samples?: number; avgUs?: number; failure?: boolean } = {},
): BenchmarkResult => {
    const ops = makeOps(opts.ops ?? 4);
    const samples = Array.from({ length: opts.samples ?? 5 }, (_, i) => (opts.avgUs ?? 1000) + i - 2);
    return {
        parserVersion: 'test-1',
        origin: 'runner',
        params: { 'Num runs': String(samples.length) },
        modelPath: '/data/local/tmp/net.tflite',
        initMs: 12.5,
        timed: {
            count: samples.length,
            avg: opts.avgUs ?? 1000,
            min: Math.min(...samples),
            max: Math.max(...samples),
            std: 1.4,
        },
        inference: {
            avgUs: opts.avgUs ?? 1000,
            initUs: 12500,
            firstUs: 1500,
            warmupAvgUs: 1100,
            count: samples.length,
            minUs: Math.min(...samples),
            maxUs: Math.max(...samples),
            stdUs: 1.4,
            p5Us: Math.min(...samples),
            medianUs: opts.avgUs ?? 1000,
            p95Us: Math.max(...samples),
        },
        memory: { peakMb: 30.5 },
        delegates: [],
        initProfile: [],
        profile: [{ subgraphIndex: 0, runOrder: ops, top: [], byType: [] }],
        ops,
        samplesUs: samples,
        failure:
            opts.failure === true
                ? { kind: 'unsupported_op', line: 'ERROR: Op type not registered', op: 'FOO' }
                : undefined,
        truncated: false,
        unknownLines: 0,
    };
};

export const newRun = (over: Partial<NewRun> = {}): NewRun => ({
    campaignName: 'c1',
    campaignPath: '/proj/configs/c1.yaml',
    campaignSha256: 'f'.repeat(64),
    campaignYaml: 'name: c1\n',
    splitbenchVersion: '0.1.0',
    gitCommit: 'abc1234',
    ...over,
});
