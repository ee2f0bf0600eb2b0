import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerRunsCommands } from '../../../src/cli/commands/runs.js';
import { isSplitbenchError } from '../../../src/errors.js';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { openStore, type SqliteStore } from '../../../src/store/sqlite-store.js';
import { makeJob, makeResult, MODEL_SHA, newRun } from '../../support/store-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'splitbench-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const tmpDb = (): string => join(root, `s${n++}`, 'splitbench.db');

const clock = () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    return () => new Date((t += 1000));
};

describe('SqliteStore', () => {
    let store: SqliteStore;
    beforeEach(() => {
        store = openStore(tmpDb(), { now: clock() });
        store.upsertModel({ sha256: MODEL_SHA, path: '/models/net.tflite', sizeBytes: 1000, opCount: 30 });
    });
    afterEach(() => store.close());

    it('creates the schema at the current version in WAL mode with foreign keys, and reopens without migrating again', () => {
        expect(store.info()).toEqual({ userVersion: SCHEMA_VERSION, journalMode: 'wal' });
        store.createRun(newRun({ id: 'r1' }));
        store.close();
        const again = openStore(store.path);
        expect(again.getRun('r1').campaignName).toBe('c1');
        expect(again.integrityCheck()).toBe('ok');
        again.close();
        const raw = new Database(store.path);
        expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        raw.pragma('foreign_keys = ON');
        expect(() =>
            raw
                .prepare("INSERT INTO probes (run_id, device, probe_json, taken_at) VALUES ('nope', 'd', '{}', 'x')")
                .run(),
        ).toThrow(/FOREIGN KEY/);
        raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
        raw.close();
        let err: unknown;
        try {
            openStore(store.path);
        } catch (e) {
            err = e;
        }
        expect(isSplitbenchError(err, 'CONFIG_INVALID')).toBe(true);
        expect((err as Error).message).toBe(
            `results database ${store.path} has schema version ${SCHEMA_VERSION + 1}, newer than this splitbench (${SCHEMA_VERSION}); upgrade splitbench`,
        );
        store = openStore(tmpDb());
    });

    it('migrates a version-1 database: earlier results read back with no load, new ones with theirs', () => {
        const path = tmpDb();
        const ok = { attempt: 1, raw: { stdout: 'x', stderr: '', exitCode: 0 } };
        const [old, a, b] = [makeJob({ split: 0 }), makeJob({ split: 1 }), makeJob({ split: 2 })];
        const v1 = openStore(path);
        v1.upsertModel({ sha256: MODEL_SHA, path: '/models/net.tflite', sizeBytes: 1000, opCount: 30 });
        v1.createRun(newRun({ id: 'r-load' }));
        v1.upsertJobs('r-load', [old, a, b]);
        v1.recordResult('r-load', old.id, { ...ok, parsed: makeResult() });
        v1.close();
        // roll the file back to version 1, as an older splitbench left it (its result stays)
        const raw = new Database(path);
        raw.exec('ALTER TABLE results DROP COLUMN load_json');
        raw.exec('DROP INDEX jobs_by_identity');
        raw.exec('ALTER TABLE jobs DROP COLUMN identity_key');
        raw.exec('ALTER TABLE jobs DROP COLUMN identity_json');
        raw.exec('DROP TABLE device_leases');
        raw.exec('DROP TABLE split_checks');
        raw.pragma('user_version = 1');
        raw.close();
        const again = openStore(path);
        try {
            expect(again.info().userVersion).toBe(SCHEMA_VERSION);
            const load = { loadAvg1Before: 0.4, loadAvg1After: 0.9, busyFraction: 0.75, otherBusy: 0.25 };
            again.recordResult('r-load', a.id, { ...ok, parsed: makeResult(), load });
            again.recordResult('r-load', b.id, { ...ok, parsed: makeResult() });
            const got = new Map(again.jobResults({ runId: 'r-load' }).map((r) => [r.id, r.load]));
            expect(got.get(old.id)).toBeNull();
            expect(got.get(a.id)).toEqual(load);
            expect(got.get(b.id)).toBeNull();
            // scheduling facts known after the probes land in the run's options beside what was there
            again.mergeRunOptions('r-load', { scheduling: { queues: [], parallelOnSharedHost: true } });
            expect(again.getRun('r-load').options).toEqual({ scheduling: { queues: [], parallelOnSharedHost: true } });
        } finally {
            again.close();
        }
    });

    it('refuses to create a database for read-only commands', () => {
        let err: unknown;
        try {
            openStore(join(root, 'absent', 'x.db'), { mustExist: true });
        } catch (e) {
            err = e;
        }
        expect(isSplitbenchError(err, 'NOT_FOUND')).toBe(true);
    });

    // Round trips, resume, scopes and leases: store-contract.test.ts runs them on both backends.
});

describe('crash safety', () => {
    it('a SIGKILLed writer leaves an intact database holding exactly the committed jobs', async () => {
        const db = tmpDb();
        const child = spawn(
            process.execPath,
            ['--import', 'tsx', resolve(import.meta.dirname, '../../support/store-crash-child.ts'), db, '40', '100'],
            {
                cwd: resolve(import.meta.dirname, '../../..'),
                stdio: ['ignore', 'pipe', 'pipe'],
            },
        );
        const committed: string[] = [];
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        await new Promise<void>((done, fail) => {
            let buf = '';
            child.stdout.on('data', (d: Buffer) => {
                buf += d.toString();
                const lines = buf.split('\n');
                buf = lines.pop() ?? '';
                for (const l of lines) if (l.startsWith('committed ')) committed.push(l.slice(10));
                if (committed.length >= 60 && child.exitCode === null) {
                    child.kill('SIGKILL');
                    done();
                }
            });
            child.on('exit', (code, signal) => {
                if (signal !== 'SIGKILL') fail(new Error(`child exited early (${code}): ${stderr}`));
            });
        });
        await new Promise((r) => child.once('close', r));

        const store = openStore(db);
        try {
            expect(store.integrityCheck()).toBe('ok');
            const jobs = store.jobs('crash-run');
            const done = jobs.filter((j) => j.state === 'done').map((j) => j.id);
            // everything the child reported is there; at most the one in flight more
            expect(done.slice(0, committed.length)).toEqual(committed);
            expect(done.length - committed.length).toBeLessThanOrEqual(1);
            const results = store.jobResults({ runId: 'crash-run' });
            expect(results.map((r) => r.id)).toEqual(done);
            for (const r of results) {
                expect(r.ops).toHaveLength(40);
                expect(r.samplesUs).toHaveLength(100);
            }
            expect(
                jobs.filter((j) => j.state !== 'done').every((j) => j.state === 'pending' || j.state === 'running'),
            ).toBe(true);
        } finally {
            store.close();
        }
    });
});

describe('splitbench runs', () => {
    const runCli = async (args: string[]): Promise<{ out: string; code: number | undefined }> => {
        const program = new Command('splitbench').exitOverride();
        registerRunsCommands(program);
        let out = '';
        const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
            out += String(chunk);
            return true;
        });
        try {
            await program.parseAsync(args, { from: 'user' });
            return { out, code: undefined };
        } finally {
            spy.mockRestore();
        }
    };

    it('lists runs and shows one with its jobs grouped by state', async () => {
        const db = tmpDb();
        const store = openStore(db, { now: clock() });
        store.upsertModel({ sha256: MODEL_SHA, path: '/models/net.tflite', sizeBytes: 1, opCount: 30 });
        const run = store.createRun(newRun({ id: '20260101-000000-abcd' }));
        const [a, b, c] = [
            makeJob({ split: 1 }),
            makeJob({ split: 2 }),
            makeJob({ kind: 'measure-tail', split: 2, device: 'srv' }),
        ];
        store.upsertJobs(run.id, [a, b, c]);
        store.markJobRunning(run.id, a.id, 1);
        store.recordResult(run.id, a.id, {
            attempt: 1,
            raw: { stdout: '', stderr: '', exitCode: 0 },
            parsed: makeResult(),
        });
        store.markJobRunning(run.id, c.id, 3);
        store.markJobFailed(run.id, c.id, 'device srv unreachable: connection refused\nstack…');
        store.setRunState(run.id, 'interrupted');
        store.close();

        const list = await runCli(['runs', 'list', '--db', db]);
        expect(list.out).toBe(
            [
                'id                    campaign  state        started               done/failed/total',
                '20260101-000000-abcd  c1        interrupted  2026-01-01 00:00:01Z  1/1/3',
                '',
            ].join('\n'),
        );
        const show = await runCli(['runs', 'show', '2026', '--db', db]);
        expect(show.out).toBe(
            [
                'run        20260101-000000-abcd',
                `campaign   c1 (/proj/configs/c1.yaml, sha256 ffffffffffff)`,
                'state      interrupted',
                'started    2026-01-01 00:00:01Z',
                'ended      2026-01-01 00:00:07Z',
                'splitbench 0.1.0 (git abc1234)',
                'jobs       1 done, 1 failed, 0 running, 1 pending, 3 total',
                '',
                'failed (1):',
                `  ${c.id}  measure-tail net@2 on srv (server) #0 [3 attempts]: device srv unreachable: connection refused`,
                '',
                'pending (1):',
                `  ${b.id}  measure-head net@2 on ue1 (ue) #0`,
                '',
                'done (1):',
                `  ${a.id}  measure-head net@1 on ue1 (ue) #0`,
                '',
            ].join('\n'),
        );
        const json = JSON.parse((await runCli(['runs', 'show', 'latest', '--db', db, '--json'])).out) as {
            run: { id: string };
            counts: Record<string, number>;
            jobs: { id: string; state: string }[];
        };
        expect(json.run.id).toBe(run.id);
        expect(json.counts).toEqual({ total: 3, pending: 1, running: 0, done: 1, failed: 1 });
        expect(json.jobs.map((j) => j.state)).toEqual(['done', 'pending', 'failed']);
        await expect(runCli(['runs', 'show', 'nope', '--db', db])).rejects.toThrow(/no run "nope"/);
        await expect(runCli(['runs', 'list', '--db', join(root, 'none.db')])).rejects.toThrow(/no results database at/);
    });
});
