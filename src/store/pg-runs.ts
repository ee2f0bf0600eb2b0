// Runs, probes and models on PostgreSQL: the run records of PgStore (src/store/pg-store.ts).
import type { DeviceProbe } from '../drivers/types.js';
import { SplitbenchError } from '../errors.js';
import type { PgDb } from './pg-sql.js';
import { RUN_COLUMNS, onePrefixMatch, prefixPattern, runValues, toRunSummary } from './query-parts.js';
import { newRunId, toRun, type RunRow } from './rows.js';
import type { JobCounts, ModelRecord, NewRun, RunRecord, RunState, RunSummary } from './types.js';

export const getRun = async (db: PgDb, ref: string): Promise<RunRecord> => {
    const exact =
        ref === 'latest'
            ? await db.q<RunRow>('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1')
            : await db.q<RunRow>('SELECT * FROM runs WHERE id = $1', [ref]);
    if (exact[0] !== undefined) return toRun(exact[0]);
    const rows = await db.q<RunRow>(
        "SELECT * FROM runs WHERE id LIKE $1 ESCAPE '\\' ORDER BY started_at, rowid LIMIT 6",
        [prefixPattern(ref)],
    );
    return onePrefixMatch(ref, rows, db.path);
};

export const createRun = async (db: PgDb, run: NewRun): Promise<RunRecord> => {
    const started = run.startedAt ?? db.now();
    const id = run.id ?? newRunId(started);
    await db.exec(
        `INSERT INTO runs (${RUN_COLUMNS.join(', ')}, state) VALUES (${RUN_COLUMNS.map((_, k) => `$${k + 1}`).join(', ')}, 'running')`,
        runValues(id, run, started),
    );
    return getRun(db, id);
};

export const setRunState = async (db: PgDb, runId: string, state: RunState): Promise<void> => {
    const n = await db.exec('UPDATE runs SET state = $1, ended_at = $2 WHERE id = $3', [
        state,
        state === 'running' ? null : db.stamp(),
        runId,
    ]);
    if (n === 0) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${db.path}`);
};

export const findResumableRun = async (db: PgDb, campaignSha256: string): Promise<RunRecord | undefined> => {
    const rows = await db.q<RunRow>(
        `SELECT * FROM runs WHERE campaign_sha256 = $1 AND state IN ('running', 'interrupted', 'failed')
         ORDER BY started_at DESC, rowid DESC LIMIT 1`,
        [campaignSha256],
    );
    return rows[0] === undefined ? undefined : toRun(rows[0]);
};

export const listRuns = async (
    db: PgDb,
    opts: { campaignName?: string | undefined; limit?: number | undefined } = {},
): Promise<RunSummary[]> => {
    const where = opts.campaignName === undefined ? '' : 'WHERE ru.campaign_name = $2';
    const args: unknown[] = [opts.limit ?? null];
    if (opts.campaignName !== undefined) args.push(opts.campaignName);
    const rows = await db.q<RunRow & JobCounts>(
        `SELECT ru.*, COUNT(j.seq)::int AS total,
            COUNT(*) FILTER (WHERE j.state = 'pending')::int AS pending,
            COUNT(*) FILTER (WHERE j.state = 'running')::int AS running,
            COUNT(*) FILTER (WHERE j.state = 'done')::int AS done,
            COUNT(*) FILTER (WHERE j.state = 'failed')::int AS failed
         FROM runs ru LEFT JOIN jobs j ON j.run_id = ru.id ${where}
         GROUP BY ru.id ORDER BY ru.started_at DESC, ru.rowid DESC LIMIT $1`,
        args,
    );
    return rows.map(toRunSummary);
};

export const recordProbe = async (db: PgDb, runId: string, device: string, probe: DeviceProbe): Promise<number> => {
    const rows = await db.q<{ id: number }>(
        'INSERT INTO probes (run_id, device, probe_json, taken_at) VALUES ($1, $2, $3, $4) RETURNING id',
        [runId, device, JSON.stringify(probe), probe.probedAt || db.stamp()],
    );
    return rows[0]?.id ?? 0;
};

export const upsertModel = async (db: PgDb, m: ModelRecord): Promise<void> => {
    await db.exec(
        `INSERT INTO models (sha256, path, size_bytes, op_count) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, size_bytes = excluded.size_bytes,
         op_count = COALESCE(excluded.op_count, models.op_count)`,
        [m.sha256, m.path, m.sizeBytes, m.opCount ?? null],
    );
};

export const mergeRunOptions = async (
    db: PgDb,
    runId: string,
    patch: Readonly<Record<string, unknown>>,
): Promise<void> => {
    await db.tx(async (t) => {
        const row = (
            await t.q<{ options_json: string }>('SELECT options_json FROM runs WHERE id = $1 FOR UPDATE', [runId])
        )[0];
        if (row === undefined) throw new SplitbenchError('NOT_FOUND', `no run ${runId}`);
        const next = { ...(JSON.parse(row.options_json) as Record<string, unknown>), ...patch };
        await t.exec('UPDATE runs SET options_json = $1 WHERE id = $2', [JSON.stringify(next), runId]);
    });
};

export const setRunOptions = async (
    db: PgDb,
    runId: string,
    options: Readonly<Record<string, unknown>>,
): Promise<void> => {
    const n = await db.exec('UPDATE runs SET options_json = $1 WHERE id = $2', [JSON.stringify(options), runId]);
    if (n === 0) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${db.path}`);
};

/** Whether a run with this id exists (store copy). */
export const hasRun = async (db: PgDb, runId: string): Promise<boolean> =>
    (await db.q('SELECT 1 FROM runs WHERE id = $1', [runId])).length > 0;
