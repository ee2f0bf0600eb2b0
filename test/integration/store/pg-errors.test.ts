// Bad input against a real PostgreSQL server: each a one-line SplitbenchError naming the URL without its password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../../src/store/migrations.js';
import { PgStore } from '../../../src/store/pg-store.js';
import { caught } from '../../support/errors.js';
import { freePort } from '../../support/net.js';
import { startPostgres, type PostgresHandle } from '../../support/postgres.js';
import { newRun } from '../../support/store-fixtures.js';

let pg: PostgresHandle;
beforeAll(async () => {
    pg = await startPostgres();
});
afterAll(() => pg?.stop());

describe('PostgreSQL store: bad input', () => {
    it('an unreachable server: CONFIG_INVALID naming the URL without the password', async () => {
        const port = await freePort();
        const err = await caught(PgStore.open(`postgres://splitbench:s3cret@127.0.0.1:${port}/lab`));
        expect(err.code).toBe('CONFIG_INVALID');
        expect(err.message).toBe(
            `cannot reach the results database postgres://splitbench:***@127.0.0.1:${port}/lab: connect ECONNREFUSED 127.0.0.1:${port}`,
        );
    });

    it('a wrong password and a missing database: CONFIG_INVALID, one line, no password', async () => {
        const wrong = await caught(PgStore.open(`postgres://splitbench:wrong-pw@127.0.0.1:${pg.port}/postgres`));
        expect(wrong.code).toBe('CONFIG_INVALID');
        expect(wrong.message).toBe(
            `results database postgres://splitbench:***@127.0.0.1:${pg.port}/postgres: password authentication failed for user "splitbench" (give the password in the URL, in PGPASSWORD or in ~/.pgpass)`,
        );
        const missing = await caught(PgStore.open(pg.url('nolab')));
        expect(missing.code).toBe('CONFIG_INVALID');
        expect(missing.message).toBe(
            `results database postgres://splitbench:***@127.0.0.1:${pg.port}/nolab: database "nolab" does not exist (create it first: createdb)`,
        );
        for (const e of [wrong, missing]) {
            expect(e.message).not.toContain(pg.password);
            expect(e.message).not.toContain('\n');
        }
    });

    it('a database with a newer schema is refused and left as it was', async () => {
        const url = await pg.createDatabase();
        const db = url.slice(url.lastIndexOf('/') + 1);
        const store = await PgStore.open(url);
        await store.createRun(newRun({ id: 'kept' }));
        await store.close();
        pg.psql(db, `INSERT INTO splitbench_schema VALUES (${SCHEMA_VERSION + 1}, 'later')`);
        const err = await caught(PgStore.open(url));
        expect(err.code).toBe('CONFIG_INVALID');
        expect(err.message).toBe(
            `results database postgres://splitbench:***@127.0.0.1:${pg.port}/${db} has schema version ${SCHEMA_VERSION + 1}, newer than this splitbench (${SCHEMA_VERSION}); upgrade splitbench`,
        );
        expect(pg.psql(db, 'SELECT id FROM runs').trim()).toBe('kept');
    });

    it('read-only commands do not create a schema in an empty database', async () => {
        const url = await pg.createDatabase();
        const db = url.slice(url.lastIndexOf('/') + 1);
        const err = await caught(PgStore.open(url, { mustExist: true }));
        expect(err.code).toBe('NOT_FOUND');
        expect(err.message).toMatch(
            /^no splitbench results in postgres:\/\/splitbench:\*\*\*@127\.0\.0\.1:\d+\/t\d+_\d+ \(run a campaign/,
        );
        expect(pg.psql(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").trim()).toBe('0');
    });

    it('orchestrators opening a new database at once migrate it once', async () => {
        const url = await pg.createDatabase();
        const db = url.slice(url.lastIndexOf('/') + 1);
        const stores = await Promise.all([PgStore.open(url), PgStore.open(url), PgStore.open(url)]);
        expect(await Promise.all(stores.map((s) => s.schemaVersion()))).toEqual([
            SCHEMA_VERSION,
            SCHEMA_VERSION,
            SCHEMA_VERSION,
        ]);
        await Promise.all(stores.map((s) => s.close()));
        expect(pg.psql(db, 'SELECT version FROM splitbench_schema ORDER BY version').trim().split('\n')).toEqual([
            '1',
            '2',
            '3',
            '4',
            '5',
        ]);
    });
});
