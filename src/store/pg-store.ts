// The results store on PostgreSQL (node-postgres), for labs where several people and hosts share one database.
// The only module that imports `pg`: it owns the pool, the schema migrations and the transactions, and hands the
// queries (pg-runs.ts, pg-jobs.ts, pg-results.ts, pg-leases.ts, pg-import.ts) a connection without pg's types.
// Same schema and semantics as the SQLite backend (src/store/migrations.ts `postgres` dialect). Messages name the
// database by its URL without the password (redactUrl).
import pg from 'pg';
import type { PoolClient } from 'pg';
import type { DeviceProbe } from '../drivers/types.js';
import { SplitbenchError, messageOf } from '../errors.js';
import type { Job, JobIdentity } from '../plan/types.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { CONNECT_CODES, connectError, rootError } from './pg-errors.js';
import { importRunBundle, type SqlRunner } from './pg-import.js';
import * as jobsQ from './pg-jobs.js';
import { acquireLeaseIn, listLeasesIn, releaseLeasesIn, renewLeasesIn } from './pg-leases.js';
import { recordSplitChecksPg, splitChecksPg } from './split-checks.js';
import type { SplitCheckRecord } from '../report/split-checks.js';
import * as resultsQ from './pg-results.js';
import * as runsQ from './pg-runs.js';
import type { PgDb, PgSql } from './pg-sql.js';
import type { OpenStoreOptions } from './sqlite-store.js';
import type { Row, RunBundle } from './store-copy.js';
import { redactUrl } from './store-spec.js';
import type {
    AsyncResultStore,
    DeviceLease,
    JobRecord,
    JobResultRecord,
    JobScope,
    LeaseAttempt,
    LeaseHolder,
    MeasuredJob,
    ModelRecord,
    NewRun,
    RawOutput,
    ResultInput,
    RunRecord,
    RunState,
    RunSummary,
} from './types.js';

// Serializes schema migrations between orchestrators opening the same database at once (any fixed bigint).
const MIGRATION_LOCK = 0x5b1e_7b3e;

type Queryable = Pick<PoolClient, 'query'>;

export class PgStore implements AsyncResultStore {
    readonly backend = 'postgres';
    /** The URL without its password. */
    readonly path: string;
    private readonly pool: pg.Pool;
    /** The pool as the query modules see it. */
    private readonly db: PgDb;

    private constructor(pool: pg.Pool, url: string, now: () => Date) {
        this.pool = pool;
        this.path = redactUrl(url);
        this.db = {
            path: this.path,
            now,
            stamp: () => now().toISOString(),
            ...this.sqlOn(pool),
            tx: (f) => this.tx((c) => f(this.sqlOn(c))),
        };
    }

    /**
     * Connects, then creates or migrates the schema (one transaction under an advisory lock, so concurrent opens
     * migrate once). Throws CONFIG_INVALID for an unreachable server, a refused login, a missing database or a
     * schema newer than this splitbench; NOT_FOUND with `mustExist` when the database holds no splitbench schema.
     */
    static async open(url: string, opts: OpenStoreOptions = {}): Promise<PgStore> {
        const pool = new pg.Pool({
            connectionString: url,
            max: 4,
            connectionTimeoutMillis: 10_000,
            application_name: 'splitbench',
        });
        // An idle client losing its server emits on the pool; the next query reports the failure instead.
        pool.on('error', () => undefined);
        const store = new PgStore(pool, url, opts.now ?? ((): Date => new Date()));
        let client: PoolClient;
        try {
            client = await pool.connect();
        } catch (e) {
            await pool.end().catch(() => undefined);
            throw connectError(e, url);
        }
        try {
            await store.migrate(client, opts.mustExist === true);
        } catch (e) {
            client.release();
            await pool.end().catch(() => undefined);
            if (e instanceof SplitbenchError) throw e;
            throw new SplitbenchError('STORE_FAILED', `results database ${store.path}: ${messageOf(e)}`, { cause: e });
        }
        client.release();
        return store;
    }

    private async migrate(c: PoolClient, mustExist: boolean): Promise<void> {
        await c.query('BEGIN');
        try {
            await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
            const exists = await c.query<{ t: string | null }>("SELECT to_regclass('splitbench_schema')::text AS t");
            if (exists.rows[0]?.t == null) {
                if (mustExist)
                    throw new SplitbenchError(
                        'NOT_FOUND',
                        `no splitbench results in ${this.path} (run a campaign with --db ${this.path} first)`,
                    );
                await c.query('CREATE TABLE splitbench_schema (version INTEGER NOT NULL, applied_at TEXT NOT NULL)');
            }
            const v = await c.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM splitbench_schema');
            const current = v.rows[0]?.v ?? 0;
            if (current > SCHEMA_VERSION)
                throw new SplitbenchError(
                    'CONFIG_INVALID',
                    `results database ${this.path} has schema version ${current}, newer than this splitbench (${SCHEMA_VERSION}); upgrade splitbench`,
                );
            for (const m of MIGRATIONS) {
                if (m.version <= current) continue;
                await c.query(m.postgres);
                // the wall clock, not the injected one: when a schema changed is a fact about the database
                await c.query('INSERT INTO splitbench_schema (version, applied_at) VALUES ($1, $2)', [
                    m.version,
                    new Date().toISOString(),
                ]);
            }
            await c.query('COMMIT');
        } catch (e) {
            await c.query('ROLLBACK').catch(() => undefined);
            throw e;
        }
    }

    /** Schema version recorded in the database. */
    async schemaVersion(): Promise<number> {
        const r = await this.db.q<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM splitbench_schema');
        return r[0]?.v ?? 0;
    }

    /** Statements on the pool or on one client, with errors as SplitbenchErrors naming the database. */
    private sqlOn(on: Queryable): PgSql {
        return {
            q: async <R>(sql: string, args: readonly unknown[] = []): Promise<R[]> => {
                try {
                    return (await on.query(sql, args as unknown[])).rows as R[];
                } catch (e) {
                    throw this.wrap(e);
                }
            },
            exec: async (sql, args = []) => {
                try {
                    return (await on.query(sql, args as unknown[])).rowCount ?? 0;
                } catch (e) {
                    throw this.wrap(e);
                }
            },
        };
    }

    private wrap(e: unknown): SplitbenchError {
        if (e instanceof SplitbenchError) return e;
        const code = (rootError(e) as { code?: unknown } | null)?.code;
        if (typeof code === 'string' && CONNECT_CODES.has(code)) return connectError(e, this.path);
        return new SplitbenchError('STORE_FAILED', `results database ${this.path}: ${messageOf(rootError(e))}`, {
            cause: e,
        });
    }

    /** Runs `f` in one transaction on one pooled connection; rolls back on any error. */
    private async tx<T>(f: (c: PoolClient) => Promise<T>): Promise<T> {
        let c: PoolClient;
        try {
            c = await this.pool.connect();
        } catch (e) {
            throw connectError(e, this.path);
        }
        try {
            await c.query('BEGIN');
            const out = await f(c);
            await c.query('COMMIT');
            return out;
        } catch (e) {
            await c.query('ROLLBACK').catch(() => undefined);
            throw this.wrap(e);
        } finally {
            c.release();
        }
    }

    createRun(run: NewRun): Promise<RunRecord> {
        return runsQ.createRun(this.db, run);
    }

    setRunState(runId: string, state: RunState): Promise<void> {
        return runsQ.setRunState(this.db, runId, state);
    }

    findResumableRun(campaignSha256: string): Promise<RunRecord | undefined> {
        return runsQ.findResumableRun(this.db, campaignSha256);
    }

    getRun(ref: string): Promise<RunRecord> {
        return runsQ.getRun(this.db, ref);
    }

    listRuns(opts: { campaignName?: string | undefined; limit?: number | undefined } = {}): Promise<RunSummary[]> {
        return runsQ.listRuns(this.db, opts);
    }

    recordProbe(runId: string, device: string, probe: DeviceProbe): Promise<number> {
        return runsQ.recordProbe(this.db, runId, device, probe);
    }

    upsertModel(m: ModelRecord): Promise<void> {
        return runsQ.upsertModel(this.db, m);
    }

    mergeRunOptions(runId: string, patch: Readonly<Record<string, unknown>>): Promise<void> {
        return runsQ.mergeRunOptions(this.db, runId, patch);
    }

    setRunOptions(runId: string, options: Readonly<Record<string, unknown>>): Promise<void> {
        return runsQ.setRunOptions(this.db, runId, options);
    }

    upsertJobs(runId: string, jobs: readonly Job[]): Promise<void> {
        return jobsQ.upsertJobs(this.db, runId, jobs);
    }

    requeueWithoutResult(runId: string): Promise<number> {
        return jobsQ.requeueWithoutResult(this.db, runId);
    }

    setJobIdentities(
        runId: string,
        entries: readonly { jobId: string; key: string; identity: JobIdentity }[],
    ): Promise<void> {
        return jobsQ.setJobIdentities(this.db, runId, entries);
    }

    resetUnfinished(runId: string): Promise<number> {
        return jobsQ.resetUnfinished(this.db, runId);
    }

    markJobRunning(runId: string, jobId: string, attempt?: number): Promise<void> {
        return jobsQ.markJobRunning(this.db, runId, jobId, attempt);
    }

    recordAttempt(runId: string, jobId: string, attempt: number, raw: RawOutput): Promise<void> {
        return jobsQ.recordAttempt(this.db, runId, jobId, attempt, raw);
    }

    recordResult(runId: string, jobId: string, r: ResultInput): Promise<void> {
        return jobsQ.recordResult(this.db, runId, jobId, r);
    }

    markJobFailed(runId: string, jobId: string, error: string): Promise<void> {
        return jobsQ.markJobFailed(this.db, runId, jobId, error);
    }

    measuredJobs(scope: JobScope): Promise<MeasuredJob[]> {
        return resultsQ.measuredJobs(this.db, scope);
    }

    doneJobIds(scope: JobScope): Promise<Set<string>> {
        return resultsQ.doneJobIds(this.db, scope);
    }

    jobs(runId: string): Promise<JobRecord[]> {
        return resultsQ.jobs(this.db, runId);
    }

    jobResults(scope: JobScope): Promise<JobResultRecord[]> {
        return resultsQ.jobResults(this.db, scope);
    }

    /** Raw outputs of one job (all attempts), for re-parsing and `runs show`. */
    rawOutputs(runId: string, jobId: string): Promise<(RawOutput & { attempt: number })[]> {
        return resultsQ.rawOutputs(this.db, runId, jobId);
    }

    lastAvgUs(jobIds: Iterable<string>): Promise<Map<string, number>> {
        return resultsQ.lastAvgUs(this.db, jobIds);
    }

    recordSplitChecks(runId: string, checks: readonly SplitCheckRecord[]): Promise<void> {
        const at = this.db.stamp();
        return this.db.tx((t) => recordSplitChecksPg(t, runId, checks, at));
    }

    splitChecks(runId: string): Promise<SplitCheckRecord[]> {
        return splitChecksPg(this.db, runId);
    }

    async acquireLease(
        device: string,
        holder: LeaseHolder,
        ttlMs: number,
        takeOver?: Pick<DeviceLease, 'runId' | 'pid' | 'host'>,
    ): Promise<LeaseAttempt> {
        return this.tx((c) => acquireLeaseIn(this.runner(c), device, holder, ttlMs, takeOver));
    }

    async renewLeases(runId: string, devices: readonly string[], ttlMs: number): Promise<string[]> {
        return renewLeasesIn(this.runner(), runId, devices, ttlMs);
    }

    async releaseLeases(runId: string, devices: readonly string[]): Promise<void> {
        await releaseLeasesIn(this.runner(), runId, devices);
    }

    async listLeases(): Promise<DeviceLease[]> {
        return listLeasesIn(this.runner());
    }

    /** Statements on one transaction's connection, or on the pool. */
    private runner(c?: PoolClient): SqlRunner {
        const on = this.sqlOn(c ?? this.pool);
        return (sql, args) => on.q<Row>(sql, args);
    }

    /** Whether a run with this id exists (store copy). */
    hasRun(runId: string): Promise<boolean> {
        return runsQ.hasRun(this.db, runId);
    }

    /** Adds a run exported from another store in one transaction; false when its id is already here (store copy). */
    async importRun(bundle: RunBundle): Promise<boolean> {
        return this.tx((c) => importRunBundle(this.runner(c), bundle));
    }

    async close(): Promise<void> {
        await this.pool.end().catch(() => undefined);
    }
}
