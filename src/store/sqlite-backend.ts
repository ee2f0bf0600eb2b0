// The SQLite backend behind the asynchronous store interface: better-sqlite3's synchronous calls inside, a
// settled promise outside (a store error becomes a rejection, never a synchronous throw). Device leases live in the
// same file; each lease call is a BEGIN IMMEDIATE transaction, which takes SQLite's write lock at once, so two
// orchestrators on one machine sharing the file never both see a device as free.
import type { Database as Db } from 'better-sqlite3';
import type { DeviceProbe } from '../drivers/types.js';
import type { Job, JobIdentity } from '../plan/types.js';
import { LEASE_COLUMNS, leaseIsTakeable, leaseValues, newLeaseRow, toLease, type LeaseRow } from './rows.js';
import { SqliteStore, type OpenStoreOptions } from './sqlite-store.js';
import type { SplitCheckRecord } from '../report/split-checks.js';
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

const upsertLeaseSql = `INSERT INTO device_leases (${LEASE_COLUMNS.join(', ')}) VALUES (${LEASE_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (device) DO UPDATE SET ${LEASE_COLUMNS.slice(1)
        .map((c) => `${c} = excluded.${c}`)
        .join(', ')}`;

/** Runs a synchronous store call; a thrown error becomes a rejected promise. */
const settle = <T>(f: () => T): Promise<T> => {
    try {
        return Promise.resolve(f());
    } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
};

export class SqliteBackend implements AsyncResultStore {
    readonly backend = 'sqlite';
    readonly path: string;
    /** The synchronous store, for callers that have not moved to the async interface. */
    readonly sync: SqliteStore;
    private readonly db: Db;
    private readonly nowMs: () => number;

    constructor(path: string, opts: OpenStoreOptions = {}) {
        this.sync = new SqliteStore(path, opts);
        this.path = this.sync.path;
        this.db = this.sync.db;
        const now = opts.now;
        this.nowMs = now === undefined ? Date.now : (): number => now().getTime();
    }

    createRun = (run: NewRun): Promise<RunRecord> => settle(() => this.sync.createRun(run));
    setRunState = (runId: string, state: RunState): Promise<void> => settle(() => this.sync.setRunState(runId, state));
    findResumableRun = (sha: string): Promise<RunRecord | undefined> => settle(() => this.sync.findResumableRun(sha));
    getRun = (ref: string): Promise<RunRecord> => settle(() => this.sync.getRun(ref));
    listRuns = (opts?: { campaignName?: string | undefined; limit?: number | undefined }): Promise<RunSummary[]> =>
        settle(() => this.sync.listRuns(opts));
    recordProbe = (runId: string, device: string, probe: DeviceProbe): Promise<number> =>
        settle(() => this.sync.recordProbe(runId, device, probe));
    upsertModel = (m: ModelRecord): Promise<void> => settle(() => this.sync.upsertModel(m));
    upsertJobs = (runId: string, jobs: readonly Job[]): Promise<void> =>
        settle(() => this.sync.upsertJobs(runId, jobs));
    mergeRunOptions = (runId: string, patch: Readonly<Record<string, unknown>>): Promise<void> =>
        settle(() => this.sync.mergeRunOptions(runId, patch));
    requeueWithoutResult = (runId: string): Promise<number> => settle(() => this.sync.requeueWithoutResult(runId));
    setRunOptions = (runId: string, options: Readonly<Record<string, unknown>>): Promise<void> =>
        settle(() => this.sync.setRunOptions(runId, options));
    setJobIdentities = (
        runId: string,
        entries: readonly { jobId: string; key: string; identity: JobIdentity }[],
    ): Promise<void> => settle(() => this.sync.setJobIdentities(runId, entries));
    measuredJobs = (scope: JobScope): Promise<MeasuredJob[]> => settle(() => this.sync.measuredJobs(scope));
    resetUnfinished = (runId: string): Promise<number> => settle(() => this.sync.resetUnfinished(runId));
    markJobRunning = (runId: string, jobId: string, attempt?: number): Promise<void> =>
        settle(() => this.sync.markJobRunning(runId, jobId, attempt));
    recordAttempt = (runId: string, jobId: string, attempt: number, raw: RawOutput): Promise<void> =>
        settle(() => this.sync.recordAttempt(runId, jobId, attempt, raw));
    recordResult = (runId: string, jobId: string, r: ResultInput): Promise<void> =>
        settle(() => this.sync.recordResult(runId, jobId, r));
    markJobFailed = (runId: string, jobId: string, error: string): Promise<void> =>
        settle(() => this.sync.markJobFailed(runId, jobId, error));
    doneJobIds = (scope: JobScope): Promise<Set<string>> => settle(() => this.sync.doneJobIds(scope));
    jobs = (runId: string): Promise<JobRecord[]> => settle(() => this.sync.jobs(runId));
    jobResults = (scope: JobScope): Promise<JobResultRecord[]> => settle(() => this.sync.jobResults(scope));
    rawOutputs = (runId: string, jobId: string): Promise<(RawOutput & { attempt: number })[]> =>
        settle(() => this.sync.rawOutputs(runId, jobId));
    lastAvgUs = (jobIds: Iterable<string>): Promise<Map<string, number>> => settle(() => this.sync.lastAvgUs(jobIds));
    recordSplitChecks = (runId: string, checks: readonly SplitCheckRecord[]): Promise<void> =>
        settle(() => this.sync.recordSplitChecks(runId, checks));
    splitChecks = (runId: string): Promise<SplitCheckRecord[]> => settle(() => this.sync.splitChecks(runId));
    close = (): Promise<void> => settle(() => this.sync.close());

    acquireLease = (
        device: string,
        holder: LeaseHolder,
        ttlMs: number,
        takeOver?: Pick<DeviceLease, 'runId' | 'pid' | 'host'>,
    ): Promise<LeaseAttempt> =>
        settle(() =>
            this.db
                .transaction((): LeaseAttempt => {
                    const now = this.nowMs();
                    const row = this.db
                        .prepare<[string], LeaseRow>('SELECT * FROM device_leases WHERE device = ?')
                        .get(device);
                    if (row !== undefined && !leaseIsTakeable(row, holder, now, takeOver))
                        return { acquired: false, holder: toLease(row, now) };
                    const next = newLeaseRow(device, holder, now, ttlMs, row);
                    this.db.prepare(upsertLeaseSql).run(...leaseValues(next));
                    return { acquired: true, lease: toLease(next, now) };
                })
                .immediate(),
        );

    renewLeases = (runId: string, devices: readonly string[], ttlMs: number): Promise<string[]> =>
        settle(() =>
            this.db
                .transaction((): string[] => {
                    const now = this.nowMs();
                    const upd = this.db.prepare(
                        'UPDATE device_leases SET renewed_ms = ?, expires_ms = ? WHERE device = ? AND run_id = ?',
                    );
                    return devices.filter((d) => upd.run(now, now + ttlMs, d, runId).changes > 0);
                })
                .immediate(),
        );

    releaseLeases = (runId: string, devices: readonly string[]): Promise<void> =>
        settle(() =>
            this.db
                .transaction(() => {
                    const del = this.db.prepare('DELETE FROM device_leases WHERE device = ? AND run_id = ?');
                    for (const d of devices) del.run(d, runId);
                })
                .immediate(),
        );

    listLeases = (): Promise<DeviceLease[]> =>
        settle(() => {
            const now = this.nowMs();
            return this.db
                .prepare<[], LeaseRow>('SELECT * FROM device_leases ORDER BY device')
                .all()
                .map((r) => toLease(r, now));
        });
}
