// The results store on PostgreSQL (node-postgres), for labs where several people and hosts share one database.
// The only module that imports `pg`. Same schema and semantics as the SQLite backend (src/store/migrations.ts
// `postgres` dialect): each job's result is one transaction, so a killed orchestrator leaves whole jobs or nothing.
// Messages name the database by its URL without the password (redactUrl).
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import type { DeviceProbe } from '../drivers/types.js';
import { SplitbenchError, messageOf } from '../errors.js';
import type { Job, JobIdentity } from '../plan/types.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { CONNECT_CODES, connectError, rootError } from './pg-errors.js';
import { importRunBundle, type SqlRunner } from './pg-import.js';
import { acquireLeaseIn, listLeasesIn, releaseLeasesIn, renewLeasesIn } from './pg-leases.js';
import {
    OP_COLUMNS,
    RESULT_COLUMNS,
    opValues,
    resultValues,
    newRunId,
    stateAfterResult,
    toJob,
    toJobResult,
    toOp,
    toRawOutput,
    toRun,
    type JobRow,
    type OpRowRow,
    type RawOutputRow,
    type ResultRow,
    type RunRow,
} from './rows.js';
import type { OpenStoreOptions } from './sqlite-store.js';
import type { Row, RunBundle } from './store-copy.js';
import { redactUrl } from './store-spec.js';
import type {
    AsyncResultStore,
    DeviceLease,
    JobCounts,
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

const placeholders = (rows: number, cols: number, from = 1): string =>
    Array.from(
        { length: rows },
        (_, r) => `(${Array.from({ length: cols }, (_, c) => `$${from + r * cols + c}`).join(', ')})`,
    ).join(', ');

const scopeSql = (scope: JobScope): { where: string; arg: string } =>
    'runId' in scope
        ? { where: 'j.run_id = $1', arg: scope.runId }
        : 'campaignName' in scope
          ? { where: 'ru.campaign_name = $1', arg: scope.campaignName }
          : { where: 'ru.campaign_sha256 = $1', arg: scope.campaignSha256 };

export class PgStore implements AsyncResultStore {
    readonly backend = 'postgres';
    /** The URL without its password. */
    readonly path: string;
    private readonly pool: pg.Pool;
    private readonly now: () => Date;

    private constructor(pool: pg.Pool, url: string, now: () => Date) {
        this.pool = pool;
        this.path = redactUrl(url);
        this.now = now;
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
        const r = await this.q<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM splitbench_schema');
        return r[0]?.v ?? 0;
    }

    private stamp(): string {
        return this.now().toISOString();
    }

    private async q<R extends QueryResultRow>(
        sql: string,
        args: readonly unknown[] = [],
        on?: Queryable,
    ): Promise<R[]> {
        try {
            return (await (on ?? this.pool).query<R>(sql, args as unknown[])).rows;
        } catch (e) {
            throw this.wrap(e);
        }
    }

    private async exec(sql: string, args: readonly unknown[] = [], on?: Queryable): Promise<number> {
        try {
            return (await (on ?? this.pool).query(sql, args as unknown[])).rowCount ?? 0;
        } catch (e) {
            throw this.wrap(e);
        }
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

    private async seqOf(runId: string, jobId: string, on?: Queryable): Promise<number> {
        const rows = await this.q<{ seq: number }>(
            'SELECT seq FROM jobs WHERE run_id = $1 AND id = $2',
            [runId, jobId],
            on,
        );
        const row = rows[0];
        if (row === undefined) throw new SplitbenchError('NOT_FOUND', `job ${jobId} is not part of run ${runId}`);
        return row.seq;
    }

    async createRun(run: NewRun): Promise<RunRecord> {
        const started = run.startedAt ?? this.now();
        const id = run.id ?? newRunId(started);
        await this.exec(
            `INSERT INTO runs (id, campaign_name, campaign_path, campaign_sha256, campaign_yaml, splitbench_version,
             git_commit, options_json, started_at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'running')`,
            [
                id,
                run.campaignName,
                run.campaignPath,
                run.campaignSha256,
                run.campaignYaml,
                run.splitbenchVersion,
                run.gitCommit ?? null,
                JSON.stringify(run.options ?? {}),
                started.toISOString(),
            ],
        );
        return this.getRun(id);
    }

    async setRunState(runId: string, state: RunState): Promise<void> {
        const n = await this.exec('UPDATE runs SET state = $1, ended_at = $2 WHERE id = $3', [
            state,
            state === 'running' ? null : this.stamp(),
            runId,
        ]);
        if (n === 0) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${this.path}`);
    }

    async findResumableRun(campaignSha256: string): Promise<RunRecord | undefined> {
        const rows = await this.q<RunRow>(
            `SELECT * FROM runs WHERE campaign_sha256 = $1 AND state IN ('running', 'interrupted', 'failed')
             ORDER BY started_at DESC, rowid DESC LIMIT 1`,
            [campaignSha256],
        );
        return rows[0] === undefined ? undefined : toRun(rows[0]);
    }

    async getRun(ref: string): Promise<RunRecord> {
        const exact =
            ref === 'latest'
                ? await this.q<RunRow>('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1')
                : await this.q<RunRow>('SELECT * FROM runs WHERE id = $1', [ref]);
        if (exact[0] !== undefined) return toRun(exact[0]);
        const like = ref.replace(/[\\%_]/g, (c) => `\\${c}`);
        const rows = await this.q<RunRow>(
            "SELECT * FROM runs WHERE id LIKE $1 ESCAPE '\\' ORDER BY started_at, rowid LIMIT 6",
            [`${like}%`],
        );
        const [first, ...rest] = rows;
        if (first !== undefined && rest.length === 0) return toRun(first);
        if (first !== undefined)
            throw new SplitbenchError(
                'USAGE',
                `run "${ref}" is ambiguous: ${rows
                    .slice(0, 5)
                    .map((r) => r.id)
                    .join(', ')}${rows.length > 5 ? ', …' : ''}`,
            );
        throw new SplitbenchError('NOT_FOUND', `no run "${ref}" in ${this.path} (see "splitbench runs list")`);
    }

    async listRuns(
        opts: { campaignName?: string | undefined; limit?: number | undefined } = {},
    ): Promise<RunSummary[]> {
        const where = opts.campaignName === undefined ? '' : 'WHERE ru.campaign_name = $2';
        const args: unknown[] = [opts.limit ?? null];
        if (opts.campaignName !== undefined) args.push(opts.campaignName);
        const rows = await this.q<RunRow & JobCounts>(
            `SELECT ru.*, COUNT(j.seq)::int AS total,
                COUNT(*) FILTER (WHERE j.state = 'pending')::int AS pending,
                COUNT(*) FILTER (WHERE j.state = 'running')::int AS running,
                COUNT(*) FILTER (WHERE j.state = 'done')::int AS done,
                COUNT(*) FILTER (WHERE j.state = 'failed')::int AS failed
             FROM runs ru LEFT JOIN jobs j ON j.run_id = ru.id ${where}
             GROUP BY ru.id ORDER BY ru.started_at DESC, ru.rowid DESC LIMIT $1`,
            args,
        );
        return rows.map((r) => {
            const run: Partial<RunRecord> = toRun(r);
            delete run.campaignYaml;
            const jobs: JobCounts = {
                total: r.total,
                pending: r.pending,
                running: r.running,
                done: r.done,
                failed: r.failed,
            };
            return { ...(run as Omit<RunRecord, 'campaignYaml'>), jobs };
        });
    }

    async recordProbe(runId: string, device: string, probe: DeviceProbe): Promise<number> {
        const rows = await this.q<{ id: number }>(
            'INSERT INTO probes (run_id, device, probe_json, taken_at) VALUES ($1, $2, $3, $4) RETURNING id',
            [runId, device, JSON.stringify(probe), probe.probedAt || this.stamp()],
        );
        return rows[0]?.id ?? 0;
    }

    async upsertModel(m: ModelRecord): Promise<void> {
        await this.exec(
            `INSERT INTO models (sha256, path, size_bytes, op_count) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, size_bytes = excluded.size_bytes,
             op_count = COALESCE(excluded.op_count, models.op_count)`,
            [m.sha256, m.path, m.sizeBytes, m.opCount ?? null],
        );
    }

    async upsertJobs(runId: string, jobs: readonly Job[]): Promise<void> {
        const cols = 10;
        try {
            await this.tx(async (c) => {
                for (let i = 0; i < jobs.length; i += 500) {
                    const chunk = jobs.slice(i, i + 500);
                    await c.query(
                        `INSERT INTO jobs (run_id, id, kind, model_id, model_sha256, split, device, role, repetition,
                         settings_json) VALUES ${placeholders(chunk.length, cols)} ON CONFLICT (run_id, id) DO NOTHING`,
                        chunk.flatMap((j) => [
                            runId,
                            j.id,
                            j.kind,
                            j.modelId,
                            j.modelSha256,
                            j.split,
                            j.device,
                            j.role,
                            j.repetition,
                            JSON.stringify(j.settings),
                        ]),
                    );
                }
            });
        } catch (e) {
            throw new SplitbenchError(
                'STORE_FAILED',
                `cannot add jobs to run ${runId}: ${messageOf(e)} (models recorded with upsertModel first?)`,
                { cause: e },
            );
        }
    }

    async mergeRunOptions(runId: string, patch: Readonly<Record<string, unknown>>): Promise<void> {
        await this.tx(async (c) => {
            const rows = await this.q<{ options_json: string }>(
                'SELECT options_json FROM runs WHERE id = $1 FOR UPDATE',
                [runId],
                c,
            );
            const row = rows[0];
            if (row === undefined) throw new SplitbenchError('NOT_FOUND', `no run ${runId}`);
            const next = { ...(JSON.parse(row.options_json) as Record<string, unknown>), ...patch };
            await c.query('UPDATE runs SET options_json = $1 WHERE id = $2', [JSON.stringify(next), runId]);
        });
    }

    async requeueWithoutResult(runId: string): Promise<number> {
        return this.exec(
            `UPDATE jobs SET state = 'pending', error = NULL, started_at = NULL, ended_at = NULL WHERE run_id = $1 AND state IN ('running', 'failed')
             AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_seq = jobs.seq)`,
            [runId],
        );
    }

    async setRunOptions(runId: string, options: Readonly<Record<string, unknown>>): Promise<void> {
        const n = await this.exec('UPDATE runs SET options_json = $1 WHERE id = $2', [JSON.stringify(options), runId]);
        if (n === 0) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${this.path}`);
    }

    async setJobIdentities(
        runId: string,
        entries: readonly { jobId: string; key: string; identity: JobIdentity }[],
    ): Promise<void> {
        if (entries.length === 0) return;
        await this.tx(async (c) => {
            // one statement per chunk: UPDATE … FROM a VALUES list of (job id, key, identity)
            for (let i = 0; i < entries.length; i += 1000) {
                const chunk = entries.slice(i, i + 1000);
                await c.query(
                    `UPDATE jobs SET identity_key = v.k, identity_json = v.j FROM (VALUES ${placeholders(chunk.length, 3, 2)})
                     AS v(id, k, j) WHERE jobs.run_id = $1 AND jobs.id = v.id`,
                    [runId, ...chunk.flatMap((e) => [e.jobId, e.key, JSON.stringify(e.identity)])],
                );
            }
        });
    }

    async measuredJobs(scope: JobScope): Promise<MeasuredJob[]> {
        const { where, arg } = scopeSql(scope);
        const rows = await this.q<{ id: string; run_id: string; started_at: string; identity_key: string | null }>(
            `SELECT j.id, j.run_id, ru.started_at, j.identity_key FROM jobs j JOIN runs ru ON ru.id = j.run_id
             WHERE ${where} AND j.state = 'done' ORDER BY ru.started_at, j.seq`,
            [arg],
        );
        return rows.map((r) => ({
            id: r.id,
            runId: r.run_id,
            runStartedAt: r.started_at,
            identityKey: r.identity_key,
        }));
    }

    async resetUnfinished(runId: string): Promise<number> {
        return this.exec("UPDATE jobs SET state = 'pending' WHERE run_id = $1 AND state = 'running'", [runId]);
    }

    async markJobRunning(runId: string, jobId: string, attempt = 1): Promise<void> {
        const seq = await this.seqOf(runId, jobId);
        await this.exec(
            "UPDATE jobs SET state = 'running', attempts = GREATEST(attempts + 1, $1), started_at = COALESCE(started_at, $2), error = NULL WHERE seq = $3",
            [attempt, this.stamp(), seq],
        );
    }

    private async insertRaw(seq: number, attempt: number, raw: RawOutput, on?: Queryable): Promise<void> {
        await this.exec(
            `INSERT INTO raw_outputs (job_seq, attempt, argv_json, stdout, stderr, exit_code, duration_ms, parser_version, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (job_seq, attempt) DO UPDATE SET argv_json = excluded.argv_json, stdout = excluded.stdout,
             stderr = excluded.stderr, exit_code = excluded.exit_code, duration_ms = excluded.duration_ms,
             parser_version = excluded.parser_version, recorded_at = excluded.recorded_at`,
            [
                seq,
                attempt,
                raw.argv === undefined ? null : JSON.stringify(raw.argv),
                raw.stdout,
                raw.stderr,
                raw.exitCode,
                raw.durationMs ?? null,
                raw.parserVersion ?? null,
                this.stamp(),
            ],
            on,
        );
    }

    async recordAttempt(runId: string, jobId: string, attempt: number, raw: RawOutput): Promise<void> {
        await this.insertRaw(await this.seqOf(runId, jobId), attempt, raw);
    }

    async recordResult(runId: string, jobId: string, r: ResultInput): Promise<void> {
        const p = r.parsed;
        try {
            await this.tx(async (c) => {
                const seq = await this.seqOf(runId, jobId, c);
                await this.insertRaw(
                    seq,
                    r.attempt,
                    { ...r.raw, parserVersion: r.raw.parserVersion ?? p.parserVersion },
                    c,
                );
                await c.query('DELETE FROM op_rows WHERE job_seq = $1', [seq]);
                await c.query(
                    `INSERT INTO results (${RESULT_COLUMNS.join(', ')}) VALUES ${placeholders(1, RESULT_COLUMNS.length)}
                     ON CONFLICT (job_seq) DO UPDATE SET ${RESULT_COLUMNS.slice(1)
                         .map((col) => `${col} = excluded.${col}`)
                         .join(', ')}`,
                    resultValues(seq, r),
                );
                // multi-row inserts, under PostgreSQL's 65535-parameter limit
                for (let i = 0; i < p.ops.length; i += 1000) {
                    const chunk = p.ops.slice(i, i + 1000);
                    await c.query(
                        `INSERT INTO op_rows (${OP_COLUMNS.join(', ')}) VALUES ${placeholders(chunk.length, OP_COLUMNS.length)}`,
                        chunk.flatMap((o, k) => opValues(seq, i + k, o)),
                    );
                }
                const { state, error } = stateAfterResult(p);
                await c.query(
                    'UPDATE jobs SET state = $1, error = $2, attempts = GREATEST(attempts, $3), ended_at = $4 WHERE seq = $5',
                    [state, error, r.attempt, this.stamp(), seq],
                );
            });
        } catch (e) {
            if (e instanceof SplitbenchError && e.code !== 'STORE_FAILED') throw e;
            throw new SplitbenchError('STORE_FAILED', `cannot record result of job ${jobId}: ${messageOf(e)}`, {
                cause: e,
            });
        }
    }

    async markJobFailed(runId: string, jobId: string, error: string): Promise<void> {
        const seq = await this.seqOf(runId, jobId);
        await this.exec("UPDATE jobs SET state = 'failed', error = $1, ended_at = $2 WHERE seq = $3", [
            error,
            this.stamp(),
            seq,
        ]);
    }

    async doneJobIds(scope: JobScope): Promise<Set<string>> {
        const { where, arg } = scopeSql(scope);
        const rows = await this.q<{ id: string }>(
            `SELECT DISTINCT j.id FROM jobs j JOIN runs ru ON ru.id = j.run_id WHERE ${where} AND j.state = 'done'`,
            [arg],
        );
        return new Set(rows.map((r) => r.id));
    }

    async jobs(runId: string): Promise<JobRecord[]> {
        return (await this.q<JobRow>('SELECT * FROM jobs WHERE run_id = $1 ORDER BY seq', [runId])).map(toJob);
    }

    async jobResults(scope: JobScope): Promise<JobResultRecord[]> {
        const { where, arg } = scopeSql(scope);
        // Campaign scopes: the latest result per job id supersedes earlier ones (as in the SQLite backend).
        const rows = await this.q<ResultRow>(
            `WITH ranked AS (
                SELECT j.seq, ROW_NUMBER() OVER (PARTITION BY j.id ORDER BY ru.started_at DESC, j.seq DESC) AS rn
                FROM jobs j JOIN runs ru ON ru.id = j.run_id JOIN results r ON r.job_seq = j.seq WHERE ${where})
             SELECT j.*, r.*, m.path AS model_path FROM ranked k JOIN jobs j ON j.seq = k.seq
             JOIN results r ON r.job_seq = j.seq LEFT JOIN models m ON m.sha256 = j.model_sha256
             WHERE k.rn = 1 ORDER BY j.seq`,
            [arg],
        );
        // One round trip for all op rows and one for all probes: per-job queries cost a network round trip each.
        const seqs = rows.map((r) => r.seq);
        const ops = new Map<number, OpRowRow[]>();
        for (const o of await this.q<OpRowRow>(
            'SELECT * FROM op_rows WHERE job_seq = ANY($1::int[]) ORDER BY job_seq, idx',
            [seqs],
        )) {
            const list = ops.get(o.job_seq);
            if (list === undefined) ops.set(o.job_seq, [o]);
            else list.push(o);
        }
        const probeIds = [...new Set(rows.map((r) => r.probe_id).filter((id): id is number => id !== null))];
        const probes = new Map<number, DeviceProbe>();
        for (const p of await this.q<{ id: number; probe_json: string }>(
            'SELECT id, probe_json FROM probes WHERE id = ANY($1::int[])',
            [probeIds],
        ))
            probes.set(p.id, JSON.parse(p.probe_json) as DeviceProbe);
        return rows.map((r): JobResultRecord =>
            toJobResult(
                r,
                (ops.get(r.seq) ?? []).map(toOp),
                r.probe_id === null ? null : (probes.get(r.probe_id) ?? null),
            ),
        );
    }

    /** Raw outputs of one job (all attempts), for re-parsing and `runs show`. */
    async rawOutputs(runId: string, jobId: string): Promise<(RawOutput & { attempt: number })[]> {
        const seq = await this.seqOf(runId, jobId);
        return (await this.q<RawOutputRow>('SELECT * FROM raw_outputs WHERE job_seq = $1 ORDER BY attempt', [seq])).map(
            toRawOutput,
        );
    }

    async lastAvgUs(jobIds: Iterable<string>): Promise<Map<string, number>> {
        const rows = await this.q<{ id: string; avg_us: number }>(
            `SELECT j.id, r.avg_us FROM jobs j JOIN results r ON r.job_seq = j.seq
             WHERE j.id = ANY($1::text[]) AND r.avg_us IS NOT NULL ORDER BY j.seq`,
            [[...new Set(jobIds)]],
        );
        return new Map(rows.map((r) => [r.id, r.avg_us]));
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
        return (sql, args) => this.q<Row>(sql, args, c);
    }

    /** Whether a run with this id exists (store copy). */
    async hasRun(runId: string): Promise<boolean> {
        return (await this.q('SELECT 1 FROM runs WHERE id = $1', [runId])).length > 0;
    }

    /** Adds a run exported from another store in one transaction; false when its id is already here (store copy). */
    async importRun(bundle: RunBundle): Promise<boolean> {
        return this.tx((c) => importRunBundle(this.runner(c), bundle));
    }

    async close(): Promise<void> {
        await this.pool.end().catch(() => undefined);
    }
}
