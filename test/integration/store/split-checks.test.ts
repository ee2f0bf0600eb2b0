// Head→tail verdicts in the store (table split_checks, schema version 5) on both backends, and carried by
// `store copy` from SQLite to PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SplitCheckRecord } from '../../../src/report/split-checks.js';
import { PgStore } from '../../../src/store/pg-store.js';
import { SqliteBackend } from '../../../src/store/sqlite-backend.js';
import { copyRuns } from '../../../src/store/store-copy.js';
import { openResultStore, type StoreSpec } from '../../../src/store/store-spec.js';
import type { AsyncResultStore } from '../../../src/store/types.js';
import { startPostgres, type PostgresHandle } from '../../support/postgres.js';
import { newRun } from '../../support/store-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'splitbench-checks-'));
let pg: PostgresHandle | undefined;
beforeAll(async () => {
    pg = await startPostgres();
});
afterAll(async () => {
    await pg?.stop();
    rmSync(root, { recursive: true, force: true });
});
let n = 0;

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const checks: SplitCheckRecord[] = [
    { modelId: 'pose', modelSha256: A, split: 153, status: 'fail', detail: "head→tail output 'Identity' differs" },
    { modelId: 'pose', modelSha256: A, split: 11, status: 'pass' },
    { modelId: 'det', modelSha256: B, split: 4, status: 'cannot-verify', detail: 'empty outputs' },
];

const BACKENDS: { name: string; spec: () => Promise<StoreSpec> }[] = [
    {
        name: 'sqlite',
        spec: () => Promise.resolve({ backend: 'sqlite', path: join(root, `s${n++}.db`), from: 'test' }),
    },
    { name: 'postgres', spec: async () => ({ backend: 'postgres', url: await pg!.createDatabase(), from: 'test' }) },
];

describe.each(BACKENDS)('split checks on $name', ({ spec }) => {
    let store: AsyncResultStore;
    beforeAll(async () => {
        store = await openResultStore(await spec());
    });
    afterAll(() => store.close());

    it('stores a run’s verdicts and reads them back by model and split; a split checked again is replaced', async () => {
        const run = await store.createRun(newRun());
        const other = await store.createRun(newRun());
        await store.recordSplitChecks(run.id, checks);
        await store.recordSplitChecks(other.id, [{ modelId: 'pose', modelSha256: A, split: 11, status: 'fail' }]);
        // ordered by model id, then split
        expect(await store.splitChecks(run.id)).toEqual([checks[2], checks[1], checks[0]]);
        // resume checked split 153 again and it passed now
        await store.recordSplitChecks(run.id, [{ modelId: 'pose', modelSha256: A, split: 153, status: 'pass' }]);
        expect(await store.splitChecks(run.id)).toEqual([
            checks[2],
            checks[1],
            { modelId: 'pose', modelSha256: A, split: 153, status: 'pass' },
        ]);
        expect(await store.splitChecks(other.id)).toEqual([
            { modelId: 'pose', modelSha256: A, split: 11, status: 'fail' },
        ]);
        expect(await store.splitChecks('no-such-run')).toEqual([]);
    });
});

describe('store copy', () => {
    it('carries the verdicts of each run from SQLite to PostgreSQL', async () => {
        const src = new SqliteBackend(join(root, 'copy.db'));
        const dst = await PgStore.open(await pg!.createDatabase());
        try {
            const run = await src.createRun(newRun());
            await src.recordSplitChecks(run.id, checks);
            const report = await copyRuns(src.sync, dst);
            expect(report.copied).toEqual([run.id]);
            expect(await dst.splitChecks(run.id)).toEqual([checks[2], checks[1], checks[0]]);
        } finally {
            await src.close();
            await dst.close();
        }
    });
});
