// `run --dry-run`: what would run where, and for how long. Pure.
import type { RoleSettings } from '../config/schema.js';
import { JOB_KINDS, type Job, type JobKind } from './types.js';

export interface EstimateOptions {
    /**
     * Mean inference time (ms) of this job from earlier results (store.lastAvgUs / 1000), or undefined to guess.
     */
    perRunMs?: ((job: Job) => number | undefined) | undefined;
    /** Guess per inference when no earlier result exists; default 20 ms. */
    defaultPerRunMs?: number | undefined;
    /**
     * Fixed cost per job (s): process start, model load, push, parse; a number for every device, or per device.
     * Default 1.5 s.
     */
    overheadSecs?: number | ((device: string) => number) | undefined;
    /** Jobs already done (skipped by the run). */
    skip?: ReadonlySet<string> | undefined;
    /**
     * The queues the run would use (one per physical host, from the devices' last probes): devices of one queue
     * run one job at a time, queues in parallel. Without it every device is taken as its own queue.
     */
    queues?: readonly PlanQueue[] | undefined;
}

export interface PlanQueue {
    devices: readonly string[];
    /** The host key shared by the devices (`linux:<machine-id>`, …); undefined when the identity is unknown. */
    cpuHost?: string | undefined;
    /** Why the identity is unknown ("identity unknown until probed", a probe warning). */
    note?: string | undefined;
}

/**
 * benchmark_model's loops run until both the run count and the minimum time are reached, capped by maxSecs;
 * the warm-up loop works the same way with its own minimum.
 */
export const estimateJobSecs = (s: RoleSettings, perRunMs: number, overheadSecs: number): number => {
    const t = perRunMs / 1000;
    const warmup = Math.min(Math.max(s.warmupRuns * t, s.warmupRuns > 0 ? s.warmupMinSecs : 0), s.maxSecs);
    const timed = Math.min(Math.max(s.runs * (t + s.runDelaySecs), s.minSecs), s.maxSecs);
    return overheadSecs + s.cooldownSecs + warmup + timed;
};

export interface DevicePlan {
    device: string;
    jobs: number;
    skipped: number;
    byKind: Record<JobKind, number>;
    secs: number;
    /** Jobs whose time came from earlier results rather than a guess. */
    fromHistory: number;
}

export interface PlanSummary {
    total: number;
    toRun: number;
    skipped: number;
    devices: DevicePlan[];
    /** Queues run in parallel, the devices of one queue one after another: the slowest queue. */
    wallSecs: number;
}

export const summarizePlan = (jobs: readonly Job[], opts: EstimateOptions = {}): PlanSummary => {
    const devices = new Map<string, DevicePlan>();
    let skipped = 0;
    for (const job of jobs) {
        let d = devices.get(job.device);
        if (d === undefined) {
            d = {
                device: job.device,
                jobs: 0,
                skipped: 0,
                byKind: Object.fromEntries(JOB_KINDS.map((k) => [k, 0])) as Record<JobKind, number>,
                secs: 0,
                fromHistory: 0,
            };
            devices.set(job.device, d);
        }
        if (opts.skip?.has(job.id) === true) {
            d.skipped++;
            skipped++;
            continue;
        }
        d.jobs++;
        d.byKind[job.kind]++;
        const known = opts.perRunMs?.(job);
        if (known !== undefined) d.fromHistory++;
        const overhead =
            typeof opts.overheadSecs === 'function' ? opts.overheadSecs(job.device) : (opts.overheadSecs ?? 1.5);
        d.secs += estimateJobSecs(job.settings, known ?? opts.defaultPerRunMs ?? 20, overhead);
    }
    const list = [...devices.values()];
    const secsOf = (name: string): number => devices.get(name)?.secs ?? 0;
    const queued = new Set((opts.queues ?? []).flatMap((q) => q.devices));
    const queueSecs = [
        ...(opts.queues ?? []).map((q) => q.devices.reduce((s, d) => s + secsOf(d), 0)),
        ...list.filter((d) => !queued.has(d.device)).map((d) => d.secs),
    ];
    return {
        total: jobs.length,
        toRun: jobs.length - skipped,
        skipped,
        devices: list,
        wallSecs: Math.max(0, ...queueSecs),
    };
};

export const formatDuration = (secs: number): string => {
    const s = Math.round(secs);
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
    return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
};

/** Plain-text plan: one line per device with counts per kind and the estimated time, then the total. */
export const formatPlan = (jobs: readonly Job[], opts: EstimateOptions = {}): string => {
    const sum = summarizePlan(jobs, opts);
    const lines: string[] = [];
    const width = Math.max(6, ...sum.devices.map((d) => d.device.length));
    lines.push(
        `${'device'.padEnd(width)}  ${JOB_KINDS.map((k) => k.padStart(12)).join(' ')}  ${'jobs'.padStart(5)}  ${'skip'.padStart(5)}  estimate`,
    );
    for (const d of sum.devices) {
        const hist = d.fromHistory > 0 ? ` (${d.fromHistory} from earlier results)` : '';
        lines.push(
            `${d.device.padEnd(width)}  ${JOB_KINDS.map((k) => String(d.byKind[k]).padStart(12)).join(' ')}  ${String(d.jobs).padStart(5)}  ${String(d.skipped).padStart(5)}  ~${formatDuration(d.secs)}${hist}`,
        );
    }
    const queues = opts.queues;
    if (queues !== undefined && queues.length > 0) {
        lines.push(
            queues.length === 1
                ? 'queue (its devices never run at the same time):'
                : 'queues (devices of one queue never run at the same time; queues run in parallel):',
        );
        for (const q of queues)
            lines.push(
                `  ${q.devices.join(' + ')}: ${q.cpuHost ?? 'host unknown'}${q.note !== undefined ? ` (${q.note})` : ''}`,
            );
    }
    const shared = queues?.some((q) => q.devices.length > 1) === true;
    const unprobed = queues?.some((q) => q.cpuHost === undefined && q.note?.includes('until probed') === true) === true;
    const oneQueue = queues !== undefined && queues.length === 1 && shared;
    const how = oneQueue
        ? 'one queue: every job one after another'
        : `${shared ? 'queues' : 'devices'} in parallel${unprobed ? '; devices the probe finds on one host will run one after another' : ''}`;
    lines.push(
        `${sum.toRun} job(s) to run${sum.skipped > 0 ? `, ${sum.skipped} already done` : ''} on ${sum.devices.length} device(s); estimated wall time ~${formatDuration(sum.wallSecs)} (${how})`,
    );
    return `${lines.join('\n')}\n`;
};
