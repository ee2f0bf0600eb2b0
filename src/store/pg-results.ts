// Reading jobs and results on PostgreSQL, the read side of PgStore (src/store/pg-store.ts). Each read is a fixed
// number of round trips, whatever the number of jobs: per-job queries cost a network round trip each.
import type { DeviceProbe } from '../drivers/types.js';
import { seqOf, type PgDb } from './pg-sql.js';
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
import type { JobRecord, JobResultRecord, JobScope, MeasuredJob, RawOutput } from './types.js';

export const measuredJobs = async (db: PgDb, scope: JobScope): Promise<MeasuredJob[]> => {
    const { where, arg } = scopeSql(scope, '$1');
    const rows = await db.q<{ id: string; run_id: string; started_at: string; identity_key: string | null }>(
        `SELECT j.id, j.run_id, ru.started_at, j.identity_key FROM jobs j JOIN runs ru ON ru.id = j.run_id
         WHERE ${where} AND j.state = 'done' ORDER BY ru.started_at, j.seq`,
        [arg],
    );
    return rows.map((r) => ({ id: r.id, runId: r.run_id, runStartedAt: r.started_at, identityKey: r.identity_key }));
};

export const doneJobIds = async (db: PgDb, scope: JobScope): Promise<Set<string>> => {
    const { where, arg } = scopeSql(scope, '$1');
    const rows = await db.q<{ id: string }>(
        `SELECT DISTINCT j.id FROM jobs j JOIN runs ru ON ru.id = j.run_id WHERE ${where} AND j.state = 'done'`,
        [arg],
    );
    return new Set(rows.map((r) => r.id));
};

export const jobs = async (db: PgDb, runId: string): Promise<JobRecord[]> =>
    (await db.q<JobRow>('SELECT * FROM jobs WHERE run_id = $1 ORDER BY seq', [runId])).map(toJob);

export const jobResults = async (db: PgDb, scope: JobScope): Promise<JobResultRecord[]> => {
    const { where, arg } = scopeSql(scope, '$1');
    // Campaign scopes: the latest result per job id supersedes earlier ones (as in the SQLite backend).
    const rows = await db.q<ResultRow>(
        `WITH ranked AS (
            SELECT j.seq, ROW_NUMBER() OVER (PARTITION BY j.id ORDER BY ru.started_at DESC, j.seq DESC) AS rn
            FROM jobs j JOIN runs ru ON ru.id = j.run_id JOIN results r ON r.job_seq = j.seq WHERE ${where})
         SELECT j.*, r.*, m.path AS model_path FROM ranked k JOIN jobs j ON j.seq = k.seq
         JOIN results r ON r.job_seq = j.seq LEFT JOIN models m ON m.sha256 = j.model_sha256
         WHERE k.rn = 1 ORDER BY j.seq`,
        [arg],
    );
    // One round trip for all op rows and one for all probes.
    const seqs = rows.map((r) => r.seq);
    const ops = new Map<number, OpRowRow[]>();
    for (const o of await db.q<OpRowRow>('SELECT * FROM op_rows WHERE job_seq = ANY($1::int[]) ORDER BY job_seq, idx', [
        seqs,
    ])) {
        const list = ops.get(o.job_seq);
        if (list === undefined) ops.set(o.job_seq, [o]);
        else list.push(o);
    }
    const probeIds = [...new Set(rows.map((r) => r.probe_id).filter((id): id is number => id !== null))];
    const probes = new Map<number, DeviceProbe>();
    for (const p of await db.q<{ id: number; probe_json: string }>(
        'SELECT id, probe_json FROM probes WHERE id = ANY($1::int[])',
        [probeIds],
    ))
        probes.set(p.id, JSON.parse(p.probe_json) as DeviceProbe);
    return rows.map((r): JobResultRecord =>
        toJobResult(r, (ops.get(r.seq) ?? []).map(toOp), r.probe_id === null ? null : (probes.get(r.probe_id) ?? null)),
    );
};

/** Raw outputs of one job (all attempts), for re-parsing and `runs show`. */
export const rawOutputs = async (
    db: PgDb,
    runId: string,
    jobId: string,
): Promise<(RawOutput & { attempt: number })[]> => {
    const seq = await seqOf(db, runId, jobId);
    return (await db.q<RawOutputRow>('SELECT * FROM raw_outputs WHERE job_seq = $1 ORDER BY attempt', [seq])).map(
        toRawOutput,
    );
};

export const lastAvgUs = async (db: PgDb, jobIds: Iterable<string>): Promise<Map<string, number>> => {
    const rows = await db.q<{ id: string; avg_us: number }>(
        `SELECT j.id, r.avg_us FROM jobs j JOIN results r ON r.job_seq = j.seq
         WHERE j.id = ANY($1::text[]) AND r.avg_us IS NOT NULL ORDER BY j.seq`,
        [[...new Set(jobIds)]],
    );
    return new Map(rows.map((r) => [r.id, r.avg_us]));
};
