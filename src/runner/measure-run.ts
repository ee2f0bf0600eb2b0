// The measuring part of a run, new or resumed: record probes, jobs and identities, fail the jobs of devices that
// could not be reached, run the rest under device leases, set the run's final state, write the reports.
import type { DeviceProbe } from '../drivers/types.js';
import type { Job } from '../plan/types.js';
import { DeviceLeases, leaseLabel, thisHolder } from '../store/leases.js';
import { redactUrl } from '../store/store-spec.js';
import type { RunRecord } from '../store/types.js';
import type { connectDevices } from './device-connect.js';
import { executeCampaignJobs } from './execute-campaign.js';
import type { jobIdentities } from './job-identities.js';
import { oversubscribed, oversubscribedText } from './oversubscription.js';
import type { CampaignRunResult, RunContext } from './run-context.js';
import type { RunLog } from './run-log.js';
import { writeReports } from './write-reports.js';

/** One line naming the device and the cause; drivers' messages often start with the device already. */
const unreachableText = (device: string, why: string): string =>
    `device ${device} unreachable: ${why.startsWith(`device ${device}: `) ? why.slice(`device ${device}: `.length) : why}`;

export interface MeasureDeps {
    conn: Awaited<ReturnType<typeof connectDevices>>;
    ids: ReturnType<typeof jobIdentities>;
    runLog: RunLog;
    leases: DeviceLeases;
}

/**
 * The run's leases (src/store/leases.ts): its own `run:<id>` record for the whole run, then each physical host's
 * and device's before their first job. Renewed on a timer; the caller closes them.
 */
export const runLeases = (ctx: RunContext, runId: string): DeviceLeases =>
    new DeviceLeases(ctx.store, thisHolder(runId), {
        ttlMs: ctx.opts.leaseTtlMs,
        noWait: ctx.opts.noWait,
        onMessage: (m) => ctx.opts.stderr.write(`${m}\n`),
        onLost: (d) =>
            ctx.opts.stderr.write(
                `warning: ${leaseLabel(d)}: this run's lease was lost (it expired and another run took it)\n`,
            ),
    });

/** Records probes, jobs and identities, fails the jobs of unreachable devices, runs the rest, writes the reports. */
export const measure = async (
    ctx: RunContext,
    run: RunRecord,
    todo: readonly Job[],
    { conn, ids, runLog, leases }: MeasureDeps,
): Promise<CampaignRunResult> => {
    const { opts, store, loaded } = ctx;
    const probes = new Map<string, { probe: DeviceProbe; id: number }>();
    for (const [name, probe] of conn.probes)
        probes.set(name, { probe, id: await store.recordProbe(run.id, name, probe) });
    for (const m of loaded.planModels ?? [])
        await store.upsertModel({
            sha256: m.sha256,
            path: m.path,
            sizeBytes: loaded.models.find((x) => x.id === m.id)?.sizeBytes ?? 0,
            opCount: m.opCount,
        });
    await store.upsertJobs(run.id, todo);
    await store.setJobIdentities(
        run.id,
        todo.flatMap((j) => {
            const k = ids.get(j.id);
            return k === undefined ? [] : [{ jobId: j.id, key: k.key, identity: k.identity }];
        }),
    );
    const runnable: Job[] = [];
    const failedAtStart = new Map<string, number>();
    for (const job of todo) {
        const why = conn.unreachable.get(job.device);
        if (why === undefined) runnable.push(job);
        else {
            await store.markJobFailed(run.id, job.id, unreachableText(job.device, why));
            failedAtStart.set(job.device, (failedAtStart.get(job.device) ?? 0) + 1);
        }
    }
    for (const [name, n] of failedAtStart)
        opts.stderr.write(`${unreachableText(name, conn.unreachable.get(name) ?? '')}; its ${n} job(s) fail\n`);
    // measured anyway (the report's Measurement conditions list it), but said before the first number appears
    for (const o of oversubscribed(runnable, (d) => conn.probes.get(d))) {
        opts.stderr.write(`warning: ${oversubscribedText(o)}\n`);
        // info, not warn: the run log's warnings are echoed on stderr, which has the line already
        runLog.log.info({ device: o.device, threads: o.threads, cpus: o.cpus }, 'threads above CPUs');
    }

    // Device and host leases: taken before each device's first job, renewed while it runs, released after its
    // last one; the run's own lease stays until its final state is stored (runs list: a live run).
    const summary = await executeCampaignJobs({
        runId: run.id,
        leases,
        store,
        jobs: runnable,
        drivers: conn.drivers,
        probes,
        specs: ctx.specs,
        models: ctx.models,
        log: runLog.log,
        campaign: loaded,
        baseDir: opts.baseDir,
        keepWorkDir: opts.keepWorkDir,
        signal: opts.signal,
        stderr: opts.stderr,
    });
    summary.failed += [...failedAtStart.values()].reduce((a, b) => a + b, 0);
    const counts = (await store.listRuns({ campaignName: run.campaignName })).find((r) => r.id === run.id)?.jobs;
    // Jobs cut short by the interrupt go back to pending, so `runs show` does not say they are still running.
    if (summary.aborted) await store.requeueWithoutResult(run.id);
    // 'failed': it ran to the end but some job has no usable result (--resume retries those without a result)
    await store.setRunState(
        run.id,
        summary.aborted ? 'interrupted' : (counts?.failed ?? summary.failed) > 0 ? 'failed' : 'done',
    );
    await leases.close();
    opts.stderr.write(
        `run ${run.id} ${summary.aborted ? 'interrupted' : 'finished'}: ${summary.done} done, ${summary.failed} failed` +
            (summary.notRun > 0
                ? `, ${summary.notRun} not run (splitbench run ${opts.file} --resume ${run.id} --db ${redactUrl(opts.dbPath)})`
                : '') +
            (counts !== undefined ? ` [run total ${counts.done}/${counts.total} done]` : '') +
            '\n',
    );
    runLog.log.info({ summary }, 'run finished');
    await runLog.close();
    const reports = summary.aborted
        ? []
        : await writeReports({
              store,
              run: await store.getRun(run.id),
              loaded,
              baseDir: opts.baseDir,
              formats: opts.reportFormats,
              stdout: opts.stdout,
              stderr: opts.stderr,
          });
    return { runId: run.id, planned: ctx.jobs.length, skipped: ctx.jobs.length - todo.length, summary, reports };
};
