// Hand-written benchmark_model output snippets for the parser tests, in the formats that
// /work/shared/docs/benchmark-model-format.md documents. The table helpers pad cells as StatsCalculator does
// (`\t` + right-aligned field), so the rows look like real tool output without hand-counting spaces.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The read-only shared folder (`../shared` relative to the repo root); tests using it run only when it exists. */
export const SHARED = resolve(REPO, '../shared');
export const FIXTURE_DIR = join(SHARED, 'fixtures/benchmark_model');
export const HAVE_FIXTURES = existsSync(FIXTURE_DIR);

export const fixtureNames = (): string[] =>
    HAVE_FIXTURES
        ? readdirSync(FIXTURE_DIR)
              .filter((f) => f.endsWith('.txt'))
              .sort()
        : [];
export const readFixture = (name: string): string => readFileSync(join(FIXTURE_DIR, name), 'utf8');

const cell = (text: string, width: number): string => `\t${text.padStart(width)}`;
const f3 = (x: number): string => x.toFixed(3);

export interface RowSpec {
    type: string;
    start?: number;
    first: number;
    avg: number;
    pct: number;
    cdf: number;
    mem?: number;
    times?: number;
    name: string;
}

/** Current layout (no [start]), two leading tabs as TF 2.10+ prints them. */
export const opHeader = (start = false, typeWidth = 36): string =>
    '\t' +
    cell('[node type]', typeWidth) +
    (start ? cell('[start]', 17) : '') +
    cell('[first]', 9) +
    cell('[avg ms]', 9) +
    cell('[%]', 8) +
    cell('[cdf%]', 8) +
    cell('[mem KB]', 10) +
    cell('[times called]', 9) +
    '\t[Name]';

export const opRow = (r: RowSpec, typeWidth = 36): string =>
    '\t' +
    cell(r.type, typeWidth) +
    (r.start !== undefined ? cell(f3(r.start), 17) : '') +
    cell(f3(r.first), 9) +
    cell(f3(r.avg), 9) +
    cell(`${f3(r.pct)}%`, 8) +
    cell(`${f3(r.cdf)}%`, 8) +
    cell(f3(r.mem ?? 0), 10) +
    cell(String(r.times ?? 1), 9) +
    `\t${r.name}`;

export const typeHeader = (typeWidth = 36): string =>
    '\t' +
    cell('[Node type]', typeWidth) +
    cell('[count]', 9) +
    cell('[avg ms]', 10) +
    cell('[avg %]', 11) +
    cell('[cdf %]', 11) +
    cell('[mem KB]', 10) +
    cell('[times called]', 9);

export const typeRow = (
    { type, count, avg, pct, cdf }: { type: string; count: number; avg: number; pct: number; cdf: number },
    typeWidth = 36,
): string =>
    '\t' +
    cell(type, typeWidth) +
    cell(String(count), 9) +
    cell(f3(avg), 10) +
    cell(`${f3(pct)}%`, 11) +
    cell(`${f3(cdf)}%`, 11) +
    cell(f3(0), 10) +
    cell(String(count), 9);

/** Tabs expanded to spaces, as in logs copied out of a terminal. */
export const spaced = (line: string): string => line.replace(/\t/g, '    ');

const RUN = '============================== Run Order ==============================';
const TOP = '============================== Top by Computation Time ==============================';
const BY_TYPE = '============================== Summary by node type ==============================';

/** A whole profile block (four tables + stat lines) from Run Order rows. */
export const profileBlock = (rows: RowSpec[], timings: string, opts: { start?: boolean } = {}): string[] => {
    const start = opts.start ?? false;
    const top = [...rows].sort((a, b) => b.avg - a.avg).slice(0, 10);
    const types = [...new Set(rows.map((r) => r.type))];
    return [
        RUN,
        opHeader(start),
        ...rows.map((r) => opRow(r)),
        '',
        TOP,
        opHeader(start),
        ...top.map((r) => opRow(r)),
        '',
        `Number of nodes executed: ${rows.length}`,
        BY_TYPE,
        typeHeader(),
        ...types.map((t) => {
            const of = rows.filter((r) => r.type === t);
            const avg = of.reduce((a, r) => a + r.avg, 0);
            return typeRow({ type: t, count: of.length, avg, pct: 10, cdf: 100 });
        }),
        '',
        `Timings (microseconds): ${timings}`,
        'Memory (bytes): count=0',
        `${rows.length} nodes observed`,
        '',
        '',
    ];
};

export const INIT_ROWS: RowSpec[] = [
    {
        type: 'ModifyGraphWithDelegate',
        first: 14.842,
        avg: 14.842,
        pct: 99.317,
        cdf: 99.317,
        mem: 3428,
        name: 'ModifyGraphWithDelegate/0',
    },
    { type: 'AllocateTensors', first: 0.102, avg: 0.102, pct: 0.683, cdf: 100, name: 'AllocateTensors/0' },
];

/** Regular-run rows with the awkward names: `;`-joined fused ops, `:` in tensor names, multi-output, spaces. */
export const REGULAR_ROWS: RowSpec[] = [
    {
        type: 'CONV_2D',
        first: 3.73,
        avg: 3.64,
        pct: 40.1,
        cdf: 40.1,
        name: '[net/relu/Relu;net/bn/FusedBatchNormV3;net/conv/Conv2D]:0',
    },
    { type: 'DEPTHWISE_CONV_2D', first: 1.25, avg: 1.5, pct: 16.5, cdf: 56.6, name: '[net/dw/depthwise]:1' },
    { type: 'FULLY_CONNECTED', first: 2.121, avg: 3.142, pct: 34.6, cdf: 91.2, name: '[StatefulPartitionedCall:01]:2' },
    {
        type: 'TFLite_Detection_PostProcess',
        first: 0.7,
        avg: 0.75,
        pct: 8.3,
        cdf: 99.5,
        name: '[TFLite_Detection_PostProcess, TFLite_Detection_PostProcess:1, TFLite_Detection_PostProcess:2]:3',
    },
    { type: 'QUANTIZE', first: 0.003, avg: 0.004, pct: 0.5, cdf: 100, times: 2, name: '[StatefulPartitionedCall:0]:4' },
];

/** A complete current-format (TF >= 2.10, 2024+ percentiles) run with op profiling. */
export const currentRun = (): string =>
    [
        'INFO: STARTING!',
        'INFO: Log parameter values verbosely: [0]',
        'INFO: Num threads: [4]',
        'INFO: Graph: [/data/local/tmp/net.tflite]',
        'INFO: Signature to run: []',
        'INFO: Enable op profiling: [1]',
        'INFO: #threads used for CPU inference: [4]',
        'INFO: Loaded model /data/local/tmp/net.tflite',
        'INFO: Initialized TensorFlow Lite runtime.',
        'INFO: Created TensorFlow Lite XNNPACK delegate for CPU.',
        'VERBOSE: Replacing 3 out of 5 node(s) with delegate (TfLiteXNNPackDelegate) node, yielding 2 partitions for subgraph 0.',
        'INFO: The input model file size (MB): 4.56118',
        'INFO: Initialized session in 52.687ms.',
        'INFO: Running benchmark for at least 1 iterations and at least 0.5 seconds but terminate if exceeding 150 seconds.',
        'INFO: count=35 first=19105 curr=13909 min=13585 max=19105 avg=14452.5 std=1240 p5=13600 median=14001 p95=16000',
        '',
        'INFO: Running benchmark for at least 50 iterations and at least 1 seconds but terminate if exceeding 150 seconds.',
        'INFO: count=70 first=14941 curr=14066 min=13728 max=16145 avg=14290.9 std=452 p5=13750 median=14200 p95=15400',
        '',
        'INFO: Inference timings in us: Init: 52687, First inference: 19105, Warmup (avg): 14452.5, Inference (avg): 14290.9',
        'INFO: Note: as the benchmark tool itself affects memory footprint, the following is only APPROXIMATE to the actual memory footprint of the model at runtime. Take the information at your discretion.',
        'INFO: Memory footprint delta from the start of the tool (MB): init=21.9492 overall=34.5234',
        'INFO: Overall peak memory footprint (MB) via periodic monitoring: 41.25',
        'INFO: Memory status at the end of exeution: ',
        'INFO: - VmRSS              : 40 MB',
        'INFO: + RssAnnon           : 30 MB',
        'INFO: + RssFile + RssShmem : 10 MB',
        'INFO: Profiling Info for Benchmark Initialization:',
        ...profileBlock(INIT_ROWS, 'count=1 curr=14944'),
        '',
        'INFO: Operator-wise Profiling Info for Regular Benchmark Runs:',
        ...profileBlock(REGULAR_ROWS, 'count=70 first=9000 curr=9050 min=8900 max=9800 avg=9036.5 std=120'),
        '',
    ].join('\n');
