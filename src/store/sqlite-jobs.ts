// Jobs and their results on SQLite, the write side of SqliteStore (src/store/sqlite-store.ts). Each job's result is
// written in one transaction, so a process killed at any moment leaves whole jobs or nothing.
import { SplitbenchError, messageOf } from '../errors.js';
import type { Job, JobIdentity } from '../plan/types.js';
import { JOB_COLUMNS, RAW_COLUMNS, jobValues, rawValues } from './query-parts.js';
import { OP_COLUMNS, RESULT_COLUMNS, opValues, resultValues, stateAfterResult } from './rows.js';
import type { SqliteDb } from './sqlite-db.js';
import type { RawOutput, ResultInput } from './types.js';

export const upsertJobs = (s: SqliteDb, runId: string, jobs: readonly Job[]): void => {
    const ins = s.db.prepare(
        `INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map(() => '?').join(', ')})
         ON CONFLICT (run_id, id) DO NOTHING`,
    );
    const tx = s.db.transaction((list: readonly Job[]) => {
        for (const j of list) ins.run(...jobValues(runId, j));
    });
    try {
        tx(jobs);
    } catch (e) {
        throw new SplitbenchError(
            'STORE_FAILED',
            `cannot add jobs to run ${runId}: ${messageOf(e)} (models recorded with upsertModel first?)`,
            { cause: e },
        );
    }
};

export const resetUnfinished = (s: SqliteDb, runId: string): number =>
    s.db.prepare("UPDATE jobs SET state = 'pending' WHERE run_id = ? AND state = 'running'").run(runId).changes;

export const requeueWithoutResult = (s: SqliteDb, runId: string): number =>
    s.db
        .prepare(
            `UPDATE jobs SET state = 'pending', error = NULL, started_at = NULL, ended_at = NULL WHERE run_id = ? AND state IN ('running', 'failed')
             AND NOT EXISTS (SELECT 1 FROM results r WHERE r.job_seq = jobs.seq)`,
        )
        .run(runId).changes;

export const setJobIdentities = (
    s: SqliteDb,
    runId: string,
    entries: readonly { jobId: string; key: string; identity: JobIdentity }[],
): void => {
    const upd = s.db.prepare('UPDATE jobs SET identity_key = ?, identity_json = ? WHERE run_id = ? AND id = ?');
    s.db.transaction(() => {
        for (const e of entries) upd.run(e.key, JSON.stringify(e.identity), runId, e.jobId);
    })();
};

export const markJobRunning = (s: SqliteDb, runId: string, jobId: string, attempt = 1): void => {
    const seq = s.seqOf(runId, jobId);
    s.db
        .prepare(
            "UPDATE jobs SET state = 'running', attempts = MAX(attempts + 1, ?), started_at = COALESCE(started_at, ?), error = NULL WHERE seq = ?",
        )
        .run(attempt, s.stamp(), seq);
};

const insertRaw = (s: SqliteDb, seq: number, attempt: number, raw: RawOutput): void => {
    s.stmt(
        `INSERT OR REPLACE INTO raw_outputs (${RAW_COLUMNS.join(', ')}) VALUES (${RAW_COLUMNS.map(() => '?').join(', ')})`,
    ).run(...rawValues(seq, attempt, raw, s.stamp()));
};

export const recordAttempt = (s: SqliteDb, runId: string, jobId: string, attempt: number, raw: RawOutput): void => {
    insertRaw(s, s.seqOf(runId, jobId), attempt, raw);
};

export const recordResult = (s: SqliteDb, runId: string, jobId: string, r: ResultInput): void => {
    const p = r.parsed;
    const tx = s.db.transaction(() => {
        const seq = s.seqOf(runId, jobId);
        insertRaw(s, seq, r.attempt, { ...r.raw, parserVersion: r.raw.parserVersion ?? p.parserVersion });
        s.stmt('DELETE FROM op_rows WHERE job_seq = ?').run(seq);
        s.stmt(
            `INSERT OR REPLACE INTO results (${RESULT_COLUMNS.join(', ')}) VALUES (${RESULT_COLUMNS.map(() => '?').join(', ')})`,
        ).run(...resultValues(seq, r));
        const insOp = s.stmt(
            `INSERT INTO op_rows (${OP_COLUMNS.join(', ')}) VALUES (${OP_COLUMNS.map(() => '?').join(', ')})`,
        );
        p.ops.forEach((o, idx) => insOp.run(...opValues(seq, idx, o)));
        const { state, error } = stateAfterResult(p);
        s.stmt('UPDATE jobs SET state = ?, error = ?, attempts = MAX(attempts, ?), ended_at = ? WHERE seq = ?').run(
            state,
            error,
            r.attempt,
            s.stamp(),
            seq,
        );
    });
    try {
        tx();
    } catch (e) {
        if (e instanceof SplitbenchError) throw e;
        throw new SplitbenchError('STORE_FAILED', `cannot record result of job ${jobId}: ${messageOf(e)}`, {
            cause: e,
        });
    }
};

export const markJobFailed = (s: SqliteDb, runId: string, jobId: string, error: string): void => {
    const seq = s.seqOf(runId, jobId);
    s.db.prepare("UPDATE jobs SET state = 'failed', error = ?, ended_at = ? WHERE seq = ?").run(error, s.stamp(), seq);
};
