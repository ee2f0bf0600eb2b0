// What one `splitbench run` works from: its options, its result, the loaded and planned campaign, and the
// connection step every path (new run, resume) takes before measuring.
import type { Writable } from 'node:stream';
import type { DeviceSpec } from '../config/device-file.js';
import type { LoadedCampaign } from '../config/load.js';
import type { TfliteModel } from '../model/types.js';
import type { Job } from '../plan/types.js';
import type { ReportFormat } from '../report/types.js';
import type { ResultStore } from '../store/types.js';
import { connectDevices } from './device-connect.js';
import type { ExecutorSummary } from './executor.js';
import type { RunLog } from './run-log.js';

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

export const unique = (xs: Iterable<string>): string[] => [...new Set(xs)];

/** Everything one `splitbench run` works from, once the campaign is loaded and planned. */
export interface RunContext {
    opts: CampaignRunOptions;
    store: ResultStore;
    loaded: LoadedCampaign;
    specs: Map<string, DeviceSpec>;
    models: Map<string, TfliteModel>;
    jobs: Job[];
    /** `--ue`/`--server` devices (the run's own, when resuming). */
    only: ReadonlySet<string> | undefined;
}

/** Connects and probes the devices of these jobs (device-connect.ts), caching their probes for `devices list`. */
export const connectFor = (ctx: RunContext, jobs: readonly Job[], runLog: RunLog): ReturnType<typeof connectDevices> =>
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
