// Reading jobs and results on SQLite, the read side of SqliteStore (src/store/sqlite-store.ts).
import type { DeviceProbe } from '../drivers/types.js';
import { scopeSql } from './query-parts.js';
import {
    toJob,
    toJobResult,
    toOp,
    toRawOutput,
    type JobRow,
    type OpRowRow,
    type RawOutputRow,
    type ResultRow,
} from './rows.js';
import type { SqliteDb } from './sqlite-db.js';
import type { JobRecord, JobResultRecord, JobScope, MeasuredJob, RawOutput } from './types.js';

export const measuredJobs = (s: SqliteDb, scope: JobScope): MeasuredJob[] => {
    const { where, arg } = scopeSql(scope, '?');
    return s.db
        .prepare<[string], { id: string; run_id: string; started_at: string; identity_key: string | null }>(
            `SELECT j.id, j.run_id, ru.started_at, j.identity_key FROM jobs j JOIN runs ru ON ru.id = j.run_id
             WHERE ${where} AND j.state = 'done' ORDER BY ru.started_at, j.seq`,
        )
        .all(arg)
        .map((r) => ({ id: r.id, runId: r.run_id, runStartedAt: r.started_at, identityKey: r.identity_key }));
};

export const doneJobIds = (s: SqliteDb, scope: JobScope): Set<string> => {
    const { where, arg } = scopeSql(scope, '?');
    const rows = s.db
        .prepare<[string], { id: string }>(
            `SELECT DISTINCT j.id FROM jobs j JOIN runs ru ON ru.id = j.run_id WHERE ${where} AND j.state = 'done'`,
        )
        .all(arg);
    return new Set(rows.map((r) => r.id));
};

export const jobs = (s: SqliteDb, runId: string): JobRecord[] =>
    s.db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE run_id = ? ORDER BY seq').all(runId).map(toJob);

export const jobResults = (s: SqliteDb, scope: JobScope): JobResultRecord[] => {
    const { where, arg } = scopeSql(scope, '?');
    // Campaign scopes: a job id measured again in a later run supersedes the earlier result, so only the
    // latest row per job id is read (blobs of superseded results stay on disk).
    const rows = s
        .stmt<[string], ResultRow>(
            `WITH ranked AS (
                SELECT j.seq, ROW_NUMBER() OVER (PARTITION BY j.id ORDER BY ru.started_at DESC, j.seq DESC) AS rn
                FROM jobs j JOIN runs ru ON ru.id = j.run_id JOIN results r ON r.job_seq = j.seq WHERE ${where})
             SELECT j.*, r.*, m.path AS model_path FROM ranked k JOIN jobs j ON j.seq = k.seq
             JOIN results r ON r.job_seq = j.seq LEFT JOIN models m ON m.sha256 = j.model_sha256
             WHERE k.rn = 1 ORDER BY j.seq`,
        )
        .all(arg);
    // Per-job primary-key range reads: cheaper than a join over every op row of the scope.
    const opsStmt = s.stmt<[number], OpRowRow>('SELECT * FROM op_rows WHERE job_seq = ? ORDER BY idx');
    const probes = new Map<number, DeviceProbe>();
    const probeStmt = s.db.prepare<[number], { probe_json: string }>('SELECT probe_json FROM probes WHERE id = ?');
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
};

/** Raw outputs of one job (all attempts), for re-parsing and `runs show`. */
export const rawOutputs = (s: SqliteDb, runId: string, jobId: string): (RawOutput & { attempt: number })[] =>
    s.db
        .prepare<[number], RawOutputRow>('SELECT * FROM raw_outputs WHERE job_seq = ? ORDER BY attempt')
        .all(s.seqOf(runId, jobId))
        .map(toRawOutput);

export const lastAvgUs = (s: SqliteDb, jobIds: Iterable<string>): Map<string, number> => {
    const ids = [...new Set(jobIds)];
    const out = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = s.db
            .prepare<string[], { id: string; avg_us: number }>(
                `SELECT j.id, r.avg_us FROM jobs j JOIN results r ON r.job_seq = j.seq
                 WHERE j.id IN (${chunk.map(() => '?').join(',')}) AND r.avg_us IS NOT NULL ORDER BY j.seq`,
            )
            .all(...chunk);
        for (const r of rows) out.set(r.id, r.avg_us);
    }
    return out;
};
