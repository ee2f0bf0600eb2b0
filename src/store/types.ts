// The results store as the runner, the CLI and the reports see it. sqlite-store.ts implements it.
import type { DeviceProbe } from '../drivers/types.js';
import type { BenchmarkResult, FailureKind, OpRow } from '../parse/types.js';
import type { Job, JobIdentity, JobKind } from '../plan/types.js';
import type { Role, RoleSettings } from '../config/schema.js';
import type { SplitCheckRecord } from '../report/split-checks.js';

export const RUN_STATES = ['running', 'done', 'interrupted', 'failed'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const JOB_STATES = ['pending', 'running', 'done', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface NewRun {
    /** Default: `YYYYMMDD-HHMMSS-xxxx` from the start time. */
    id?: string | undefined;
    campaignName: string;
    campaignPath: string;
    campaignSha256: string;
    campaignYaml: string;
    splitbenchVersion: string;
    gitCommit?: string | undefined;
    /** Command-line options that shaped the run (`--ue`, `--server`, …), for the record. */
    options?: Readonly<Record<string, unknown>> | undefined;
    startedAt?: Date | undefined;
}

export interface RunRecord {
    id: string;
    campaignName: string;
    campaignPath: string;
    campaignSha256: string;
    campaignYaml: string;
    splitbenchVersion: string;
    gitCommit: string | null;
    options: Record<string, unknown>;
    startedAt: string;
    endedAt: string | null;
    state: RunState;
}

export interface JobCounts {
    total: number;
    pending: number;
    running: number;
    done: number;
    failed: number;
}

export interface RunSummary extends Omit<RunRecord, 'campaignYaml'> {
    jobs: JobCounts;
}

export interface JobRecord {
    runId: string;
    id: string;
    kind: JobKind;
    modelId: string;
    modelSha256: string;
    split: number | null;
    device: string;
    role: Role;
    repetition: number;
    settings: RoleSettings;
    state: JobState;
    attempts: number;
    error: string | null;
    startedAt: string | null;
    endedAt: string | null;
    /** Reuse key's second half (identityKey in src/plan/plan.ts); null for jobs stored before it existed. */
    identityKey?: string | null | undefined;
    /** Runtime, device build and resolved settings the job ran with (null: not recorded). */
    identity?: JobIdentity | null | undefined;
}

/** A job some run measured (state done), for reuse decisions. */
export interface MeasuredJob {
    id: string;
    runId: string;
    runStartedAt: string;
    identityKey: string | null;
}

export interface ModelRecord {
    sha256: string;
    path: string;
    sizeBytes: number;
    opCount?: number | undefined;
}

/** What one attempt printed, kept verbatim so results can be re-parsed without re-running devices. */
export interface RawOutput {
    argv?: readonly string[] | undefined;
    stdout: string;
    stderr: string;
    exitCode: number | null;
    durationMs?: number | undefined;
    /** Set when the output was parsed. */
    parserVersion?: string | undefined;
}

export interface ResultInput {
    attempt: number;
    raw: RawOutput;
    parsed: BenchmarkResult;
    /** Probe snapshot id from recordProbe (the device state the result was measured in). */
    probeId?: number | undefined;
    /** Device load read just before and after the job (stored from schema version 2). */
    load?: JobLoad | undefined;
}

export interface ResultSummary {
    origin: 'text' | 'runner';
    parserVersion: string;
    avgUs: number | null;
    minUs: number | null;
    maxUs: number | null;
    stdUs: number | null;
    medianUs: number | null;
    p5Us: number | null;
    p95Us: number | null;
    initUs: number | null;
    initMs: number | null;
    firstUs: number | null;
    warmupAvgUs: number | null;
    count: number | null;
    failureKind: FailureKind | null;
    failureLine: string | null;
    truncated: boolean;
}

/** Load of a device read from /proc/loadavg and /proc/stat just before and just after one job. */
export interface JobLoad {
    /** 1-minute load average before / after the job. */
    loadAvg1Before?: number | undefined;
    loadAvg1After?: number | undefined;
    /**
     * Share of all CPUs' time (0..1) that was busy between the two /proc/stat reads, i.e. during the job
     * including the benchmark itself; `otherBusy` subtracts what the benchmark's own threads can explain.
     */
    busyFraction?: number | undefined;
    otherBusy?: number | undefined;
    /** Set when the job is flagged as measured while other work used the device (threshold in docs). */
    flag?: string | undefined;
}

/** Everything the analysis needs about one finished job. */
export interface JobResultRecord extends JobRecord {
    modelPath: string | null;
    summary: ResultSummary;
    /** The rest of the parsed result (params, memory, delegates, warm-up/timed stat lines, init profile). */
    extra: Partial<BenchmarkResult>;
    ops: OpRow[];
    samplesUs: number[];
    probe: DeviceProbe | null;
    /** Device load around the job (absent for results stored before load was recorded). */
    load?: JobLoad | null | undefined;
}

/** Which jobs count: one run, every run of a campaign (by name), or every run of the same campaign file. */
export type JobScope = { runId: string } | { campaignName: string } | { campaignSha256: string };

/**
 * The synchronous store SQLite implements (src/store/sqlite-store.ts); everything else sees its async face,
 * ResultStore.
 */
export interface SyncResultStore {
    readonly path: string;
    createRun(run: NewRun): RunRecord;
    /** 'running' reopens a run (resume) and clears its end time; other states set it. */
    setRunState(runId: string, state: RunState): void;
    /** Latest run of this campaign file that did not finish (running after a crash, interrupted, failed). */
    findResumableRun(campaignSha256: string): RunRecord | undefined;
    /** By exact id, unique id prefix, or `latest`. Throws NOT_FOUND. */
    getRun(ref: string): RunRecord;
    listRuns(opts?: { campaignName?: string | undefined; limit?: number | undefined }): RunSummary[];
    recordProbe(runId: string, device: string, probe: DeviceProbe): number;
    /** Sets top-level keys of a run's options (facts known only once devices are probed, e.g. `scheduling`). */
    mergeRunOptions(runId: string, patch: Readonly<Record<string, unknown>>): void;
    upsertModel(m: ModelRecord): void;
    /** Adds jobs to a run; jobs already in the run keep their state. */
    upsertJobs(runId: string, jobs: readonly Job[]): void;
    /** Running jobs left by a crash go back to pending. Returns how many. */
    resetUnfinished(runId: string): number;
    /**
     * Resume: every job of the run without a result (running when the run stopped, or failed before producing
     * output: unreachable device, transport failure) goes back to pending, its started_at/ended_at cleared (the
     * overlap check reads them: a killed attempt's start must not stand for the re-run). Returns how many.
     */
    requeueWithoutResult(runId: string): number;
    /** Replaces the options recorded with the run (reuse decisions are made after the devices are probed). */
    setRunOptions(runId: string, options: Readonly<Record<string, unknown>>): void;
    /** Records what runs each job (identityKey in plan.ts); one transaction. */
    setJobIdentities(runId: string, entries: readonly { jobId: string; key: string; identity: JobIdentity }[]): void;
    /** Done jobs in scope with their run and reuse key, oldest run first. */
    measuredJobs(scope: JobScope): MeasuredJob[];
    /**
     * The job's next attempt starts: state running, `attempts` the larger of stored + 1 and `attempt` (this
     * process's 1-based attempt number, default 1), so attempts are counted across resumed processes (a job re-run
     * after a kill shows 2); started_at set unless an earlier attempt of this process set it.
     */
    markJobRunning(runId: string, jobId: string, attempt?: number): void;
    /** Raw output of an attempt that produced no result (transport failure mid-run). */
    recordAttempt(runId: string, jobId: string, attempt: number, raw: RawOutput): void;
    /** One transaction: raw output, summary, op rows, samples, job state (done, or failed when the benchmark failed). */
    recordResult(runId: string, jobId: string, r: ResultInput): void;
    markJobFailed(runId: string, jobId: string, error: string): void;
    doneJobIds(scope: JobScope): Set<string>;
    jobs(runId: string): JobRecord[];
    /** Done and benchmark-failed jobs with results; for campaign scopes the latest result per job id. */
    jobResults(scope: JobScope): JobResultRecord[];
    /** Raw outputs of one job (all attempts, by attempt), for re-parsing and `runs show`. Throws NOT_FOUND. */
    rawOutputs(runId: string, jobId: string): (RawOutput & { attempt: number })[];
    /** Latest mean inference time (µs) per job id from any run, for duration estimates. */
    lastAvgUs(jobIds: Iterable<string>): Map<string, number>;
    /** Stores the head→tail verdicts of the run's splits (table split_checks); a split already stored is replaced. */
    recordSplitChecks(runId: string, checks: readonly SplitCheckRecord[]): void;
    /** The run's head→tail verdicts, by model and split (empty for runs stored before schema version 5). */
    splitChecks(runId: string): SplitCheckRecord[];
    close(): void;
}

/** Who holds (or asks for) a device lease: the run and the orchestrator process. */
export interface LeaseHolder {
    runId: string;
    user: string;
    host: string;
    pid: number;
}

/** A device's lease as stored. Times are ISO 8601 UTC. */
export interface DeviceLease extends LeaseHolder {
    device: string;
    since: string;
    renewedAt: string;
    expiresAt: string;
    /** The holder stopped renewing: the next run that asks takes the device. */
    expired: boolean;
}

export type LeaseAttempt = { acquired: true; lease: DeviceLease } | { acquired: false; holder: DeviceLease };

/**
 * Device leases, one row per device in the results database (both backends), so campaigns sharing a database never
 * measure one device at the same time. Every call is one transaction (SQLite: BEGIN IMMEDIATE, which serializes
 * writers across processes on one machine; PostgreSQL: a row-locking upsert).
 */
export interface LeaseStore {
    /**
     * Takes `device` for `holder` for `ttlMs` (ms) when it is free, expired, already held by the same run, or held
     * by exactly `takeOver` (a holder the caller found dead). Otherwise returns the current holder.
     */
    acquireLease(
        device: string,
        holder: LeaseHolder,
        ttlMs: number,
        takeOver?: Pick<DeviceLease, 'runId' | 'pid' | 'host'>,
    ): Promise<LeaseAttempt>;
    /** Pushes the expiry of `runId`'s leases on `devices` to now + ttlMs; returns the devices still held. */
    renewLeases(runId: string, devices: readonly string[], ttlMs: number): Promise<string[]>;
    /** Drops `runId`'s leases on `devices` (others' leases are left alone). */
    releaseLeases(runId: string, devices: readonly string[]): Promise<void>;
    /** Every stored lease, expired ones included, by device name. */
    listLeases(): Promise<DeviceLease[]>;
}

/** `T`'s methods returning promises (the async face of a synchronous store). */
export type Promised<T> = {
    [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

/**
 * The results store every backend implements: SQLite (src/store/sqlite-backend.ts) and PostgreSQL
 * (src/store/pg-store.ts). `path` is the SQLite file, or the PostgreSQL URL without its password.
 */
export type AsyncResultStore = Promised<SyncResultStore> &
    LeaseStore & {
        readonly backend: 'sqlite' | 'postgres';
    };

/** The results store as the runner, the CLI and the reports see it (both backends). */
export type ResultStore = AsyncResultStore;
