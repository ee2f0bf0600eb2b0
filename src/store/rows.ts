// Row shapes and row ↔ record mapping shared by the SQLite and PostgreSQL backends: both hold the same schema
// (src/store/migrations.ts), so a row read from either maps to the same records.
import { randomBytes } from 'node:crypto';
import type { RoleSettings, Role } from '../config/schema.js';
import type { DeviceProbe } from '../drivers/types.js';
import type { BenchmarkResult, FailureKind, OpRow } from '../parse/types.js';
import type { JobIdentity, JobKind } from '../plan/types.js';
import type {
    DeviceLease,
    JobRecord,
    JobResultRecord,
    JobLoad,
    JobState,
    LeaseHolder,
    RawOutput,
    ResultInput,
    RunRecord,
    RunState,
} from './types.js';

export interface RunRow {
    id: string;
    campaign_name: string;
    campaign_path: string;
    campaign_sha256: string;
    campaign_yaml: string;
    splitbench_version: string;
    git_commit: string | null;
    options_json: string;
    started_at: string;
    ended_at: string | null;
    state: RunState;
}

export interface JobRow {
    seq: number;
    run_id: string;
    id: string;
    kind: JobKind;
    model_id: string;
    model_sha256: string;
    split: number | null;
    device: string;
    role: Role;
    repetition: number;
    settings_json: string;
    state: JobState;
    attempts: number;
    error: string | null;
    started_at: string | null;
    ended_at: string | null;
    identity_key: string | null;
    identity_json: string | null;
}

export interface ResultRow extends JobRow {
    model_path: string | null;
    probe_id: number | null;
    origin: 'text' | 'runner';
    parser_version: string;
    avg_us: number | null;
    min_us: number | null;
    max_us: number | null;
    std_us: number | null;
    median_us: number | null;
    p5_us: number | null;
    p95_us: number | null;
    init_us: number | null;
    init_ms: number | null;
    first_us: number | null;
    warmup_avg_us: number | null;
    count: number | null;
    failure_kind: FailureKind | null;
    failure_line: string | null;
    truncated: number;
    extra_json: string;
    samples_f64: Buffer | null;
    load_json: string | null;
}

export interface OpRowRow {
    job_seq: number;
    idx: number;
    node_index: number | null;
    type: string;
    name: string;
    outputs_json: string;
    first_ms: number | null;
    avg_ms: number | null;
    min_ms: number | null;
    max_ms: number | null;
    std_ms: number | null;
    pct: number | null;
    mem_kb: number | null;
    times_called: number | null;
}

export const toRun = (r: RunRow): RunRecord => ({
    id: r.id,
    campaignName: r.campaign_name,
    campaignPath: r.campaign_path,
    campaignSha256: r.campaign_sha256,
    campaignYaml: r.campaign_yaml,
    splitbenchVersion: r.splitbench_version,
    gitCommit: r.git_commit,
    options: JSON.parse(r.options_json) as Record<string, unknown>,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    state: r.state,
});

export const toJob = (r: JobRow): JobRecord => ({
    runId: r.run_id,
    id: r.id,
    kind: r.kind,
    modelId: r.model_id,
    modelSha256: r.model_sha256,
    split: r.split,
    device: r.device,
    role: r.role,
    repetition: r.repetition,
    settings: JSON.parse(r.settings_json) as RoleSettings,
    state: r.state,
    attempts: r.attempts,
    error: r.error,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    identityKey: r.identity_key ?? null,
    identity:
        r.identity_json === null || r.identity_json === undefined ? null : (JSON.parse(r.identity_json) as JobIdentity),
});

export const toOp = (o: OpRowRow): OpRow => {
    const op: OpRow = {
        nodeIndex: o.node_index,
        type: o.type,
        name: o.name,
        outputs: JSON.parse(o.outputs_json) as string[],
        firstMs: o.first_ms ?? 0,
        avgMs: o.avg_ms ?? 0,
        pct: o.pct ?? 0,
        cdfPct: 0,
        memKb: o.mem_kb ?? 0,
        timesCalled: o.times_called ?? 0,
    };
    if (o.min_ms !== null) op.minMs = o.min_ms;
    if (o.max_ms !== null) op.maxMs = o.max_ms;
    if (o.std_ms !== null) op.stdMs = o.std_ms;
    return op;
};

export const num = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

export const samplesToBlob = (samples: readonly number[]): Buffer => {
    const b = Buffer.alloc(samples.length * 8);
    samples.forEach((v, i) => b.writeDoubleLE(v, i * 8));
    return b;
};

export const blobToSamples = (b: Buffer): number[] => {
    const out = new Array<number>(b.length >> 3);
    for (let i = 0; i < out.length; i++) out[i] = b.readDoubleLE(i * 8);
    return out;
};

/** Run ids: `YYYYMMDD-HHMMSS-xxxx` (UTC start time + 4 random hex digits), sortable by start. */
export const newRunId = (d: Date): string => {
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${randomBytes(2).toString('hex')}`;
};

/** Columns of `results` in insert order (both backends' INSERTs list them in this order). */
export const RESULT_COLUMNS = [
    'job_seq',
    'probe_id',
    'origin',
    'parser_version',
    'avg_us',
    'min_us',
    'max_us',
    'std_us',
    'median_us',
    'p5_us',
    'p95_us',
    'init_us',
    'init_ms',
    'first_us',
    'warmup_avg_us',
    'count',
    'failure_kind',
    'failure_line',
    'truncated',
    'extra_json',
    'samples_f64',
    'load_json',
] as const;

/** Values for RESULT_COLUMNS. Op rows and samples are stored apart; the raw output keeps the full profile. */
export const resultValues = (seq: number, r: ResultInput): unknown[] => {
    const p = r.parsed;
    const extra: Partial<BenchmarkResult> = { ...p };
    delete extra.ops;
    delete extra.profile;
    delete extra.samplesUs;
    return [
        seq,
        r.probeId ?? null,
        p.origin,
        p.parserVersion,
        num(p.inference.avgUs),
        num(p.inference.minUs),
        num(p.inference.maxUs),
        num(p.inference.stdUs),
        num(p.inference.medianUs),
        num(p.inference.p5Us),
        num(p.inference.p95Us),
        num(p.inference.initUs),
        num(p.initMs),
        num(p.inference.firstUs),
        num(p.inference.warmupAvgUs),
        num(p.inference.count),
        p.failure?.kind ?? null,
        p.failure?.line ?? null,
        p.truncated ? 1 : 0,
        JSON.stringify(extra),
        p.samplesUs === undefined ? null : samplesToBlob(p.samplesUs),
        r.load === undefined ? null : JSON.stringify(r.load),
    ];
};

/** Columns of `op_rows` in insert order. */
export const OP_COLUMNS = [
    'job_seq',
    'idx',
    'node_index',
    'type',
    'name',
    'outputs_json',
    'first_ms',
    'avg_ms',
    'min_ms',
    'max_ms',
    'std_ms',
    'pct',
    'mem_kb',
    'times_called',
] as const;

export const opValues = (seq: number, idx: number, o: OpRow): unknown[] => [
    seq,
    idx,
    o.nodeIndex,
    o.type,
    o.name,
    JSON.stringify(o.outputs),
    num(o.firstMs),
    num(o.avgMs),
    num(o.minMs),
    num(o.maxMs),
    num(o.stdMs),
    num(o.pct),
    num(o.memKb),
    o.timesCalled,
];

/** Job state and error after a result: done, or failed when the benchmark itself failed. */
export const stateAfterResult = (p: BenchmarkResult): { state: JobState; error: string | null } =>
    p.failure === undefined
        ? { state: 'done', error: null }
        : { state: 'failed', error: `${p.failure.kind}: ${p.failure.line}` };

export const toJobResult = (r: ResultRow, ops: OpRow[], probe: DeviceProbe | null): JobResultRecord => ({
    ...toJob(r),
    modelPath: r.model_path,
    summary: {
        origin: r.origin,
        parserVersion: r.parser_version,
        avgUs: r.avg_us,
        minUs: r.min_us,
        maxUs: r.max_us,
        stdUs: r.std_us,
        medianUs: r.median_us,
        p5Us: r.p5_us,
        p95Us: r.p95_us,
        initUs: r.init_us,
        initMs: r.init_ms,
        firstUs: r.first_us,
        warmupAvgUs: r.warmup_avg_us,
        count: r.count,
        failureKind: r.failure_kind,
        failureLine: r.failure_line,
        truncated: Number(r.truncated) !== 0,
    },
    extra: JSON.parse(r.extra_json) as Partial<BenchmarkResult>,
    ops,
    samplesUs: r.samples_f64 === null ? [] : blobToSamples(r.samples_f64),
    probe,
    load: r.load_json === null || r.load_json === undefined ? null : (JSON.parse(r.load_json) as JobLoad),
});

export interface RawOutputRow {
    attempt: number;
    argv_json: string | null;
    stdout: string;
    stderr: string;
    exit_code: number | null;
    duration_ms: number | null;
    parser_version: string | null;
}

export const toRawOutput = (r: RawOutputRow): RawOutput & { attempt: number } => ({
    attempt: r.attempt,
    argv: r.argv_json === null ? undefined : (JSON.parse(r.argv_json) as string[]),
    stdout: r.stdout,
    stderr: r.stderr,
    exitCode: r.exit_code,
    durationMs: r.duration_ms ?? undefined,
    parserVersion: r.parser_version ?? undefined,
});

export interface LeaseRow {
    device: string;
    run_id: string;
    holder_user: string;
    holder_host: string;
    holder_pid: number;
    since_ms: number;
    renewed_ms: number;
    expires_ms: number;
}

export const toLease = (r: LeaseRow, nowMs: number): DeviceLease => ({
    device: r.device,
    runId: r.run_id,
    user: r.holder_user,
    host: r.holder_host,
    pid: Number(r.holder_pid),
    since: new Date(Number(r.since_ms)).toISOString(),
    renewedAt: new Date(Number(r.renewed_ms)).toISOString(),
    expiresAt: new Date(Number(r.expires_ms)).toISOString(),
    expired: Number(r.expires_ms) <= nowMs,
});

/**
 * Whether `holder` may take a lease whose row is `row` at `nowMs`: free, expired, already held by this very process
 * (same run, host and pid), or exactly the dead holder the caller names in `takeOver`. Another process of the same
 * run is not enough: a `--resume` of a run that is still being measured must not take its leases (review item 1),
 * so a resumed run takes back its killed process's leases through `takeOver` or expiry like any other run.
 */
export const leaseIsTakeable = (
    row: LeaseRow | undefined,
    holder: LeaseHolder,
    nowMs: number,
    takeOver?: Pick<DeviceLease, 'runId' | 'pid' | 'host'>,
): boolean =>
    row === undefined ||
    Number(row.expires_ms) <= nowMs ||
    (row.run_id === holder.runId && Number(row.holder_pid) === holder.pid && row.holder_host === holder.host) ||
    (takeOver !== undefined &&
        row.run_id === takeOver.runId &&
        Number(row.holder_pid) === takeOver.pid &&
        row.holder_host === takeOver.host);

/** Columns of `device_leases` in insert order, and the values for a new or taken-over lease. */
export const LEASE_COLUMNS = [
    'device',
    'run_id',
    'holder_user',
    'holder_host',
    'holder_pid',
    'since_ms',
    'renewed_ms',
    'expires_ms',
] as const;

export const newLeaseRow = (
    device: string,
    holder: LeaseHolder,
    nowMs: number,
    ttlMs: number,
    previous: LeaseRow | undefined,
): LeaseRow => ({
    device,
    run_id: holder.runId,
    holder_user: holder.user,
    holder_host: holder.host,
    holder_pid: holder.pid,
    // a run renewing or resuming its own lease keeps its original "since"
    since_ms: previous !== undefined && previous.run_id === holder.runId ? Number(previous.since_ms) : nowMs,
    renewed_ms: nowMs,
    expires_ms: nowMs + ttlMs,
});

export const leaseValues = (r: LeaseRow): unknown[] => LEASE_COLUMNS.map((c) => r[c]);
