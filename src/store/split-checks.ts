// The split_checks table (migration 5) on both backends: the head→tail verdict of every split a run measured.
// Rows ↔ records here; sqlite-store.ts and pg-store.ts call these.
import type { SplitCheckRecord, SplitCheckStatus } from '../report/split-checks.js';
import type { PgSql } from './pg-sql.js';
import type { SqliteDb } from './sqlite-db.js';

interface SplitCheckRow {
    model_sha256: string;
    model_id: string;
    split: number;
    status: SplitCheckStatus;
    detail: string | null;
}

const COLUMNS = ['run_id', 'model_sha256', 'model_id', 'split', 'status', 'detail', 'checked_at'] as const;
const SELECT = 'SELECT model_sha256, model_id, split, status, detail FROM split_checks';
const ORDER = 'ORDER BY model_id, model_sha256, split';

const toRecord = (r: SplitCheckRow): SplitCheckRecord => ({
    modelId: r.model_id,
    modelSha256: r.model_sha256,
    split: Number(r.split),
    status: r.status,
    ...(r.detail !== null ? { detail: r.detail } : {}),
});

const values = (runId: string, c: SplitCheckRecord, at: string): unknown[] => [
    runId,
    c.modelSha256,
    c.modelId,
    c.split,
    c.status,
    c.detail ?? null,
    at,
];

// a split checked again (resume) replaces its verdict
const UPSERT_TAIL = `ON CONFLICT (run_id, model_sha256, split) DO UPDATE SET model_id = excluded.model_id,
    status = excluded.status, detail = excluded.detail, checked_at = excluded.checked_at`;

/** SQLite: stores `checks` for the run in one transaction. */
export const recordSplitChecksSqlite = (s: SqliteDb, runId: string, checks: readonly SplitCheckRecord[]): void => {
    const at = s.stamp();
    const stmt = s.db.prepare(
        `INSERT INTO split_checks (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ${UPSERT_TAIL}`,
    );
    s.db.transaction(() => {
        for (const c of checks) stmt.run(...values(runId, c, at));
    })();
};

export const splitChecksSqlite = (s: SqliteDb, runId: string): SplitCheckRecord[] =>
    s.db.prepare<[string], SplitCheckRow>(`${SELECT} WHERE run_id = ? ${ORDER}`).all(runId).map(toRecord);

/** PostgreSQL: stores `checks` for the run; `on` is a transaction's connection. */
export const recordSplitChecksPg = async (
    on: PgSql,
    runId: string,
    checks: readonly SplitCheckRecord[],
    at: string,
): Promise<void> => {
    const params = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    for (const c of checks)
        await on.exec(
            `INSERT INTO split_checks (${COLUMNS.join(', ')}) VALUES (${params}) ${UPSERT_TAIL}`,
            values(runId, c, at),
        );
};

export const splitChecksPg = async (on: PgSql, runId: string): Promise<SplitCheckRecord[]> =>
    (await on.q<SplitCheckRow>(`${SELECT} WHERE run_id = $1 ${ORDER}`, [runId])).map(toRecord);
