// The results store on SQLite (better-sqlite3, WAL). Each job's result is written in one transaction, so a
// process killed at any moment leaves whole jobs or nothing; WAL keeps the file consistent.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { DeviceProbe } from '../drivers/types.js';
import { SplitbenchError, messageOf } from '../errors.js';
import type { Job, JobIdentity } from '../plan/types.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
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
    type OpRowRow,
    type RawOutputRow,
    type ResultRow,
    type RunRow,
    type JobRow,
} from './rows.js';
import type {
    JobCounts,
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

const scopeSql = (scope: JobScope): { where: string; arg: string } =>
    'runId' in scope
        ? { where: 'j.run_id = ?', arg: scope.runId }
        : 'campaignName' in scope
          ? { where: 'ru.campaign_name = ?', arg: scope.campaignName }
          : { where: 'ru.campaign_sha256 = ?', arg: scope.campaignSha256 };

export class SqliteStore implements SyncResultStore {
    readonly path: string;
    private readonly db: Db;
    private readonly now: () => Date;
    private readonly seqStmt: Statement<[string, string], { seq: number }>;
    private readonly stmts = new Map<string, Statement>();

    constructor(path: string, opts: OpenStoreOptions = {}) {
        this.path = resolve(path);
        this.now = opts.now ?? ((): Date => new Date());
        if (opts.mustExist === true && !existsSync(this.path))
            throw new SplitbenchError(
                'NOT_FOUND',
                `no results database at ${this.path} (run a campaign first, or pass --db)`,
            );
        try {
            mkdirSync(dirname(this.path), { recursive: true });
            this.db = new Database(this.path, { fileMustExist: opts.mustExist === true });
            this.db.pragma('journal_mode = WAL');
            // NORMAL in WAL mode: a committed transaction survives a process crash (not necessarily power loss).
            this.db.pragma('synchronous = NORMAL');
            this.db.pragma('foreign_keys = ON');
            this.db.pragma('busy_timeout = 5000');
            this.migrate();
        } catch (e) {
            if (e instanceof SplitbenchError) throw e;
            throw new SplitbenchError('STORE_FAILED', `results database ${this.path}: ${messageOf(e)}`, { cause: e });
        }
        this.seqStmt = this.db.prepare('SELECT seq FROM jobs WHERE run_id = ? AND id = ?');
    }

    /** Prepared once per connection: recordResult runs thousands of times per campaign. */
    private stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
        let st = this.stmts.get(sql);
        if (st === undefined) {
            st = this.db.prepare(sql);
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
        const version = (): number => this.db.pragma('user_version', { simple: true }) as number;
        check(version());
        if (version() === SCHEMA_VERSION) return;
        // BEGIN IMMEDIATE and the version read again inside: two processes opening a new file at once (two
        // orchestrators sharing it) migrate it once; the second waits on the write lock, then finds nothing to do.
        this.db
            .transaction(() => {
                const current = version();
                check(current);
                for (const m of MIGRATIONS) {
                    if (m.version <= current) continue;
                    this.db.exec(m.sql);
                    this.db.pragma(`user_version = ${m.version}`);
                }
            })
            .immediate();
    }

    /** The connection, for the async backend's lease transactions (src/store/sqlite-backend.ts). */
    get database(): Db {
        return this.db;
    }

    /** Schema version and journal mode, for tests and `runs` diagnostics. */
    info(): { userVersion: number; journalMode: string } {
        return {
            userVersion: this.db.pragma('user_version', { simple: true }) as number,
            journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
        };
    }

    integrityCheck(): string {
        return this.db.pragma('integrity_check', { simple: true }) as string;
    }

    private stamp(): string {
        return this.now().toISOString();
    }

    private seqOf(runId: string, jobId: string): number {
        const row = this.seqStmt.get(runId, jobId);
        if (row === undefined) throw new SplitbenchError('NOT_FOUND', `job ${jobId} is not part of run ${runId}`);
        return row.seq;
    }

    createRun(run: NewRun): RunRecord {
        const started = run.startedAt ?? this.now();
        const id = run.id ?? newRunId(started);
        this.db
            .prepare(
                `INSERT INTO runs (id, campaign_name, campaign_path, campaign_sha256, campaign_yaml, splitbench_version,
                 git_commit, options_json, started_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')`,
            )
            .run(
                id,
                run.campaignName,
                run.campaignPath,
                run.campaignSha256,
                run.campaignYaml,
                run.splitbenchVersion,
                run.gitCommit ?? null,
                JSON.stringify(run.options ?? {}),
                started.toISOString(),
            );
        return this.getRun(id);
    }

    setRunState(runId: string, state: RunState): void {
        const info = this.db
            .prepare('UPDATE runs SET state = ?, ended_at = ? WHERE id = ?')
            .run(state, state === 'running' ? null : this.stamp(), runId);
        if (info.changes === 0) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${this.path}`);
    }

    findResumableRun(campaignSha256: string): RunRecord | undefined {
        const row = this.db
            .prepare<[string], RunRow>(
                `SELECT * FROM runs WHERE campaign_sha256 = ? AND state IN ('running', 'interrupted', 'failed')
                 ORDER BY started_at DESC, rowid DESC LIMIT 1`,
            )
            .get(campaignSha256);
        return row === undefined ? undefined : toRun(row);
    }

    getRun(ref: string): RunRecord {
        const exact =
            ref === 'latest'
                ? this.db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get()
                : this.db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?').get(ref);
        if (exact !== undefined) return toRun(exact);
        const like = ref.replace(/[\\%_]/g, (c) => `\\${c}`);
        const rows = this.db
            .prepare<[string], RunRow>("SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY started_at LIMIT 6")
            .all(`${like}%`);
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

    listRuns(opts: { campaignName?: string | undefined; limit?: number | undefined } = {}): RunSummary[] {
        const where = opts.campaignName === undefined ? '' : 'WHERE ru.campaign_name = ?';
        const args = opts.campaignName === undefined ? [] : [opts.campaignName];
        const rows = this.db
            .prepare<
                unknown[],
                RunRow & { total: number; pending: number; running: number; done: number; failed: number }
            >(
                `SELECT ru.*, COUNT(j.seq) AS total,
                    COALESCE(SUM(j.state = 'pending'), 0) AS pending, COALESCE(SUM(j.state = 'running'), 0) AS running,
                    COALESCE(SUM(j.state = 'done'), 0) AS done, COALESCE(SUM(j.state = 'failed'), 0) AS failed
                 FROM runs ru LEFT JOIN jobs j ON j.run_id = ru.id ${where}
                 GROUP BY ru.id ORDER BY ru.started_at DESC, ru.rowid DESC LIMIT ?`,
            )
            .all(...args, opts.limit ?? -1);
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

    recordProbe(runId: string, device: string, probe: DeviceProbe): number {
        const info = this.db
            .prepare('INSERT INTO probes (run_id, device, probe_json, taken_at) VALUES (?, ?, ?, ?)')
            .run(runId, device, JSON.stringify(probe), probe.probedAt || this.stamp());
        return Number(info.lastInsertRowid);
    }

    mergeRunOptions(runId: string, patch: Readonly<Record<string, unknown>>): void {
        const row = this.db
            .prepare<[string], { options_json: string }>('SELECT options_json FROM runs WHERE id = ?')
            .get(runId);
        if (row === undefined) throw new SplitbenchError('NOT_FOUND', `no run ${runId}`);
        const next = { ...(JSON.parse(row.options_json) as Record<string, unknown>), ...patch };
        this.db.prepare('UPDATE runs SET options_json = ? WHERE id = ?').run(JSON.stringify(next), runId);
    }

    upsertModel(m: ModelRecord): void {
        this.db
            .prepare(
                `INSERT INTO models (sha256, path, size_bytes, op_count) VALUES (?, ?, ?, ?)
                 ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, size_bytes = excluded.size_bytes,
                 op_count = COALESCE(excluded.op_count, models.op_count)`,
            )
            .run(m.sha256, m.path, m.sizeBytes, m.opCount ?? null);
    }

    upsertJobs(runId: string, jobs: readonly Job[]): void {
        const ins = this.db.prepare(
            `INSERT INTO jobs (run_id, id, kind, model_id, model_sha256, split, device, role, repetition, settings_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, id) DO NOTHING`,
        );
        const tx = this.db.transaction((list: readonly Job[]) => {
            for (const j of list)
                ins.run(
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
                );
        });
        try {
            tx(jobs);
        } catch (e) {
            throw new SplitbenchError(
                'STORE_FAILED',
                `cannot add jobs to run ${runId}: ${messageOf(e)} (models recorded with upsertModel first?)`,
                {
                    cause: e,
                },
            );
        }
    }

    resetUnfinished(runId: string): number {
        return this.db.prepare("UPDATE jobs SET state = 'pending' WHERE run_id = ? AND state = 'running'").run(runId)
            .changes;
    }

    requeueWithoutResult(runId: string): number {
        return this.db
            .prepare(
                `UPDATE jobs SET state = 'pending', error = NULL, started_at = NULL, ended_at = NULL WHERE run_id = ? AND state IN ('running', 'failed')
                 AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_seq = jobs.seq)`,
            )
            .run(runId).changes;
    }

    setRunOptions(runId: string, options: Readonly<Record<string, unknown>>): void {
        const info = this.db
            .prepare('UPDATE runs SET options_json = ? WHERE id = ?')
            .run(JSON.stringify(options), runId);
        if (info.changes === 0) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${this.path}`);
    }

    setJobIdentities(runId: string, entries: readonly { jobId: string; key: string; identity: JobIdentity }[]): void {
        const upd = this.db.prepare('UPDATE jobs SET identity_key = ?, identity_json = ? WHERE run_id = ? AND id = ?');
        this.db.transaction(() => {
            for (const e of entries) upd.run(e.key, JSON.stringify(e.identity), runId, e.jobId);
        })();
    }

    measuredJobs(scope: JobScope): MeasuredJob[] {
        const { where, arg } = scopeSql(scope);
        return this.db
            .prepare<[string], { id: string; run_id: string; started_at: string; identity_key: string | null }>(
                `SELECT j.id, j.run_id, ru.started_at, j.identity_key FROM jobs j JOIN runs ru ON ru.id = j.run_id
                 WHERE ${where} AND j.state = 'done' ORDER BY ru.started_at, j.seq`,
            )
            .all(arg)
            .map((r) => ({ id: r.id, runId: r.run_id, runStartedAt: r.started_at, identityKey: r.identity_key }));
    }

    markJobRunning(runId: string, jobId: string, attempt = 1): void {
        const seq = this.seqOf(runId, jobId);
        this.db
            .prepare(
                "UPDATE jobs SET state = 'running', attempts = MAX(attempts + 1, ?), started_at = COALESCE(started_at, ?), error = NULL WHERE seq = ?",
            )
            .run(attempt, this.stamp(), seq);
    }

    private insertRaw(seq: number, attempt: number, raw: RawOutput): void {
        this.db
            .prepare(
                `INSERT OR REPLACE INTO raw_outputs (job_seq, attempt, argv_json, stdout, stderr, exit_code, duration_ms, parser_version, recorded_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
                seq,
                attempt,
                raw.argv === undefined ? null : JSON.stringify(raw.argv),
                raw.stdout,
                raw.stderr,
                raw.exitCode,
                raw.durationMs ?? null,
                raw.parserVersion ?? null,
                this.stamp(),
            );
    }

    recordAttempt(runId: string, jobId: string, attempt: number, raw: RawOutput): void {
        this.insertRaw(this.seqOf(runId, jobId), attempt, raw);
    }

    recordResult(runId: string, jobId: string, r: ResultInput): void {
        const p = r.parsed;
        const tx = this.db.transaction(() => {
            const seq = this.seqOf(runId, jobId);
            this.insertRaw(seq, r.attempt, { ...r.raw, parserVersion: r.raw.parserVersion ?? p.parserVersion });
            this.stmt('DELETE FROM op_rows WHERE job_seq = ?').run(seq);
            this.stmt(
                `INSERT OR REPLACE INTO results (${RESULT_COLUMNS.join(', ')}) VALUES (${RESULT_COLUMNS.map(() => '?').join(', ')})`,
            ).run(...resultValues(seq, r));
            const insOp = this.stmt(
                `INSERT INTO op_rows (${OP_COLUMNS.join(', ')}) VALUES (${OP_COLUMNS.map(() => '?').join(', ')})`,
            );
            p.ops.forEach((o, idx) => insOp.run(...opValues(seq, idx, o)));
            const { state, error } = stateAfterResult(p);
            this.stmt(
                'UPDATE jobs SET state = ?, error = ?, attempts = MAX(attempts, ?), ended_at = ? WHERE seq = ?',
            ).run(state, error, r.attempt, this.stamp(), seq);
        });
        try {
            tx();
        } catch (e) {
            if (e instanceof SplitbenchError) throw e;
            throw new SplitbenchError('STORE_FAILED', `cannot record result of job ${jobId}: ${messageOf(e)}`, {
                cause: e,
            });
        }
    }

    markJobFailed(runId: string, jobId: string, error: string): void {
        const seq = this.seqOf(runId, jobId);
        this.db
            .prepare("UPDATE jobs SET state = 'failed', error = ?, ended_at = ? WHERE seq = ?")
            .run(error, this.stamp(), seq);
    }

    doneJobIds(scope: JobScope): Set<string> {
        const { where, arg } = scopeSql(scope);
        const rows = this.db
            .prepare<[string], { id: string }>(
                `SELECT DISTINCT j.id FROM jobs j JOIN runs ru ON ru.id = j.run_id WHERE ${where} AND j.state = 'done'`,
            )
            .all(arg);
        return new Set(rows.map((r) => r.id));
    }

    jobs(runId: string): JobRecord[] {
        return this.db
            .prepare<[string], JobRow>('SELECT * FROM jobs WHERE run_id = ? ORDER BY seq')
            .all(runId)
            .map(toJob);
    }

    jobResults(scope: JobScope): JobResultRecord[] {
        const { where, arg } = scopeSql(scope);
        // Campaign scopes: a job id measured again in a later run supersedes the earlier result, so only the
        // latest row per job id is read (blobs of superseded results stay on disk).
        const rows = this.stmt<[string], ResultRow>(
            `WITH ranked AS (
                SELECT j.seq, ROW_NUMBER() OVER (PARTITION BY j.id ORDER BY ru.started_at DESC, j.seq DESC) AS rn
                FROM jobs j JOIN runs ru ON ru.id = j.run_id JOIN results r ON r.job_seq = j.seq WHERE ${where})
             SELECT j.*, r.*, m.path AS model_path FROM ranked k JOIN jobs j ON j.seq = k.seq
             JOIN results r ON r.job_seq = j.seq LEFT JOIN models m ON m.sha256 = j.model_sha256
             WHERE k.rn = 1 ORDER BY j.seq`,
        ).all(arg);
        // Per-job primary-key range reads: cheaper than a join over every op row of the scope.
        const opsStmt = this.stmt<[number], OpRowRow>('SELECT * FROM op_rows WHERE job_seq = ? ORDER BY idx');
        const probes = new Map<number, DeviceProbe>();
        const probeStmt = this.db.prepare<[number], { probe_json: string }>(
            'SELECT probe_json FROM probes WHERE id = ?',
        );
        const probeOf = (id: number | null): DeviceProbe | null => {
            if (id === null) return null;
            let p = probes.get(id);
            if (p === undefined) {
                const row = probeStmt.get(id);
                if (row === undefined) return null;
                p = JSON.parse(row.probe_json) as DeviceProbe;
                probes.set(id, p);
            }
            return p;
        };
        return rows.map((r): JobResultRecord => toJobResult(r, opsStmt.all(r.seq).map(toOp), probeOf(r.probe_id)));
    }

    /** Raw outputs of one job (all attempts), for re-parsing and `runs show`. */
    rawOutputs(runId: string, jobId: string): (RawOutput & { attempt: number })[] {
        const seq = this.seqOf(runId, jobId);
        return this.db
            .prepare<[number], RawOutputRow>('SELECT * FROM raw_outputs WHERE job_seq = ? ORDER BY attempt')
            .all(seq)
            .map(toRawOutput);
    }

    lastAvgUs(jobIds: Iterable<string>): Map<string, number> {
        const ids = [...new Set(jobIds)];
        const out = new Map<string, number>();
        for (let i = 0; i < ids.length; i += 500) {
            const chunk = ids.slice(i, i + 500);
            const rows = this.db
                .prepare<string[], { id: string; avg_us: number }>(
                    `SELECT j.id, r.avg_us FROM jobs j JOIN results r ON r.job_seq = j.seq
                     WHERE j.id IN (${chunk.map(() => '?').join(',')}) AND r.avg_us IS NOT NULL ORDER BY j.seq`,
                )
                .all(...chunk);
            for (const r of rows) out.set(r.id, r.avg_us);
        }
        return out;
    }

    close(): void {
        if (this.db.open) this.db.close();
    }
}

/** Opens (creating and migrating if needed) the results database at `path`. */
export const openStore = (path: string, opts: OpenStoreOptions = {}): SqliteStore => new SqliteStore(path, opts);
