// Renders a BenchmarkResult as current benchmark_model console text (TF >= 2.10 / LiteRT layout, `INFO: ` prefixes,
// percentiles on the count= lines, op tables with two leading tabs), plus one splitbench line carrying the raw samples.
import type { BenchmarkResult, NodeTypeRow, OpRow, ProfileBlock, StatLine } from '../parse/types.js';
import { BENCHMARK_DEFAULTS } from './defaults.js';
import { cppDouble, cppInt, formatStatLine } from './stats.js';

export const RAW_SAMPLES_PREFIX = 'Raw inference samples (us): ';

const MEMORY_NOTE =
    'Note: as the benchmark tool itself affects memory footprint, the following is only APPROXIMATE to the actual ' +
    'memory footprint of the model at runtime. Take the information at your discretion.';

const fixed3 = (x: number): string => x.toFixed(3);
/** One table field: tab, then right-aligned to `width`, as StatsCalculator's InitField. */
const field = (text: string, width: number): string => `\t${text.padStart(width)}`;
const ROW_LEAD = '\t';
const TYPE_WIDTH = 36;

const OP_HEADER =
    ROW_LEAD +
    field('[node type]', TYPE_WIDTH) +
    field('[first]', 9) +
    field('[avg ms]', 9) +
    field('[%]', 8) +
    field('[cdf%]', 8) +
    field('[mem KB]', 10) +
    field('[times called]', 9) +
    '\t[Name]';

const TYPE_HEADER =
    ROW_LEAD +
    field('[Node type]', TYPE_WIDTH) +
    field('[count]', 9) +
    field('[avg ms]', 10) +
    field('[avg %]', 11) +
    field('[cdf %]', 11) +
    field('[mem KB]', 10) +
    field('[times called]', 9);

const opRow = (r: OpRow): string =>
    ROW_LEAD +
    field(r.type, TYPE_WIDTH) +
    field(fixed3(r.firstMs), 9) +
    field(fixed3(r.avgMs), 9) +
    field(`${fixed3(r.pct)}%`, 8) +
    field(`${fixed3(r.cdfPct)}%`, 8) +
    field(fixed3(r.memKb), 10) +
    field(String(r.timesCalled), 9) +
    `\t${r.name}`;

const typeRow = (r: NodeTypeRow): string =>
    ROW_LEAD +
    field(r.type, TYPE_WIDTH) +
    field(String(r.count), 9) +
    field(fixed3(r.avgMs), 10) +
    field(`${fixed3(r.avgPct)}%`, 11) +
    field(`${fixed3(r.cdfPct)}%`, 11) +
    field(fixed3(r.memKb), 10) +
    field(String(r.timesCalled), 9);

const profileBlockLines = (b: ProfileBlock): string[] => {
    const out: string[] = [];
    out.push('============================== Run Order ==============================', OP_HEADER);
    for (const r of b.runOrder) out.push(opRow(r));
    out.push('', '============================== Top by Computation Time ==============================', OP_HEADER);
    for (const r of b.top) out.push(opRow(r));
    out.push('', `Number of nodes executed: ${b.runOrder.length}`);
    out.push('============================== Summary by node type ==============================', TYPE_HEADER);
    for (const r of b.byType) out.push(typeRow(r));
    out.push('');
    out.push(`Timings (microseconds): ${formatStatLine(b.timings ?? { count: 0 })}`);
    out.push('Memory (bytes): count=0');
    out.push(`${b.nodesObserved ?? b.runOrder.length} nodes observed`);
    out.push('', '');
    return out;
};

const runningLine = (runs: number, minSecs: number, maxSecs: number): string =>
    `Running benchmark for at least ${runs} iterations and at least ${cppDouble(minSecs)} seconds but terminate ` +
    `if exceeding ${cppDouble(maxSecs)} seconds.`;

const statOrEmpty = (l: StatLine | undefined): string => formatStatLine(l ?? { count: 0 });

export interface TextFormatOptions {
    /** Print the `Raw inference samples (us):` line when the result has samples. @default true */
    rawSamples?: boolean | undefined;
}

/**
 * benchmark_model console text of a result, plus splitbench's own INFO lines: the raw samples (unless
 * `rawSamples: false`) and the profiler overhead when it was measured.
 */
export const formatBenchmarkText = (r: BenchmarkResult, opts: TextFormatOptions = {}): string => {
    const lines: string[] = [];
    const info = (msg: string): void => {
        lines.push(`INFO: ${msg}`);
    };
    info('STARTING!');
    // Parameters in the order the producer recorded them (the CLI records benchmark_model's echo order).
    const params: Record<string, string> = { 'Log parameter values verbosely': '0', ...r.params };
    params['Graph'] ??= r.modelPath ?? '';
    params['Signature to run'] ??= '';
    for (const [k, v] of Object.entries(params)) info(`${k}: [${v}]`);
    if (r.modelPath !== undefined) info(`Loaded model ${r.modelPath}`);
    for (const d of r.delegates) {
        if (d.mode === 'complete') {
            info(
                `Explicitly applied ${d.name} delegate, and the model graph will be completely executed by the delegate.`,
            );
        } else if (d.mode === 'partial') {
            info(
                `Explicitly applied ${d.name} delegate, and the model graph will be partially executed by the delegate w/ ${d.kernels ?? 0} delegate kernels.`,
            );
        } else if (d.mode === 'none') {
            info(
                `Though ${d.name} delegate is explicitly applied, the model graph will not be executed by the delegate.`,
            );
        }
    }
    if (r.modelSizeMb !== undefined) info(`The input model file size (MB): ${cppDouble(r.modelSizeMb)}`);
    if (r.initMs !== undefined) info(`Initialized session in ${cppDouble(r.initMs)}ms.`);
    const ph = r.runner?.phases;
    info(
        runningLine(
            ph?.warmupRuns ?? BENCHMARK_DEFAULTS.warmupRuns,
            ph?.warmupMinSecs ?? BENCHMARK_DEFAULTS.warmupMinSecs,
            ph?.maxSecs ?? BENCHMARK_DEFAULTS.maxSecs,
        ),
    );
    info(statOrEmpty(r.warmup));
    lines.push('');
    info(
        runningLine(
            ph?.numRuns ?? BENCHMARK_DEFAULTS.numRuns,
            ph?.minSecs ?? BENCHMARK_DEFAULTS.minSecs,
            ph?.maxSecs ?? BENCHMARK_DEFAULTS.maxSecs,
        ),
    );
    info(statOrEmpty(r.timed));
    lines.push('');
    const inf = r.inference;
    info(
        `Inference timings in us: Init: ${cppInt(inf.initUs ?? 0)}, First inference: ${cppInt(inf.firstUs ?? 0)}, ` +
            `Warmup (avg): ${cppDouble(inf.warmupAvgUs ?? 0)}, Inference (avg): ${cppDouble(inf.avgUs ?? 0)}`,
    );
    info(MEMORY_NOTE);
    info(
        `Memory footprint delta from the start of the tool (MB): init=${cppDouble(r.memory.initMb ?? 0)} ` +
            `overall=${cppDouble(r.memory.overallMb ?? 0)}`,
    );
    if (r.memory.peakMb !== undefined) {
        info(`Overall peak memory footprint (MB) via periodic monitoring: ${cppDouble(r.memory.peakMb)}`);
    }
    const ov = r.runner;
    if (ov?.profilerOverheadPct !== undefined && ov.unprofiledAvgUs !== undefined) {
        info(
            `Profiler overhead: ${ov.profilerOverheadPct.toFixed(1)}% (Inference (avg) ${cppDouble(inf.avgUs ?? 0)} us ` +
                `with op profiling, ${cppDouble(ov.unprofiledAvgUs)} us without)`,
        );
    }
    if (r.samplesUs !== undefined && opts.rawSamples !== false) info(`${RAW_SAMPLES_PREFIX}${r.samplesUs.join(',')}`);
    if (r.profile.length > 0) {
        info('Operator-wise Profiling Info for Regular Benchmark Runs:');
        const multi = r.profile.length > 1;
        for (const b of r.profile) {
            if (multi) {
                const named = b.subgraphName !== undefined ? ` (name: ${b.subgraphName})` : '';
                lines.push(
                    b.subgraphIndex === 0
                        ? `Primary graph${named} profile:`
                        : `Subgraph (index: ${b.subgraphIndex}${b.subgraphName !== undefined ? `, name: ${b.subgraphName}` : ''}) profile:`,
                );
            }
            lines.push(...profileBlockLines(b));
        }
    }
    return `${lines.join('\n')}\n`;
};
