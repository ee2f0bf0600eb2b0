// The results store on SQLite (better-sqlite3, WAL): the connection, its schema migrations and the prepared
// statement cache; the queries are in sqlite-runs.ts, sqlite-jobs.ts and sqlite-results.ts. Each job's result is
// written in one transaction, so a process killed at any moment leaves whole jobs or nothing; WAL keeps the file
// consistent.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { DeviceProbe } from '../drivers/types.js';
import { SplitbenchError, messageOf } from '../errors.js';
import type { Job, JobIdentity } from '../plan/types.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import type { SqliteDb } from './sqlite-db.js';
import * as jobsQ from './sqlite-jobs.js';
import * as resultsQ from './sqlite-results.js';
import * as runsQ from './sqlite-runs.js';
import { recordSplitChecksSqlite, splitChecksSqlite } from './split-checks.js';
import type { SplitCheckRecord } from '../report/split-checks.js';
import type {
    JobRecord,
    JobResultRecord,
    JobScope,
    MeasuredJob,
    ModelRecord,
    NewRun,
    RawOutput,
    ResultInput,
    SyncResultStore,
    RunRecord,
    RunState,
    RunSummary,
} from './types.js';

/** Run ids are minted the same way by both backends (rows.ts). */
export { newRunId } from './rows.js';

export interface OpenStoreOptions {
    /** Fail with NOT_FOUND instead of creating a new database (read-only commands). */
    mustExist?: boolean | undefined;
    /** Clock for timestamps (tests). */
    now?: (() => Date) | undefined;
}

/**
 * Refuses a path that cannot be a results database before SQLite sees it: a folder (always), and with `mustExist`
 * a missing or empty file (SQLite would happily initialise a 0-byte file, turning a read into a write).
 * Throws SplitbenchError naming the path: NOT_FOUND (missing), BAD_INPUT (a folder, an empty file).
 */
const checkStoreFile = (path: string, mustExist: boolean): void => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory() === true)
        throw new SplitbenchError('BAD_INPUT', `${path} is a folder, not a results database file`);
    if (!mustExist) return;
    if (st === undefined)
        throw new SplitbenchError('NOT_FOUND', `no results database at ${path} (run a campaign first, or pass --db)`);
    if (st.size === 0) throw new SplitbenchError('BAD_INPUT', `${path} is empty: not a results database`);
};

export class SqliteStore implements SyncResultStore, SqliteDb {
    readonly path: string;
    private readonly conn: Db;
    readonly now: () => Date;
    private readonly seqStmt: Statement<[string, string], { seq: number }>;
    private readonly stmts = new Map<string, Statement>();

    constructor(path: string, opts: OpenStoreOptions = {}) {
        this.path = resolve(path);
        this.now = opts.now ?? ((): Date => new Date());
        checkStoreFile(this.path, opts.mustExist === true);
        try {
            mkdirSync(dirname(this.path), { recursive: true });
            this.conn = new Database(this.path, { fileMustExist: opts.mustExist === true });
            // Never turn someone's SQLite file into a splitbench store: a read needs our schema, and a write (run,
            // even --dry-run) may start a new store only in a new or empty file, not beside another program's tables.
            if ((this.conn.pragma('user_version', { simple: true }) as number) === 0) {
                const tables = this.conn
                    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                    .all()
                    .map((t) => (t as { name: string }).name);
                if (opts.mustExist === true || tables.length > 0) {
                    this.conn.close();
                    throw new SplitbenchError(
                        'BAD_INPUT',
                        `${this.path} is an SQLite database without splitbench results (no splitbench schema${tables.length > 0 ? `; tables: ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}` : ''}); pass the --db a campaign wrote, or a new file`,
                    );
                }
            }
            this.conn.pragma('journal_mode = WAL');
            // NORMAL in WAL mode: a committed transaction survives a process crash (not necessarily power loss).
            this.conn.pragma('synchronous = NORMAL');
            this.conn.pragma('foreign_keys = ON');
            this.conn.pragma('busy_timeout = 5000');
            this.migrate();
        } catch (e) {
            if (e instanceof SplitbenchError) throw e;
            if ((e as { code?: unknown }).code === 'SQLITE_NOTADB')
                throw new SplitbenchError('BAD_INPUT', `${this.path} is not a results database (not an SQLite file)`, {
                    cause: e,
                });
            throw new SplitbenchError('STORE_FAILED', `results database ${this.path}: ${messageOf(e)}`, { cause: e });
        }
        this.seqStmt = this.conn.prepare('SELECT seq FROM jobs WHERE run_id = ? AND id = ?');
    }

    /** Prepared once per connection: recordResult runs thousands of times per campaign. */
    stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
        let st = this.stmts.get(sql);
        if (st === undefined) {
            st = this.conn.prepare(sql);
            this.stmts.set(sql, st);
        }
        return st as unknown as Statement<P, R>;
    }

    private migrate(): void {
        const check = (current: number): void => {
            if (current > SCHEMA_VERSION)
                throw new SplitbenchError(
                    'CONFIG_INVALID',
                    `results database ${this.path} has schema version ${current}, newer than this splitbench (${SCHEMA_VERSION}); upgrade splitbench`,
                );
        };
        const version = (): number => this.conn.pragma('user_version', { simple: true }) as number;
        check(version());
        if (version() === SCHEMA_VERSION) return;
        // BEGIN IMMEDIATE and the version read again inside: two processes opening a new file at once (two
        // orchestrators sharing it) migrate it once; the second waits on the write lock, then finds nothing to do.
        this.conn
            .transaction(() => {
                const current = version();
                check(current);
                for (const m of MIGRATIONS) {
                    if (m.version <= current) continue;
                    this.conn.exec(m.sql);
                    this.conn.pragma(`user_version = ${m.version}`);
                }
            })
            .immediate();
    }

    /** The connection, for the query modules and the async backend's lease transactions (sqlite-backend.ts). */
    get db(): Db {
        return this.conn;
    }

    /** Schema version and journal mode, for tests and `runs` diagnostics. */
    info(): { userVersion: number; journalMode: string } {
        return {
            userVersion: this.conn.pragma('user_version', { simple: true }) as number,
            journalMode: this.conn.pragma('journal_mode', { simple: true }) as string,
        };
    }

    integrityCheck(): string {
        return this.conn.pragma('integrity_check', { simple: true }) as string;
    }

    stamp(): string {
        return this.now().toISOString();
    }

    seqOf(runId: string, jobId: string): number {
        const row = this.seqStmt.get(runId, jobId);
        if (row === undefined) throw new SplitbenchError('NOT_FOUND', `job ${jobId} is not part of run ${runId}`);
        return row.seq;
    }

    createRun(run: NewRun): RunRecord {
        return runsQ.createRun(this, run);
    }

    setRunState(runId: string, state: RunState): void {
        runsQ.setRunState(this, runId, state);
    }

    findResumableRun(campaignSha256: string): RunRecord | undefined {
        return runsQ.findResumableRun(this, campaignSha256);
    }

    getRun(ref: string): RunRecord {
        return runsQ.getRun(this, ref);
    }

    listRuns(opts: { campaignName?: string | undefined; limit?: number | undefined } = {}): RunSummary[] {
        return runsQ.listRuns(this, opts);
    }

    recordProbe(runId: string, device: string, probe: DeviceProbe): number {
        return runsQ.recordProbe(this, runId, device, probe);
    }

    mergeRunOptions(runId: string, patch: Readonly<Record<string, unknown>>): void {
        runsQ.mergeRunOptions(this, runId, patch);
    }

    setRunOptions(runId: string, options: Readonly<Record<string, unknown>>): void {
        runsQ.setRunOptions(this, runId, options);
    }

    upsertModel(m: ModelRecord): void {
        runsQ.upsertModel(this, m);
    }

    upsertJobs(runId: string, jobs: readonly Job[]): void {
        jobsQ.upsertJobs(this, runId, jobs);
    }

    resetUnfinished(runId: string): number {
        return jobsQ.resetUnfinished(this, runId);
    }

    requeueWithoutResult(runId: string): number {
        return jobsQ.requeueWithoutResult(this, runId);
    }

    setJobIdentities(runId: string, entries: readonly { jobId: string; key: string; identity: JobIdentity }[]): void {
        jobsQ.setJobIdentities(this, runId, entries);
    }

    markJobRunning(runId: string, jobId: string, attempt?: number): void {
        jobsQ.markJobRunning(this, runId, jobId, attempt);
    }

    recordAttempt(runId: string, jobId: string, attempt: number, raw: RawOutput): void {
        jobsQ.recordAttempt(this, runId, jobId, attempt, raw);
    }

    recordResult(runId: string, jobId: string, r: ResultInput): void {
        jobsQ.recordResult(this, runId, jobId, r);
    }

    markJobFailed(runId: string, jobId: string, error: string): void {
        jobsQ.markJobFailed(this, runId, jobId, error);
    }

    measuredJobs(scope: JobScope): MeasuredJob[] {
        return resultsQ.measuredJobs(this, scope);
    }

    doneJobIds(scope: JobScope): Set<string> {
        return resultsQ.doneJobIds(this, scope);
    }

    jobs(runId: string): JobRecord[] {
        return resultsQ.jobs(this, runId);
    }

    jobResults(scope: JobScope): JobResultRecord[] {
        return resultsQ.jobResults(this, scope);
    }

    /** Raw outputs of one job (all attempts), for re-parsing and `runs show`. */
    rawOutputs(runId: string, jobId: string): (RawOutput & { attempt: number })[] {
        return resultsQ.rawOutputs(this, runId, jobId);
    }

    lastAvgUs(jobIds: Iterable<string>): Map<string, number> {
        return resultsQ.lastAvgUs(this, jobIds);
    }

    recordSplitChecks(runId: string, checks: readonly SplitCheckRecord[]): void {
        recordSplitChecksSqlite(this, runId, checks);
    }

    splitChecks(runId: string): SplitCheckRecord[] {
        return splitChecksSqlite(this, runId);
    }

    close(): void {
        if (this.conn.open) this.conn.close();
    }
}

/** Opens (creating and migrating if needed) the results database at `path`. */
export const openStore = (path: string, opts: OpenStoreOptions = {}): SqliteStore => new SqliteStore(path, opts);
