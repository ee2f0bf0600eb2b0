// `splitbench run`: campaign file → plan → devices (connected and probed first) → reuse decision → per-device
// queues → store → report. Every finished job is committed as it completes, so an interruption (Ctrl-C, kill -9, a
// dropped phone) loses at most the jobs in flight, and `--resume` runs exactly the run's jobs that have no result,
// with the options the run started with (stored with the run). A run that would measure nothing is not recorded:
// it says which run holds the campaign's latest results instead of posing as a new measurement.
import { unlinkSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { planCampaign } from '../plan/plan.js';
import { SplitbenchError } from '../errors.js';
import type { TfliteModel } from '../model/types.js';
import { newRunId } from '../store/sqlite-store.js';
import { openResultStore, redactUrl, resolveStoreSpec } from '../store/store-spec.js';
import type { RunRecord } from '../store/types.js';
import { printRunTables } from './write-reports.js';
import { VERSION } from '../version.js';
import { closeDevices } from './device-connect.js';
import { dryRun } from './dry-run.js';
import { fetchMissing, loadInputs } from './campaign-inputs.js';
import { gitCommit } from './git-commit.js';
import { jobIdentities } from './job-identities.js';
import { measure, runLeases } from './measure-run.js';
import type { NetworkProfile } from '../analysis/types.js';
import { runOptions, type RunOptionsRecord } from './report-input.js';
import { resumeRun, runToResume } from './resume-run.js';
import { decideReuse, latestCoveringRun, type RunCoverage } from './reuse.js';
import { connectFor, unique, type CampaignRunOptions, type CampaignRunResult, type RunContext } from './run-context.js';
import { openRunLog } from './run-log.js';

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
    (a ?? []).join(',') === (b ?? []).join(',');

/** Same profiles in the same order, field by field (a run stores its campaign's profiles as they were). */
const sameNetworks = (a: readonly NetworkProfile[] | undefined, b: readonly NetworkProfile[]): boolean => {
    const key = (ps: readonly NetworkProfile[]): string =>
        JSON.stringify(
            ps.map((p) =>
                Object.entries(p)
                    .filter(([, v]) => v !== undefined)
                    .sort(([x], [y]) => x.localeCompare(y)),
            ),
        );
    return a !== undefined && key(a) === key(b);
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
        // --dry-run --resume looks the run up the same way (no side effects), so it fails where --resume would.
        if (opts.resume !== undefined) {
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
                // a resumed run measures only its jobs without a result: the plan says the same
                done:
                    resumed !== undefined
                        ? new Set((await store.jobs(resumed.id)).filter((j) => j.state === 'done').map((j) => j.id))
                        : undefined,
                warn: (l) => opts.stderr.write(`warning: ${l}\n`),
            });
            if (resumed !== undefined) opts.stdout.write(`resuming run ${resumed.id}:\n`);
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
            const nothing = await nothingToMeasure(ctx, decision.reusedFrom);
            opts.stderr.write(nothing.message);
            // The user asked for the campaign's numbers: show the run that holds them, saying whose they are.
            if (nothing.bestRunId !== undefined) {
                const best = await store.getRun(nothing.bestRunId);
                opts.stdout.write(`split tables of run ${best.id} (started ${best.startedAt}), not of a new run:\n`);
                // Network profiles need no measurement: an edited `network:` shows at once, from the stored times.
                const networks = loaded.campaign.network;
                if (!sameNetworks(runOptions(best).networks, networks))
                    opts.stderr.write(
                        `network profiles differ from run ${best.id}'s: its stored times are shown with this campaign file's profiles (${networks.map((n) => n.name).join(', ') || 'none'})\n`,
                    );
                await printRunTables({ store, run: best, stdout: opts.stdout, stderr: opts.stderr, networks });
            }
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

/**
 * No run is recorded when every planned job was measured before with the same runtime and device builds: a run
 * with nothing of its own would carry a new id and date on old numbers. Points at the newest run whose report
 * holds exactly those results instead.
 */
const nothingToMeasure = async (
    ctx: RunContext,
    reusedFrom: ReadonlyMap<string, string>,
): Promise<{ message: string; bestRunId: string | undefined }> => {
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
    const message =
        `nothing to measure: all ${reusedFrom.size} job(s) of campaign ${loaded.campaign.name} were measured by ` +
        `earlier run(s) ${from.join(', ')} with the same runtime and device builds; no new run is recorded ` +
        `(--fresh measures them again)\n` +
        (best !== undefined
            ? `latest results: run ${best.runId} (started ${best.startedAt}); report: splitbench report ${best.runId}${db}\n`
            : `no single run's report holds all of them; report each run: ${from.map((r) => `splitbench report ${r}${db}`).join('; ')}\n`);
    return { message, bestRunId: best?.runId };
};
