// `splitbench run`: campaign file → plan → devices → sub-models → per-device queues → store → report.
// Every finished job is committed to the store as it completes, so an interruption (Ctrl-C, kill -9, a
// dropped phone) loses at most the jobs in flight, and `--resume` continues where the run stopped.
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadCampaign, type LoadedCampaign } from '../config/load.js';
import { deviceFacts, listDevices, saveProbe, type DeviceSpec } from '../config/device-file.js';
import { fileSourcePath } from '../config/normalize.js';
import { createDriver } from '../drivers/create.js';
import type { DeviceDriver, DeviceProbe } from '../drivers/types.js';
import { SplitbenchError, deviceMessage, isSplitbenchError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { loadModel } from '../model/load.js';
import { mainSubgraph } from '../model/read.js';
import { graphFacts, splitPointIndices } from '../model/split-points.js';
import type { TfliteModel } from '../model/types.js';
import { PARSER_VERSION } from '../parse/benchmark-model.js';
import { formatPlan } from '../plan/format-plan.js';
import { planCampaign } from '../plan/plan.js';
import type { Job } from '../plan/types.js';
import type { ModelFacts as PlanModelFacts } from '../plan/splits.js';
import { renderConsoleTable } from '../report/console.js';
import { renderReport } from '../report/render.js';
import type { ReportFormat } from '../report/types.js';
import { openStore } from '../store/sqlite-store.js';
import type { ResultStore, RunRecord } from '../store/types.js';
import { VERSION } from '../version.js';
import { runBenchmarkOnDevice } from './benchmark-step.js';
import { executeJobs, type ExecutorSummary } from './executor.js';
import { dryRunQueues, scheduleDevices } from './host-queues.js';
import { jobLoad, ownCoresOf, readLoadSnapshot } from './job-load.js';
import { downloadVerified } from './fetch-file.js';
import { gitCommit } from './git-commit.js';
import { benchSettingsFor, binaryFor } from './job-settings.js';
import { localModelFor, prepareSubModels } from './sub-models.js';
import { thermalGate } from './thermal-gate.js';
import { humanLogStream } from './console-log.js';
import { createProgress } from './progress.js';
import { buildReportInput, type RunOptionsRecord } from './report-input.js';
import { backoffMs, isTransportFailure, sleep } from './retry.js';

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
}

export interface CampaignRunResult {
    runId?: string | undefined;
    planned: number;
    skipped: number;
    summary?: ExecutorSummary | undefined;
    reports: string[];
}

const REPORT_EXT: Record<ReportFormat, string> = { md: 'md', csv: 'csv', json: 'json', xlsx: 'xlsx', html: 'html' };
const CAMPAIGN_TO_REPORT: Record<string, ReportFormat> = {
    md: 'md',
    markdown: 'md',
    csv: 'csv',
    json: 'json',
    html: 'html',
    xlsx: 'xlsx',
};

/** Facts the config rules and the planner need about a model file, from the model toolkit. */
const modelFactsFor =
    (cache: Map<string, TfliteModel>) =>
    (absPath: string): PlanModelFacts => {
        let m = cache.get(absPath);
        if (m === undefined) {
            m = loadModel(absPath);
            cache.set(absPath, m);
        }
        const sg = mainSubgraph(m);
        const producers = new Map<string, number>();
        sg.operators.forEach((op, i) => {
            for (const t of op.outputs) {
                const name = sg.tensors[t]?.name;
                if (name !== undefined) producers.set(name, i);
            }
        });
        return {
            opCount: sg.operators.length,
            splitPoints: splitPointIndices(graphFacts(m)),
            tensorProducers: producers,
        };
    };

const loadInputs = (opts: CampaignRunOptions, models: Map<string, TfliteModel>) => {
    const listed = listDevices(opts.devicesDir);
    for (const bad of listed.errors) opts.stderr.write(`warning: ${bad.error.message}\n`);
    const specs = new Map(listed.devices.map((d) => [d.name, d]));
    const loaded = loadCampaign(opts.file, {
        knownDevices: new Map(listed.devices.map((d) => [d.name, deviceFacts(d)])),
        modelInfo: modelFactsFor(models),
        projectDir: opts.baseDir,
        roleOverrides: { ue: opts.ue, server: opts.server },
    });
    for (const w of loaded.warnings) opts.stderr.write(`warning: ${w}\n`);
    return { specs, loaded };
};

const openRun = (
    store: ResultStore,
    loaded: LoadedCampaign,
    opts: CampaignRunOptions,
    extra: RunOptionsRecord,
): { run: RunRecord; resumed: boolean } => {
    if (opts.resume !== undefined) {
        const run = opts.resume === true ? store.findResumableRun(loaded.source.sha256) : store.getRun(opts.resume);
        if (run === undefined)
            throw new SplitbenchError(
                'NOT_FOUND',
                `no unfinished run of ${opts.file} to resume (see splitbench runs list)`,
            );
        if (run.campaignSha256 !== loaded.source.sha256)
            opts.stderr.write(`warning: ${opts.file} changed since run ${run.id}; resuming with the current file\n`);
        if (run.state === 'done') throw new SplitbenchError('USAGE', `run ${run.id} is already complete`);
        store.setRunState(run.id, 'running');
        const reset = store.resetUnfinished(run.id);
        if (reset > 0)
            opts.stderr.write(`resume: ${reset} job(s) in flight when run ${run.id} stopped go back to the queue\n`);
        return { run, resumed: true };
    }
    const run = store.createRun({
        campaignName: loaded.campaign.name,
        campaignPath: loaded.source.absPath,
        campaignSha256: loaded.source.sha256,
        campaignYaml: loaded.source.text,
        splitbenchVersion: VERSION,
        gitCommit: gitCommit(),
        options: { ...extra, ue: opts.ue, server: opts.server, fresh: opts.fresh === true },
    });
    return { run, resumed: false };
};

/** Models and benchmark binaries given by URL: downloaded once into their caches, checked by sha256. */
const fetchMissing = async (loaded: LoadedCampaign, opts: CampaignRunOptions): Promise<number> => {
    const wanted: { url: string; sha256: string; dest: string }[] = [];
    for (const m of loaded.campaign.models)
        if (m.url !== undefined && m.sha256 !== undefined && !existsSync(m.absPath))
            wanted.push({ url: m.url, sha256: m.sha256, dest: m.absPath });
    for (const role of ['ue', 'server'] as const) {
        const rt = loaded.campaign.settings[role].runtime;
        if (rt === 'builtin') continue;
        for (const src of Object.values(rt.benchmarkModel)) {
            if (typeof src === 'string') continue;
            const dest = fileSourcePath(src, loaded.paths.baseDir, loaded.paths.toolCacheDir);
            if (!existsSync(dest) && !wanted.some((w) => w.dest === dest)) wanted.push({ ...src, dest });
        }
    }
    for (const w of wanted) {
        opts.stderr.write(`downloading ${w.url}\n`);
        const { bytes } = await downloadVerified(w.url, w.sha256, w.dest, opts.signal);
        opts.stderr.write(`  ${bytes} bytes, sha256 ok → ${w.dest}\n`);
    }
    return wanted.length;
};

export const runCampaign = async (opts: CampaignRunOptions): Promise<CampaignRunResult> => {
    const models = new Map<string, TfliteModel>();
    let { specs, loaded } = loadInputs(opts, models);
    // a second pass once downloads are in place: their models get read, hashed and checked like local ones
    if ((await fetchMissing(loaded, opts)) > 0) ({ specs, loaded } = loadInputs(opts, models));
    if (loaded.planModels === undefined)
        throw new SplitbenchError('CONFIG_INVALID', `${opts.file}: model files are not all available locally`);
    const only =
        opts.ue !== undefined || opts.server !== undefined
            ? new Set([...(opts.ue ?? []), ...(opts.server ?? [])])
            : undefined;
    // The whole plan, even with --ue/--server: the other role's jobs done earlier are reused, so the new
    // device's heads meet the existing tails in the report.
    const jobs = planCampaign(loaded.campaign, loaded.planModels);

    const store = openStore(opts.dbPath);
    try {
        const doneBefore = store.doneJobIds({ campaignName: loaded.campaign.name });
        // --fresh measures again: everything, or with --ue/--server only the named devices' share
        const earlier =
            opts.fresh !== true
                ? doneBefore
                : only === undefined
                  ? new Set<string>()
                  : new Set(jobs.filter((j) => !only.has(j.device) && doneBefore.has(j.id)).map((j) => j.id));
        if (opts.dryRun === true) {
            const queues = dryRunQueues(
                [...new Set(jobs.map((j) => j.device))].map((name) => ({
                    name,
                    probe: specs.get(name)?.probe,
                    local: specs.get(name)?.kind === 'local',
                })),
                loaded.campaign.scheduling.parallelOnSharedHost,
            );
            for (const l of queues.lines) opts.stderr.write(`${l}\n`);
            opts.stdout.write(
                `${formatPlan(jobs, { skip: earlier, perRunMs: (j) => (store.lastAvgUs([j.id]).get(j.id) ?? Number.NaN) / 1000 || undefined, queues: queues.queues })}\n`,
            );
            return { planned: jobs.length, skipped: jobs.filter((j) => earlier.has(j.id)).length, reports: [] };
        }

        const splits: Record<string, number[]> = {};
        for (const m of loaded.planModels) splits[m.sha256] = [...m.splits];
        const settings = {
            ue: loaded.campaign.settings.ue,
            server: loaded.campaign.settings.server,
            repetitions: loaded.campaign.repetitions,
            modes: loaded.campaign.modes,
        };
        // Jobs done by earlier runs of the campaign are not measured again; the run records their ids so its
        // report includes those results.
        const reusable = jobs.filter((j) => earlier.has(j.id)).map((j) => j.id);
        const { run, resumed } = openRun(store, loaded, opts, {
            splits,
            networks: loaded.campaign.network.map((n) => ({ ...n })),
            settings,
            reused: reusable,
        });
        const doneInRun = resumed ? store.doneJobIds({ runId: run.id }) : new Set<string>();
        const reused = jobs.filter((j) => !doneInRun.has(j.id) && earlier.has(j.id)).map((j) => j.id);
        const todo = jobs.filter(
            (j) => !doneInRun.has(j.id) && !earlier.has(j.id) && (only === undefined || only.has(j.device)),
        );

        const logDir = resolve(opts.baseDir, 'results', 'logs');
        mkdirSync(logDir, { recursive: true });
        const logFile = join(logDir, `${run.id}.jsonl`);
        const logStream = createWriteStream(logFile, { flags: 'a' });
        const log = pino(
            { level: opts.logLevel ?? 'info' },
            pino.multistream([
                { level: opts.logLevel ?? 'info', stream: logStream },
                { level: 'warn', stream: humanLogStream(opts.stderr) },
            ]),
        );
        opts.stderr.write(
            `run ${run.id}${resumed ? ' (resumed)' : ''}: ${todo.length} job(s) to run` +
                (reused.length > 0
                    ? `, ${reused.length} already done in earlier runs (--fresh measures them again)`
                    : '') +
                (doneInRun.size > 0 ? `, ${doneInRun.size} done before the interruption` : '') +
                `; log ${logFile}\n`,
        );

        for (const m of loaded.planModels)
            store.upsertModel({
                sha256: m.sha256,
                path: m.path,
                sizeBytes: loaded.models.find((x) => x.id === m.id)?.sizeBytes ?? 0,
                opCount: m.opCount,
            });
        store.upsertJobs(run.id, todo);

        const summary = await executeCampaignJobs({
            opts,
            store,
            run,
            todo,
            specs,
            models,
            log,
            campaign: loaded.campaign.name,
            retries: loaded.campaign.retries,
            jobTimeoutSecs: loaded.campaign.jobTimeoutSecs,
            paths: loaded.paths,
            parallelOnSharedHost: loaded.campaign.scheduling.parallelOnSharedHost,
        });

        const counts = store.listRuns({ campaignName: run.campaignName }).find((r) => r.id === run.id)?.jobs;
        store.setRunState(run.id, summary.aborted ? 'interrupted' : 'done');
        opts.stderr.write(
            `run ${run.id} ${summary.aborted ? 'interrupted' : 'finished'}: ${summary.done} done, ${summary.failed} failed` +
                (summary.notRun > 0
                    ? `, ${summary.notRun} not run (splitbench run ${opts.file} --resume ${run.id})`
                    : '') +
                (counts !== undefined ? ` [run total ${counts.done}/${counts.total} done]` : '') +
                '\n',
        );
        log.info({ summary }, 'run finished');
        await new Promise<void>((r) => logStream.end(r));

        const reports = summary.aborted ? [] : await writeReports(store, store.getRun(run.id), loaded, opts);
        return { runId: run.id, planned: jobs.length, skipped: reused.length + doneInRun.size, summary, reports };
    } finally {
        store.close();
    }
};

interface ExecuteArgs {
    opts: CampaignRunOptions;
    store: ResultStore;
    run: RunRecord;
    todo: Job[];
    specs: Map<string, DeviceSpec>;
    models: Map<string, TfliteModel>;
    log: Logger;
    campaign: string;
    retries: { count: number; backoffMs: number };
    jobTimeoutSecs: number;
    paths: LoadedCampaign['paths'];
    parallelOnSharedHost: boolean;
}

/** `devices list` and later campaign checks see the probe a run made (devices/.probes/; a failure only warns). */
const cacheProbe = (opts: CampaignRunOptions, spec: DeviceSpec, probe: DeviceProbe, log: Logger): void => {
    try {
        saveProbe(opts.devicesDir, spec, probe);
    } catch (e) {
        log.warn({ err: e, device: spec.name }, 'probe cache not written');
    }
};

const executeCampaignJobs = async (a: ExecuteArgs): Promise<ExecutorSummary> => {
    const { opts, store, run, log } = a;
    const drivers = new Map<string, DeviceDriver>();
    const probes = new Map<string, { probe: DeviceProbe; id: number }>();
    const unreachable = new Map<string, string>();
    const devices = [...new Set(a.todo.map((j) => j.device))];

    // Connect and probe every device first, in parallel, retrying transport failures like jobs do.
    await Promise.all(
        devices.map(async (name) => {
            const spec = a.specs.get(name);
            if (spec === undefined) {
                unreachable.set(name, `unknown device "${name}"`);
                return;
            }
            for (let attempt = 1; ; attempt++) {
                try {
                    const driver =
                        drivers.get(name) ??
                        (await createDriver(spec, {
                            campaign: a.campaign,
                            keepWorkDir: opts.keepWorkDir,
                            logger: log.child({ device: name }),
                        }));
                    drivers.set(name, driver);
                    const probe = await driver.probe({ signal: opts.signal, timeoutMs: 60_000 });
                    probes.set(name, { probe, id: store.recordProbe(run.id, name, probe) });
                    cacheProbe(opts, spec, probe, log);
                    return;
                } catch (e) {
                    if (isTransportFailure(e) && attempt <= a.retries.count && !opts.signal.aborted) {
                        await sleep(backoffMs(attempt, a.retries.backoffMs), opts.signal).catch(() => undefined);
                        continue;
                    }
                    unreachable.set(name, messageOf(e));
                    return;
                }
            }
        }),
    );

    const runnable: Job[] = [];
    for (const job of a.todo) {
        const why = unreachable.get(job.device);
        if (why === undefined) runnable.push(job);
        else store.markJobFailed(run.id, job.id, deviceMessage(job.device, why));
    }
    for (const [name, why] of unreachable)
        opts.stderr.write(`${deviceMessage(name, why)}; its jobs are marked failed\n`);
    const schedule = scheduleDevices(
        devices.filter((d) => probes.has(d)).map((name) => ({ name, probe: probes.get(name)?.probe })),
        a.parallelOnSharedHost,
    );
    for (const l of schedule.lines) opts.stderr.write(`${l}\n`);
    store.mergeRunOptions(run.id, { scheduling: schedule.record });

    const subModels = prepareSubModels(runnable, a.models, resolve(opts.baseDir, 'results', 'submodels'), log, (l) =>
        opts.stderr.write(`${l}\n`),
    );
    // per run and private (mkdtemp), never a folder another checkout or user shares
    const scratch = mkdtempSync(join(tmpdir(), 'splitbench-run-'));
    const recorded = new Set<string>();
    try {
        const summary = await executeJobs({
            jobs: runnable,
            signal: opts.signal,
            log,
            retries: a.retries.count,
            backoffBaseMs: a.retries.backoffMs,
            jobTimeoutMs: a.jobTimeoutSecs * 1000,
            progress: createProgress(opts.stderr),
            queues: schedule.groups,
            onAttempt: (job, attempt) => store.markJobRunning(run.id, job.id, attempt),
            beforeJob: async (job, ctx) => {
                const driver = drivers.get(job.device);
                if (driver === undefined) throw new SplitbenchError('INTERNAL', `no driver for ${job.device}`);
                // health check: a dead link fails here (and is retried) rather than mid-benchmark
                await driver.exec(['true'], { signal: ctx.signal, timeoutMs: 15_000 });
                if (job.settings.cooldownSecs > 0) await sleep(job.settings.cooldownSecs * 1000, ctx.signal);
                await thermalGate(driver, job, ctx.signal, ctx.log);
            },
            runJob: async (job, ctx) => {
                const driver = drivers.get(job.device);
                if (driver === undefined) throw new SplitbenchError('INTERNAL', `no driver for ${job.device}`);
                const probe = probes.get(job.device);
                const settings = benchSettingsFor(job, probe?.probe);
                const loadBefore = await readLoadSnapshot(driver, ctx.signal);
                const out = await runBenchmarkOnDevice({
                    driver,
                    localModel: localModelFor(job, subModels),
                    remoteName: `${job.modelSha256.slice(0, 12)}-${job.kind === 'measure-head' ? `split${job.split}.head` : job.kind === 'measure-tail' ? `split${job.split}.tail` : 'full'}.tflite`,
                    binary: binaryFor(
                        job.settings,
                        probe?.probe,
                        a.paths,
                        job.device,
                        a.specs.get(job.device)?.benchmarkBinary,
                    ),
                    settings,
                    scratchDir: scratch,
                    signal: ctx.signal,
                    timeoutMs: a.jobTimeoutSecs * 1000,
                });
                const loadAfter = await readLoadSnapshot(driver, ctx.signal);
                store.recordResult(run.id, job.id, {
                    attempt: ctx.attempt,
                    raw: {
                        argv: out.exec.argv,
                        stdout: out.exec.stdout,
                        stderr: out.exec.stderr,
                        exitCode: out.exec.exitCode,
                        durationMs: out.exec.durationMs,
                        parserVersion: PARSER_VERSION,
                    },
                    parsed: out.parsed,
                    probeId: probe?.id,
                    load: jobLoad(loadBefore, loadAfter, ownCoresOf(settings.threads, settings.cpuMask)),
                });
                recorded.add(job.id);
                const f = out.parsed.failure;
                if (f !== undefined) {
                    // a benchmark that ran and failed is a result: stored above, never retried
                    throw new SplitbenchError('RUNTIME_FAILED', `benchmark failed (${f.kind}): ${f.line}`);
                }
                const avg = out.parsed.inference.avgUs;
                return { note: avg !== undefined ? `${(avg / 1000).toFixed(2)} ms` : undefined };
            },
            onOutcome: (job, outcome) => {
                if (outcome.state === 'failed' && !recorded.has(job.id))
                    store.markJobFailed(run.id, job.id, outcome.error);
            },
        });
        return summary;
    } finally {
        await Promise.all(
            [...drivers.values()].map((d) =>
                d.close().catch((e: unknown) => log.warn({ err: e, device: d.name }, 'closing the device failed')),
            ),
        );
        if (opts.keepWorkDir === true) opts.stderr.write(`kept scratch folder ${scratch}\n`);
        else rmSync(scratch, { recursive: true, force: true });
    }
};

const writeReports = async (
    store: ResultStore,
    run: RunRecord,
    loaded: LoadedCampaign,
    opts: CampaignRunOptions,
): Promise<string[]> => {
    const input = buildReportInput(store, run, (m) => opts.stderr.write(`warning: ${m}\n`));
    for (const a of input.analyses) opts.stdout.write(`\n${renderConsoleTable(a)}\n`);
    const formats = opts.reportFormats ?? loaded.campaign.report.formats.map((f) => CAMPAIGN_TO_REPORT[f] ?? 'md');
    const outDir = loaded.campaign.report.outDir ?? resolve(opts.baseDir, 'results', 'reports');
    mkdirSync(outDir, { recursive: true });
    const written: string[] = [];
    for (const f of formats) {
        const path = join(outDir, `${run.id}.${REPORT_EXT[f]}`);
        try {
            writeFileSync(path, await renderReport(input, f));
            written.push(path);
        } catch (e) {
            opts.stderr.write(`warning: ${f} report failed: ${isSplitbenchError(e) ? e.message : messageOf(e)}\n`);
        }
    }
    if (written.length > 0) opts.stdout.write(`\nreport: ${written.join('\n        ')}\n`);
    return written;
};
