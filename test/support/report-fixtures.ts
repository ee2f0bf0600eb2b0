// Small hand-made inputs for analysis and report tests. Every expected number in the tests is worked out by hand
// from these values (see the comments there), never by the code under test.
import type { CutTensor, SplitAnalysisInput } from '../../src/analysis/types.js';
import type { DeviceProbe } from '../../src/drivers/types.js';
import type { OpRow } from '../../src/parse/types.js';
import type { ReportInput } from '../../src/report/types.js';

export const row = (nodeIndex: number | null, type: string, avgMs: number, outputs: string[]): OpRow => ({
    nodeIndex,
    type,
    firstMs: avgMs,
    avgMs,
    pct: 0,
    cdfPct: 0,
    memKb: 0,
    timesCalled: 1,
    name: `[${outputs.join(', ')}]${nodeIndex === null ? '' : `:${nodeIndex}`}`,
    outputs,
});

const t = (name: string, shape: number[], dtype: string, bytes: number): CutTensor => ({ name, shape, dtype, bytes });

/**
 * 5 ops: 0 CONV_2D→a, 1 DEPTHWISE_CONV_2D→b, 2 CONV_2D→c, 3 ADD(c, a)→d, 4 SOFTMAX→out.
 * Cuts: 0 {a}=128 B; 1 {a, b}=192 B (a skips ahead to ADD); 2 {a, c}=256 B; 3 {d int8}=32 B.
 * Each op's own output (the study's data size): a 128, b 64, c 128, d 32, out 40 B.
 * UE (same file, by node index), 2 reps, no row for op 4:  rep1 1.0 2.0 3.0 0.5, rep2 1.2 2.0 2.8 0.5.
 * Server (other file, by names, shifted node indices), 2 reps: a .1, b .2, c .3/.5, d .05, out .05, plus an
 * unmatched QUANTIZE row 'q_extra' .02.
 * Measured: fullUe avgs 6000/6400/6200 µs; fullServer 3000/3400 µs; head(1) samples [3000 3100 2900] [3050 2950] µs;
 * tail(1) avgs 2500/2700 µs.
 */
export const smallInput = (): SplitAnalysisInput => {
    const ue = (v: number[]) => ({
        ops: [
            row(0, 'CONV_2D', v[0] as number, ['a']),
            row(1, 'DEPTHWISE_CONV_2D', v[1] as number, ['b']),
            row(2, 'CONV_2D', v[2] as number, ['c']),
            row(3, 'ADD', v[3] as number, ['d']),
        ],
        inferenceAvgUs: 7000,
        sameModelFile: true,
    });
    const srv = (c: number) => ({
        ops: [
            row(10, 'CONV_2D', 0.1, ['a']),
            row(11, 'QUANTIZE', 0.02, ['q_extra']),
            row(12, 'DEPTHWISE_CONV_2D', 0.2, ['b']),
            row(13, 'CONV_2D', c, ['c']),
            row(14, 'ADD', 0.05, ['d']),
            row(15, 'SOFTMAX', 0.05, ['out']),
        ],
        inferenceAvgUs: 1000,
        sameModelFile: false,
    });
    return {
        model: {
            name: 'tiny.tflite',
            sha256: 'ab'.repeat(32),
            opCount: 5,
            ops: [
                { index: 0, type: 'CONV_2D', outputs: ['a'], outputBytes: 128 },
                { index: 1, type: 'DEPTHWISE_CONV_2D', outputs: ['b'], outputBytes: 64 },
                { index: 2, type: 'CONV_2D', outputs: ['c'], outputBytes: 128 },
                { index: 3, type: 'ADD', outputs: ['d'], outputBytes: 32 },
                { index: 4, type: 'SOFTMAX', outputs: ['out'], outputBytes: 40 },
            ],
            inputBytes: 64,
            outputBytes: 40,
        },
        cuts: [
            { after: 0, tensors: [t('a', [1, 4, 4, 2], 'float32', 128)], bytes: 128, outputsProduced: [] },
            {
                after: 1,
                tensors: [t('a', [1, 4, 4, 2], 'float32', 128), t('b', [1, 2, 2, 4], 'float32', 64)],
                bytes: 192,
                outputsProduced: [],
            },
            {
                after: 2,
                tensors: [t('a', [1, 4, 4, 2], 'float32', 128), t('c', [1, 4, 4, 2], 'float32', 128)],
                bytes: 256,
                outputsProduced: [],
            },
            { after: 3, tensors: [t('d', [1, 32], 'int8', 32)], bytes: 32, outputsProduced: [] },
        ],
        ueDevice: 'a01',
        serverDevice: 'pc',
        estimate: { ue: [ue([1.0, 2.0, 3.0, 0.5]), ue([1.2, 2.0, 2.8, 0.5])], server: [srv(0.3), srv(0.5)] },
        measured: {
            fullUe: [{ avgUs: 6000 }, { avgUs: 6400 }, { avgUs: 6200 }],
            fullServer: [{ avgUs: 3000 }, { avgUs: 3400 }],
            head: new Map([
                [
                    1,
                    [
                        { avgUs: 3000, samplesUs: [3000, 3100, 2900] },
                        { avgUs: 3000, samplesUs: [3050, 2950] },
                    ],
                ],
            ]),
            tail: new Map([[1, [{ avgUs: 2500 }, { avgUs: 2700 }]]]),
        },
        networks: [
            { name: 'lte', uplinkMbps: 10, rttMs: 20 },
            { name: 'lan', uplinkMbps: 100, rttMs: 1, includeResultReturn: true, downlinkMbps: 200, resultBytes: 40 },
        ],
    };
};

/**
 * 6 ops, UE ran with XNNPACK: op 0 (0: 1.0), one TfLiteXNNPackDelegate row (node 6, 4.0 ms) for ops 1..4, op 5 (0.5).
 * Server: per-op rows, 0.1 ms each, same file. No measured runs.
 */
export const delegateInput = (): SplitAnalysisInput => {
    const ops = ['CONV_2D', 'CONV_2D', 'CONV_2D', 'CONV_2D', 'CONV_2D', 'SOFTMAX'].map((type, index) => ({
        index,
        type,
        outputs: [`t${index}`],
    }));
    return {
        model: { name: 'xnn.tflite', sha256: 'cd'.repeat(32), opCount: 6, ops },
        cuts: [0, 1, 2, 3, 4].map((after) => ({
            after,
            tensors: [t(`t${after}`, [1, 10], 'float32', 40)],
            bytes: 40,
            outputsProduced: [],
        })),
        ueDevice: 'phone',
        serverDevice: 'pc',
        estimate: {
            ue: [
                {
                    ops: [
                        row(0, 'CONV_2D', 1.0, ['t0']),
                        row(6, 'TfLiteXNNPackDelegate', 4.0, ['t4']),
                        row(5, 'SOFTMAX', 0.5, ['t5']),
                    ],
                    inferenceAvgUs: 5500,
                    sameModelFile: true,
                },
            ],
            server: [
                { ops: ops.map((o) => row(o.index, o.type, 0.1, o.outputs)), inferenceAvgUs: 600, sameModelFile: true },
            ],
        },
        measured: { fullUe: [], head: new Map(), tail: new Map() },
        networks: [],
    };
};

export const probe = (over: Partial<DeviceProbe> = {}): DeviceProbe => ({
    kind: 'adb',
    probedAt: '2026-01-01T00:00:00Z',
    os: 'Android',
    arch: 'arm64',
    abis: ['arm64-v8a'],
    cores: 8,
    coreMaxFreqKhz: [],
    governors: ['schedutil'],
    thermalC: { cpu: 35.5 },
    android: {
        model: 'SM-A015F',
        manufacturer: 'samsung',
        release: '12',
        sdk: 31,
        build: 'A015FXXU5CWA1',
        rooted: false,
    },
    workDir: '/data/local/tmp/splitbench',
    ...over,
});

export const reportInput = (analyses: ReportInput['analyses']): ReportInput => ({
    run: {
        id: 'run-1',
        campaign: 'tiny',
        startedAt: '2026-01-01T00:00:00Z',
        splitbenchVersion: '0.1.0',
        gitCommit: 'deadbeef',
    },
    analyses,
    devices: [
        { name: 'a01', role: 'ue', probe: probe() },
        { name: 'pc', role: 'server', probe: null },
    ],
    settings: { ue: { threads: 4, use_xnnpack: false }, server: { threads: 8 }, repetitions: 2 },
});
