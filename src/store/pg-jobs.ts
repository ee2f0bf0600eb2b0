// Jobs and their results on PostgreSQL, the write side of PgStore (src/store/pg-store.ts): each job's result is one
// transaction, so a killed orchestrator leaves whole jobs or nothing.
import { SplitbenchError, messageOf } from '../errors.js';
import type { Job, JobIdentity } from '../plan/types.js';
import { placeholders, seqOf, type PgDb, type PgSql } from './pg-sql.js';
import { JOB_COLUMNS, RAW_COLUMNS, jobValues, rawValues } from './query-parts.js';
import { OP_COLUMNS, RESULT_COLUMNS, opValues, resultValues, stateAfterResult } from './rows.js';
import type { RawOutput, ResultInput } from './types.js';

export const upsertJobs = async (db: PgDb, runId: string, jobs: readonly Job[]): Promise<void> => {
    try {
        await db.tx(async (t) => {
            for (let i = 0; i < jobs.length; i += 500) {
                const chunk = jobs.slice(i, i + 500);
                await t.exec(
                    `INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES ${placeholders(chunk.length, JOB_COLUMNS.length)}
                     ON CONFLICT (run_id, id) DO NOTHING`,
                    chunk.flatMap((j) => jobValues(runId, j)),
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
};

export const requeueWithoutResult = (db: PgDb, runId: string): Promise<number> =>
    db.exec(
        `UPDATE jobs SET state = 'pending', error = NULL, started_at = NULL, ended_at = NULL WHERE run_id = $1 AND state IN ('running', 'failed')
         AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_seq = jobs.seq)`,
        [runId],
    );

export const setJobIdentities = async (
    db: PgDb,
    runId: string,
    entries: readonly { jobId: string; key: string; identity: JobIdentity }[],
): Promise<void> => {
    if (entries.length === 0) return;
    await db.tx(async (t) => {
        // one statement per chunk: UPDATE … FROM a VALUES list of (job id, key, identity)
        for (let i = 0; i < entries.length; i += 1000) {
            const chunk = entries.slice(i, i + 1000);
            await t.exec(
                `UPDATE jobs SET identity_key = v.k, identity_json = v.j FROM (VALUES ${placeholders(chunk.length, 3, 2)})
                 AS v(id, k, j) WHERE jobs.run_id = $1 AND jobs.id = v.id`,
                [runId, ...chunk.flatMap((e) => [e.jobId, e.key, JSON.stringify(e.identity)])],
            );
        }
    });
};

export const resetUnfinished = (db: PgDb, runId: string): Promise<number> =>
    db.exec("UPDATE jobs SET state = 'pending' WHERE run_id = $1 AND state = 'running'", [runId]);

export const markJobRunning = async (db: PgDb, runId: string, jobId: string, attempt = 1): Promise<void> => {
    const seq = await seqOf(db, runId, jobId);
    await db.exec(
        "UPDATE jobs SET state = 'running', attempts = GREATEST(attempts + 1, $1), started_at = COALESCE(started_at, $2), error = NULL WHERE seq = $3",
        [attempt, db.stamp(), seq],
    );
};

const insertRaw = async (db: PgDb, on: PgSql, seq: number, attempt: number, raw: RawOutput): Promise<void> => {
    await on.exec(
        `INSERT INTO raw_outputs (${RAW_COLUMNS.join(', ')}) VALUES ${placeholders(1, RAW_COLUMNS.length)}
         ON CONFLICT (job_seq, attempt) DO UPDATE SET ${RAW_COLUMNS.slice(2)
             .map((col) => `${col} = excluded.${col}`)
             .join(', ')}`,
        rawValues(seq, attempt, raw, db.stamp()),
    );
};

export const recordAttempt = async (
    db: PgDb,
    runId: string,
    jobId: string,
    attempt: number,
    raw: RawOutput,
): Promise<void> => {
    await insertRaw(db, db, await seqOf(db, runId, jobId), attempt, raw);
};

export const recordResult = async (db: PgDb, runId: string, jobId: string, r: ResultInput): Promise<void> => {
    const p = r.parsed;
    try {
        await db.tx(async (t) => {
            const seq = await seqOf(t, runId, jobId);
            await insertRaw(db, t, seq, r.attempt, {
                ...r.raw,
                parserVersion: r.raw.parserVersion ?? p.parserVersion,
            });
            await t.exec('DELETE FROM op_rows WHERE job_seq = $1', [seq]);
            await t.exec(
                `INSERT INTO results (${RESULT_COLUMNS.join(', ')}) VALUES ${placeholders(1, RESULT_COLUMNS.length)}
                 ON CONFLICT (job_seq) DO UPDATE SET ${RESULT_COLUMNS.slice(1)
                     .map((col) => `${col} = excluded.${col}`)
                     .join(', ')}`,
                resultValues(seq, r),
            );
            // multi-row inserts, under PostgreSQL's 65535-parameter limit
            for (let i = 0; i < p.ops.length; i += 1000) {
                const chunk = p.ops.slice(i, i + 1000);
                await t.exec(
                    `INSERT INTO op_rows (${OP_COLUMNS.join(', ')}) VALUES ${placeholders(chunk.length, OP_COLUMNS.length)}`,
                    chunk.flatMap((o, k) => opValues(seq, i + k, o)),
                );
            }
            const { state, error } = stateAfterResult(p);
            await t.exec(
                'UPDATE jobs SET state = $1, error = $2, attempts = GREATEST(attempts, $3), ended_at = $4 WHERE seq = $5',
                [state, error, r.attempt, db.stamp(), seq],
            );
        });
    } catch (e) {
        if (e instanceof SplitbenchError && e.code !== 'STORE_FAILED') throw e;
        throw new SplitbenchError('STORE_FAILED', `cannot record result of job ${jobId}: ${messageOf(e)}`, {
            cause: e,
        });
    }
};

export const markJobFailed = async (db: PgDb, runId: string, jobId: string, error: string): Promise<void> => {
    const seq = await seqOf(db, runId, jobId);
    await db.exec("UPDATE jobs SET state = 'failed', error = $1, ended_at = $2 WHERE seq = $3", [
        error,
        db.stamp(),
        seq,
    ]);
};
