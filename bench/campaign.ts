// npm run bench:campaign — what the campaign engine costs on top of the benchmarks it runs, and whether per-device
// queues really run in parallel. Two campaigns of 20 jobs each on `kind: local` devices, run through runCampaign()
// into a temporary store:
//   1. one device playing both roles (one queue): wall time of the run against the sum of the benchmark processes'
//      own durations (raw_outputs.duration_ms, timed by the driver around each spawn). Target ≤ 1.10.
//   2. the same jobs with the UE and the server on two devices (two queues): wall time against case 1. Target ≤ 0.6.
// Each job is a real benchmark of a small generated model on the built-in runner, timed for about MIN_SECS.
// Usage: npx tsx bench/campaign.ts [--min-secs 0.5] [--rounds 1]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { buildTestModel, depthwiseNet, type ModelSpec } from '../src/model/build.js';
import { runCampaign } from '../src/runner/campaign-run.js';

const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const MIN_SECS = arg('min-secs', 0.5);
const ROUNDS = arg('rounds', 1);

const MODEL: ModelSpec = depthwiseNet();

// measure mode, 4 splits, 2 repetitions: per repetition a baseline on each role plus 4 heads and 4 tails = 20 jobs
const campaignYaml = (name: string, ue: string, server: string, model: string): string => {
    const role = `{ runtime: builtin, threads: 1, cpuAffinity: none, useXnnpack: true, warmupRuns: 1, warmupMinSecs: 0, runs: 1, minSecs: ${MIN_SECS}, maxSecs: 10 }`;
    return `
name: ${name}
models:
    - id: dwconv
      path: ${model}
splits: [0, 1, 2, 3]
roles:
    ue: [${ue}]
    server: [${server}]
settings:
    ue: ${role}
    server: ${role}
repetitions: 2
modes: [measure]
report: { formats: [json], outDir: reports }
jobTimeoutSecs: 60
`;
};

const sink = (): Writable =>
    new Writable({
        write(_c, _e, cb): void {
            cb();
        },
    });

interface RunFigures {
    jobs: number;
    /** Run record start → end (the executor's span: probes, sub-models, queues, store writes). */
    runWallMs: number;
    /** runCampaign() call: also loading and planning, and writing the report. */
    callWallMs: number;
    /** Sum of the benchmark processes' own durations. */
    benchSumMs: number;
    /** Per device: sum of its benchmark durations. */
    perDeviceMs: Map<string, number>;
}

const runOnce = async (work: string, file: string, db: string): Promise<RunFigures> => {
    const t0 = performance.now();
    const r = await runCampaign({
        file,
        devicesDir: join(work, 'devices'),
        dbPath: db,
        baseDir: work,
        fresh: true,
        signal: new AbortController().signal,
        stdout: sink(),
        stderr: sink(),
        logLevel: 'warn',
    });
    const callWallMs = performance.now() - t0;
    if (r.runId === undefined || r.summary === undefined || r.summary.failed > 0 || r.summary.done !== 20)
        throw new Error(`${file}: run did not finish cleanly: ${JSON.stringify(r.summary)}`);
    const d = new Database(db, { readonly: true });
    try {
        const run = d.prepare('SELECT started_at, ended_at FROM runs WHERE id = ?').get(r.runId) as {
            started_at: string;
            ended_at: string;
        };
        const rows = d
            .prepare(
                `SELECT j.device AS device, o.duration_ms AS ms FROM raw_outputs o JOIN jobs j ON j.seq = o.job_seq
                 WHERE j.run_id = ?`,
            )
            .all(r.runId) as { device: string; ms: number }[];
        const perDeviceMs = new Map<string, number>();
        for (const x of rows) perDeviceMs.set(x.device, (perDeviceMs.get(x.device) ?? 0) + x.ms);
        return {
            jobs: rows.length,
            runWallMs: Date.parse(run.ended_at) - Date.parse(run.started_at),
            callWallMs,
            benchSumMs: rows.reduce((s, x) => s + x.ms, 0),
            perDeviceMs,
        };
    } finally {
        d.close();
    }
};

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean): string => (ok ? 'OK' : 'MISSED');

const main = async (): Promise<void> => {
    const work = mkdtempSync(join(tmpdir(), 'splitbench-bench-campaign-'));
    try {
        mkdirSync(join(work, 'devices'));
        for (const n of ['bench-a', 'bench-b'])
            writeFileSync(join(work, 'devices', `${n}.yaml`), `name: ${n}\nkind: local\nlocal: {}\n`);
        const model = join(work, 'dwconv.tflite');
        writeFileSync(model, buildTestModel(MODEL));
        const one = join(work, 'one.yaml');
        const two = join(work, 'two.yaml');
        writeFileSync(one, campaignYaml('bench-one-device', 'bench-a', 'bench-a', model));
        writeFileSync(two, campaignYaml('bench-two-devices', 'bench-a', 'bench-b', model));

        console.log(`campaign bench: 20 jobs per run (measure mode, 4 splits × 2 repetitions), minSecs ${MIN_SECS}`);
        console.log(`rounds: ${ROUNDS} (one- and two-device runs interleaved; medians reported)\n`);
        const ones: RunFigures[] = [];
        const twos: RunFigures[] = [];
        for (let i = 0; i < ROUNDS; i++) {
            ones.push(await runOnce(work, one, join(work, 'bench.db')));
            twos.push(await runOnce(work, two, join(work, 'bench.db')));
        }
        const median = (xs: number[]): number => {
            const v = [...xs].sort((a, b) => a - b);
            const m = v.length >> 1;
            return v.length % 2 === 1 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
        };
        const o = {
            wall: median(ones.map((f) => f.runWallMs)),
            call: median(ones.map((f) => f.callWallMs)),
            sum: median(ones.map((f) => f.benchSumMs)),
        };
        const t = {
            wall: median(twos.map((f) => f.runWallMs)),
            call: median(twos.map((f) => f.callWallMs)),
            sum: median(twos.map((f) => f.benchSumMs)),
            busiest: median(twos.map((f) => Math.max(...f.perDeviceMs.values()))),
        };
        const overhead = o.wall / o.sum;
        const parallel = t.wall / o.wall;
        console.log('1. one device, one queue (20 jobs)');
        console.log(`   run wall time (start → end of run)        ${s(o.wall)}`);
        console.log(`   sum of benchmark process times            ${s(o.sum)}`);
        console.log(
            `   ratio wall / sum                          ${overhead.toFixed(3)}   target ≤ 1.10  ${verdict(overhead <= 1.1)}`,
        );
        console.log(
            `   (runCampaign() call incl. load + report    ${s(o.call)}, ratio ${(o.call / o.sum).toFixed(3)})`,
        );
        console.log('2. two devices, two queues (same 20 jobs: UE share on one, server share on the other)');
        console.log(`   run wall time                             ${s(t.wall)}`);
        console.log(`   sum of benchmark process times            ${s(t.sum)}  (busiest device ${s(t.busiest)})`);
        console.log(`   wall / busiest device's benchmark time    ${(t.wall / t.busiest).toFixed(3)}`);
        console.log(
            `   wall two devices / wall one device        ${parallel.toFixed(3)}   target ≤ 0.60  ${verdict(parallel <= 0.6)}`,
        );
        if (ROUNDS > 1) {
            console.log('\nper round (wall one / two, s):');
            for (let i = 0; i < ROUNDS; i++)
                console.log(
                    `   ${i + 1}: ${((ones[i]?.runWallMs ?? 0) / 1000).toFixed(2)} / ${((twos[i]?.runWallMs ?? 0) / 1000).toFixed(2)}`,
                );
        }
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
};

await main();
