// npm run bench:compare — calibrates `splitbench compare` on this machine (docs/statistics.md, "Calibration").
//   1. A/A: an unchanged small campaign run K times with --fresh; every consecutive pair is compared at the default
//      settings. False-alarm rate = pairs that flag anything (a regression, or too few repetitions). Target ≤ 5 %.
//   2. Detection: the same campaign with a real slowdown — the same model id pointing at MediaPipe's bigger pose
//      landmark variant (full instead of lite, same split points) — run S times; each slow run is compared with an
//      A/A run. Detection rate = pairs that report a regression. Target ≥ 90 %.
// Runs go through runCampaign() (the real runner, the built-in TFLite runtime on the local-ue/local-server devices)
// into a temporary store; comparisons go through buildReportInput() + compareRuns(), what `splitbench compare` does.
// It also prints how the A/A false-alarm rate moves with the relative threshold and without the Holm correction.
// Usage: npx tsx bench/compare.ts [--k 8] [--slow 4] [--reps 5] [--runs 10]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { compareRuns, type CompareOptions, type RunData } from '../src/analysis/compare.js';
import { loadModel } from '../src/model/load.js';
import { graphFacts } from '../src/model/split-points.js';
import { runCampaign } from '../src/runner/campaign-run.js';
import { buildReportInput } from '../src/runner/report-input.js';
import { SqliteBackend } from '../src/store/sqlite-backend.js';

const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const K = arg('k', 8);
const SLOW = arg('slow', 4);
const REPS = arg('reps', 5);
const RUNS = arg('runs', 10);

const ROOT = resolve(import.meta.dirname, '..');
const LITE = join(ROOT, 'node_modules/@mediapipe/pose/pose_landmark_lite.tflite');
const FULL = join(ROOT, 'node_modules/@mediapipe/pose/pose_landmark_full.tflite');

/** Three split points that are real ops in both variants, spread over the lite model. */
const commonSplits = (): number[] => {
    const real = (f: string): number[] => graphFacts(loadModel(f)).realOps.slice(0, -1);
    const full = new Set(real(FULL));
    const both = real(LITE).filter((k) => full.has(k));
    return [0.25, 0.5, 0.75].map((q) => both[Math.floor(q * (both.length - 1))] as number);
};

const campaignYaml = (name: string, model: string, splits: readonly number[]): string => {
    const role = (threads: string, affinity: string): string =>
        `{ runtime: builtin, threads: ${threads}, cpuAffinity: '${affinity}', warmupRuns: 2, warmupMinSecs: 0, runs: ${RUNS}, minSecs: 0, maxSecs: 5 }`;
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
    ue: ${role('1', '0x1')}
    server: ${role('all', 'none')}
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

const pct = (k: number, n: number): string => `${k}/${n} = ${n === 0 ? '–' : ((100 * k) / n).toFixed(0)} %`;

const main = async (): Promise<void> => {
    const work = mkdtempSync(join(tmpdir(), 'splitbench-bench-compare-'));
    const db = join(work, 'bench.db');
    try {
        const splits = commonSplits();
        const aa = join(work, 'aa.yaml');
        const slow = join(work, 'slow.yaml');
        writeFileSync(aa, campaignYaml('bench-aa', LITE, splits));
        writeFileSync(slow, campaignYaml('bench-slow', FULL, splits));
        console.log(
            `splits ${splits.join(', ')}; ${REPS} repetitions, ${RUNS} timed runs per job; K=${K}, slow=${SLOW}`,
        );
        const aaRuns: string[] = [];
        const slowRuns: string[] = [];
        const t0 = performance.now();
        // Interleave slow runs among the A/A runs so both see the same drift of machine load.
        for (let i = 0; i < K; i++) {
            aaRuns.push(await run(work, aa, db));
            if (i < SLOW) slowRuns.push(await run(work, slow, db));
            console.log(`  run ${i + 1}/${K} done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        }
        const store = new SqliteBackend(db, { mustExist: true });
        const data = async (id: string): Promise<RunData> =>
            buildReportInput(store, await store.getRun(id), () => undefined);
        const aaData: RunData[] = [];
        for (const id of aaRuns) aaData.push(await data(id));
        const slowData: RunData[] = [];
        for (const id of slowRuns) slowData.push(await data(id));
        await store.close();

        const settings: { label: string; o: CompareOptions }[] = [
            { label: 'defaults (Holm, 10 %, 0.1 ms, ≥ 3 reps)', o: {} },
            { label: 'threshold 5 %', o: { thresholdPct: 5 } },
            { label: 'threshold 20 %', o: { thresholdPct: 20 } },
            { label: 'no Holm correction', o: { correction: 'none' } },
        ];
        console.log('\nA/A: consecutive pairs of the unchanged campaign');
        for (const { label, o } of settings) {
            let flagged = 0;
            let metricsFlagged = 0;
            let metrics = 0;
            for (let i = 1; i < aaData.length; i++) {
                const c = compareRuns(aaData[i - 1] as RunData, aaData[i] as RunData, o);
                if (c.verdict !== 'no regression') flagged++;
                metricsFlagged += c.regressions.length + c.insufficient.length;
                metrics += c.changes.length;
            }
            console.log(
                `  ${label.padEnd(42)} false alarms: ${pct(flagged, aaData.length - 1)} of pairs (${metricsFlagged} of ${metrics} metric tests)`,
            );
        }
        console.log('\nDetection: lite (A/A run i) → full variant (slow run i), same model id and split points');
        for (const { label, o } of settings) {
            let detected = 0;
            let regressed = 0;
            let metrics = 0;
            for (const [i, s] of slowData.entries()) {
                const c = compareRuns(aaData[i] as RunData, s, o);
                if (c.hasRegression) detected++;
                regressed += c.regressions.length;
                metrics += c.changes.length;
            }
            console.log(
                `  ${label.padEnd(42)} detected: ${pct(detected, slowData.length)} of pairs (${regressed} of ${metrics} metrics regressed)`,
            );
        }
        const c0 = compareRuns(aaData[0] as RunData, aaData[1] as RunData);
        const worst = [...c0.changes].sort((x, y) => x.pAdjusted - y.pAdjusted).slice(0, 3);
        console.log('\nFirst A/A pair, smallest adjusted p-values:');
        for (const w of worst)
            console.log(
                `  ${w.mode} ${w.splitAfter ?? 'full'} ${w.metric}: ${w.aValueMs.toFixed(3)} → ${w.bValueMs.toFixed(3)} ms (${w.changePct.toFixed(1)} %), p=${w.p.toExponential(2)}, adj ${w.pAdjusted.toExponential(2)}, ${w.verdict}`,
            );
        console.log(`\ntotal wall time ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
};

await main();
