// Throughput of the benchmark_model output parser: `npx tsx bench/parse.ts` (or `npm run bench:parse`).
// Parses 1,000 outputs, each an op-profiling run of a 200-op model in the current format (INFO: prefixes,
// percentiles, no [start] column), and compares with merely decoding and splitting the same bytes.
// The outputs are synthesised here from the structure of a real fixture (arm_tc2 ... opprof, current format):
// its preamble and headers when ../shared is present, the same lines written out below otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBenchmarkOutput } from '../src/parse/benchmark-model.js';

const OUTPUTS = 1000;
const OPS = 200;
const ROUNDS = 5;

const FIXTURE = fileURLToPath(
    new URL(
        '../../shared/fixtures/benchmark_model/arm_tc2_linux_aarch64_xnnpack_opprof_delegate_internal_ops.txt',
        import.meta.url,
    ),
);

const TYPES = [
    'CONV_2D',
    'DEPTHWISE_CONV_2D',
    'ADD',
    'MUL',
    'FULLY_CONNECTED',
    'AVERAGE_POOL_2D',
    'RESHAPE',
    'SOFTMAX',
];
const OP_HEADER =
    '\t                             [node type]\t  [first]\t [avg ms]\t     [%]\t  [cdf%]\t  [mem KB]\t[times called]\t[Name]';
const TYPE_HEADER =
    '\t                             [Node type]\t  [count]\t  [avg ms]\t    [avg %]\t    [cdf %]\t  [mem KB]\t[times called]';

/** The run's lines up to the memory line, from the real fixture when available. */
const preamble = (): string[] => {
    if (existsSync(FIXTURE)) {
        const lines = readFileSync(FIXTURE, 'utf8').split('\n');
        const end = lines.findIndex((l) => l.startsWith('INFO: Memory footprint delta'));
        const start = lines.findIndex((l) => l.startsWith('INFO: STARTING!'));
        if (start >= 0 && end > start) return lines.slice(start, end + 1);
    }
    return [
        'INFO: STARTING!',
        'INFO: Log parameter values verbosely: [0]',
        'INFO: Num threads: [4]',
        'INFO: Graph: [model.tflite]',
        'INFO: Enable op profiling: [1]',
        'INFO: Loaded model model.tflite',
        'INFO: The input model file size (MB): 1.86664',
        'INFO: Initialized session in 16.772ms.',
        'INFO: Running benchmark for at least 1 iterations and at least 0.5 seconds but terminate if exceeding 150 seconds.',
        'INFO: count=67 first=8781 curr=7197 min=6335 max=9775 avg=7514.93 std=419 p5=6400 median=7500 p95=8100',
        '',
        'INFO: Running benchmark for at least 10 iterations and at least 0.5 seconds but terminate if exceeding 150 seconds.',
        'INFO: count=67 first=7176 curr=7505 min=6373 max=7775 avg=7454.97 std=256 p5=6500 median=7450 p95=7700',
        '',
        'INFO: Inference timings in us: Init: 16772, First inference: 8781, Warmup (avg): 7514.93, Inference (avg): 7454.97',
        'INFO: Memory footprint delta from the start of the tool (MB): init=8.44922 overall=10.8789',
    ];
};

/** Small deterministic PRNG so every run of the bench parses the same bytes. */
const rng = (seed: number): (() => number) => {
    let x = seed >>> 0 || 1;
    return () => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return (x >>> 0) / 0x100000000;
    };
};

const f3 = (v: number, w: number): string => v.toFixed(3).padStart(w);

const synthesise = (seed: number, head: readonly string[]): string => {
    const rand = rng(seed);
    const rows = Array.from({ length: OPS }, (_, i) => {
        const type = TYPES[Math.floor(rand() * TYPES.length)] as string;
        const avg = rand() * 2;
        return {
            i,
            type,
            avg,
            first: avg * (0.9 + rand() * 0.2),
            name: `[model/block_${i >> 3}/${type.toLowerCase()}_${i};model/fused/BiasAdd_${i}]:${i}`,
        };
    });
    const total = rows.reduce((a, r) => a + r.avg, 0);
    const row = (r: (typeof rows)[number], cdf: number): string =>
        `\t${r.type.padStart(40)}\t${f3(r.first, 9)}\t${f3(r.avg, 9)}\t${f3((100 * r.avg) / total, 7)}%\t${f3(cdf, 7)}%\t${f3(0, 10)}\t${'1'.padStart(9)}\t${r.name}`;
    const out: string[] = [...head];
    out.push('INFO: Profiling Info for Benchmark Initialization:');
    out.push('============================== Run Order ==============================', OP_HEADER);
    out.push(
        `\t${'AllocateTensors'.padStart(40)}\t${f3(0.1, 9)}\t${f3(0.1, 9)}\t${f3(100, 7)}%\t${f3(100, 7)}%\t${f3(0, 10)}\t${'1'.padStart(9)}\tAllocateTensors/0`,
        '',
    );
    out.push(
        'Number of nodes executed: 1',
        'Timings (microseconds): count=1 curr=100',
        'Memory (bytes): count=0',
        '1 nodes observed',
        '',
        '',
        '',
    );
    out.push('INFO: Operator-wise Profiling Info for Regular Benchmark Runs:');
    out.push('============================== Run Order ==============================', OP_HEADER);
    let cdf = 0;
    for (const r of rows) {
        cdf += (100 * r.avg) / total;
        out.push(row(r, cdf));
    }
    out.push('', '============================== Top by Computation Time ==============================', OP_HEADER);
    cdf = 0;
    for (const r of [...rows].sort((a, b) => b.avg - a.avg).slice(0, 10)) {
        cdf += (100 * r.avg) / total;
        out.push(row(r, cdf));
    }
    out.push('', `Number of nodes executed: ${OPS}`);
    out.push('============================== Summary by node type ==============================', TYPE_HEADER);
    for (const t of TYPES) {
        const of = rows.filter((r) => r.type === t);
        const ms = of.reduce((a, r) => a + r.avg, 0);
        out.push(
            `\t${t.padStart(40)}\t${String(of.length).padStart(9)}\t${f3(ms, 10)}\t${f3((100 * ms) / total, 10)}%\t${f3(100, 10)}%\t${f3(0, 10)}\t${String(of.length).padStart(9)}`,
        );
    }
    out.push(
        '',
        `Timings (microseconds): count=67 first=7068 curr=7410 min=6282 max=7683 avg=${(total * 1000).toFixed(2)} std=256`,
    );
    out.push('Memory (bytes): count=0', `${OPS} nodes observed`, '', '', '');
    return out.join('\n');
};

const head = preamble();
const texts = Array.from({ length: OUTPUTS }, (_, i) => synthesise(i + 1, head));
const buffers = texts.map((t) => Buffer.from(t, 'utf8'));
const bytes = buffers.reduce((a, b) => a + b.length, 0);
const mb = bytes / 1e6;

// Sanity: the synthetic outputs must parse fully, or the figures mean nothing.
const check = parseBenchmarkOutput(texts[0] as string);
if (check.ops.length !== OPS || check.truncated || check.failure !== undefined || check.inference.avgUs === undefined) {
    throw new Error(
        `synthetic output did not parse: ops=${check.ops.length} truncated=${check.truncated} failure=${JSON.stringify(check.failure)}`,
    );
}

/**
 * Best of ROUNDS, in wall-clock ms and in CPU ms of this process. On a shared machine the CPU time is the
 * figure to read: wall time also counts the time other processes held the cores.
 */
const time = (fn: () => number): { ms: number; cpuMs: number; sink: number } => {
    let best = Infinity;
    let bestCpu = Infinity;
    let sink = 0;
    for (let r = 0; r < ROUNDS; r++) {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        sink += fn();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const c = process.cpuUsage(c0);
        best = Math.min(best, ms);
        bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
    }
    return { ms: best, cpuMs: bestCpu, sink };
};

// JIT warm-up, so the first measured round is not the interpreter's.
for (const t of texts.slice(0, 100)) parseBenchmarkOutput(t);

const decoder = new TextDecoder();
const decode = time(() => buffers.reduce((a, b) => a + decoder.decode(b).length, 0));
const split = time(() => buffers.reduce((a, b) => a + decoder.decode(b).split('\n').length, 0));
const parse = time(() => texts.reduce((a, t) => a + parseBenchmarkOutput(t).ops.length, 0));
const decodeParse = time(() => buffers.reduce((a, b) => a + parseBenchmarkOutput(decoder.decode(b)).ops.length, 0));

const rate = (ms: number): string => `${(mb / (ms / 1000)).toFixed(1).padStart(7)} MB/s`;
const line = (label: string, t: { ms: number; cpuMs: number }, outputs = false): string =>
    `  ${label.padEnd(26)} wall ${t.ms.toFixed(1).padStart(7)} ms ${rate(t.ms)}   cpu ${t.cpuMs.toFixed(1).padStart(7)} ms ${rate(t.cpuMs)}` +
    (outputs ? `   ${((OUTPUTS * 1000) / t.cpuMs).toFixed(0)} outputs/s (cpu)` : '');
console.log(
    `parse bench: ${OUTPUTS} outputs x ${OPS}-op profile, ${mb.toFixed(2)} MB total, ${(bytes / OUTPUTS / 1024).toFixed(1)} KiB each; best of ${ROUNDS}`,
);
console.log(line('TextDecoder only', decode));
console.log(line('TextDecoder + split lines', split));
console.log(line('parse (string input)', parse, true));
console.log(line('decode + parse', decodeParse, true));
console.log(
    `  ratio parse / (decode + split lines): ${(parse.cpuMs / split.cpuMs).toFixed(1)}x cpu (${(parse.ms / split.ms).toFixed(1)}x wall); parse / decode: ${(parse.cpuMs / decode.cpuMs).toFixed(1)}x cpu`,
);
const achieved = mb / (decodeParse.cpuMs / 1000);
console.log(
    `  target >= 50 MB/s (decode + parse, cpu time): ${achieved >= 50 ? 'met' : 'NOT met'} at ${achieved.toFixed(1)} MB/s`,
);
if (decode.sink + split.sink + parse.sink + decodeParse.sink < 0) console.log('');
