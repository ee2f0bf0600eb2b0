// Core parser tests on hand-written snippets (no ../shared needed): one construct per test.
import { describe, expect, it } from 'vitest';
import { parseBenchmarkOutput, parseBenchmarkRuns, PARSER_VERSION } from '../../../src/parse/benchmark-model.js';
import { parseStatLine } from '../../../src/parse/stat-line.js';
import { parseOpRow, scanNumber, splitName } from '../../../src/parse/op-table.js';
import { FAILURE_KINDS } from '../../../src/parse/types.js';
import {
    currentRun,
    INIT_ROWS,
    opHeader,
    opRow,
    profileBlock,
    REGULAR_ROWS,
    spaced,
    typeHeader,
    typeRow,
} from '../../support/parse-snippets.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('current format run (INFO: prefixes, percentiles, op profiling)', () => {
    const r = parseBenchmarkOutput(currentRun());

    it('reads params, model, init, size', () => {
        expect(r.parserVersion).toBe(PARSER_VERSION);
        expect(r.origin).toBe('text');
        expect(r.params['Num threads']).toBe('4');
        expect(r.params['#threads used for CPU inference']).toBe('4');
        expect(r.params['Signature to run']).toBe('');
        expect(r.modelPath).toBe('/data/local/tmp/net.tflite');
        expect(r.modelLoaded).toBe(true);
        expect(r.modelSizeMb).toBe(4.56118);
        expect(r.initMs).toBe(52.687);
    });

    it('takes the first count= line as warm-up and the second as the timed phase', () => {
        expect(r.warmup).toEqual({
            count: 35,
            first: 19105,
            curr: 13909,
            min: 13585,
            max: 19105,
            avg: 14452.5,
            std: 1240,
            p5: 13600,
            median: 14001,
            p95: 16000,
        });
        expect(r.timed?.count).toBe(70);
        expect(r.inference).toEqual({
            avgUs: 14290.9,
            initUs: 52687,
            firstUs: 19105,
            warmupAvgUs: 14452.5,
            count: 70,
            minUs: 13728,
            maxUs: 16145,
            stdUs: 452,
            p5Us: 13750,
            medianUs: 14200,
            p95Us: 15400,
        });
    });

    it('reads every memory line', () => {
        expect(r.memory).toEqual({
            initMb: 21.9492,
            overallMb: 34.5234,
            peakMb: 41.25,
            vmRssMb: 40,
            rssAnonMb: 30,
            rssFileMb: 10,
        });
    });

    it('merges the runtime delegate lines into one XNNPACK entry', () => {
        expect(r.delegates).toEqual([
            { name: 'XNNPACK', kernel: 'TfLiteXNNPackDelegate', nodesReplaced: 3, totalNodes: 5, partitions: 2 },
        ]);
    });

    it('separates init and regular profiles; ops = regular Run Order', () => {
        expect(r.initProfile).toHaveLength(1);
        expect(r.initProfile[0]?.runOrder.map((o) => o.name)).toEqual([
            'ModifyGraphWithDelegate/0',
            'AllocateTensors/0',
        ]);
        expect(r.initProfile[0]?.runOrder[0]?.memKb).toBe(3428);
        expect(r.initProfile[0]?.runOrder[0]?.nodeIndex).toBeNull();
        expect(r.initProfile[0]?.timings).toEqual({ count: 1, curr: 14944 });
        expect(r.profile).toHaveLength(1);
        expect(r.ops).toBe(r.profile[0]?.runOrder);
        expect(r.ops.map((o) => o.nodeIndex)).toEqual([0, 1, 2, 3, 4]);
        expect(r.ops.map((o) => o.type)).toEqual(REGULAR_ROWS.map((x) => x.type));
        expect(r.ops[0]).toEqual({
            nodeIndex: 0,
            type: 'CONV_2D',
            firstMs: 3.73,
            avgMs: 3.64,
            pct: 40.1,
            cdfPct: 40.1,
            memKb: 0,
            timesCalled: 1,
            name: '[net/relu/Relu;net/bn/FusedBatchNormV3;net/conv/Conv2D]:0',
            outputs: ['net/relu/Relu;net/bn/FusedBatchNormV3;net/conv/Conv2D'],
        });
        expect(r.ops[2]?.outputs).toEqual(['StatefulPartitionedCall:01']);
        expect(r.ops[3]?.outputs).toEqual([
            'TFLite_Detection_PostProcess',
            'TFLite_Detection_PostProcess:1',
            'TFLite_Detection_PostProcess:2',
        ]);
        expect(r.ops[4]?.timesCalled).toBe(2);
    });

    it('keeps Top by Computation Time separate and reads Summary by node type and stats', () => {
        const p = r.profile[0];
        expect(p?.top.map((o) => o.nodeIndex)).toEqual([0, 2, 1, 3, 4]);
        expect(p?.byType.map((t) => t.type)).toEqual(REGULAR_ROWS.map((x) => x.type));
        expect(p?.byType[0]).toMatchObject({ type: 'CONV_2D', count: 1, avgMs: 3.64, avgPct: 10, cdfPct: 100 });
        expect(p?.timings).toEqual({ count: 70, first: 9000, curr: 9050, min: 8900, max: 9800, avg: 9036.5, std: 120 });
        expect(p?.nodesObserved).toBe(5);
    });

    it('is complete: no failure, not truncated, nothing unknown', () => {
        expect(r.failure).toBeUndefined();
        expect(r.truncated).toBe(false);
        expect(r.unknownLines).toBe(0);
    });
});

describe('prefixes and foreign lines', () => {
    it('reads Android logcat lines (tflite tag, level letter)', () => {
        const r = parseBenchmarkOutput(
            lines(
                '06-18 10:11:07.371  4320  4320 I tflite_BenchmarkModelActivity: Running TensorFlow Lite benchmark with args: --graph=/x.tflite',
                '06-18 10:11:07.683  4320  4320 I tflite  : Min num runs: [50]',
                '06-18 10:11:07.684  4320  4320 I tflite  : Loaded model /data/local/tmp/m.tflite',
                '06-18 10:11:08.000  4320  4320 I tflite  : count=1 curr=5000',
                '06-18 10:11:09.000  4320  4320 I tflite  : count=50 first=4100 curr=4000 min=3900 max=4200 avg=4010.5 std=40',
                '06-18 10:11:09.001  4320  4320 I tflite  : Inference timings in us: Init: 1000, First inference: 5000, Warmup (avg): 5000, Inference (avg): 4010.5',
                '06-18 10:11:09.002  4320  4320 I tflite  : Memory footprint delta from the start of the tool (MB): init=1 overall=2',
            ),
        );
        expect(r.params['Min num runs']).toBe('50');
        expect(r.modelPath).toBe('/data/local/tmp/m.tflite');
        expect(r.inference.avgUs).toBe(4010.5);
        expect(r.inference.firstUs).toBe(5000);
        expect(r.failure).toBeUndefined();
        expect(r.unknownLines).toBe(1); // the activity's args line
    });

    it('counts vendor and shell noise as unknown lines without failing', () => {
        const r = parseBenchmarkOutput(
            lines(
                '+ ./benchmark_model --graph=m.tflite',
                'W [HandleLayoutInfer:257]Op 18: default layout inference pass.',
                'Vx delegate: error_during_init set to 0.',
                'ERROR: STEP 2',
                'count=1 curr=100',
                'count=2 curr=90(all same)',
                'Inference timings in us: Init: 10, First inference: 100, Warmup (avg): 100, Inference (avg): 90',
                'Peak memory footprint (MB): init=0 overall=0',
            ),
        );
        expect(r.unknownLines).toBe(4);
        expect(r.failure).toBeUndefined();
        expect(r.timed).toEqual({ count: 2, curr: 90, allSame: true });
        expect(r.inference).toMatchObject({ avgUs: 90, minUs: 90, maxUs: 90, stdUs: 0, count: 2 });
        expect(r.memory).toEqual({ initMb: 0, overallMb: 0 });
    });
});

describe('line endings', () => {
    it('reads CRLF output (Windows captures) exactly like LF', () => {
        const lf = parseBenchmarkOutput(currentRun());
        const crlf = parseBenchmarkOutput(currentRun().replace(/\n/g, '\r\n'));
        expect(crlf).toEqual(lf);
    });
});

describe('stat lines', () => {
    it('parses the documented variants', () => {
        expect(parseStatLine('count=0')).toEqual({ count: 0 });
        expect(parseStatLine('count=1 curr=670083')).toEqual({ count: 1, curr: 670083 });
        expect(parseStatLine('count=5 curr=12(all same)')).toEqual({ count: 5, curr: 12, allSame: true });
        expect(
            parseStatLine('count=50 first=1051421 curr=1049947 min=1048761 max=1052337 avg=1.05037e+06 std=756'),
        ).toEqual({ count: 50, first: 1051421, curr: 1049947, min: 1048761, max: 1052337, avg: 1050370, std: 756 });
        expect(parseStatLine('first=1 curr=2')).toBeUndefined();
        expect(parseStatLine('count=abc')).toBeUndefined();
    });

    it('reads scientific notation in the summary line', () => {
        const r = parseBenchmarkOutput(
            lines(
                'count=1 curr=11403859',
                'count=50 first=1051421 curr=1049947 min=1048761 max=1052337 avg=1.05037e+06 std=756',
                'Inference timings in us: Init: 108774, First inference: 11403859, Warmup (avg): 1.14039e+07, Inference (avg): 1.05037e+06',
                'Peak memory footprint (MB): init=10.9102 overall=194.328',
            ),
        );
        expect(r.inference.warmupAvgUs).toBe(11403900);
        expect(r.inference.avgUs).toBe(1050370);
        expect(r.inference.firstUs).toBe(11403859);
    });

    it('handles count=0 for both phases', () => {
        const r = parseBenchmarkOutput(
            lines(
                'count=0',
                'count=0',
                'Inference timings in us: Init: 5, First inference: 0, Warmup (avg): 0, Inference (avg): 0',
                'Memory footprint delta from the start of the tool (MB): init=0 overall=0',
            ),
        );
        expect(r.warmup).toEqual({ count: 0 });
        expect(r.inference.count).toBe(0);
        expect(r.inference.minUs).toBeUndefined();
    });
});

describe('historical summary forms', () => {
    it('TFLite 1.12: Num runs, Initialized without dot, "no stats:"', () => {
        const r = parseBenchmarkOutput(
            lines(
                'STARTING!',
                'Num runs: [50]',
                'Use nnapi : [0]',
                'Graph: [mobilenet.tflite]',
                'Loaded model mobilenet.tflite',
                'resolved reporter',
                'Initialized session in 4.452ms',
                'Running benchmark for 1 iterations',
                'count=1 curr=146161',
                '',
                'Running benchmark for 50 iterations',
                'count=50 first=137789 curr=137254 min=137079 max=143416 avg=137722 std=896',
                '',
                'Average inference timings in us: Warmup: 146161, Init: 4452, no stats: 137722',
            ),
        );
        expect(r.params['Num runs']).toBe('50');
        expect(r.params['Use nnapi']).toBe('0');
        expect(r.initMs).toBe(4.452);
        expect(r.inference).toMatchObject({
            avgUs: 137722,
            initUs: 4452,
            warmupAvgUs: 146161,
            firstUs: 146161,
            count: 50,
        });
        expect(r.failure).toBeUndefined();
        expect(r.truncated).toBe(false);
    });

    it('old README form "Inference:"', () => {
        const r = parseBenchmarkOutput(
            'Average inference timings in us: Warmup: 83235, Init: 38467, Inference: 79760.9\n',
        );
        expect(r.inference).toEqual({ avgUs: 79760.9, initUs: 38467, warmupAvgUs: 83235 });
        expect(r.truncated).toBe(false);
    });
});

describe('op tables', () => {
    it('decides [start] from the header, TF 2.3 era, no prefixes', () => {
        const rows = [
            {
                type: 'TfLiteNnapiDelegate',
                start: 0,
                first: 11.665,
                avg: 11.422,
                pct: 21.939,
                cdf: 21.939,
                name: '[a/add_fold, aspp0/Relu]:71',
            },
            {
                type: 'AVERAGE_POOL_2D',
                start: 11.422,
                first: 0.075,
                avg: 0.08,
                pct: 0.153,
                cdf: 22.092,
                name: '[AvgPool2D/AvgPool]:61',
            },
        ];
        const r = parseBenchmarkOutput(
            lines(
                'Operator-wise Profiling Info for Regular Benchmark Runs:',
                ...profileBlock(rows, 'count=50 first=1 curr=1 min=1 max=1 avg=1 std=0', { start: true }),
            ),
        );
        expect(r.ops.map((o) => [o.startMs, o.nodeIndex, o.outputs.length])).toEqual([
            [0, 71, 2],
            [11.422, 61, 1],
        ]);
        expect(r.delegates).toEqual([{ name: 'NNAPI', kernel: 'TfLiteNnapiDelegate' }]);
    });

    it('reads space-separated rows (terminal copies), types with spaces, Delegate/ rows', () => {
        const row = spaced(
            opRow({
                type: 'Convolution (NHWC, QU8) GEMM',
                first: 0.089,
                avg: 0.097,
                pct: 1.314,
                cdf: 8.778,
                name: 'Delegate/Convolution (NHWC, QU8) GEMM:2',
            }),
        );
        expect(row).not.toContain('\t');
        const parsed = parseOpRow(row, { start: false, csv: false });
        expect(parsed).toMatchObject({
            type: 'Convolution (NHWC, QU8) GEMM',
            avgMs: 0.097,
            cdfPct: 8.778,
            nodeIndex: null,
            delegateOpIndex: 2,
            name: 'Delegate/Convolution (NHWC, QU8) GEMM:2',
        });
        const withStart = spaced(
            opRow({
                type: 'convolution_2d 0 -> relu 1',
                start: 3.5,
                first: 1,
                avg: 2,
                pct: 3,
                cdf: 4,
                name: 'Delegate/convolution_2d 0 -> relu 1:0',
            }),
        );
        expect(parseOpRow(withStart, { start: true, csv: false })).toMatchObject({
            type: 'convolution_2d 0 -> relu 1',
            startMs: 3.5,
            delegateOpIndex: 0,
        });
    });

    it('splits node index at the end only', () => {
        expect(splitName('[StatefulPartitionedCall:0]:95')).toEqual({
            nodeIndex: 95,
            outputs: ['StatefulPartitionedCall:0'],
        });
        expect(splitName('[MobilenetV1/Conv2d_0/Relu6]')).toEqual({
            nodeIndex: null,
            outputs: ['MobilenetV1/Conv2d_0/Relu6'],
        });
        expect(splitName('AllocateTensors/0')).toEqual({ nodeIndex: null, outputs: [] });
        expect(splitName('[a]:x')).toEqual({ nodeIndex: null, outputs: [] });
        // printf without %ld support prints the conversion itself (NXP RT1160 port)
        expect(splitName('[dense_1/BiasAdd]:ld')).toEqual({ nodeIndex: null, outputs: ['dense_1/BiasAdd'] });
    });

    it('scans numbers exactly as Number() does', () => {
        for (const s of ['0.267', '163.124', '1450.744', '62364.000', '-0.5', '  12.000  ', '1.05037e+06', '100']) {
            expect(scanNumber(s, 0, s.length, false)).toBe(Number(s));
        }
        expect(scanNumber('3.783%', 0, 6, true)).toBe(3.783);
        expect(scanNumber('3.783', 0, 5, true)).toBeNaN();
        expect(scanNumber('', 0, 0, false)).toBeNaN();
        expect(scanNumber('1.2.3', 0, 5, false)).toBeNaN();
    });

    it('treats untitled TF 1.x tables as the regular profile', () => {
        const r = parseBenchmarkOutput(
            lines(
                '',
                ...profileBlock(
                    [
                        {
                            type: 'CONV_2D',
                            start: 0,
                            first: 4.269,
                            avg: 4.269,
                            pct: 0.107,
                            cdf: 0.107,
                            times: 0,
                            name: '[MobilenetV1/Conv2d_0/Relu6]',
                        },
                    ],
                    'count=50 first=79449 curr=81350 min=77385 max=88213 avg=79732 std=1929',
                    { start: true },
                ),
                'Average inference timings in us: Warmup: 83235, Init: 38467, Inference: 79760.9',
            ),
        );
        expect(r.initProfile).toEqual([]);
        expect(r.ops).toHaveLength(1);
        expect(r.ops[0]).toMatchObject({ nodeIndex: null, timesCalled: 0, outputs: ['MobilenetV1/Conv2d_0/Relu6'] });
        expect(r.truncated).toBe(false);
    });

    it('keeps Delegate internal blocks and subgraph sections apart', () => {
        const sub = [{ type: 'ADD', first: 0.01, avg: 0.02, pct: 100, cdf: 100, name: '[body/add]:0' }];
        const r = parseBenchmarkOutput(
            lines(
                'INFO: Enable op profiling: [1]',
                'INFO: count=1 curr=10',
                'INFO: count=3 curr=10(all same)',
                'INFO: Inference timings in us: Init: 1, First inference: 10, Warmup (avg): 10, Inference (avg): 10',
                'INFO: Memory footprint delta from the start of the tool (MB): init=1 overall=1',
                'INFO: Operator-wise Profiling Info for Regular Benchmark Runs:',
                'Primary graph (name: main) profile:',
                ...profileBlock(REGULAR_ROWS, 'count=3 curr=9(all same)'),
                'Subgraph (index: 1, name: while_body) profile:',
                ...profileBlock(sub, 'count=6 curr=1(all same)'),
                'Subgraph (index: 1, name: while_body) Timings (microseconds): count=6 curr=1(all same)',
                'Delegate internal: ',
                ...profileBlock(
                    [
                        {
                            type: 'DelegateOpInvoke',
                            first: 0.5,
                            avg: 0.5,
                            pct: 100,
                            cdf: 100,
                            name: 'Delegate/Convolution:0',
                        },
                    ],
                    'count=3 curr=5(all same)',
                ),
            ),
        );
        expect(r.profile.map((b) => [b.subgraphIndex, b.subgraphName, b.runOrder.length])).toEqual([
            [0, 'main', 5],
            [1, 'while_body', 1],
        ]);
        expect(r.ops).toHaveLength(5);
        expect(r.profile[1]?.timings).toEqual({ count: 6, curr: 1, allSame: true });
        const internal = r.profile[1]?.delegateInternal ?? r.profile[0]?.delegateInternal;
        expect(internal?.runOrder[0]).toMatchObject({
            type: 'DelegateOpInvoke',
            name: 'Delegate/Convolution:0',
            delegateOpIndex: 0,
        });
        expect(internal?.nodesObserved).toBe(1);
        expect(r.truncated).toBe(false);
        expect(r.failure).toBeUndefined();
    });

    it('parses CSV mode with and without start, restoring commas in names', () => {
        const r = parseBenchmarkOutput(
            lines(
                'Operator-wise Profiling Info for Regular Benchmark Runs:',
                '============================== Run Order ==============================',
                'node type, first, avg_ms, %, cdf%, mem KB, times called, name',
                'CONV_2D, 0.11, 0.0930388, 44.8994%, 44.8994%, 0, 1, [sequential_11/conv2d_33/Conv2D]:0',
                'Convolution (NHWC, QC8) IGEMM, 0.2, 0.25, 50%, 94.8994%, 0, 3, Delegate/Convolution (NHWC\t QC8) IGEMM:7',
                'TfLiteNnapiDelegate, 0.03, 0.03, 5.1006%, 100%, 0, 1, [a/add_fold\t aspp0/Relu]:71',
                '',
                '============================== Summary by node type ==============================',
                'node type, count, avg_ms, avg %, cdf %, mem KB, times called',
                'CONV_2D, 1, 0.093, 44.8994%, 44.8994%, 0, 1',
                '',
                'Timings (microseconds): count=10 first=300 curr=290 min=280 max=310 avg=296.5 std=9',
                'Memory (bytes): count=0',
                '3 nodes observed',
            ),
        );
        expect(r.ops.map((o) => [o.type, o.avgMs, o.pct, o.nodeIndex])).toEqual([
            ['CONV_2D', 0.0930388, 44.8994, 0],
            ['Convolution (NHWC, QC8) IGEMM', 0.25, 50, null],
            ['TfLiteNnapiDelegate', 0.03, 5.1006, 71],
        ]);
        expect(r.ops[2]?.outputs).toEqual(['a/add_fold', 'aspp0/Relu']);
        expect(r.ops[1]?.timesCalled).toBe(3);
        expect(r.profile[0]?.byType[0]).toEqual({
            type: 'CONV_2D',
            count: 1,
            avgMs: 0.093,
            avgPct: 44.8994,
            cdfPct: 44.8994,
            memKb: 0,
            timesCalled: 1,
        });
        const withStart = parseOpRow(
            'ELU, 0.0931277, 0.034, 0.0300884, 14.5203%, 59.4197%, 0, 1, [sequential_11/conv2d_33/Elu]:1',
            { start: true, csv: true },
        );
        expect(withStart).toMatchObject({ startMs: 0.0931277, firstMs: 0.034, avgMs: 0.0300884, nodeIndex: 1 });
    });

    it('reads Summary by node type rows in tab and space form', () => {
        const r = parseBenchmarkOutput(
            lines(
                '============================== Summary by node type ==============================',
                typeHeader(),
                typeRow({ type: 'Convolution (NHWC, QU8) GEMM', count: 54, avg: 3.34, pct: 45.622, cdf: 45.622 }),
                spaced(typeRow({ type: 'CONCATENATION', count: 2, avg: 0.005, pct: 0.068, cdf: 100 })),
                '',
                'Timings (microseconds): count=67 first=7068 curr=7410 min=6282 max=7683 avg=7360.09 std=256',
                'Memory (bytes): count=0',
                '56 nodes observed',
            ),
        );
        expect(r.profile[0]?.byType.map((t) => [t.type, t.count, t.avgMs])).toEqual([
            ['Convolution (NHWC, QU8) GEMM', 54, 3.34],
            ['CONCATENATION', 2, 0.005],
        ]);
    });
});

describe('delegate lines', () => {
    it('reads applied, partial, replaced and GPU split lines', () => {
        const r = parseBenchmarkOutput(
            lines(
                'INFO: Created TensorFlow Lite delegate for GPU.',
                'GPU delegate created.',
                'Hexagon delegate created.',
                'Going to apply 2 delegates one after another.',
                'INFO: TfLiteHexagonDelegate delegate: 49 nodes delegated out of 96 nodes with 4 partitions.',
                'INFO: Replacing 49 node(s) with delegate (TfLiteHexagonDelegate) node, yielding 9 partitions.',
                'Explicitly applied Hexagon delegate, and the model graph will be partially executed by the delegate w/ 4 delegate kernels.',
                'ERROR: Following operations are not supported by GPU delegate:',
                'CONCATENATION: ',
                'DELEGATE TfLiteHexagonDelegate: Operation is not supported.',
                '37 operations will run on the GPU, and the remaining 14 operations will run on the CPU.',
                'INFO: Created 4 GPU delegate kernels.',
                'Explicitly applied GPU delegate, and the model graph will be partially executed by the delegate w/ 4 delegate kernels.',
                'count=1 curr=29456',
                'count=2 first=21247 curr=23771 min=21247 max=23771 avg=22509 std=1262',
                'Inference timings in us: Init: 1475810, First inference: 29456, Warmup (avg): 29456, Inference (avg): 22509',
                'Memory footprint delta from the start of the tool (MB): init=78.5078 overall=78.5078',
            ),
        );
        expect(r.delegates).toEqual([
            {
                name: 'GPU',
                unsupportedOps: ['CONCATENATION', 'DELEGATE TfLiteHexagonDelegate'],
                nodesReplaced: 37,
                totalNodes: 51,
                kernels: 4,
                mode: 'partial',
            },
            {
                name: 'Hexagon',
                nodesReplaced: 49,
                totalNodes: 96,
                partitions: 9,
                kernel: 'TfLiteHexagonDelegate',
                mode: 'partial',
                kernels: 4,
            },
        ]);
        // A partial GPU delegation in a finished run is not a failure.
        expect(r.failure).toBeUndefined();
    });

    it('reads explicit complete application (old and new wording)', () => {
        const a = parseBenchmarkRuns(
            lines(
                'STARTING!',
                'Applied GPU delegate, and the model graph will be completely executed w/ the delegate.',
                'STARTING!',
                'EXTERNAL delegate created.',
                'Explicitly applied EXTERNAL delegate, and the model graph will be completely executed by the delegate.',
            ),
        );
        expect(a.map((r) => r.delegates)).toEqual([
            [{ name: 'GPU', mode: 'complete' }],
            [{ name: 'EXTERNAL', mode: 'complete' }],
        ]);
        expect(a.every((r) => r.runsInText === 2)).toBe(true);
    });
});

describe('failures are results', () => {
    const cases: [string, string, string, string | undefined][] = [
        [
            'model_not_found',
            lines(
                'INFO: Graph: [/nope.tflite]',
                "ERROR: Could not open '/nope.tflite'.",
                'ERROR: Failed to load model /nope.tflite',
                'ERROR: Benchmarking failed.',
            ),
            "ERROR: Could not open '/nope.tflite'.",
            undefined,
        ],
        [
            'model_not_found',
            lines('Failed to mmap model /x.tflite', 'Benchmarking failed.'),
            'Failed to mmap model /x.tflite',
            undefined,
        ],
        [
            'not_executable',
            lines('/system/bin/sh: ./benchmark_model: not executable: 64-bit ELF file'),
            '/system/bin/sh: ./benchmark_model: not executable: 64-bit ELF file',
            undefined,
        ],
        [
            'not_executable',
            lines('bash: ./benchmark_model: cannot execute binary file: Exec format error'),
            'bash: ./benchmark_model: cannot execute binary file: Exec format error',
            undefined,
        ],
        [
            'not_executable',
            lines('/system/bin/sh: ./benchmark_model: Permission denied'),
            '/system/bin/sh: ./benchmark_model: Permission denied',
            undefined,
        ],
        [
            'flex_ops',
            lines(
                'Loaded model w.tflite',
                'ERROR: Regular TensorFlow ops are not supported by this interpreter. Make sure you apply/link the Flex delegate before inference.',
                'ERROR: Node number 0 (FlexDecodeWav) failed to prepare.',
                '',
                'Failed to allocate tensors!',
                'Benchmarking failed.',
            ),
            'ERROR: Regular TensorFlow ops are not supported by this interpreter. Make sure you apply/link the Flex delegate before inference.',
            'FlexDecodeWav',
        ],
        [
            'custom_op',
            lines(
                'Loaded model m.tflite',
                'ERROR: Encountered unresolved custom op: Convolution2DTransposeBias.',
                'ERROR: Node number 12 (Convolution2DTransposeBias) failed to prepare.',
                'ERROR: Benchmarking failed.',
            ),
            'ERROR: Encountered unresolved custom op: Convolution2DTransposeBias.',
            'Convolution2DTransposeBias',
        ],
        [
            'unsupported_op',
            lines(
                "ERROR: Didn't find op for builtin opcode 'STABLEHLO_COMPOSITE' version '1'. An older version of this builtin might be supported.",
                'ERROR: Failed to initialize the interpreter',
                'ERROR: Benchmarking failed.',
            ),
            "ERROR: Didn't find op for builtin opcode 'STABLEHLO_COMPOSITE' version '1'. An older version of this builtin might be supported.",
            'STABLEHLO_COMPOSITE',
        ],
        [
            'delegate_failed',
            lines(
                'INFO: Created TensorFlow Lite delegate for GPU.',
                'ERROR: Failed to apply GPU delegate.',
                'ERROR: Benchmarking failed.',
            ),
            'ERROR: Failed to apply GPU delegate.',
            undefined,
        ],
        [
            'delegate_failed',
            lines('INFO: Created TensorFlow Lite delegate for GPU.', 'INFO: Created 0 GPU delegate kernels.'),
            'INFO: Created 0 GPU delegate kernels.',
            undefined,
        ],
        [
            'invalid_argument',
            lines(
                'ERROR: Please specify the name of your TF Lite input file with --graph',
                'ERROR: Benchmarking failed.',
            ),
            'ERROR: Please specify the name of your TF Lite input file with --graph',
            undefined,
        ],
        [
            'crash',
            lines('INFO: count=3 first=1 curr=1 min=1 max=1 avg=1 std=0', 'Segmentation fault (core dumped)'),
            'Segmentation fault (core dumped)',
            undefined,
        ],
        [
            'crash',
            lines('INFO: Loaded model m.tflite', 'FATAL: Check failed: tensor != nullptr'),
            'FATAL: Check failed: tensor != nullptr',
            undefined,
        ],
        ['crash', lines('INFO: Loaded model m.tflite', 'Aborted'), 'Aborted', undefined],
        [
            'benchmark_failed',
            lines('INFO: Loaded model m.tflite', 'ERROR: something odd', 'ERROR: Benchmarking failed.'),
            'ERROR: Benchmarking failed.',
            undefined,
        ],
        [
            'unsupported_op',
            lines(
                'ERROR: Following operations are not supported by GPU delegate: ',
                'CAST: Not supported cast case',
                'ARG_MAX: Operation is not supported. ',
                '',
                '97 operations will run on the GPU, and the remaining 200 operations will run on the CPU.',
            ),
            'CAST: Not supported cast case',
            'CAST',
        ],
        ['no_output', '', '', undefined],
        ['no_output', lines('some unrelated text', 'and more'), 'and more', undefined],
        // a Node runner's uncaught exception ends with stack frames and Node's sign-off: the Error line is the cause
        [
            'no_output',
            lines(
                'file:///opt/runner.js:10',
                '    throw e;',
                '    ^',
                '',
                "Error: ENOENT: no such file or directory, open 'm.tflite'",
                '    at Object.openSync (node:fs:596:3)',
                '    at main (file:///opt/runner.js:10:5)',
                '',
                'Node.js v20.20.2',
            ),
            "Error: ENOENT: no such file or directory, open 'm.tflite'",
            undefined,
        ],
    ];
    it.each(cases)('%s: %s', (kind, text, line, op) => {
        const r = parseBenchmarkOutput(text);
        expect(r.failure?.kind).toBe(kind);
        expect(r.failure?.line).toBe(line);
        expect(r.failure?.op).toBe(op);
    });

    it('lists every kind the parser can produce in FAILURE_KINDS', () => {
        for (const [kind] of cases) expect(FAILURE_KINDS).toContain(kind);
    });

    it('marks truncation, keeping what was parsed', () => {
        const full = currentRun();
        const cut = full.slice(0, full.indexOf('[net/dw/depthwise]:1') + 10); // inside the regular Run Order
        const r = parseBenchmarkOutput(cut);
        expect(r.truncated).toBe(true);
        expect(r.failure?.kind).toBe('truncated');
        expect(r.inference.avgUs).toBe(14290.9);
        expect(r.ops.map((o) => o.nodeIndex)).toEqual([0]);
        const beforeSummary = parseBenchmarkOutput(full.slice(0, full.indexOf('INFO: Inference timings')));
        expect(beforeSummary).toMatchObject({ truncated: true, failure: { kind: 'truncated' } });
        expect(beforeSummary.inference.avgUs).toBe(14290.9); // from the timed count= line
        const noMemory = parseBenchmarkOutput(full.slice(0, full.indexOf('INFO: Note:')));
        expect(noMemory.truncated).toBe(true);
        const noProfile = parseBenchmarkOutput(full.slice(0, full.indexOf('INFO: Profiling Info')));
        expect(noProfile.truncated).toBe(true); // op profiling was enabled, the profile is missing
    });

    it('is not truncated when a terminal failure explains the stop', () => {
        const r = parseBenchmarkOutput(
            lines('INFO: Loaded model m.tflite', 'ERROR: Failed to apply GPU delegate.', 'ERROR: Benchmarking failed.'),
        );
        expect(r.truncated).toBe(false);
    });
});

describe('several runs and runner extras', () => {
    it('splits at STARTING! and returns the last run by default', () => {
        const one = currentRun();
        const two = one.replace('Inference (avg): 14290.9', 'Inference (avg): 999');
        const text = `$ ./label_image\nINFO: Loaded model x.tflite\n${one}\n${two}`;
        const runs = parseBenchmarkRuns(text);
        expect(runs).toHaveLength(2);
        expect(runs[0]?.inference.avgUs).toBe(14290.9);
        expect(runs[1]?.inference.avgUs).toBe(999);
        expect(parseBenchmarkOutput(text).inference.avgUs).toBe(999);
    });

    it('reads the raw samples line of the built-in runner', () => {
        const text = currentRun().replace(
            'INFO: Overall peak',
            'INFO: Raw inference samples (us): 14000,14100.5,15000\nINFO: Overall peak',
        );
        expect(parseBenchmarkOutput(text).samplesUs).toEqual([14000, 14100.5, 15000]);
    });
});

describe('row helpers', () => {
    it('produce the header the parser recognises', () => {
        expect(opHeader()).toContain('[node type]');
        expect(INIT_ROWS).toHaveLength(2);
    });
});
