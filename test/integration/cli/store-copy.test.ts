// `splitbench store copy` end to end: the built CLI copies an SQLite history with several runs into a private
// PostgreSQL server, twice; the second copy adds nothing and the rows read back equal the source's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../../../src/store/pg-store.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { SqliteBackend } from '../../../src/store/sqlite-backend.js';
import type { AsyncResultStore } from '../../../src/store/types.js';
import { runCli } from '../../support/cli.js';
import { freePort } from '../../support/net.js';
import { startPostgres, type PostgresHandle } from '../../support/postgres.js';
import { makeJob, makeResult, MODEL_SHA, newRun } from '../../support/store-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'splitbench-copy-'));
let pg: PostgresHandle;
beforeAll(async () => {
    pg = await startPostgres();
});
afterAll(async () => {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
});

/** Three runs: one done with probes, results and a retried attempt; one interrupted; one with a failed job. */
const fillSqlite = (file: string): void => {
    let t = Date.parse('2026-02-01T00:00:00Z');
    const s = new SqliteStore(file, { now: () => new Date((t += 1000)) });
    s.upsertModel({ sha256: MODEL_SHA, path: '/models/net.tflite', sizeBytes: 1000, opCount: 30 });
    for (const [i, id] of ['r1', 'r2', 'r3'].entries()) {
        s.createRun(newRun({ id, startedAt: new Date(Date.parse('2026-02-01T00:00:00Z') + i * 60_000) }));
        const probe = s.recordProbe(id, 'ue1', {
            kind: 'adb',
            probedAt: `2026-02-01T00:0${i}:30Z`,
            os: 'Android 10',
            arch: 'aarch64',
            abis: ['arm64-v8a'],
            cores: 8,
            coreMaxFreqKhz: [],
            governors: [],
            thermalC: { cpu: 40 + i },
            workDir: '/data/local/tmp/splitbench',
        });
        const jobs = [makeJob({ split: 1 }), makeJob({ split: 2 }), makeJob({ kind: 'estimate' })];
        s.upsertJobs(id, jobs);
        s.markJobRunning(id, jobs[0]!.id, 1);
        s.recordAttempt(id, jobs[0]!.id, 1, { stdout: 'half', stderr: 'reset', exitCode: null });
        s.markJobRunning(id, jobs[0]!.id, 2);
        s.recordResult(id, jobs[0]!.id, {
            attempt: 2,
            probeId: probe,
            raw: { argv: ['benchmark_model', `--graph=${id}`], stdout: 'out', stderr: '', exitCode: 0 },
            parsed: makeResult({ ops: 5, samples: 6, avgUs: 1000 + i }),
        });
        if (id === 'r3') {
            s.markJobRunning(id, jobs[1]!.id, 1);
            s.markJobFailed(id, jobs[1]!.id, 'device ue1 unreachable');
        }
        s.setRunState(id, id === 'r2' ? 'interrupted' : 'done');
    }
    s.close();
};

/** Everything a reader sees of a store, without the surrogate keys that differ between databases. */
const snapshot = async (s: AsyncResultStore) => {
    const runs = await s.listRuns();
    const out: unknown[] = [];
    for (const r of runs) {
        const jobs = await s.jobs(r.id);
        const raws = await Promise.all(jobs.map((j) => s.rawOutputs(r.id, j.id)));
        out.push({ run: r, jobs, raws, results: await s.jobResults({ runId: r.id }) });
    }
    out.push(await s.jobResults({ campaignName: 'c1' }));
    return out;
};

/** The CLI's one error line without its program-name prefix (the CLI owns that format). */
const oneLine = (stderr: string): string => stderr.replace(/^[\w-]+: /, '');

describe('splitbench store copy', () => {
    it('copies several runs into PostgreSQL; a second copy adds nothing and the data reads back the same', async () => {
        const file = join(dir, 'history.db');
        fillSqlite(file);
        const url = await pg.createDatabase();
        const shown = url.replace(`:${pg.password}@`, ':***@');
        const first = await runCli(['store', 'copy', '--from', file, '--to', url], dir);
        expect(first.stderr).toBe('');
        expect(first.code).toBe(0);
        expect(first.stdout).toBe(
            `copied  r1\ncopied  r2\ncopied  r3\n3 runs copied (9 jobs, 3 results), 0 already in ${shown}\n`,
        );
        const second = await runCli(['store', 'copy', '--from', file, '--to', url], dir);
        expect(second.code).toBe(0);
        expect(second.stdout).toBe(
            `present r1\npresent r2\npresent r3\n0 runs copied (0 jobs, 0 results), 3 already in ${shown}\n`,
        );
        const db = url.slice(url.lastIndexOf('/') + 1);
        expect(
            pg
                .psql(
                    db,
                    'SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM jobs), (SELECT count(*) FROM results), (SELECT count(*) FROM op_rows), (SELECT count(*) FROM raw_outputs), (SELECT count(*) FROM probes), (SELECT count(*) FROM models)',
                )
                .trim(),
        ).toBe('3|9|3|15|6|3|1');
        const src = new SqliteBackend(file, { mustExist: true });
        const dst = await PgStore.open(url, { mustExist: true });
        try {
            expect(await snapshot(dst)).toEqual(await snapshot(src));
        } finally {
            await src.close();
            await dst.close();
        }
    });

    it('bad targets: one line naming the URL without the password, exit 2', async () => {
        const file = join(dir, 'small.db');
        fillSqlite(file);
        const port = await freePort();
        const down = await runCli(
            ['store', 'copy', '--from', file, '--to', `postgres://lab:pw1@127.0.0.1:${port}/lab`],
            dir,
        );
        expect(down.code).toBe(2);
        expect(oneLine(down.stderr)).toBe(
            `cannot reach the results database postgres://lab:***@127.0.0.1:${port}/lab: connect ECONNREFUSED 127.0.0.1:${port}\n`,
        );
        const wrong = await runCli(
            ['store', 'copy', '--from', file, '--to', `postgres://splitbench:nope@127.0.0.1:${pg.port}/postgres`],
            dir,
        );
        expect(wrong.code).toBe(2);
        expect(oneLine(wrong.stderr)).toMatch(
            /^results database postgres:\/\/splitbench:\*\*\*@127\.0\.0\.1:\d+\/postgres: password authentication failed for user "splitbench" \(give the password in the URL, in PGPASSWORD or in ~\/\.pgpass\)\n$/,
        );
        const notPg = await runCli(['store', 'copy', '--from', file, '--to', join(dir, 'other.db')], dir);
        expect(notPg.code).toBe(2);
        expect(oneLine(notPg.stderr).split('\n')[0]).toBe(`--to ${join(dir, 'other.db')}: give a postgres:// URL`);
    });
});
