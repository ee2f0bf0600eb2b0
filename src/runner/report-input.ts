// Store + model files → the report's input: every result a run produced (plus the earlier results it
// reused), the cut of every split point from the model files, and the devices' probe snapshots.
import { existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { assembleAnalysisInputs, type ModelFacts } from '../analysis/assemble.js';
import { modelFacts } from '../analysis/model-facts.js';
import { deviceSettings } from '../analysis/settings-facts.js';
import { analyzeSplits } from '../analysis/split-table.js';
import type { NetworkProfile } from '../analysis/types.js';
import type { DeviceProbe } from '../drivers/types.js';
import { loadModel } from '../model/load.js';
import { modelBaseName } from '../model/split-files.js';
import {
    measurementConditions,
    mergeScheduling,
    type MeasurementConditions,
    type SchedulingFacts,
} from '../report/measurement-conditions.js';
import { deviceCpus } from './oversubscription.js';
import { buildProvenance, type Provenance, type ProvenanceFailure } from '../report/provenance.js';
import type { ReportInput } from '../report/types.js';
import type { JobRecord, JobResultRecord, ResultStore, RunRecord, RunSummary } from '../store/types.js';

/** What a run keeps in its options so reports can be rebuilt later (see campaign-run.ts). */
export interface RunOptionsRecord {
    /** Job ids planned for this run but done in earlier runs of the campaign, whose results the run reuses. */
    reused?: string[] | undefined;
    /** Campaign split points per model sha256. */
    splits?: Record<string, number[]> | undefined;
    networks?: NetworkProfile[] | undefined;
    settings?: Record<string, unknown> | undefined;
    /** Job id → the earlier run whose result this run reuses (runs recorded before this field: `reused` only). */
    reusedFrom?: Record<string, string> | undefined;
    /** `--ue` / `--server` / `--fresh` the run started with; `--resume` continues with these. */
    ue?: string[] | undefined;
    server?: string[] | undefined;
    fresh?: boolean | undefined;
}

export const runOptions = (run: RunRecord): RunOptionsRecord => run.options;

/**
 * Results of the run itself plus the earlier results it reused: for each reused job id, the result of the latest
 * run of the campaign that started before this one, so a report rebuilt later shows the numbers the run was made
 * of, not those of the runs that came after it.
 */
export const runResults = async (store: ResultStore, run: RunRecord): Promise<JobResultRecord[]> => {
    const own = await store.jobResults({ runId: run.id });
    const ownIds = new Set(own.map((r) => r.id));
    const from = runOptions(run).reusedFrom;
    if (from !== undefined) {
        // the run recorded which run measured each reused result: read exactly those
        const bySource = new Map<string, Set<string>>();
        for (const [id, src] of Object.entries(from)) {
            if (ownIds.has(id)) continue;
            const ids = bySource.get(src) ?? new Set<string>();
            ids.add(id);
            bySource.set(src, ids);
        }
        const out = [...own];
        for (const [src, ids] of bySource)
            out.push(...(await store.jobResults({ runId: src })).filter((r) => ids.has(r.id)));
        return out;
    }
    const remaining = new Set((runOptions(run).reused ?? []).filter((id) => !ownIds.has(id)));
    if (remaining.size === 0) return own;
    const out = [...own];
    // Fast path: the latest result per job id over the campaign (one query). It is the right one unless a later
    // run measured the job again.
    const startedAt = new Map<string, string>([[run.id, run.startedAt]]);
    const started = async (id: string): Promise<string> => {
        let s = startedAt.get(id);
        if (s === undefined) {
            s = (await store.getRun(id)).startedAt;
            startedAt.set(id, s);
        }
        return s;
    };
    for (const r of await store.jobResults({ campaignName: run.campaignName })) {
        if (!remaining.has(r.id) || r.runId === run.id || (await started(r.runId)) > run.startedAt) continue;
        out.push(r);
        remaining.delete(r.id);
    }
    if (remaining.size === 0) return out;
    // Slow path: runs started before this one, newest first, read only where they hold a wanted id.
    const earlierRuns = (await store.listRuns({ campaignName: run.campaignName }))
        .filter((r) => r.id !== run.id && r.startedAt <= run.startedAt)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    for (const r of earlierRuns) {
        if (remaining.size === 0) break;
        const holds = (await store.jobs(r.id)).some(
            (j) => remaining.has(j.id) && (j.state === 'done' || j.state === 'failed'),
        );
        if (!holds) continue;
        for (const res of await store.jobResults({ runId: r.id })) {
            if (!remaining.has(res.id)) continue;
            out.push(res);
            remaining.delete(res.id);
        }
    }
    return out;
};

const networksFromYaml = (yamlText: string): NetworkProfile[] => {
    try {
        const doc = parseYaml(yamlText) as { network?: NetworkProfile[] } | null;
        return doc?.network ?? [];
    } catch {
        return [];
    }
};

export const buildReportInput = async (
    store: ResultStore,
    run: RunRecord,
    warn: (msg: string) => void,
    /**
     * Network profiles to analyse with instead of the run's own: the network part is computed from stored times,
     * so a re-run of an edited campaign shows its current profiles without measuring anything again.
     */
    override: { networks?: readonly NetworkProfile[] | undefined } = {},
): Promise<ReportInput> => {
    const results = await runResults(store, run);
    const opts = runOptions(run);
    const models = new Map<string, ModelFacts>();
    for (const r of results) {
        if (models.has(r.modelSha256)) continue;
        if (r.modelPath === null || !existsSync(r.modelPath)) {
            warn(
                `model ${r.modelId} (${r.modelSha256.slice(0, 12)}): file ${r.modelPath ?? '?'} is gone; no cut sizes`,
            );
            continue;
        }
        const m = loadModel(r.modelPath);
        models.set(r.modelSha256, modelFacts(m, r.modelId ?? modelBaseName(r.modelPath), r.modelSha256));
    }
    const splits = new Map(Object.entries(opts.splits ?? {}));
    const networks =
        override.networks !== undefined
            ? [...override.networks]
            : (opts.networks ?? networksFromYaml(run.campaignYaml));
    const analyses = assembleAnalysisInputs(results, models, { networks, splits }).map((i) => analyzeSplits(i));

    const devices = new Map<string, { role: 'ue' | 'server'; probe: DeviceProbe | null }>();
    for (const r of results) {
        const d = devices.get(r.device);
        if (d === undefined || (d.probe === null && r.probe !== null))
            devices.set(r.device, { role: r.role, probe: r.probe });
    }
    return {
        provenance: await provenanceOf(store, run, results),
        run: {
            id: run.id,
            campaign: run.campaignName,
            campaignFile: `${run.campaignPath} (sha256 ${run.campaignSha256.slice(0, 12)})`,
            startedAt: run.startedAt,
            finishedAt: run.endedAt ?? undefined,
            status: run.state,
            splitbenchVersion: run.splitbenchVersion,
            gitCommit: run.gitCommit,
        },
        analyses,
        splitChecks: await store.splitChecks(run.id),
        devices: [...devices].map(([name, d]) => ({ name, role: d.role, probe: d.probe })),
        settings: resolvedSettings(opts.settings ?? {}, results),
        deviceSettings: deviceSettings(results),
        measurement: await conditionsOf(store, run, results),
    };
};

const schedulingOf = (options: Record<string, unknown>): SchedulingFacts | null =>
    (options['scheduling'] as SchedulingFacts | undefined) ?? null;

/**
 * Measurement conditions of every result the report uses, whichever run measured it: the queues of all those
 * runs (the report's own first), and overlaps against every stored job of those runs and of any run (of any
 * campaign) that was open while the results were measured: a reused result keeps the contention of the run that
 * measured it, and another run on the same host shows up.
 */
const conditionsOf = async (
    store: ResultStore,
    run: RunRecord,
    results: readonly JobResultRecord[],
): Promise<MeasurementConditions> => {
    const sources = new Set([run.id, ...results.map((r) => r.runId)]);
    const spans = results.flatMap((r) =>
        r.startedAt === null || r.endedAt === null ? [] : [{ from: r.startedAt, to: r.endedAt }],
    );
    const runs = await store.listRuns();
    // per result, not over the span of all results: a result reused from last week must not pull in every run since.
    // ISO 8601 strings of one format compare as times; a run without an end counts as open until now.
    const meanwhile = (r: RunSummary): boolean =>
        spans.some((x) => r.startedAt <= x.to && (r.endedAt === null || r.endedAt >= x.from));
    const others: (JobRecord & { cpuHost?: string | undefined })[] = [];
    for (const r of runs) {
        if (!sources.has(r.id) && !meanwhile(r)) continue;
        // a job without a result has no probe: its host is the one its run queued the device on
        const hostOf = new Map(schedulingOf(r.options)?.queues.flatMap((q) => q.devices.map((d) => [d, q.cpuHost])));
        for (const j of await store.jobs(r.id)) others.push({ ...j, cpuHost: hostOf.get(j.device) });
    }
    const scheduling = mergeScheduling([
        schedulingOf(run.options),
        ...runs.filter((r) => r.id !== run.id && sources.has(r.id)).map((r) => schedulingOf(r.options)),
    ]);
    return measurementConditions(
        results.map((r) => ({
            ...r,
            cpuHost: r.probe?.host?.cpuHost,
            threads: r.identity?.threads,
            cpus: deviceCpus(r.probe),
        })),
        scheduling,
        others,
    );
};

/**
 * The run's settings with `threads: all` replaced by what it resolved to on each device of the role
 * (`all → 2 (local-server)`), since `all` alone does not say what was measured.
 */
const resolvedSettings = (
    settings: Record<string, unknown>,
    results: readonly JobResultRecord[],
): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...settings };
    for (const role of ['ue', 'server'] as const) {
        const s = settings[role] as Record<string, unknown> | undefined;
        if (s?.['threads'] !== 'all') continue;
        const perDevice = new Map<string, Set<number>>();
        for (const r of results) {
            if (r.role !== role || r.identity === null || r.identity === undefined) continue;
            const set = perDevice.get(r.device) ?? new Set<number>();
            set.add(r.identity.threads);
            perDevice.set(r.device, set);
        }
        if (perDevice.size === 0) continue;
        const text = [...perDevice].map(([d, t]) => `${[...t].join('/')} (${d})`).join(', ');
        out[role] = { ...s, threads: `all → ${text}` };
    }
    return out;
};

/** Which runs measured the report's results and with what; the run's jobs without a result, by device and cause. */
const provenanceOf = async (
    store: ResultStore,
    run: RunRecord,
    results: readonly JobResultRecord[],
): Promise<Provenance> => {
    const starts = new Map<string, string>([[run.id, run.startedAt]]);
    for (const r of results)
        if (!starts.has(r.runId)) {
            try {
                starts.set(r.runId, (await store.getRun(r.runId)).startedAt);
            } catch {
                starts.set(r.runId, '?');
            }
        }
    const withResult = new Set(results.filter((r) => r.runId === run.id).map((r) => r.id));
    const failures = new Map<string, ProvenanceFailure>();
    for (const j of await store.jobs(run.id)) {
        if (withResult.has(j.id) || (j.state !== 'failed' && j.state !== 'pending')) continue;
        const error = j.state === 'pending' ? 'not run yet (the run stopped before it)' : (j.error ?? 'failed');
        const key = `${j.device}\u0000${error}`;
        const f = failures.get(key);
        if (f !== undefined) f.jobs++;
        else failures.set(key, { device: j.device, jobs: 1, error });
    }
    return buildProvenance(
        run.id,
        results.map((r) => ({
            runId: r.runId,
            device: r.device,
            role: r.role,
            identity: r.identity,
            settingsThreads: r.settings.threads,
            probe: r.probe,
        })),
        starts,
        [...failures.values()],
    );
};
