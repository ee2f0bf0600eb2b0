// npm run bench:compare — calibrates `splitbench compare` on this machine (docs/statistics.md, "Calibration").
//   1. A/A: an unchanged small campaign run K times with --fresh; every consecutive pair (K − 1 of them) is compared.
//      False-alarm rate = pairs that flag anything (a regression, too few repetitions, too few clean ones). Target
//      ≤ 5 % at the default settings.
//   2. Detection: the same campaign with a real slowdown — the same model id pointing at MediaPipe's bigger pose
//      landmark variant (full instead of lite, same split points) — run S times, interleaved with the A/A runs; slow
//      run i is compared with A/A run i. Detection rate = pairs that report a regression. Target ≥ 90 %.
// The bench calibrates the *test*, so it measures the way a careful lab does (benchmark_model practice: pin the
// process, one thread per core it owns): the UE one thread pinned to CPU 0, the server one thread pinned to CPU 1.
// Unpinned all-core threads on a 2-core host moved the server's full model 98.6 → 66.9 ms between unchanged runs,
// which no test of 5 repetitions can tell from a real change.
// Every rate is printed with its 95 % Wilson score interval (bench/wilson.ts), so 2/3 is not read as a result.
// Runs go through runCampaign() (the real runner, the built-in TFLite runtime on the local-ue/local-server devices)
// into a temporary store; comparisons go through buildReportInput() + compareRuns(), what `splitbench compare` does.
// Usage: npx tsx bench/compare.ts [--k 11] [--slow 10] [--reps 5] [--runs 6] [--splits 2] [--keep]
//        npx tsx bench/compare.ts --analyse FILE.db   (the comparisons again, on the runs of an earlier --keep)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { compareRuns, type CompareOptions, type Comparison, type RunData } from '../src/analysis/compare.js';
import { loadModel } from '../src/model/load.js';
import { graphFacts } from '../src/model/split-points.js';
import { runCampaign } from '../src/runner/campaign-run.js';
import { buildReportInput } from '../src/runner/report-input.js';
import { SqliteBackend } from '../src/store/sqlite-backend.js';
import { formatRate } from './wilson.js';

const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const strArg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
};
const K = arg('k', 11);
const SLOW = arg('slow', 10);
const REPS = arg('reps', 5);
const RUNS = arg('runs', 6);
const SPLITS = arg('splits', 2);
const KEEP = process.argv.includes('--keep');
const ANALYSE = strArg('analyse');

const ROOT = resolve(import.meta.dirname, '..');
const LITE = join(ROOT, 'node_modules/@mediapipe/pose/pose_landmark_lite.tflite');
const FULL = join(ROOT, 'node_modules/@mediapipe/pose/pose_landmark_full.tflite');

/** SPLITS split points that are real ops in both variants, spread evenly over the lite model. */
const commonSplits = (): number[] => {
    const real = (f: string): number[] => graphFacts(loadModel(f)).realOps.slice(0, -1);
    const full = new Set(real(FULL));
    const both = real(LITE).filter((k) => full.has(k));
    return Array.from(
        { length: SPLITS },
        (_, i) => both[Math.floor(((i + 1) / (SPLITS + 1)) * (both.length - 1))] as number,
    );
};

/** Per-role settings: one thread on a core of its own (UE CPU 0, server CPU 1). */
const ROLE = {
    ue: { threads: 1, cpuAffinity: '0x1' },
    server: { threads: 1, cpuAffinity: '0x2' },
} as const;

const campaignYaml = (name: string, model: string, splits: readonly number[]): string => {
    const role = (r: keyof typeof ROLE): string =>
        `{ runtime: builtin, threads: ${ROLE[r].threads}, cpuAffinity: '${ROLE[r].cpuAffinity}', warmupRuns: 2, warmupMinSecs: 0, runs: ${RUNS}, minSecs: 0, maxSecs: 5 }`;
    return `
name: ${name}
models:
    - id: pose
      path: ${model}
splits: [${splits.join(', ')}]
roles:
    ue: [local-ue]
    server: [local-server]
settings:
    ue: ${role('ue')}
    server: ${role('server')}
repetitions: ${REPS}
modes: [estimate, measure]
report: { formats: [json], outDir: reports }
jobTimeoutSecs: 120
`;
};

const sink = (): Writable =>
    new Writable({
        write(_c, _e, cb): void {
            cb();
        },
    });

const run = async (work: string, file: string, db: string): Promise<string> => {
    const r = await runCampaign({
        file,
        devicesDir: join(ROOT, 'devices'),
        dbPath: db,
        baseDir: work,
        fresh: true,
        signal: new AbortController().signal,
        stdout: sink(),
        stderr: sink(),
        logLevel: 'warn',
    });
    if (r.runId === undefined) throw new Error(`${file}: no run id`);
    return r.runId;
};

const loadAvgText = (): string =>
    loadavg()
        .map((x) => x.toFixed(2))
        .join(' ');

/** Runs of one bench campaign in a store, oldest first. */
const runsOf = async (store: SqliteBackend, campaign: string): Promise<string[]> =>
    (await store.listRuns({ campaignName: campaign }))
        .filter((r) => r.jobs.done > 0)
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
        .map((r) => r.id);

interface PairCounts {
    pairs: number;
    /** Pairs whose verdict is not 'no regression' (what exits 1). */
    flagged: number;
    regression: number;
    loaded: number;
    insufficient: number;
    metricsRegressed: number;
    /** Metric tests past the threshold and floor without significance ("not significant"). */
    metricsNotSignificant: number;
    metrics: number;
}

const countPairs = (cs: readonly Comparison[]): PairCounts => ({
    pairs: cs.length,
    flagged: cs.filter((c) => c.verdict !== 'no regression').length,
    regression: cs.filter((c) => c.hasRegression).length,
    loaded: cs.filter((c) => c.loaded.length > 0).length,
    insufficient: cs.filter((c) => c.insufficient.length > 0).length,
    metricsRegressed: cs.reduce((s, c) => s + c.regressions.length, 0),
    metricsNotSignificant: cs.reduce((s, c) => s + c.changes.filter((x) => x.verdict === 'not significant').length, 0),
    metrics: cs.reduce((s, c) => s + c.changes.length, 0),
});

const analyse = async (db: string): Promise<void> => {
    const store = new SqliteBackend(db, { mustExist: true });
    const data = async (id: string): Promise<RunData> =>
        buildReportInput(store, await store.getRun(id), () => undefined);
    const aaIds = await runsOf(store, 'bench-aa');
    const slowIds = await runsOf(store, 'bench-slow');
    const aaData: RunData[] = [];
    for (const id of aaIds) aaData.push(await data(id));
    const slowData: RunData[] = [];
    for (const id of slowIds) slowData.push(await data(id));
    const all = [];
    for (const runId of [...aaIds, ...slowIds]) all.push(...(await store.jobResults({ runId })));
    await store.close();
    const flaggedResults = all.filter((r) => r.load?.flag !== undefined).length;
    console.log(
        `\nload flags: ${flaggedResults} of ${all.length} results measured while other work used the CPUs ` +
            `(docs/measurement-conditions.md); default compare leaves their repetitions out`,
    );

    // The other settings keep loaded repetitions: they compare the test's thresholds on the same values, which a
    // busy host would otherwise turn into a column of LOADED verdicts (on a quiet host nothing is flagged and
    // --include-loaded changes nothing).
    const settings: { label: string; o: CompareOptions }[] = [
        { label: 'defaults (Holm, 10 %, 0.1 ms, ≥ 3 reps, loaded left out)', o: {} },
        { label: 'defaults + --include-loaded', o: { includeLoaded: true } },
        { label: 'threshold 5 % + --include-loaded', o: { thresholdPct: 5, includeLoaded: true } },
        { label: 'threshold 20 % + --include-loaded', o: { thresholdPct: 20, includeLoaded: true } },
        { label: 'no Holm + --include-loaded', o: { correction: 'none', includeLoaded: true } },
    ];
    const w = Math.max(...settings.map((s) => s.label.length));
    console.log(
        `\nA/A: ${aaData.length - 1} consecutive pairs of the unchanged campaign (target: ≤ 5 % flag anything)`,
    );
    for (const { label, o } of settings) {
        const cs = aaData.slice(1).map((b, i) => compareRuns(aaData[i] as RunData, b, o));
        const n = countPairs(cs);
        console.log(
            `  ${label.padEnd(w)}  flagged ${formatRate(n.flagged, n.pairs)}: regression ${n.regression}, ` +
                `too few clean reps ${n.loaded}, too few reps ${n.insufficient}; ${n.metricsRegressed} of ${n.metrics} metric tests regressed, ${n.metricsNotSignificant} not significant`,
        );
    }
    const pairs = Math.min(slowData.length, aaData.length);
    console.log(
        `\nDetection: ${pairs} pairs lite (A/A run i) → full variant (slow run i), same model id and splits (target: ≥ 90 % report a regression)`,
    );
    for (const { label, o } of settings) {
        const cs = slowData.slice(0, pairs).map((s, i) => compareRuns(aaData[i] as RunData, s, o));
        const n = countPairs(cs);
        console.log(
            `  ${label.padEnd(w)}  detected ${formatRate(n.regression, n.pairs)}; too few clean reps in ${n.loaded}; ` +
                `${n.metricsRegressed} of ${n.metrics} metrics regressed`,
        );
    }
    if (aaData.length >= 2) {
        const c0 = compareRuns(aaData[0] as RunData, aaData[1] as RunData, { includeLoaded: true });
        const worst = [...c0.changes].sort((x, y) => x.pAdjusted - y.pAdjusted).slice(0, 3);
        console.log('\nFirst A/A pair (--include-loaded), smallest adjusted p-values:');
        for (const x of worst)
            console.log(
                `  ${x.mode} ${x.splitAfter ?? 'full'} ${x.metric}: ${x.aValueMs.toFixed(3)} → ${x.bValueMs.toFixed(3)} ms (${x.changePct.toFixed(1)} %), p=${x.p.toExponential(2)}, adj ${x.pAdjusted.toExponential(2)}, ${x.verdict}`,
            );
    }
    // How much the baseline itself moves between unchanged runs: what a real slowdown has to stand out from.
    const fulls = aaData.map((d) => ({
        ue: d.analyses[0]?.fullUe?.valueMs,
        server: d.analyses[0]?.fullServer?.valueMs,
    }));
    const range = (xs: (number | undefined)[]): string => {
        const v = xs.filter((x): x is number => x !== undefined);
        return v.length === 0 ? '–' : `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)} ms`;
    };
    console.log(
        `\nfull model across A/A runs (mean of repetitions, all kept): UE ${range(fulls.map((f) => f.ue))}, server ${range(fulls.map((f) => f.server))}`,
    );
};

const main = async (): Promise<void> => {
    if (ANALYSE !== undefined) {
        await analyse(ANALYSE);
        return;
    }
    const work = mkdtempSync(join(tmpdir(), 'splitbench-bench-compare-'));
    const db = join(work, 'bench.db');
    try {
        const splits = commonSplits();
        const aa = join(work, 'aa.yaml');
        const slow = join(work, 'slow.yaml');
        writeFileSync(aa, campaignYaml('bench-aa', LITE, splits));
        writeFileSync(slow, campaignYaml('bench-slow', FULL, splits));
        console.log(
            `settings: UE threads ${ROLE.ue.threads} cpuAffinity ${ROLE.ue.cpuAffinity}, server threads ${ROLE.server.threads} ` +
                `cpuAffinity ${ROLE.server.cpuAffinity}; ${REPS} repetitions, ${RUNS} timed runs per job; splits ${splits.join(', ')}; ` +
                `K=${K} A/A runs (${K - 1} pairs), ${SLOW} slow runs`,
        );
        console.log(`machine: ${cpus().length} CPUs; load average before (1/5/15 min): ${loadAvgText()}`);
        const t0 = performance.now();
        // Interleave slow runs among the A/A runs so both see the same drift of machine load.
        for (let i = 0; i < K; i++) {
            await run(work, aa, db);
            if (i < SLOW) await run(work, slow, db);
            console.log(
                `  run ${i + 1}/${K} done (${((performance.now() - t0) / 1000).toFixed(0)} s, load average ${loadAvgText()})`,
            );
        }
        for (let i = K; i < SLOW; i++) await run(work, slow, db);
        const wall = (performance.now() - t0) / 1000;
        console.log(`load average after (1/5/15 min): ${loadAvgText()}`);
        await analyse(db);
        console.log(`\nwall time of the runs: ${wall.toFixed(0)} s`);
        if (KEEP) console.log(`store kept: ${db} (npx tsx bench/compare.ts --analyse ${db})`);
    } finally {
        if (!KEEP) rmSync(work, { recursive: true, force: true });
    }
};

await main();
