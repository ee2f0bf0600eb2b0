import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BenchmarkResult } from '../../../src/parse/types.js';
import { formatBenchmarkText, RAW_SAMPLES_PREFIX } from '../../../src/tflite/text-format.js';
import { buildProfileBlock } from '../../../src/tflite/profile-block.js';
import { statLine } from '../../../src/tflite/stats.js';
import { SHARED } from '../../support/tflite.js';

const samples = [1200, 1000, 1100, 1300];
const block = buildProfileBlock(
    [
        { nodeIndex: 0, type: 'CONV_2D', outputs: ['a'], samplesUs: [700, 600, 650, 800], timesCalled: 4 },
        { nodeIndex: 1, type: 'ADD', outputs: ['b', 'c'], samplesUs: [300, 300, 300, 300], timesCalled: 8 },
        { nodeIndex: 2, type: 'CONV_2D', outputs: ['d'], samplesUs: [100, 50, 60, 90], timesCalled: 4 },
    ],
    4,
    0,
);
const result: BenchmarkResult = {
    parserVersion: 'test',
    origin: 'runner',
    params: { 'Log parameter values verbosely': '0', 'Num threads': '1', Graph: 'm.tflite', 'Signature to run': '' },
    modelPath: 'm.tflite',
    modelSizeMb: 1.8829,
    initMs: 34.088,
    warmup: statLine([5000], true),
    timed: statLine(samples, true),
    inference: { initUs: 34088, firstUs: 5000, warmupAvgUs: 5000, avgUs: 1150, count: 4 },
    memory: { initMb: 4.05469, overallMb: 9.44531, peakMb: 89.1172 },
    delegates: [],
    initProfile: [],
    profile: [block],
    ops: block.runOrder,
    samplesUs: samples,
    truncated: false,
    unknownLines: 0,
};

describe('benchmark_model text layout', () => {
    const text = formatBenchmarkText(result);
    const lines = text.split('\n');

    it('prints the summary lines in benchmark_model order', () => {
        expect(lines.slice(0, 8)).toEqual([
            'INFO: STARTING!',
            'INFO: Log parameter values verbosely: [0]',
            'INFO: Num threads: [1]',
            'INFO: Graph: [m.tflite]',
            'INFO: Signature to run: []',
            'INFO: Loaded model m.tflite',
            'INFO: The input model file size (MB): 1.8829',
            'INFO: Initialized session in 34.088ms.',
        ]);
        expect(text).toContain(
            'INFO: Running benchmark for at least 50 iterations and at least 1 seconds but terminate if exceeding 150 seconds.\n' +
                'INFO: count=4 first=1200 curr=1300 min=1000 max=1300 avg=1150 std=111 p5=1000 median=1200 p95=1300\n\n',
        );
        expect(text).toContain(
            'INFO: Inference timings in us: Init: 34088, First inference: 5000, Warmup (avg): 5000, Inference (avg): 1150\n',
        );
        expect(text).toContain(
            'INFO: Memory footprint delta from the start of the tool (MB): init=4.05469 overall=9.44531\n',
        );
        expect(text).toContain(`INFO: ${RAW_SAMPLES_PREFIX}1200,1000,1100,1300\n`);
    });

    it('prints op tables with per-run averages, shares and times called', () => {
        const i = lines.indexOf('INFO: Operator-wise Profiling Info for Regular Benchmark Runs:');
        expect(lines[i + 1]).toBe('============================== Run Order ==============================');
        expect(lines[i + 3]).toBe(
            '\t\t                             CONV_2D\t    0.700\t    0.688\t 64.706%\t 64.706%\t     0.000\t        1\t[a]:0',
        );
        expect(lines[i + 4]).toBe(
            '\t\t                                 ADD\t    0.300\t    0.300\t 28.235%\t 92.941%\t     0.000\t        2\t[b, c]:1',
        );
        expect(text).toContain(
            '\t\t                             CONV_2D\t        2\t     0.763\t    71.765%\t    71.765%\t     0.000\t        2\n',
        );
        expect(text).toContain(
            'Timings (microseconds): count=4 first=1100 curr=1190 min=950 max=1190 avg=1062.5 std=90\n',
        );
        expect(text).toContain('Number of nodes executed: 3\n');
        expect(text).toMatch(/\n3 nodes observed\n\n\n$/);
    });

    it.runIf(existsSync(`${SHARED}/fixtures/benchmark_model`))(
        'uses the headers of a real current-format output',
        () => {
            const fixture = readFileSync(
                `${SHARED}/fixtures/benchmark_model/arm_tc2_linux_aarch64_xnnpack_opprof_delegate_internal_ops.txt`,
                'utf8',
            ).split('\n');
            const opHeader = fixture.find((l) => l.includes('[node type]'));
            const typeHeader = fixture.find((l) => l.includes('[Node type]'));
            expect(lines).toContain(opHeader);
            expect(lines).toContain(typeHeader);
        },
    );
});
