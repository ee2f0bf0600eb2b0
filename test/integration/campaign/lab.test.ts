// A lab's runs against one PostgreSQL results database (a private server, test/support/postgres.ts): the CLI
// campaign with --db postgres://…, and two orchestrators whose device sets overlap taking turns on the shared
// device through its lease (stored start/end times never overlap); kill -9 of one: the other takes the device,
// and --resume of the killed run finishes it.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../support/cli.js';
import { writeTestModels, type TestModelSet } from '../../support/models.js';
import { startPostgres, type PostgresHandle } from '../../support/postgres.js';

let pg: PostgresHandle;
let work: string;
let models: TestModelSet;
beforeAll(async () => {
    pg = await startPostgres();
    work = mkdtempSync(join(tmpdir(), 'splitbench-lab-'));
    models = writeTestModels();
    mkdirSync(join(work, 'devices'));
    for (const name of ['ue1', 'ue2', 'srv'])
        writeFileSync(join(work, 'devices', `${name}.yaml`), `name: ${name}\nkind: local\nlocal: {}\n`);
});
afterAll(async () => {
    models?.cleanup();
    await pg?.stop();
    rmSync(work, { recursive: true, force: true });
});

const yaml = (name: string, ue: string, runs: number): string => `
name: ${name}
models: [{ id: residual, path: ${models.residual} }]
splits: [3, 6]
roles: { ue: [${ue}], server: [srv] }
settings:
    ue: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: ${runs}, minSecs: 0 }
    server: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: ${runs}, minSecs: 0 }
modes: [estimate, measure]
report: { formats: [json], outDir: reports }
`;

const rows = (db: string, sql: string): string[][] =>
    pg
        .psql(db, sql)
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('|'));

describe('lab runs on PostgreSQL', () => {
    it('runs a campaign with --db postgres://…, and runs list / report read it back', async () => {
        const url = await pg.createDatabase();
        const db = url.slice(url.lastIndexOf('/') + 1);
        writeFileSync(join(work, 'one.yaml'), yaml('one', 'ue1', 3));
        const r = await runCli(['run', 'one.yaml', '--db', url], work);
        expect(r.stderr).not.toContain(pg.password);
        expect(r.code).toBe(0);
        expect(existsSync(join(work, 'postgres:'))).toBe(false);
        const [[runId, state]] = rows(db, 'SELECT id, state FROM runs') as [[string, string]];
        expect(state).toBe('done');
        // estimate on ue1 and srv, one baseline each, head and tail per split: 2 + 2 + 2×2
        expect(rows(db, "SELECT count(*) FROM jobs WHERE state = 'done'")).toEqual([['8']]);
        expect(rows(db, 'SELECT count(*) FROM results')).toEqual([['8']]);
        expect(rows(db, 'SELECT count(*) FROM device_leases')).toEqual([['0']]);
        const list = await runCli(['runs', 'list', '--db', url], work);
        expect(list.code).toBe(0);
        expect(list.stdout).toMatch(new RegExp(`^${runId}\\s+one\\s+done\\s+.*8/0/8$`, 'm'));
        const report = await runCli(['report', runId, '--db', url, '--format', 'json'], work);
        expect(report.code).toBe(0);
        expect((JSON.parse(report.stdout) as { run: { id: string } }).run.id).toBe(runId);
    });

    it('two orchestrators sharing a device take turns; kill -9 of one frees it, --resume finishes the killed run', async () => {
        const url = await pg.createDatabase();
        const db = url.slice(url.lastIndexOf('/') + 1);
        writeFileSync(join(work, 'a.yaml'), yaml('a', 'ue1', 40));
        writeFileSync(join(work, 'b.yaml'), yaml('b', 'ue2', 40));
        const a = startCli(['run', 'a.yaml', '--db', url], work);
        const b = startCli(['run', 'b.yaml', '--db', url], work);
        const [ra, rb] = await Promise.all([a.done, b.done]);
        expect([ra.code, rb.code]).toEqual([0, 0]);
        // one of them waited for this machine (all three devices are local: one physical host) or for srv,
        // naming the other run
        expect(`${ra.stderr}${rb.stderr}`).toMatch(
            /(device srv|physical host \S+) is held by run \S+ \(user \S+ on host \S+, pid \d+\) since .*; waiting/,
        );
        const jobs = rows(
            db,
            "SELECT j.run_id, j.started_at, j.ended_at FROM jobs j WHERE j.device = 'srv' AND j.state = 'done' ORDER BY j.started_at",
        );
        expect(jobs).toHaveLength(8);
        for (let i = 1; i < jobs.length; i++) expect(jobs[i]![1]! >= jobs[i - 1]![2]!).toBe(true);

        // kill -9 the one holding srv mid-run (c's benchmarks are long): d, waiting for srv, takes it over at once
        // (same host, the holder's process is gone)
        writeFileSync(join(work, 'c.yaml'), yaml('c', 'ue1', 30000));
        writeFileSync(join(work, 'd.yaml'), yaml('d', 'ue2', 40));
        const c = startCli(['run', 'c.yaml', '--db', url], work);
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && rows(db, "SELECT run_id FROM device_leases WHERE device = 'srv'").length === 0)
            await new Promise((res) => setTimeout(res, 100));
        const d = startCli(['run', 'd.yaml', '--db', url], work);
        await new Promise<void>((res) => {
            let err = '';
            d.child.stderr?.on('data', (x: Buffer) => {
                err += x.toString();
                if (err.includes(' is held by run')) res();
            });
            void d.done.then(() => res());
        });
        c.child.kill('SIGKILL');
        await c.done;
        const rd = await d.done;
        expect(rd.code).toBe(0);
        const [[killed]] = rows(db, "SELECT id FROM runs WHERE campaign_name = 'c'") as [[string]];
        expect(rd.stderr).toMatch(
            new RegExp(
                `(device srv|physical host \\S+): took over the lease of run ${killed} .*that process no longer exists`,
            ),
        );
        const resumed = await runCli(['run', 'c.yaml', '--db', url, '--resume'], work);
        expect(resumed.code).toBe(0);
        expect(rows(db, `SELECT DISTINCT state FROM jobs WHERE run_id = '${killed}'`)).toEqual([['done']]);
        expect(rows(db, 'SELECT count(*) FROM device_leases')).toEqual([['0']]);
        // five CLI runs one after another: 20 s on a quiet 2-core host, over a minute when it is busy
    }, 300_000);
});
