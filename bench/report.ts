// Report benchmark: a synthetic store of 100 runs × 100 split points × 10 repetitions (per-op profiles and measured
// head/tail runs with raw samples), analysed and rendered in every format. Each format runs in its own child process
// so its peak RSS is its own. Run: npx tsx bench/report.ts [--runs N] [--splits N] [--reps N]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compareRuns } from '../src/analysis/compare.js';
import { historyFromRuns } from '../src/analysis/history.js';
import { analyzeSplits } from '../src/analysis/split-table.js';
import type { Rep, RepetitionProfile, SplitAnalysis, SplitAnalysisInput } from '../src/analysis/types.js';
import type { OpRow } from '../src/parse/types.js';
import { renderComparison } from '../src/report/compare-render.js';
import { renderHistory } from '../src/report/history-render.js';
import { renderReport } from '../src/report/render.js';
import type { ReportFormat, ReportInput } from '../src/report/types.js';
import { mulberry32 } from '../src/random.js';

const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 100);
const SPLITS = arg('splits', 100);
const REPS = arg('reps', 10);
const SAMPLES = arg('samples', 20);

const rng = mulberry32;

const opRow = (i: number, ms: number): OpRow => ({
    nodeIndex: i,
    type: i % 3 === 0 ? 'CONV_2D' : i % 3 === 1 ? 'DEPTHWISE_CONV_2D' : 'ADD',
    firstMs: ms,
    avgMs: ms,
    pct: 0,
    cdfPct: 0,
    memKb: 0,
    timesCalled: 1,
    name: `[t${i}]:${i}`,
    outputs: [`t${i}`],
});

const makeInput = (run: number): SplitAnalysisInput => {
    const r = rng(run + 1);
    const n = SPLITS + 1;
    const ops = Array.from({ length: n }, (_, i) => ({ index: i, type: opRow(i, 0).type, outputs: [`t${i}`] }));
    const ueOp = ops.map(() => 0.2 + r() * 2);
    const srvOp = ueOp.map((x) => x / 8);
    const profile = (base: number[]): RepetitionProfile => {
        const rows = base.map((b, i) => opRow(i, b * (0.95 + r() * 0.1)));
        return { ops: rows, inferenceAvgUs: rows.reduce((s, x) => s + x.avgMs, 0) * 1000 * 1.05, sameModelFile: true };
    };
    const reps = (meanMs: number): Rep[] =>
        Array.from({ length: REPS }, () => {
            const samplesUs = Array.from({ length: SAMPLES }, () => meanMs * 1000 * (0.9 + r() * 0.2));
            return { avgUs: samplesUs.reduce((s, x) => s + x, 0) / SAMPLES, samplesUs };
        });
    const cum: number[] = [];
    ueOp.reduce((s, x, i) => ((cum[i] = s + x), s + x), 0);
    const total = cum[n - 1] as number;
    const srvTotal = total / 8;
    const head = new Map<number, Rep[]>();
    const tail = new Map<number, Rep[]>();
    for (let k = 0; k < SPLITS; k++) {
        head.set(k, reps((cum[k] as number) * 0.97));
        tail.set(k, reps((srvTotal - (cum[k] as number) / 8) * 0.97));
    }
    return {
        model: {
            name: `model${run % 3}.tflite`,
            sha256: `${run % 3}`.repeat(64),
            opCount: n,
            ops,
            inputBytes: 602_112,
            outputBytes: 4000,
        },
        cuts: Array.from({ length: SPLITS }, (_, k) => {
            const tensors = [
                { name: `t${k}`, shape: [1, 56, 56, 64], dtype: 'float32', bytes: Math.round(4096 * 2 ** (r() * 10)) },
            ];
            if (k % 7 === 3)
                tensors.push({ name: `t${k - 1}`, shape: [1, 56, 56, 64], dtype: 'float32', bytes: 802_816 });
            return { after: k, tensors, bytes: tensors.reduce((s, t) => s + t.bytes, 0), outputsProduced: [] };
        }),
        ueDevice: `phone${run % 2}`,
        serverDevice: 'server',
        estimate: {
            ue: Array.from({ length: REPS }, () => profile(ueOp)),
            server: Array.from({ length: REPS }, () => profile(srvOp)),
        },
        measured: { fullUe: reps(total * 0.96), fullServer: reps(srvTotal * 0.96), head, tail },
        networks: [
            { name: '5G-UL-50', uplinkMbps: 50, downlinkMbps: 300, rttMs: 10, includeResultReturn: true },
            { name: 'WiFi-200', uplinkMbps: 200, rttMs: 3 },
        ],
    };
};

const probe = (run: number) => ({
    kind: 'adb' as const,
    probedAt: '2026-01-01T00:00:00Z',
    os: 'Android',
    arch: 'arm64',
    abis: ['arm64-v8a'],
    cores: 8,
    coreMaxFreqKhz: [1800000, 1800000, 1800000, 1800000, 2400000, 2400000, 2400000, 2400000],
    governors: ['schedutil'],
    thermalC: { cpu: 30 + (run % 10) },
    android: {
        model: 'SM-A015F',
        manufacturer: 'samsung',
        release: '12',
        sdk: 31,
        build: `B${Math.floor(run / 50)}`,
        rooted: false,
    },
    workDir: '/data/local/tmp/splitbench',
});

const reportOf = (run: number, analyses: SplitAnalysis[]): ReportInput => ({
    run: {
        id: `run-${run}`,
        campaign: 'bench',
        startedAt: new Date(Date.UTC(2026, 0, 1 + run)).toISOString(),
        splitbenchVersion: '0.1.0',
        gitCommit: 'bench',
    },
    analyses,
    devices: [
        { name: 'phone0', role: 'ue', probe: probe(run) },
        { name: 'phone1', role: 'ue', probe: probe(run) },
        { name: 'server', role: 'server', probe: null },
    ],
    settings: { ue: { threads: 4, use_xnnpack: false, runs: 50 }, server: { threads: 8 }, repetitions: REPS },
});

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

const FORMATS: ReportFormat[] = ['md', 'csv', 'json', 'xlsx', 'html'];
type Task = 'analysis' | 'single' | `all:${ReportFormat}`;
const TASKS: Task[] = ['analysis', 'single', ...FORMATS.map((f) => `all:${f}` as const)];

interface Line {
    name: string;
    ms: number;
    cpuMs: number;
    size: number;
}

const timed = async (name: string, fn: () => Promise<number> | number): Promise<Line> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const size = await fn();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { name, ms, cpuMs: (c.user + c.system) / 1000, size };
};

const child = async (task: Task): Promise<void> => {
    const inputs = Array.from({ length: RUNS }, (_, i) => makeInput(i));
    const lines: Line[] = [];
    let analyses: SplitAnalysis[] = [];
    lines.push(await timed(`analyze ${RUNS} runs`, () => ((analyses = inputs.map((x) => analyzeSplits(x))), 0)));
    const rssBefore = process.resourceUsage().maxRSS;
    const runs = analyses.map((a, i) => reportOf(i, [a]));
    if (task === 'single') {
        // What `splitbench report RUN` builds: one run (one model × device pair, 100 splits) out of the store.
        const last = runs[runs.length - 1] as ReportInput;
        for (const f of FORMATS)
            lines.push(await timed(`report RUN --format ${f}`, async () => (await renderReport(last, f)).length));
        lines.push(
            await timed(
                'compare RUN_A RUN_B',
                () =>
                    renderComparison(compareRuns(runs[RUNS - 2] as ReportInput, runs[RUNS - 1] as ReportInput), 'text')
                        .length,
            ),
        );
        lines.push(
            await timed(`compare × ${RUNS - 1} (each night vs the one before)`, () => {
                let size = 0;
                for (let i = 1; i < runs.length; i++)
                    size += renderComparison(
                        compareRuns(runs[i - 1] as ReportInput, runs[i] as ReportInput),
                        'md',
                    ).length;
                return size;
            }),
        );
        lines.push(
            await timed(
                `history over ${RUNS} runs (model0, phone0)`,
                () => renderHistory(historyFromRuns(runs, { model: 'model0.tflite', device: 'phone0' }), 'md').length,
            ),
        );
    } else if (task !== 'analysis') {
        const f = task.slice(4) as ReportFormat;
        // Stress: one report holding every run of the store.
        lines.push(
            await timed(
                `all ${RUNS} runs in one report --format ${f}`,
                async () => (await renderReport(reportOf(0, analyses), f)).length,
            ),
        );
    }
    process.stdout.write(
        `${JSON.stringify({ lines: task === 'analysis' ? lines : lines.slice(1), rssBeforeKb: rssBefore, peakKb: process.resourceUsage().maxRSS })}\n`,
    );
};

const main = async (): Promise<void> => {
    const self = fileURLToPath(import.meta.url);
    const { loadavg } = await import('node:os');
    console.log(
        `report bench: ${RUNS} runs × ${SPLITS} split points × ${REPS} repetitions (${SAMPLES} raw samples each), node ${process.version}, load ${loadavg()[0]?.toFixed(1)}`,
    );
    console.log(`${'task'.padEnd(52)}     wall       CPU    output  peak RSS (before)`);
    const sums = { single: [0, 0], all: [0, 0] };
    for (const task of TASKS) {
        const out = execFileSync(
            process.execPath,
            [...process.execArgv, self, '--child', task, ...process.argv.slice(2)],
            { encoding: 'utf8', maxBuffer: 1 << 24 },
        );
        const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
            lines: Line[];
            rssBeforeKb: number;
            peakKb: number;
        };
        for (const [i, l] of r.lines.entries()) {
            const size = l.size === 0 ? '' : `${(l.size / 1e6).toFixed(2)} MB`;
            const rss = i === r.lines.length - 1 ? `${mb(r.peakKb).padStart(7)} (${mb(r.rssBeforeKb)})` : '';
            console.log(
                `${l.name.padEnd(52)} ${`${l.ms.toFixed(0)} ms`.padStart(8)} ${`${l.cpuMs.toFixed(0)} ms`.padStart(9)} ${size.padStart(9)}  ${rss}`,
            );
            if (l.name.startsWith('report RUN')) {
                sums.single[0] = (sums.single[0] ?? 0) + l.ms;
                sums.single[1] = (sums.single[1] ?? 0) + l.cpuMs;
            }
            if (l.name.startsWith('all ')) {
                sums.all[0] = (sums.all[0] ?? 0) + l.ms;
                sums.all[1] = (sums.all[1] ?? 0) + l.cpuMs;
            }
        }
    }
    // CPU time is printed too: on a shared machine wall time measures the neighbours as much as this code.
    const verdict = (ms: number): string => (ms < 5000 ? 'OK' : 'OVER');
    console.log(
        `one run, all formats together:      ${sums.single[0]?.toFixed(0)} ms wall, ${sums.single[1]?.toFixed(0)} ms CPU (target < 5000 ms) ${verdict(sums.single[0] ?? 0)}`,
    );
    console.log(
        `all runs in one report, all formats: ${sums.all[0]?.toFixed(0)} ms wall, ${sums.all[1]?.toFixed(0)} ms CPU (target < 5000 ms) ${verdict(sums.all[0] ?? 0)}`,
    );
};

const ci = process.argv.indexOf('--child');
if (ci >= 0) await child(process.argv[ci + 1] as Task);
else await main();
