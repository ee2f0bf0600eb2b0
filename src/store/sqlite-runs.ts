// Runs, probes and models on SQLite: the run records of SqliteStore (src/store/sqlite-store.ts).
import type { DeviceProbe } from '../drivers/types.js';
import { SplitbenchError } from '../errors.js';
import { RUN_COLUMNS, onePrefixMatch, prefixPattern, runValues, toRunSummary } from './query-parts.js';
import { newRunId, toRun, type RunRow } from './rows.js';
import type { SqliteDb } from './sqlite-db.js';
import type { JobCounts, ModelRecord, NewRun, RunRecord, RunState, RunSummary } from './types.js';

export const getRun = (s: SqliteDb, ref: string): RunRecord => {
    const exact =
        ref === 'latest'
            ? s.db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get()
            : s.db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?').get(ref);
    if (exact !== undefined) return toRun(exact);
    const rows = s.db
        .prepare<[string], RunRow>("SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY started_at LIMIT 6")
        .all(prefixPattern(ref));
    return onePrefixMatch(ref, rows, s.path);
};

export const createRun = (s: SqliteDb, run: NewRun): RunRecord => {
    const started = run.startedAt ?? s.now();
    const id = run.id ?? newRunId(started);
    s.db
        .prepare(
            `INSERT INTO runs (${RUN_COLUMNS.join(', ')}, state) VALUES (${RUN_COLUMNS.map(() => '?').join(', ')}, 'running')`,
        )
        .run(...runValues(id, run, started));
    return getRun(s, id);
};

export const setRunState = (s: SqliteDb, runId: string, state: RunState): void => {
    const info = s.db
        .prepare('UPDATE runs SET state = ?, ended_at = ? WHERE id = ?')
        .run(state, state === 'running' ? null : s.stamp(), runId);
    if (info.changes === 0) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${s.path}`);
};

export const findResumableRun = (s: SqliteDb, campaignSha256: string): RunRecord | undefined => {
    const row = s.db
        .prepare<[string], RunRow>(
            `SELECT * FROM runs WHERE campaign_sha256 = ? AND state IN ('running', 'interrupted', 'failed')
             ORDER BY started_at DESC, rowid DESC LIMIT 1`,
        )
        .get(campaignSha256);
    return row === undefined ? undefined : toRun(row);
};

export const listRuns = (
    s: SqliteDb,
    opts: { campaignName?: string | undefined; limit?: number | undefined } = {},
): RunSummary[] => {
    const where = opts.campaignName === undefined ? '' : 'WHERE ru.campaign_name = ?';
    const args = opts.campaignName === undefined ? [] : [opts.campaignName];
    return s.db
        .prepare<unknown[], RunRow & JobCounts>(
            `SELECT ru.*, COUNT(j.seq) AS total,
                COALESCE(SUM(j.state = 'pending'), 0) AS pending, COALESCE(SUM(j.state = 'running'), 0) AS running,
                COALESCE(SUM(j.state = 'done'), 0) AS done, COALESCE(SUM(j.state = 'failed'), 0) AS failed
             FROM runs ru LEFT JOIN jobs j ON j.run_id = ru.id ${where}
             GROUP BY ru.id ORDER BY ru.started_at DESC, ru.rowid DESC LIMIT ?`,
        )
        .all(...args, opts.limit ?? -1)
        .map(toRunSummary);
};

export const recordProbe = (s: SqliteDb, runId: string, device: string, probe: DeviceProbe): number => {
    const info = s.db
        .prepare('INSERT INTO probes (run_id, device, probe_json, taken_at) VALUES (?, ?, ?, ?)')
        .run(runId, device, JSON.stringify(probe), probe.probedAt || s.stamp());
    return Number(info.lastInsertRowid);
};

export const mergeRunOptions = (s: SqliteDb, runId: string, patch: Readonly<Record<string, unknown>>): void => {
    const row = s.db
        .prepare<[string], { options_json: string }>('SELECT options_json FROM runs WHERE id = ?')
        .get(runId);
    if (row === undefined) throw new SplitbenchError('NOT_FOUND', `no run ${runId}`);
    const next = { ...(JSON.parse(row.options_json) as Record<string, unknown>), ...patch };
    s.db.prepare('UPDATE runs SET options_json = ? WHERE id = ?').run(JSON.stringify(next), runId);
};

export const setRunOptions = (s: SqliteDb, runId: string, options: Readonly<Record<string, unknown>>): void => {
    const info = s.db.prepare('UPDATE runs SET options_json = ? WHERE id = ?').run(JSON.stringify(options), runId);
    if (info.changes === 0) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${s.path}`);
};

export const upsertModel = (s: SqliteDb, m: ModelRecord): void => {
    s.db
        .prepare(
            `INSERT INTO models (sha256, path, size_bytes, op_count) VALUES (?, ?, ?, ?)
         ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, size_bytes = excluded.size_bytes,
         op_count = COALESCE(excluded.op_count, models.op_count)`,
        )
        .run(m.sha256, m.path, m.sizeBytes, m.opCount ?? null);
};
