// What the SQLite query modules (sqlite-runs.ts, sqlite-jobs.ts, sqlite-results.ts) need from the open database,
// provided by SqliteStore (src/store/sqlite-store.ts).
import type { Database as Db, Statement } from 'better-sqlite3';

export interface SqliteDb {
    readonly db: Db;
    /** The database file's absolute path, for messages. */
    readonly path: string;
    now(): Date;
    /** now() as an ISO 8601 timestamp, as stored. */
    stamp(): string;
    /** The statement, prepared once per connection (for statements run once per job or more). */
    stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R>;
    /** The job's surrogate key; NOT_FOUND when the run has no such job. */
    seqOf(runId: string, jobId: string): number;
}
