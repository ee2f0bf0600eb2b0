// Results store benchmark, SQLite vs PostgreSQL side by side: jobs committed per second (recordResult, one
// transaction each, as the runner commits a finished job) and the read a report does (jobResults of one run, and of
// a whole campaign of RUNS runs). Both through the async store interface; PostgreSQL is a private server on
// loopback (test/support/postgres.ts) with fsync on, SQLite a WAL file with synchronous=NORMAL (the store's
// settings). The stored data are synthetic results of known shape (test/support/store-fixtures.ts).
// Orchestrator CPU and memory with 1, 10 and 30 simulated phones need the lease-aware runner (not yet wired).
// Usage: npx tsx bench/store.ts [--runs 100] [--jobs 20] [--ops 60] [--samples 100]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openResultStore, type StoreSpec } from '../src/store/store-spec.js';
import { startPostgres } from '../test/support/postgres.js';
import { makeJob, makeResult, MODEL_SHA, newRun } from '../test/support/store-fixtures.js';

const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 100);
const JOBS = arg('jobs', 20);
const OPS = arg('ops', 60);
const SAMPLES = arg('samples', 100);

interface Figures {
    commitsPerS: number;
    commitP50Ms: number;
    oneRunReadMs: number;
    campaignReadMs: number;
    campaignJobs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const measure = async (spec: StoreSpec): Promise<Figures> => {
    const store = await openResultStore(spec);
    try {
        await store.upsertModel({ sha256: MODEL_SHA, path: '/models/net.tflite', sizeBytes: 1000, opCount: OPS });
        const parsed = makeResult({ ops: OPS, samples: SAMPLES });
        const raw = { stdout: 'x'.repeat(4000), stderr: '', exitCode: 0 };
        const commitMs: number[] = [];
        const t0 = performance.now();
        for (let r = 0; r < RUNS; r++) {
            const run = await store.createRun(newRun({ id: `run-${String(r).padStart(3, '0')}` }));
            const jobs = Array.from({ length: JOBS }, (_, k) => makeJob({ split: k, repetition: r }));
            await store.upsertJobs(run.id, jobs);
            for (const j of jobs) {
                await store.markJobRunning(run.id, j.id, 1);
                const c = performance.now();
                await store.recordResult(run.id, j.id, { attempt: 1, raw, parsed });
                commitMs.push(performance.now() - c);
            }
            await store.setRunState(run.id, 'done');
        }
        const totalS = (performance.now() - t0) / 1000;
        const oneRun: number[] = [];
        for (let i = 0; i < 5; i++) {
            const t = performance.now();
            await store.jobResults({ runId: `run-${String(RUNS >> 1).padStart(3, '0')}` });
            oneRun.push(performance.now() - t);
        }
        const t = performance.now();
        const all = await store.jobResults({ campaignName: 'c1' });
        const campaignReadMs = performance.now() - t;
        return {
            commitsPerS: (RUNS * JOBS) / totalS,
            commitP50Ms: median(commitMs),
            oneRunReadMs: median(oneRun),
            campaignReadMs,
            campaignJobs: all.length,
        };
    } finally {
        await store.close();
    }
};

const dir = mkdtempSync(join(tmpdir(), 'splitbench-bench-store-'));
const pg = await startPostgres({ fsync: true });
try {
    process.stdout.write(
        `store bench: ${RUNS} runs × ${JOBS} jobs (${OPS} op rows, ${SAMPLES} samples each); load ${loadavg()[0]?.toFixed(2)}\n`,
    );
    const sqlite = await measure({ backend: 'sqlite', path: join(dir, 'bench.db'), from: 'bench' });
    const postgres = await measure({ backend: 'postgres', url: await pg.createDatabase(), from: 'bench' });
    const row = (label: string, a: number, b: number, unit: string, digits = 1): string =>
        `${label.padEnd(34)} ${a.toFixed(digits).padStart(10)} ${b.toFixed(digits).padStart(10)}  ${unit.padEnd(6)} ${(b / a).toFixed(2).padStart(6)}\n`;
    process.stdout.write(
        `${''.padEnd(34)} ${'sqlite'.padStart(10)} ${'postgres'.padStart(10)}  ${''.padEnd(6)} ${'pg/sq'.padStart(6)}\n`,
    );
    process.stdout.write(row('jobs committed per second', sqlite.commitsPerS, postgres.commitsPerS, 'jobs/s'));
    process.stdout.write(row('one commit, median', sqlite.commitP50Ms, postgres.commitP50Ms, 'ms', 2));
    process.stdout.write(row(`report read, one run (${JOBS} jobs)`, sqlite.oneRunReadMs, postgres.oneRunReadMs, 'ms'));
    process.stdout.write(
        row(
            `report read, campaign (${sqlite.campaignJobs} jobs)`,
            sqlite.campaignReadMs,
            postgres.campaignReadMs,
            'ms',
        ),
    );
} finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
}
