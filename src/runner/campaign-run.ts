// `splitbench run`: campaign file → plan → devices (connected and probed first) → reuse decision → per-device
// queues → store → report. Every finished job is committed as it completes, so an interruption (Ctrl-C, kill -9, a
// dropped phone) loses at most the jobs in flight, and `--resume` runs exactly the run's jobs that have no result,
// with the options the run started with (stored with the run). A run that would measure nothing is not recorded:
// it says which run holds the campaign's latest results instead of posing as a new measurement.
import { setMaxListeners } from 'node:events';
import { unlinkSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { LoadedCampaign } from '../config/load.js';
import type { DeviceSpec } from '../config/device-file.js';
import type { DeviceProbe } from '../drivers/types.js';
import { SplitbenchError } from '../errors.js';
import type { TfliteModel } from '../model/types.js';
import { planCampaign } from '../plan/plan.js';
import type { Job } from '../plan/types.js';
import type { ReportFormat } from '../report/types.js';
import { newRunId } from '../store/sqlite-store.js';
import { DeviceLeases, leaseLabel, thisHolder } from '../store/leases.js';
import { openResultStore, redactUrl, resolveStoreSpec } from '../store/store-spec.js';
import type { ResultStore, RunRecord } from '../store/types.js';
import { VERSION } from '../version.js';
import { closeDevices, connectDevices } from './device-connect.js';
import { dryRun } from './dry-run.js';
import { executeCampaignJobs } from './execute-campaign.js';
import type { ExecutorSummary } from './executor.js';
import { fetchMissing, loadInputs } from './campaign-inputs.js';
import { gitCommit } from './git-commit.js';
import { jobIdentities } from './job-identities.js';
import { runOptions, type RunOptionsRecord } from './report-input.js';
import { decideReuse, latestCoveringRun, type RunCoverage } from './reuse.js';
import { openRunLog, type RunLog } from './run-log.js';
import { writeReports } from './write-reports.js';

export interface CampaignRunOptions {
    file: string;
    devicesDir: string;
    dbPath: string;
    /**
     * The project folder splitbench keeps its data in (results/logs, results/submodels, results/reports unless
     * the campaign names report.outDir, download caches). Paths in the campaign resolve against its own folder.
     */
    baseDir: string;
    /** true: the latest unfinished run of this campaign file; a string: that run. */
    resume?: string | true | undefined;
    /** Measure again jobs that earlier runs of the campaign already did. */
    fresh?: boolean | undefined;
    dryRun?: boolean | undefined;
    ue?: readonly string[] | undefined;
    server?: readonly string[] | undefined;
    /** Report formats to write instead of the campaign's. */
    reportFormats?: readonly ReportFormat[] | undefined;
    signal: AbortSignal;
    stdout: Writable;
    stderr: Writable & { isTTY?: boolean; columns?: number };
    logLevel?: string | undefined;
    /** Keep the run's scratch folders (local launcher, default device working directories) after the run. */
    keepWorkDir?: boolean | undefined;
    /** `--no-wait`: a device whose lease another run holds fails its jobs at once instead of waiting. */
    noWait?: boolean | undefined;
    /** Device lease time to live (ms); default DEFAULT_LEASE_TTL_MS. Tests shorten it to see expiry. */
    leaseTtlMs?: number | undefined;
}

export interface CampaignRunResult {
    /** Undefined for a dry run, and when nothing was left to measure (no run is recorded then). */
    runId?: string | undefined;
    planned: number;
    skipped: number;
    /** Done/failed/not-run counts; `failed` includes the jobs of devices that could not be reached at the start. */
    summary?: ExecutorSummary | undefined;
    reports: string[];
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
    (a ?? []).join(',') === (b ?? []).join(',');

const unique = (xs: Iterable<string>): string[] => [...new Set(xs)];

/** Everything one `splitbench run` works from, once the campaign is loaded and planned. */
interface RunContext {
    opts: CampaignRunOptions;
    store: ResultStore;
    loaded: LoadedCampaign;
    specs: Map<string, DeviceSpec>;
    models: Map<string, TfliteModel>;
    jobs: Job[];
    /** `--ue`/`--server` devices (the run's own, when resuming). */
    only: ReadonlySet<string> | undefined;
}

/** The run `--resume` continues. Its stored options, not today's flags, say what it measures. */
const runToResume = async (
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

export const runCampaign = async (opts: CampaignRunOptions): Promise<CampaignRunResult> => {
    // probes, leases and job queues all listen on the run's signal, one listener per device: a lab has tens
    setMaxListeners(500, opts.signal);
    const models = new Map<string, TfliteModel>();
    let { specs, loaded } = loadInputs(opts, models);
    // a second pass once downloads are in place: their models get read, hashed and checked like local ones
    if ((await fetchMissing(loaded, opts)) > 0) ({ specs, loaded } = loadInputs(opts, models));
    const store = await openResultStore(resolveStoreSpec(opts.dbPath));
    try {
        let resumed: RunRecord | undefined;
        let { ue, server } = opts;
        let fresh = opts.fresh === true;
        if (opts.resume !== undefined && opts.dryRun !== true) {
            resumed = await runToResume(store, loaded, opts);
            const o = runOptions(resumed);
            const flagsDiffer =
                (opts.ue !== undefined && !sameList(opts.ue, o.ue)) ||
                (opts.server !== undefined && !sameList(opts.server, o.server)) ||
                (opts.fresh === true && o.fresh !== true);
            if (flagsDiffer)
                opts.stderr.write(
                    `warning: --resume continues run ${resumed.id} with the options it started with ` +
                        `(${JSON.stringify({ ue: o.ue, server: o.server, fresh: o.fresh === true })}); other flags are ignored\n`,
                );
            ({ ue, server } = o);
            fresh = o.fresh === true;
            if (!sameList(ue, opts.ue) || !sameList(server, opts.server))
                ({ specs, loaded } = loadInputs({ ...opts, ue, server }, models));
        }
        if (loaded.planModels === undefined)
            throw new SplitbenchError('CONFIG_INVALID', `${opts.file}: model files are not all available locally`);
        const only = ue !== undefined || server !== undefined ? new Set([...(ue ?? []), ...(server ?? [])]) : undefined;
        // The whole plan, even with --ue/--server: the other role's jobs done earlier are reused, so the new
        // device's heads meet the existing tails in the report.
        const jobs = planCampaign(loaded.campaign, loaded.planModels);
        if (opts.dryRun === true) {
            const d = await dryRun({
                jobs,
                store,
                loaded,
                specs,
                fresh,
                only,
                warn: (l) => opts.stderr.write(`warning: ${l}\n`),
            });
            opts.stdout.write(`${d.text}\n`);
            return { planned: jobs.length, skipped: d.skipped, reports: [] };
        }
        const ctx: RunContext = { opts, store, loaded, specs, models, jobs, only };
        return resumed !== undefined ? await resumeRun(ctx, resumed) : await newRun(ctx, { ue, server, fresh });
    } finally {
        await store.close();
    }
};

const newRun = async (
    ctx: RunContext,
    flags: { ue: readonly string[] | undefined; server: readonly string[] | undefined; fresh: boolean },
): Promise<CampaignRunResult> => {
    const { opts, store, loaded, jobs, only } = ctx;
    const started = new Date();
    const runId = newRunId(started);
    const runLog = openRunLog(opts, runId);
    // Probe first: whether an earlier result can stand for this run depends on the runtime and device build now.
    const conn = await connectFor(
        ctx,
        jobs.filter((j) => only === undefined || only.has(j.device)),
        runLog,
    );
    try {
        const ids = jobIdentities(jobs, conn.probes, ctx.specs, loaded.paths);
        const decision = decideReuse({
            jobs,
            measured: await store.measuredJobs({ campaignName: loaded.campaign.name }),
            keyOf: (j) => ids.get(j.id)?.key,
            fresh: flags.fresh,
            only,
        });
        if (decision.todo.length === 0) {
            await runLog.close();
            unlinkSync(runLog.file);
            opts.stderr.write(await nothingToMeasure(ctx, decision.reusedFrom));
            return { planned: jobs.length, skipped: decision.reusedFrom.size, reports: [] };
        }
        const splits: Record<string, number[]> = {};
        for (const m of loaded.planModels ?? []) splits[m.sha256] = [...m.splits];
        const options: RunOptionsRecord & Record<string, unknown> = {
            splits,
            networks: loaded.campaign.network.map((n) => ({ ...n })),
            settings: {
                ue: loaded.campaign.settings.ue,
                server: loaded.campaign.settings.server,
                repetitions: loaded.campaign.repetitions,
                modes: loaded.campaign.modes,
            },
            reused: [...decision.reusedFrom.keys()],
            reusedFrom: Object.fromEntries(decision.reusedFrom),
            ue: flags.ue === undefined ? undefined : [...flags.ue],
            server: flags.server === undefined ? undefined : [...flags.server],
            fresh: flags.fresh,
        };
        const run = await store.createRun({
            id: runId,
            startedAt: started,
            campaignName: loaded.campaign.name,
            campaignPath: loaded.source.absPath,
            campaignSha256: loaded.source.sha256,
            campaignYaml: loaded.source.text,
            splitbenchVersion: VERSION,
            gitCommit: gitCommit(),
            options,
        });
        const leases = runLeases(ctx, run.id);
        try {
            await leases.claimRun();
            const n = decision.reusedFrom.size;
            opts.stderr.write(
                `run ${run.id}: ${decision.todo.length} job(s) to run` +
                    (n > 0
                        ? `, ${n} already done in earlier runs with the same runtime and device builds (--fresh measures them again)`
                        : '') +
                    `; log ${runLog.file}\n`,
            );
            return await measure(ctx, run, decision.todo, { conn, ids, runLog, leases });
        } finally {
            await leases.close();
        }
    } finally {
        await closeDevices(conn.drivers, runLog.log);
        await runLog.close();
    }
};

/** Connects and probes the devices of these jobs (device-connect.ts), caching their probes for `devices list`. */
const connectFor = (ctx: RunContext, jobs: readonly Job[], runLog: RunLog): ReturnType<typeof connectDevices> =>
    connectDevices({
        devices: unique(jobs.map((j) => j.device)),
        specs: ctx.specs,
        campaign: ctx.loaded.campaign.name,
        retries: ctx.loaded.campaign.retries,
        signal: ctx.opts.signal,
        log: runLog.log,
        devicesDir: ctx.opts.devicesDir,
        keepWorkDir: ctx.opts.keepWorkDir,
    });

/**
 * The run's leases (src/store/leases.ts): its own `run:<id>` record for the whole run, then each physical host's
 * and device's before their first job. Renewed on a timer; the caller closes them.
 */
const runLeases = (ctx: RunContext, runId: string): DeviceLeases =>
    new DeviceLeases(ctx.store, thisHolder(runId), {
        ttlMs: ctx.opts.leaseTtlMs,
        noWait: ctx.opts.noWait,
        onMessage: (m) => ctx.opts.stderr.write(`${m}\n`),
        onLost: (d) =>
            ctx.opts.stderr.write(
                `warning: ${leaseLabel(d)}: this run's lease was lost (it expired and another run took it)\n`,
            ),
    });

const resumeRun = async (ctx: RunContext, run: RunRecord): Promise<CampaignRunResult> => {
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

/** One line naming the device and the cause; drivers' messages often start with the device already. */
const unreachableText = (device: string, why: string): string =>
    `device ${device} unreachable: ${why.startsWith(`device ${device}: `) ? why.slice(`device ${device}: `.length) : why}`;

interface MeasureDeps {
    conn: Awaited<ReturnType<typeof connectDevices>>;
    ids: ReturnType<typeof jobIdentities>;
    runLog: RunLog;
    leases: DeviceLeases;
}

/** Records probes, jobs and identities, fails the jobs of unreachable devices, runs the rest, writes the reports. */
const measure = async (
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
                ? `, ${summary.notRun} not run (splitbench run ${opts.file} --resume ${run.id}--db ${redactUrl(opts.dbPath)})`
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

/**
 * No run is recorded when every planned job was measured before with the same runtime and device builds: a run
 * with nothing of its own would carry a new id and date on old numbers. Points at the newest run whose report
 * holds exactly those results instead.
 */
const nothingToMeasure = async (ctx: RunContext, reusedFrom: ReadonlyMap<string, string>): Promise<string> => {
    const { store, loaded, opts } = ctx;
    const coverage: RunCoverage[] = [];
    for (const r of await store.listRuns({ campaignName: loaded.campaign.name })) {
        const sources = new Map<string, string>(Object.entries(runOptions(await store.getRun(r.id)).reusedFrom ?? {}));
        for (const j of await store.jobs(r.id)) if (j.state === 'done') sources.set(j.id, r.id);
        coverage.push({ runId: r.id, startedAt: r.startedAt, sources });
    }
    const best = latestCoveringRun(coverage, reusedFrom);
    const from = unique(reusedFrom.values());
    const db = ` --db ${redactUrl(opts.dbPath)}`;
    return (
        `nothing to measure: all ${reusedFrom.size} job(s) of campaign ${loaded.campaign.name} were measured by ` +
        `earlier run(s) ${from.join(', ')} with the same runtime and device builds; no new run is recorded ` +
        `(--fresh measures them again)\n` +
        (best !== undefined
            ? `latest results: run ${best.runId} (started ${best.startedAt}); report: splitbench report ${best.runId}${db}\n`
            : `no single run's report holds all of them; report each run: ${from.map((r) => `splitbench report ${r}${db}`).join('; ')}\n`)
    );
};
