// Runs jobs with one queue per physical host (concurrency 1: devices that share CPUs never run at the same
// time) and the queues in parallel. Retries transport failures with backoff, applies per-job timeouts, and stops
// cleanly on abort. What a job produces is recorded by the caller's callbacks, so nothing here knows about the
// store or the benchmark.
import PQueue from 'p-queue';
import { SplitbenchError, isSplitbenchError, messageOf, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { ProgressSink } from './progress.js';
import { backoffMs, isTransportFailure, sleep } from './retry.js';

export interface QueuedJob {
    id: string;
    device: string;
    label: string;
}

export interface JobContext {
    signal: AbortSignal;
    attempt: number;
    log: Logger;
}

/** `code`: the failure's error code (INTERNAL for anything that is not a SplitbenchError), for the circuit breaker. */
export type JobOutcome =
    { state: 'done'; note?: string | undefined } | { state: 'failed'; error: string; code?: ErrorCode | undefined };

export interface ExecutorOptions<J extends QueuedJob> {
    jobs: readonly J[];
    /** Does the work of one attempt. Throws for failures; transport failures are retried. */
    runJob: (job: J, ctx: JobContext) => Promise<{ note?: string | undefined } | void>;
    /** Called before each attempt (health check, cool-down, thermal gate). Throwing counts as a failed attempt. */
    beforeJob?: ((job: J, ctx: JobContext) => Promise<void>) | undefined;
    /**
     * Awaited once before a job's first attempt, outside its timeout (a device lease held by another run). Throwing
     * fails the job at once with the error's message, without retries.
     */
    waitForDevice?: ((job: J) => Promise<void>) | undefined;
    /** Awaited before the attempt starts (the store records the job as running). */
    onAttempt?: ((job: J, attempt: number) => void | Promise<void>) | undefined;
    /** Awaited before the queue moves on (the store records the outcome). */
    onOutcome: (job: J, outcome: JobOutcome, attempts: number) => void | Promise<void>;
    retries: number;
    backoffBaseMs: number;
    jobTimeoutMs: number;
    signal: AbortSignal;
    log: Logger;
    progress?: ProgressSink | undefined;
    /**
     * Groups of devices that must share one queue (devices on one physical host, see host-queues.ts). A device
     * in no group gets a queue of its own. Within a group, jobs alternate between its devices so every device
     * progresses; each device's jobs keep their planned order.
     */
    queues?: readonly (readonly string[])[] | undefined;
}

export interface ExecutorSummary {
    done: number;
    failed: number;
    /** Jobs never started or cut short because the run was aborted. */
    notRun: number;
    aborted: boolean;
}

const attemptOnce = async <J extends QueuedJob>(job: J, opts: ExecutorOptions<J>, attempt: number) => {
    // A per-attempt controller: the job's timeout and the run's abort both end the attempt and kill remote work.
    const ctl = new AbortController();
    const onRunAbort = (): void => ctl.abort(opts.signal.reason);
    opts.signal.addEventListener('abort', onRunAbort, { once: true });
    const timer = setTimeout(
        () =>
            ctl.abort(
                new SplitbenchError('TIMEOUT', `job ${job.label} on ${job.device} exceeded ${opts.jobTimeoutMs} ms`),
            ),
        opts.jobTimeoutMs,
    );
    const log = opts.log.child({ job: job.id, device: job.device, attempt });
    try {
        const ctx: JobContext = { signal: ctl.signal, attempt, log };
        await opts.beforeJob?.(job, ctx);
        const work = opts.runJob(job, ctx);
        // Settle on abort even if the job ignores its signal, so the queue never hangs.
        const aborted = new Promise<never>((_, reject) => {
            if (ctl.signal.aborted) reject(ctl.signal.reason as Error);
            ctl.signal.addEventListener('abort', () => reject(ctl.signal.reason as Error), { once: true });
        });
        aborted.catch(() => undefined);
        return (await Promise.race([work, aborted])) ?? {};
    } finally {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onRunAbort);
    }
};

/** Round-robin over the devices' job lists: a1 b1 a2 b2 a3 … (order within each device kept). */
export const interleave = <J>(lists: readonly (readonly J[])[]): J[] => {
    const out: J[] = [];
    for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i] as J);
    return out;
};

/** Device groups → queue label and its jobs (interleaved); devices in no group get their own queue. */
const queueJobs = <J extends QueuedJob>(
    jobs: readonly J[],
    groups: readonly (readonly string[])[],
): Map<string, J[]> => {
    const byDevice = new Map<string, J[]>();
    for (const job of jobs) {
        const list = byDevice.get(job.device) ?? [];
        list.push(job);
        byDevice.set(job.device, list);
    }
    const out = new Map<string, J[]>();
    const placed = new Set<string>();
    for (const g of groups) {
        const devices = g.filter((d) => byDevice.has(d) && !placed.has(d));
        if (devices.length === 0) continue;
        for (const d of devices) placed.add(d);
        out.set(devices.join('+'), interleave(devices.map((d) => byDevice.get(d) ?? [])));
    }
    for (const [device, list] of byDevice) if (!placed.has(device)) out.set(device, list);
    return out;
};

export const executeJobs = async <J extends QueuedJob>(opts: ExecutorOptions<J>): Promise<ExecutorSummary> => {
    const queues = new Map<string, PQueue>();
    const byQueue = queueJobs(opts.jobs, opts.queues ?? []);
    const queueOf = new Map<string, string>();
    for (const [label, jobs] of byQueue) for (const j of jobs) queueOf.set(j.device, label);
    // progress lines per queue; a shared queue names the device in front of each job
    const where = (job: J): { queue: string; label: string } => {
        const queue = queueOf.get(job.device) ?? job.device;
        return { queue, label: queue === job.device ? job.label : `${job.device}: ${job.label}` };
    };
    const summary: ExecutorSummary = { done: 0, failed: 0, notRun: 0, aborted: false };

    const runWithRetries = async (job: J): Promise<void> => {
        if (opts.signal.aborted) {
            summary.notRun++;
            return;
        }
        const started = Date.now();
        const at = where(job);
        try {
            await opts.waitForDevice?.(job);
        } catch (e) {
            if (opts.signal.aborted) {
                summary.notRun++;
                return;
            }
            const error = isSplitbenchError(e) ? e.message : `internal error: ${messageOf(e)}`;
            summary.failed++;
            await opts.onOutcome(job, { state: 'failed', error, code: isSplitbenchError(e) ? e.code : 'INTERNAL' }, 0);
            opts.progress?.jobStarted(at.queue, at.label);
            opts.progress?.jobFinished(at.queue, job.label, false, 0, error);
            return;
        }
        opts.progress?.jobStarted(at.queue, at.label);
        for (let attempt = 1; ; attempt++) {
            await opts.onAttempt?.(job, attempt);
            try {
                const r = await attemptOnce(job, opts, attempt);
                summary.done++;
                await opts.onOutcome(job, { state: 'done', note: r.note }, attempt);
                opts.progress?.jobFinished(at.queue, at.label, true, Date.now() - started, r.note);
                return;
            } catch (e) {
                if (opts.signal.aborted) {
                    // The run was interrupted: the job is neither done nor failed; resume will pick it up.
                    summary.notRun++;
                    return;
                }
                const retry = isTransportFailure(e) && attempt <= opts.retries;
                opts.log.warn(
                    { job: job.id, device: job.device, attempt, err: e, reason: messageOf(e) },
                    retry ? 'attempt failed, retrying' : 'job failed',
                );
                if (retry) {
                    try {
                        await sleep(backoffMs(attempt, opts.backoffBaseMs), opts.signal);
                    } catch {
                        summary.notRun++;
                        return;
                    }
                    continue;
                }
                const error = isSplitbenchError(e) ? e.message : `internal error: ${messageOf(e)}`;
                summary.failed++;
                const code = isSplitbenchError(e) ? e.code : 'INTERNAL';
                await opts.onOutcome(job, { state: 'failed', error, code }, attempt);
                opts.progress?.jobFinished(at.queue, job.label, false, Date.now() - started, error);
                return;
            }
        }
    };

    for (const [label, jobs] of byQueue) {
        const q = new PQueue({ concurrency: 1 });
        queues.set(label, q);
        opts.progress?.start(label, jobs.length);
        for (const job of jobs) void q.add(() => runWithRetries(job));
    }
    await Promise.all([...queues.values()].map((q) => q.onIdle()));
    opts.progress?.close();
    summary.aborted = opts.signal.aborted;
    return summary;
};
