// Variants of the real-world fault kinds of issue 12, written by hand: delegate kernels failing to prepare, finished
// runs without a memory line, op tables without `=====` banners, logger prefixes, and full TensorFlow's
// benchmark_model. Each expected value is read off the snippet.
import { describe, expect, it } from 'vitest';
import { parseBenchmarkOutput, parseBenchmarkRuns } from '../../../src/parse/benchmark-model.js';
import { currentRun, opHeader, opRow, typeHeader, typeRow, spaced } from '../../support/parse-snippets.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

describe('a delegate kernel that fails to prepare is delegate_failed, naming the delegate', () => {
    it('GPU delegate (TF 2.x wording, then the tool gives up)', () => {
        const r = parseBenchmarkOutput(
            lines(
                'INFO: Loaded model /data/local/tmp/seg.tflite',
                'INFO: Created TensorFlow Lite delegate for GPU.',
                'ERROR: TfLiteGpuDelegate Prepare: Program is not properly linked: L0001: Too many uniforms',
                'ERROR: Node number 31 (TfLiteGpuDelegateV2) failed to prepare.',
                '',
                'ERROR: Restored original execution plan after delegate application failure.',
                'ERROR: Failed to apply GPU delegate.',
                'ERROR: Benchmarking failed.',
            ),
        );
        expect(r.failure).toEqual({
            kind: 'delegate_failed',
            op: 'TfLiteGpuDelegateV2',
            delegate: 'GPU',
            line: 'ERROR: Node number 31 (TfLiteGpuDelegateV2) failed to prepare.',
        });
        expect(r.truncated).toBe(false);
    });

    it('GPU delegate read from logcat, old `TfLiteGpuDelegate` kernel name, no INFO prefixes', () => {
        const r = parseBenchmarkOutput(
            lines(
                '03-02 11:20:01.100  5120  5120 I tflite  : Created TensorFlow Lite delegate for GPU.',
                '03-02 11:20:01.900  5120  5120 E tflite  : Node number 12 (TfLiteGpuDelegate) failed to prepare.',
                '03-02 11:20:01.901  5120  5120 E tflite  : Failed to apply GPU delegate.',
            ),
        );
        expect(r.failure).toMatchObject({ kind: 'delegate_failed', op: 'TfLiteGpuDelegate', delegate: 'GPU' });
    });

    it('the delegate named only by the later `Failed to apply` line', () => {
        const r = parseBenchmarkOutput(
            lines('Loaded model m.tflite', 'ERROR: Disallowed CPU fallback detected.', 'Failed to apply GPU delegate.'),
        );
        expect(r.failure).toEqual({
            kind: 'delegate_failed',
            delegate: 'GPU',
            line: 'ERROR: Disallowed CPU fallback detected.',
        });
    });

    it('Hexagon and vendor delegates', () => {
        const hexagon = parseBenchmarkOutput(
            lines('Node number 96 (TfLiteHexagonDelegate) failed to prepare.', 'Benchmarking failed.'),
        );
        expect(hexagon.failure).toMatchObject({ kind: 'delegate_failed', delegate: 'Hexagon' });
        const vendor = parseBenchmarkOutput(
            lines('ERROR: Node number 4 (TfLiteArmNnDelegate) failed to prepare.', 'ERROR: Benchmarking failed.'),
        );
        expect(vendor.failure).toMatchObject({
            kind: 'delegate_failed',
            op: 'TfLiteArmNnDelegate',
            delegate: 'TfLiteArmNnDelegate',
        });
    });

    it('a model op that fails to prepare stays unsupported_op', () => {
        const r = parseBenchmarkOutput(
            lines('ERROR: Node number 7 (RESIZE_BILINEAR) failed to prepare.', 'ERROR: Benchmarking failed.'),
        );
        expect(r.failure).toMatchObject({ kind: 'unsupported_op', op: 'RESIZE_BILINEAR' });
        expect(r.failure?.delegate).toBeUndefined();
    });
});

/** A TF 2.3-era run (no prefixes), optionally with op profiling in the bannerless layout of microcontroller ports. */
const portRun = (avg: number, profiled: boolean): string[] => [
    'STARTING!',
    `Enable op profiling: [${profiled ? 1 : 0}]`,
    'Loaded model ',
    'Initialized session in 3.2ms.',
    'Running benchmark for at least 1 iterations and at least 0.5 seconds but terminate if exceeding 150 seconds.',
    'count=100 first=90 curr=40 min=38 max=90 avg=41 std=2',
    '',
    'Running benchmark for at least 50 iterations and at least 1 seconds but terminate if exceeding 150 seconds.',
    `count=200 first=44 curr=42 min=39 max=60 avg=${avg} std=1`,
    '',
    `Inference timings in us: Init: 3200, First inference: 90, Warmup (avg): 41, Inference (avg): ${avg}`,
    ...(profiled
        ? [
              'Operator-wise Profiling Info for Regular Benchmark Runs:',
              opHeader(true),
              opRow({ type: 'CONV_2D', start: 0, first: 0.03, avg: 0.025, pct: 62.5, cdf: 62.5, name: '[conv]:0' }),
              opRow({ type: 'SOFTMAX', start: 0.026, first: 0.02, avg: 0.015, pct: 37.5, cdf: 100, name: '[prob]:1' }),
              '',
              opHeader(true),
              opRow({ type: 'CONV_2D', start: 0, first: 0.03, avg: 0.025, pct: 62.5, cdf: 62.5, name: '[conv]:0' }),
              opRow({ type: 'SOFTMAX', start: 0.026, first: 0.02, avg: 0.015, pct: 37.5, cdf: 100, name: '[prob]:1' }),
              '',
              'Number of nodes executed: 2',
              typeHeader(),
              typeRow({ type: 'CONV_2D', count: 1, avg: 0.025, pct: 62.5, cdf: 62.5 }),
              typeRow({ type: 'SOFTMAX', count: 1, avg: 0.015, pct: 37.5, cdf: 100 }),
              '',
              'Timings (microseconds): count=200 first=50 curr=40 min=38 max=55 avg=40.5 std=1',
              'Memory (bytes): count=0',
              '2 nodes observed',
          ]
        : []),
];

describe('a finished run without a memory line is finished', () => {
    it('without op profiling: the summary ends the run', () => {
        const r = parseBenchmarkOutput(lines(...portRun(42.5, false)));
        expect(r.inference).toMatchObject({ avgUs: 42.5, initUs: 3200, count: 200 });
        expect(r.memory).toEqual({});
        expect(r.truncated).toBe(false);
        expect(r.failure).toBeUndefined();
    });

    it('current-format run whose memory lines are missing (tables follow the summary)', () => {
        const text = currentRun()
            .split('\n')
            .filter((l) => !/Memory footprint|memory footprint|Memory status|VmRSS|RssAnnon|RssFile|Note: as/.test(l))
            .join('\n');
        const r = parseBenchmarkOutput(text);
        expect(r.memory).toEqual({});
        expect(r.truncated).toBe(false);
        expect(r.failure).toBeUndefined();
        expect(r.ops).toHaveLength(5);
    });

    it('two finished runs in one log, neither truncated', () => {
        const runs = parseBenchmarkRuns(lines(...portRun(42.5, false), '', ...portRun(43.25, true)));
        expect(runs.map((r) => [r.inference.avgUs, r.truncated, r.failure])).toEqual([
            [42.5, false, undefined],
            [43.25, false, undefined],
        ]);
    });

    it('a profiling run cut before its profile is still truncated', () => {
        const text = lines(...portRun(43.25, true).slice(0, 11));
        expect(parseBenchmarkOutput(text)).toMatchObject({ truncated: true, failure: { kind: 'truncated' } });
    });
});

describe('op tables without ===== banners', () => {
    it('reads the second untitled op table of a block as Top by Computation Time', () => {
        const r = parseBenchmarkOutput(lines(...portRun(43.25, true)));
        expect(r.profile).toHaveLength(1);
        expect(r.ops.map((o) => [o.nodeIndex, o.type, o.avgMs])).toEqual([
            [0, 'CONV_2D', 0.025],
            [1, 'SOFTMAX', 0.015],
        ]);
        expect(r.profile[0]?.top).toHaveLength(2);
        expect(r.profile[0]?.byType.map((t) => t.type)).toEqual(['CONV_2D', 'SOFTMAX']);
        expect(r.profile[0]?.timings?.avg).toBe(40.5);
        expect(r.truncated).toBe(false);
    });

    it('the same with tabs expanded to spaces', () => {
        const r = parseBenchmarkOutput(lines(...portRun(43.25, true).map(spaced)));
        expect(r.profile).toHaveLength(1);
        expect(r.ops.map((o) => o.nodeIndex)).toEqual([0, 1]);
        expect(r.profile[0]?.top).toHaveLength(2);
    });

    it('a current-format run with its banners removed gives one init and one regular block', () => {
        const text = currentRun()
            .split('\n')
            .filter((l) => !l.startsWith('====='))
            .join('\n');
        const r = parseBenchmarkOutput(text);
        expect(r.initProfile).toHaveLength(1);
        expect(r.profile).toHaveLength(1);
        expect(r.initProfile[0]?.runOrder.map((o) => o.type)).toEqual(['ModifyGraphWithDelegate', 'AllocateTensors']);
        expect(r.ops.map((o) => o.nodeIndex)).toEqual([0, 1, 2, 3, 4]);
        // Top lists the Run Order rows (avg 3.64, 1.5, 3.142, 0.75, 0.004) by avg, largest first
        expect(r.profile[0]?.top.map((o) => o.avgMs)).toEqual([3.64, 3.142, 1.5, 0.75, 0.004]);
        expect(r.truncated).toBe(false);
    });
});

describe('logger prefixes are unwrapped', () => {
    const wrap = (text: string, prefix: (i: number) => string): string =>
        text
            .split('\n')
            .map((l, i) => (l === '' ? l : `${prefix(i)}${l}`))
            .join('\n');
    const checkSameRun = (text: string): void => {
        const r = parseBenchmarkOutput(text);
        expect(r.inference).toMatchObject({ avgUs: 14290.9, initUs: 52687, count: 70 });
        expect(r.ops.map((o) => o.type)).toEqual([
            'CONV_2D',
            'DEPTHWISE_CONV_2D',
            'FULLY_CONNECTED',
            'TFLite_Detection_PostProcess',
            'QUANTIZE',
        ]);
        expect(r.initProfile[0]?.runOrder.map((o) => o.type)).toEqual(['ModifyGraphWithDelegate', 'AllocateTensors']);
        expect(r.memory.overallMb).toBe(34.5234);
        expect(r.failure).toBeUndefined();
        expect(r.unknownLines).toBe(0);
    };

    it("TensorFlow's LOG() prefix", () => {
        const pad = (i: number): string => String(i).padStart(6, '0');
        checkSameRun(
            wrap(
                currentRun(),
                (i) => `2024-05-10 12:34:56.${pad(i)}: I tensorflow/lite/tools/benchmark/benchmark_model.cc:${i}] `,
            ),
        );
    });

    it('glog prefix', () => {
        checkSameRun(wrap(currentRun(), (i) => `I0510 12:34:56.${String(i).padStart(6, '0')}  4242 log.cc:${i}] `));
    });

    it('GitHub Actions, GitLab and Jenkins timestamps', () => {
        checkSameRun(wrap(currentRun(), () => '2024-01-15T10:20:30.1234567Z '));
        checkSameRun(wrap(currentRun(), () => '[2024-01-15T10:20:30.123Z] '));
        checkSameRun(wrap(currentRun(), () => '[10:20:30] '));
        checkSameRun(wrap(currentRun(), () => '10:20:30.125 '));
        checkSameRun(wrap(currentRun(), () => '2024-03-05T10:00:00.123456Z 00O '));
    });

    it('an F-level glog line is a crash', () => {
        const r = parseBenchmarkOutput(
            lines(
                'I0510 12:34:56.000001  4242 benchmark_model.cc:10] Loaded model m.tflite',
                'F0510 12:34:56.000002  4242 interpreter.cc:99] Check failed: t != nullptr',
            ),
        );
        expect(r.failure).toMatchObject({ kind: 'crash' });
    });
});

describe("full TensorFlow's benchmark_model is a different tool", () => {
    const at = (n: number): string => `2019-03-12 10:02:41.2544${String(n).padStart(2, '0')}`;
    const tf = (n: number, file: string, msg: string): string => `${at(n)}: I tensorflow/${file}] ${msg}`;
    const fullTf = lines(
        tf(1, 'tools/benchmark/benchmark_model.cc:469', 'Graph: [/tmp/inception_v3.pb]'),
        tf(2, 'tools/benchmark/benchmark_model.cc:471', 'Input layers: [input]'),
        tf(3, 'tools/benchmark/benchmark_model.cc:474', 'Output layers: [InceptionV3/Predictions/Reshape_1]'),
        tf(4, 'tools/benchmark/benchmark_model.cc:475', 'Num runs: [50]'),
        tf(
            5,
            'tools/benchmark/benchmark_model.cc:634',
            'Running benchmark for max 2 iterations, max -1 seconds without detailed stat logging, with -1s sleep between inputs',
        ),
        tf(
            6,
            'core/util/stat_summarizer.cc:85',
            'count=2 first=301234 curr=290100 min=290100 max=301234 avg=295667 std=5567',
        ),
        tf(
            7,
            'tools/benchmark/benchmark_model.cc:668',
            'Average inference timings in us: Warmup: 301234, no stats: 290100, with stats: 310442',
        ),
        tf(
            8,
            'core/util/stat_summarizer.cc:85',
            '============================== Run Order ==============================',
        ),
        '\t             [node type]\t  [start]\t  [first]\t [avg ms]\t     [%]\t  [cdf%]\t  [mem KB]\t[times called]\t[Name]',
        '\t                    NoOp\t    0.000\t    0.015\t    0.004\t  0.002%\t  0.002%\t     0.000\t        1\t_SOURCE',
        '\t                   Const\t    0.016\t    0.006\t    0.005\t  0.002%\t  0.004%\t     0.000\t        1\tInceptionV3/Conv2d_1a_3x3/weights',
    );

    it('is recognised by its log source and lines, and no rows are kept', () => {
        const r = parseBenchmarkOutput(fullTf);
        expect(r.failure).toEqual({
            kind: 'not_tflite',
            line: `${at(1)}: I tensorflow/tools/benchmark/benchmark_model.cc:469] Graph: [/tmp/inception_v3.pb]`,
        });
        expect(r.ops).toEqual([]);
        expect(r.profile).toEqual([]);
        expect(r.truncated).toBe(false);
    });

    it('is recognised without the log prefix too', () => {
        const bare = fullTf
            .split('\n')
            .map((l) => l.replace(/^\S+ \S+: I \S+\] /, ''))
            .join('\n');
        const r = parseBenchmarkOutput(bare);
        expect(r.failure).toEqual({ kind: 'not_tflite', line: 'Output layers: [InceptionV3/Predictions/Reshape_1]' });
        expect(r.ops).toEqual([]);
    });

    it("TFLite's own glog-prefixed output is not mistaken for it", () => {
        const r = parseBenchmarkOutput(
            lines(
                `${at(1)}: I tensorflow/lite/tools/benchmark/benchmark_model.cc:12] Loaded model m.tflite`,
                'Average inference timings in us: Warmup: 146161, Init: 4452, no stats: 137722',
            ),
        );
        expect(r.failure).toBeUndefined();
        expect(r.inference.avgUs).toBe(137722);
    });
});
