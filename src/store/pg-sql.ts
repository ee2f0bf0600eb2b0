// What the PostgreSQL query modules (pg-runs.ts, pg-jobs.ts, pg-results.ts) need from a connection, without
// importing `pg` (src/store/pg-store.ts is its only importer and implements this).
import { SplitbenchError } from '../errors.js';

/** Statements on the pool, or on one transaction's connection. Errors are SplitbenchErrors naming the database. */
export interface PgSql {
    /** The statement's rows. */
    q<R>(sql: string, args?: readonly unknown[]): Promise<R[]>;
    /** The number of rows the statement changed. */
    exec(sql: string, args?: readonly unknown[]): Promise<number>;
}

export interface PgDb extends PgSql {
    /** The database URL without its password. */
    readonly path: string;
    now(): Date;
    /** now() as an ISO 8601 timestamp, as stored. */
    stamp(): string;
    /** Runs `f` in one transaction on one pooled connection; rolls back on any error. */
    tx<T>(f: (t: PgSql) => Promise<T>): Promise<T>;
}

/** `($from, $from+1, …), (…)`: `rows` groups of `cols` numbered parameters for a multi-row VALUES list. */
export const placeholders = (rows: number, cols: number, from = 1): string =>
    Array.from(
        { length: rows },
        (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${from + r * cols + c}`).join(', ')})`,
    ).join(', ');

/** The job's surrogate key; NOT_FOUND when the run has no such job. */
export const seqOf = async (on: PgSql, runId: string, jobId: string): Promise<number> => {
    const row = (await on.q<{ seq: number }>('SELECT seq FROM jobs WHERE run_id = $1 AND id = $2', [runId, jobId]))[0];
    if (row === undefined) throw new SplitbenchError('NOT_FOUND', `job ${jobId} is not part of run ${runId}`);
    return row.seq;
};
