// `run --resume`: the interrupted run's jobs without a result, with the options the run started with.
import type { LoadedCampaign } from '../config/load.js';
import { SplitbenchError } from '../errors.js';
import type { Job } from '../plan/types.js';
import type { DeviceLeases } from '../store/leases.js';
import type { ResultStore, RunRecord } from '../store/types.js';
import { closeDevices } from './device-connect.js';
import { jobIdentities } from './job-identities.js';
import { measure, runLeases } from './measure-run.js';
import { connectFor, type CampaignRunOptions, type CampaignRunResult, type RunContext } from './run-context.js';
import { openRunLog } from './run-log.js';

/** The run `--resume` continues. Its stored options, not today's flags, say what it measures. */
export const runToResume = async (
    store: ResultStore,
    loaded: LoadedCampaign,
    opts: CampaignRunOptions,
): Promise<RunRecord> => {
    const run =
        opts.resume === true
            ? await store.findResumableRun(loaded.source.sha256)
            : await store.getRun(String(opts.resume));
    if (run === undefined)
        throw new SplitbenchError(
            'NOT_FOUND',
            `no unfinished run of ${opts.file} to resume (see splitbench runs list)`,
        );
    // Another campaign's file would mark every job of the run "not planned any more" and end it: refuse instead.
    if (run.campaignName !== loaded.campaign.name)
        throw new SplitbenchError(
            'USAGE',
            `run ${run.id} belongs to campaign "${run.campaignName}" (${run.campaignPath}), not "${loaded.campaign.name}" ` +
                `(${opts.file}): splitbench run ${run.campaignPath} --resume ${run.id}`,
        );
    if (run.campaignSha256 !== loaded.source.sha256)
        opts.stderr.write(`warning: ${opts.file} changed since run ${run.id}; resuming with the current file\n`);
    if (run.state === 'done') throw new SplitbenchError('USAGE', `run ${run.id} is already complete`);
    return run;
};

export const resumeRun = async (ctx: RunContext, run: RunRecord): Promise<CampaignRunResult> => {
    const leases = runLeases(ctx, run.id);
    try {
        // before touching its jobs: a run that another live process is measuring is refused here
        await leases.claimRun();
        return await resumeClaimed(ctx, run, leases);
    } finally {
        await leases.close();
    }
};

const resumeClaimed = async (ctx: RunContext, run: RunRecord, leases: DeviceLeases): Promise<CampaignRunResult> => {
    const { opts, store, loaded, jobs } = ctx;
    await store.setRunState(run.id, 'running');
    const requeued = await store.requeueWithoutResult(run.id);
    const runLog = openRunLog(opts, run.id);
    const planned = new Map(jobs.map((j) => [j.id, j]));
    const all = await store.jobs(run.id);
    const todo: Job[] = [];
    let dropped = 0;
    for (const p of all.filter((j) => j.state === 'pending')) {
        const job = planned.get(p.id);
        if (job !== undefined) todo.push(job);
        else {
            dropped++;
            await store.markJobFailed(
                run.id,
                p.id,
                `not in ${opts.file} any more (the file changed since run ${run.id} started)`,
            );
        }
    }
    if (requeued > 0)
        opts.stderr.write(
            `resume: ${requeued} job(s) of run ${run.id} without a result (in flight or failed without output) go back to the queue\n`,
        );
    if (dropped > 0)
        opts.stderr.write(
            `resume: ${dropped} job(s) of run ${run.id} are not planned by ${opts.file} any more; they fail\n`,
        );
    const conn = await connectFor(ctx, todo, runLog);
    try {
        const ids = jobIdentities(todo, conn.probes, ctx.specs, loaded.paths);
        opts.stderr.write(
            `run ${run.id} (resumed): ${todo.length} job(s) to run, ${all.length - todo.length} done or failed ` +
                `before the interruption; log ${runLog.file}\n`,
        );
        return await measure(ctx, run, todo, { conn, ids, runLog, leases });
    } finally {
        await closeDevices(conn.drivers, runLog.log);
        await runLog.close();
    }
};
