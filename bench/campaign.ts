// npm run bench:campaign — what the campaign engine costs on top of the benchmarks it runs, whether queues really
// run in parallel, and what host-aware scheduling does to the demo's numbers. Campaigns on `kind: local` devices
// (all on this machine, so they share one host), run through runCampaign() into a temporary store:
//   1. one device playing both roles (one queue): wall time of the run against the sum of the benchmark processes'
//      own durations (raw_outputs.duration_ms, timed by the driver around each spawn). Target ≤ 1.10.
//   2. the same jobs with the UE and the server on two devices of this host. These devices do NOT really run in
//      parallel by default (one queue per host): 2a is that serialized run; 2b opts into
//      scheduling.parallelOnSharedHost to measure the engine's parallel queues (contended CPUs: a test of the
//      scheduler, not a measurement setup). Target for 2b: wall ≤ 0.6 × case 1.
//   3. the demo campaign (configs/demo.yaml, pose landmark lite): the server's full-model time (median of its
//      baseline jobs) in the serialized demo, in the demo with parallel runs on the shared host (the old
//      behaviour), and with the server's jobs run alone (--server). Target: serialized within 10 % of alone. Plus
//      the campaign wall time before (parallel) and after (serialized) serialization, and load-flagged results.
// Each job of 1–2 is a real benchmark of a small generated model on the built-in runner, timed for about MIN_SECS.
// Usage: npx tsx bench/campaign.ts [--min-secs 0.5] [--rounds 1] [--demo-rounds 1] [--no-demo]
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
const DEMO_ROUNDS = arg('demo-rounds', 1);

const MODEL: ModelSpec = depthwiseNet();
const REPO = fileURLToPath(new URL('..', import.meta.url));

// measure mode, 4 splits, 2 repetitions: per repetition a baseline on each role plus 4 heads and 4 tails = 20 jobs
const campaignYaml = (name: string, ue: string, server: string, model: string, parallel = false): string => {
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
scheduling: { parallelOnSharedHost: ${parallel} }
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

interface DemoFigures {
    /** Median of the server's baseline (unprofiled full model) mean inference times, ms. */
    serverFullMs: number;
    ueFullMs: number | undefined;
    runWallMs: number;
    jobs: number;
    loadFlagged: number;
}

/** One run of the demo campaign (fresh), optionally only the server's jobs. */
const runDemo = async (work: string, file: string, server?: string[]): Promise<DemoFigures> => {
    const db = join(work, 'demo.db');
    const r = await runCampaign({
        file,
        devicesDir: join(work, 'devices'),
        dbPath: db,
        baseDir: work,
        fresh: true,
        server,
        signal: new AbortController().signal,
        stdout: sink(),
        stderr: sink(),
        logLevel: 'warn',
    });
    if (r.runId === undefined || r.summary === undefined || r.summary.failed > 0)
        throw new Error(`${file}: run did not finish cleanly: ${JSON.stringify(r.summary)}`);
    const d = new Database(db, { readonly: true });
    try {
        const run = d.prepare('SELECT started_at, ended_at FROM runs WHERE id = ?').get(r.runId) as {
            started_at: string;
            ended_at: string;
        };
        const rows = d
            .prepare(
                `SELECT j.kind AS kind, j.role AS role, r.avg_us AS avg, r.load_json AS load FROM jobs j
                 JOIN results r ON r.job_seq = j.seq WHERE j.run_id = ?`,
            )
            .all(r.runId) as { kind: string; role: string; avg: number; load: string | null }[];
        const med = (xs: number[]): number | undefined => {
            const v = [...xs].sort((a, b) => a - b);
            return v.length === 0 ? undefined : ((v[(v.length - 1) >> 1] as number) + (v[v.length >> 1] as number)) / 2;
        };
        const full = (role: string): number | undefined =>
            med(rows.filter((x) => x.kind === 'baseline' && x.role === role).map((x) => x.avg / 1000));
        return {
            serverFullMs: full('server') ?? Number.NaN,
            ueFullMs: full('ue'),
            runWallMs: Date.parse(run.ended_at) - Date.parse(run.started_at),
            jobs: rows.length,
            loadFlagged: rows.filter(
                (x) => x.load !== null && (JSON.parse(x.load) as { flag?: string }).flag !== undefined,
            ).length,
        };
    } finally {
        d.close();
    }
};

const demoFigures = async (work: string): Promise<void> => {
    for (const n of ['local-ue', 'local-server'])
        copyFileSync(join(REPO, 'devices', `${n}.yaml`), join(work, 'devices', `${n}.yaml`));
    const text = readFileSync(join(REPO, 'configs', 'demo.yaml'), 'utf8')
        // the shipped file's paths are relative to configs/; this copy lives elsewhere
        .replace('../node_modules/@mediapipe/pose/', `${join(REPO, 'node_modules/@mediapipe/pose')}/`)
        .replace(/formats: \[[^\]]*\]/, 'formats: [json]');
    const serialized = join(work, 'demo.yaml');
    const parallel = join(work, 'demo-parallel.yaml');
    writeFileSync(serialized, text);
    writeFileSync(parallel, `${text}\nscheduling: { parallelOnSharedHost: true }\n`);
    console.log(
        `\n3. the demo campaign (configs/demo.yaml: local-ue on CPU 0, local-server on all cores, one host); ${DEMO_ROUNDS} round(s), medians`,
    );
    // rounds interleave the three runs so drifting background load hits them alike; medians are reported
    const rounds: { after: DemoFigures; before: DemoFigures; alone: DemoFigures }[] = [];
    for (let i = 0; i < DEMO_ROUNDS; i++)
        rounds.push({
            after: await runDemo(work, serialized),
            before: await runDemo(work, parallel),
            alone: await runDemo(work, serialized, ['local-server']),
        });
    const med = (xs: number[]): number => {
        const v = [...xs].sort((a, b) => a - b);
        return ((v[(v.length - 1) >> 1] as number) + (v[v.length >> 1] as number)) / 2;
    };
    const pick = (k: 'after' | 'before' | 'alone'): DemoFigures => ({
        serverFullMs: med(rounds.map((r) => r[k].serverFullMs)),
        ueFullMs: k === 'alone' ? undefined : med(rounds.map((r) => r[k].ueFullMs ?? Number.NaN)),
        runWallMs: med(rounds.map((r) => r[k].runWallMs)),
        jobs: rounds[0]?.[k].jobs ?? 0,
        loadFlagged: med(rounds.map((r) => r[k].loadFlagged)),
    });
    const [after, before, alone] = [pick('after'), pick('before'), pick('alone')];
    if (DEMO_ROUNDS > 1)
        for (const [i, r] of rounds.entries())
            console.log(
                `   round ${i + 1}: server full model serialized / parallel / alone ${r.after.serverFullMs.toFixed(1)} / ${r.before.serverFullMs.toFixed(1)} / ${r.alone.serverFullMs.toFixed(1)} ms`,
            );
    const ms = (x: number | undefined): string => (x === undefined ? '—' : `${x.toFixed(2)} ms`);
    console.log(`   server full model, server jobs alone         ${ms(alone.serverFullMs)}  (${alone.jobs} jobs)`);
    const ratio = after.serverFullMs / alone.serverFullMs;
    console.log(
        `   server full model, demo serialized (now)     ${ms(after.serverFullMs)}  ratio to alone ${ratio.toFixed(3)}   target within 10 %  ${verdict(Math.abs(ratio - 1) <= 0.1)}`,
    );
    console.log(
        `   server full model, demo parallel (before)    ${ms(before.serverFullMs)}  ratio to alone ${(before.serverFullMs / alone.serverFullMs).toFixed(3)}`,
    );
    console.log(`   UE full model, serialized / parallel         ${ms(after.ueFullMs)} / ${ms(before.ueFullMs)}`);
    console.log(
        `   campaign wall time before (parallel) / after (serialized)  ${s(before.runWallMs)} / ${s(after.runWallMs)}  ratio ${(after.runWallMs / before.runWallMs).toFixed(2)}`,
    );
    console.log(
        `   load-flagged results: serialized ${after.loadFlagged}/${after.jobs}, parallel ${before.loadFlagged}/${before.jobs}, alone ${alone.loadFlagged}/${alone.jobs}`,
    );
};
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
        const par = join(work, 'par.yaml');
        writeFileSync(one, campaignYaml('bench-one-device', 'bench-a', 'bench-a', model));
        writeFileSync(two, campaignYaml('bench-two-devices', 'bench-a', 'bench-b', model));
        writeFileSync(par, campaignYaml('bench-two-devices-parallel', 'bench-a', 'bench-b', model, true));

        console.log(`campaign bench: 20 jobs per run (measure mode, 4 splits × 2 repetitions), minSecs ${MIN_SECS}`);
        console.log(`rounds: ${ROUNDS} (one- and two-device runs interleaved; medians reported)\n`);
        const ones: RunFigures[] = [];
        const twos: RunFigures[] = [];
        const pars: RunFigures[] = [];
        for (let i = 0; i < ROUNDS; i++) {
            ones.push(await runOnce(work, one, join(work, 'bench.db')));
            twos.push(await runOnce(work, two, join(work, 'bench.db')));
            pars.push(await runOnce(work, par, join(work, 'bench.db')));
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
        const figs = (fs: RunFigures[]) => ({
            wall: median(fs.map((f) => f.runWallMs)),
            call: median(fs.map((f) => f.callWallMs)),
            sum: median(fs.map((f) => f.benchSumMs)),
            busiest: median(fs.map((f) => Math.max(...f.perDeviceMs.values()))),
        });
        const ser = figs(twos);
        const t = figs(pars);
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
        console.log('2a. two devices on this host, SERIALIZED (one queue per host; same 20 jobs)');
        console.log(`   run wall time                             ${s(ser.wall)}`);
        console.log(`   sum of benchmark process times            ${s(ser.sum)}`);
        console.log(`   wall two devices (serialized) / one device ${(ser.wall / o.wall).toFixed(3)}   (expected ≈ 1)`);
        console.log(
            '2b. two devices on this host run in PARALLEL by scheduling.parallelOnSharedHost (contended CPUs: tests the engine, not a measurement setup)',
        );
        console.log(`   run wall time                             ${s(t.wall)}`);
        console.log(`   sum of benchmark process times            ${s(t.sum)}  (busiest device ${s(t.busiest)})`);
        console.log(`   wall / busiest device's benchmark time    ${(t.wall / t.busiest).toFixed(3)}`);
        console.log(
            `   wall two devices / wall one device        ${parallel.toFixed(3)}   target ≤ 0.60  ${verdict(parallel <= 0.6)}`,
        );
        if (ROUNDS > 1) {
            console.log('\nper round (wall one / two serialized / two parallel, s):');
            for (let i = 0; i < ROUNDS; i++)
                console.log(
                    `   ${i + 1}: ${((ones[i]?.runWallMs ?? 0) / 1000).toFixed(2)} / ${((twos[i]?.runWallMs ?? 0) / 1000).toFixed(2)} / ${((pars[i]?.runWallMs ?? 0) / 1000).toFixed(2)}`,
                );
        }
        if (!process.argv.includes('--no-demo')) await demoFigures(work);
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
};

await main();
