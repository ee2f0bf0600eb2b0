// `splitbench devices list` shows who holds which device, from the results database (SQLite file or PostgreSQL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResultStore, resolveStoreSpec } from '../../../src/store/store-spec.js';
import { runCli } from '../../support/cli.js';
import { startPostgres, type PostgresHandle } from '../../support/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'splitbench-dl-'));
let pg: PostgresHandle;
beforeAll(async () => {
    pg = await startPostgres();
    const add = await runCli(['devices', 'add', 'me', '--local'], dir);
    expect(add.code).toBe(0);
});
afterAll(async () => {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
});

const holdLease = async (db: string, device: string, runId: string, ttlMs: number): Promise<string> => {
    const store = await openResultStore(resolveStoreSpec(db, {}, dir));
    try {
        const got = await store.acquireLease(device, { runId, user: 'alice', host: 'lab1', pid: 4242 }, ttlMs);
        if (!got.acquired) throw new Error('lease not taken');
        return got.lease.since.slice(0, 19).replace('T', ' ');
    } finally {
        await store.close();
    }
};

describe('devices list with leases', () => {
    it('no database yet: the device table alone; then the SQLite file lists its leases', async () => {
        const plain = await runCli(['devices', 'list'], dir);
        expect(plain.code).toBe(0);
        expect(plain.stdout).not.toContain('lease');
        const since = await holdLease('results/splitbench.db', 'me', 'run-1', 600_000);
        await holdLease('results/splitbench.db', 'old', 'run-0', 1);
        const listed = await runCli(['devices', 'list'], dir);
        expect(listed.code).toBe(0);
        const lines = listed.stdout.trimEnd().split('\n');
        expect(lines.slice(2)).toEqual([
            `device leases in ${join(dir, 'results', 'splitbench.db')}:`,
            expect.stringMatching(
                new RegExp(
                    `^  me   held by run run-1 \\(user alice on host lab1, pid 4242\\) since ${since}Z, expires \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
                ),
            ),
            expect.stringMatching(
                /^ {2}old {2}expired lease of run run-0 \(user alice on host lab1, pid 4242\) since .*Z, expired .*Z$/,
            ),
        ]);
    });

    it("--db postgres://… lists that database's leases, naming it without the password", async () => {
        const url = await pg.createDatabase();
        await holdLease(url, 'me', 'run-pg', 600_000);
        const listed = await runCli(['devices', 'list', '--db', url], dir);
        expect(listed.code).toBe(0);
        expect(listed.stdout).toContain(
            `device leases in ${url.replace(`:${pg.password}@`, ':***@')}:\n  me  held by run run-pg (user alice on host lab1, pid 4242) since `,
        );
        expect(listed.stdout + listed.stderr).not.toContain(pg.password);
    });
});
