// Run-level trust through the built CLI, on both stores (SQLite file; a private PostgreSQL server): `--resume` of a
// run that a live process is still measuring is refused naming that process; `runs list` tells the live run from
// the same run after kill -9; the resume that then takes over re-runs the killed job with a fresh started_at and a
// counted attempt. And two campaigns with different device files on this one machine, started together, never
// measure at the same time: the physical host's lease makes one wait, naming the other run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResultStore, resolveStoreSpec } from '../../../src/store/store-spec.js';
import type { LeaseHolder } from '../../../src/store/types.js';
import { runCli, startCli } from '../../support/cli.js';
import { writeTestModels, type TestModelSet } from '../../support/models.js';
import { startPostgres, type PostgresHandle } from '../../support/postgres.js';

let pg: PostgresHandle;
let work: string;
let models: TestModelSet;
beforeAll(async () => {
    pg = await startPostgres();
    work = mkdtempSync(join(tmpdir(), 'splitbench-liveness-'));
    models = writeTestModels();
    mkdirSync(join(work, 'devices'));
    // all local: one machine, one cpuHost (its machine-id)
    for (const name of ['ue1', 'srv1', 'ue2', 'srv2', 'ue3', 'srv3'])
        writeFileSync(join(work, 'devices', `${name}.yaml`), `name: ${name}\nkind: local\nlocal: {}\n`);
});
afterAll(async () => {
    models?.cleanup();
    await pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
});

const MACHINE_ID = readFileSync('/etc/machine-id', 'utf8').trim();

const campaign = (name: string, ue: string, srv: string, o: { minSecs: number; modes: string }): string => `
name: ${name}
models: [{ id: residual, path: ${models.residual} }]
splits: [3]
roles: { ue: [${ue}], server: [${srv}] }
settings:
    ue: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 5, minSecs: ${o.minSecs} }
    server: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 5, minSecs: ${o.minSecs} }
modes: [${o.modes}]
report: { formats: [json], outDir: reports }
`;

interface Backend {
    name: string;
    /** A fresh database: its --db argument. */
    fresh: () => Promise<string>;
    /** Rows of a query, every value as text. */
    rows: (db: string, sql: string) => string[][];
}

const sqlite: Backend = {
    name: 'SQLite',
    fresh: () => Promise.resolve(join(mkdtempSync(join(work, 'db-')), 'splitbench.db')),
    rows: (db, sql) => {
        const d = new Database(db, { readonly: true, fileMustExist: true });
        try {
            return (d.prepare(sql).raw().all() as unknown[][]).map((r) => r.map((v) => String(v)));
        } finally {
            d.close();
        }
    },
};

const postgres: Backend = {
    name: 'PostgreSQL',
    fresh: () => pg.createDatabase(),
    rows: (url, sql) =>
        pg
            .psql(url.slice(url.lastIndexOf('/') + 1), sql)
            .trim()
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => l.split('|')),
};

/** Writes the lease `run:<id>` for `holder` straight into the store, as a process on another host would. */
const holdRunLease = async (
    db: string,
    holder: LeaseHolder,
    ttlMs: number,
    takeOver?: Pick<LeaseHolder, 'runId' | 'pid' | 'host'>,
): Promise<void> => {
    const store = await openResultStore(resolveStoreSpec(db, {}, work));
    try {
        const got = await store.acquireLease(`run:${holder.runId}`, holder, ttlMs, takeOver);
        if (!got.acquired) throw new Error(`run lease not taken: held by pid ${got.holder.pid}`);
    } finally {
        await store.close();
    }
};

const waitFor = async (what: string, ok: () => boolean, ms = 120_000): Promise<void> => {
    const deadline = Date.now() + ms;
    const check = (): boolean => {
        try {
            return ok();
        } catch {
            return false; // the database or its tables do not exist yet
        }
    };
    while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
    }
};

describe.each([sqlite, postgres])('run liveness ($name)', (b) => {
    it('--resume of a live run is refused naming its process; after kill -9 runs list says so and resume takes over', async () => {
        const db = await b.fresh();
        const file = `live-${b.name}.yaml`;
        // two estimate jobs of ≥ 5 s each: the first is in flight while the resume is tried
        writeFileSync(join(work, file), campaign(`live-${b.name}`, 'ue1', 'srv1', { minSecs: 5, modes: 'estimate' }));
        const first = startCli(['run', file, '--db', db], work);
        const pid = first.child.pid;
        await waitFor(
            'a running job',
            () => b.rows(db, "SELECT count(*) FROM jobs WHERE state = 'running'").join() === '1',
        );
        const [[runId]] = b.rows(db, 'SELECT id FROM runs') as [[string]];
        const me = `pid ${pid} on host ${hostname()} (user ${userInfo().username})`;

        const live = await runCli(['runs', 'list', '--db', db], work);
        expect(live.code).toBe(0);
        expect(live.stdout).toMatch(
            new RegExp(`^${runId}\\s+live-${b.name}\\s+running \\(pid ${pid} on ${hostname()}\\)\\s`, 'm'),
        );

        const [[jobId, startedBefore]] = b.rows(db, "SELECT id, started_at FROM jobs WHERE state = 'running'") as [
            [string, string],
        ];
        const refused = await runCli(['run', file, '--db', db, '--resume', runId], work);
        expect(refused.code).toBe(1);
        expect(refused.stderr.trim().split('\n')).toEqual([
            expect.stringMatching(
                new RegExp(
                    `^splitbench: run ${runId} is being measured by ${me.replace(/[()]/g, '\\$&')} since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ, lease renewed .*Z; wait for it or stop it$`,
                ),
            ),
        ]);
        // nothing of the live run was touched: its job was not sent back to the queue (it may have finished since)
        const [[stateNow, startedNow]] = b.rows(db, `SELECT state, started_at FROM jobs WHERE id = '${jobId}'`) as [
            [string, string],
        ];
        expect(['running', 'done']).toContain(stateNow);
        expect(startedNow).toBe(startedBefore);

        // kill -9 while a job is in flight
        await waitFor(
            'a running job',
            () => b.rows(db, "SELECT count(*) FROM jobs WHERE state = 'running'").join() === '1',
        );
        first.child.kill('SIGKILL');
        await first.done;
        const killedAt = Date.now();
        const [[killedJob]] = b.rows(db, "SELECT id FROM jobs WHERE state = 'running'") as [[string]];
        const dead = await runCli(['runs', 'list', '--db', db], work);
        expect(dead.stdout).toMatch(
            new RegExp(
                `^${runId}\\s+live-${b.name}\\s+interrupted \\(holder gone: pid ${pid} on ${hostname()}\\)\\s`,
                'm',
            ),
        );

        const show = await runCli(['runs', 'show', runId, '--db', db], work);
        expect(show.stdout).toContain(`\nstate      interrupted (holder gone: pid ${pid} on ${hostname()})\n`);

        // the run's lease as a holder on another host leaves it: its pid cannot be checked from here, so only the
        // lease's expiry tells; unexpired, a resume is refused naming that host
        const other = { runId, user: 'alice', host: 'lab-other', pid: 4242 };
        await holdRunLease(db, other, 600_000, { runId, pid: pid ?? 0, host: hostname() });
        expect((await runCli(['runs', 'list', '--db', db], work)).stdout).toMatch(
            new RegExp(`^${runId}\\s+live-${b.name}\\s+running \\(pid 4242 on lab-other\\)\\s`, 'm'),
        );
        const elsewhere = await runCli(['run', file, '--db', db, '--resume', runId], work);
        expect(elsewhere.code).toBe(1);
        expect(elsewhere.stderr).toMatch(
            new RegExp(
                `^splitbench: run ${runId} is being measured by pid 4242 on host lab-other \\(user alice\\) since .*; wait for it or stop it\n$`,
            ),
        );
        // expired: runs list says so, and the resume takes the run over
        await holdRunLease(db, other, 1);
        await new Promise((r) => setTimeout(r, 20));
        expect((await runCli(['runs', 'list', '--db', db], work)).stdout).toMatch(
            new RegExp(
                `^${runId}\\s+live-${b.name}\\s+interrupted \\(lease expired \\d{4}-\\d\\d-\\d\\d [\\d:]+Z: pid 4242 on lab-other\\)\\s`,
                'm',
            ),
        );

        const resumed = await runCli(['run', file, '--db', db, '--resume', runId], work);
        expect(resumed.code).toBe(0);
        // the killed process's device and host leases are taken over, naming it
        expect(resumed.stderr).toContain(
            `: took over the lease of run ${runId} (user ${userInfo().username} on host ${hostname()}, pid ${pid})`,
        );
        expect(b.rows(db, `SELECT state FROM runs WHERE id = '${runId}'`)).toEqual([['done']]);
        // the killed attempt counts, and the job's start is the resumed attempt's, not the killed one's
        const [[state, attempts, started]] = b.rows(
            db,
            `SELECT state, attempts, started_at FROM jobs WHERE id = '${killedJob}'`,
        ) as [[string, string, string]];
        expect([state, attempts]).toEqual(['done', '2']);
        expect(Date.parse(started)).toBeGreaterThanOrEqual(killedAt);
        expect(b.rows(db, 'SELECT count(*) FROM device_leases')).toEqual([['0']]);
        const after = await runCli(['runs', 'list', '--db', db], work);
        expect(after.stdout).toMatch(new RegExp(`^${runId}\\s+live-${b.name}\\s+done\\s`, 'm'));
    }, 300_000);
});

describe('two runs on one physical host (SQLite)', () => {
    it('campaigns with different device files on this machine take turns on its host lease; no jobs overlap', async () => {
        const db = await sqlite.fresh();
        writeFileSync(join(work, 'p.yaml'), campaign('p', 'ue2', 'srv2', { minSecs: 0, modes: 'estimate, measure' }));
        writeFileSync(join(work, 'q.yaml'), campaign('q', 'ue3', 'srv3', { minSecs: 0, modes: 'estimate, measure' }));
        const p = startCli(['run', 'p.yaml', '--db', db], work);
        const q = startCli(['run', 'q.yaml', '--db', db], work);
        const [rp, rq] = await Promise.all([p.done, q.done]);
        expect([rp.code, rq.code]).toEqual([0, 0]);
        const runs = new Map(sqlite.rows(db, 'SELECT campaign_name, id FROM runs') as [string, string][]);
        // whichever started second waited, naming the first run
        const waited = [
            [rp.stderr, runs.get('q')],
            [rq.stderr, runs.get('p')],
        ].filter(([err, other]) =>
            new RegExp(
                `physical host linux:${MACHINE_ID} is held by run ${other} \\(user \\S+ on host \\S+, pid \\d+\\) since .*; waiting`,
            ).test(err ?? ''),
        );
        expect(waited).toHaveLength(1);
        // estimate on the UE and the server, the two baselines, head and tail at split 3: 6 jobs per run
        const jobs = sqlite.rows(
            db,
            "SELECT run_id, started_at, ended_at FROM jobs WHERE state = 'done' ORDER BY started_at",
        );
        expect(jobs).toHaveLength(12);
        for (let i = 1; i < jobs.length; i++)
            expect(Date.parse(jobs[i]![1]!)).toBeGreaterThanOrEqual(Date.parse(jobs[i - 1]![2]!));
        expect(sqlite.rows(db, 'SELECT count(*) FROM device_leases')).toEqual([['0']]);
    }, 300_000);

    it("--no-wait fails the second campaign's jobs at once, naming the run that holds the host", async () => {
        const db = await sqlite.fresh();
        writeFileSync(join(work, 'p2.yaml'), campaign('p2', 'ue2', 'srv2', { minSecs: 5, modes: 'estimate' }));
        writeFileSync(join(work, 'q2.yaml'), campaign('q2', 'ue3', 'srv3', { minSecs: 0, modes: 'estimate' }));
        const p = startCli(['run', 'p2.yaml', '--db', db], work);
        await waitFor(
            'the host lease',
            () => sqlite.rows(db, "SELECT count(*) FROM device_leases WHERE device LIKE 'host:%'").join() === '1',
        );
        const q = await runCli(['run', 'q2.yaml', '--db', db, '--no-wait'], work);
        const rp = await p.done;
        expect([rp.code, q.code]).toEqual([0, 1]);
        const runs = new Map(sqlite.rows(db, 'SELECT campaign_name, id FROM runs') as [string, string][]);
        const errors = sqlite.rows(
            db,
            `SELECT device, state, error FROM jobs WHERE run_id = '${runs.get('q2')}' ORDER BY device`,
        );
        const held = new RegExp(
            `^physical host linux:${MACHINE_ID} is held by run ${runs.get('p2')} \\(user \\S+ on host \\S+, pid ${p.child.pid}\\) since .*Z, lease expires .*Z unless renewed$`,
        );
        expect(errors.map(([d, st]) => [d, st])).toEqual([
            ['srv3', 'failed'],
            ['ue3', 'failed'],
        ]);
        for (const [, , error] of errors) expect(error).toMatch(held);
    }, 300_000);
});
