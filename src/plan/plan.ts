// Campaign → jobs. Pure and deterministic: the same campaign over the same model files yields the same job
// ids, which is what lets a rerun or --resume skip finished work.
import { createHash } from 'node:crypto';
import type { ResolvedCampaign } from '../config/normalize.js';
import type { Role, RoleSettings } from '../config/schema.js';
import type { Job, JobIdentity, JobKind, MeasurementSettings, PlanModel } from './types.js';

export interface PlanOptions {
    /** Only plan jobs on these devices (re-benchmarking one device: `--ue NEW`). */
    onlyDevices?: ReadonlySet<string> | undefined;
}

/** JSON with sorted object keys, so equal settings hash equally whatever their order in the file. */
export const canonicalJson = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
    if (v !== null && typeof v === 'object') {
        const entries = Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
    }
    return JSON.stringify(v);
};

const SCHEDULING_KEYS: ReadonlySet<string> = new Set(['cooldownSecs', 'thermalGateC', 'thermalGateTimeoutSecs']);

export const measurementSettings = (s: RoleSettings): MeasurementSettings =>
    Object.fromEntries(Object.entries(s).filter(([k]) => !SCHEDULING_KEYS.has(k))) as MeasurementSettings;

export interface JobKey {
    kind: JobKind;
    modelSha256: string;
    split: number | null;
    device: string;
    role: Role;
    repetition: number;
    settings: RoleSettings;
    inputShapes?: Readonly<Record<string, readonly number[]>> | undefined;
}

/** 20 hex digits (80 bits) of sha256 over the job's defining facts. Version-tagged so a change of scheme is explicit. */
export const jobId = (k: JobKey): string =>
    createHash('sha256')
        .update(
            canonicalJson({
                v: 1,
                kind: k.kind,
                model: k.modelSha256,
                split: k.split,
                device: k.device,
                role: k.role,
                repetition: k.repetition,
                settings: measurementSettings(k.settings),
                inputShapes: k.inputShapes ?? null,
            }),
        )
        .digest('hex')
        .slice(0, 20);

/**
 * Jobs in execution order per device: repetition-major (all of repetition 0 before repetition 1, so slow
 * drift spreads over repetitions instead of over splits), then model, then full-model jobs before splits.
 * `inputs` must carry each campaign model (matched by id) with its sha256 and resolved split indices.
 */
export const planCampaign = (
    campaign: ResolvedCampaign,
    inputs: readonly PlanModel[],
    opts: PlanOptions = {},
): Job[] => {
    const byId = new Map(inputs.map((m) => [m.id, m]));
    const jobs: Job[] = [];
    // The same file listed twice under two ids would give the same ids twice; it is measured once.
    const seen = new Set<string>();
    const want = (device: string): boolean => opts.onlyDevices === undefined || opts.onlyDevices.has(device);
    const estimate = campaign.modes.includes('estimate');
    const measure = campaign.modes.includes('measure');
    for (let repetition = 0; repetition < campaign.repetitions; repetition++) {
        for (const cm of campaign.models) {
            const m = byId.get(cm.id);
            if (m === undefined) throw new Error(`planCampaign: no resolved inputs for model ${cm.id}`);
            const add = (kind: JobKind, role: Role, device: string, split: number | null): void => {
                if (!want(device)) return;
                const settings = campaign.settings[role];
                const key: JobKey = {
                    kind,
                    modelSha256: m.sha256,
                    split,
                    device,
                    role,
                    repetition,
                    settings,
                    inputShapes: cm.inputShapes,
                };
                const id = jobId(key);
                if (seen.has(id)) return;
                seen.add(id);
                jobs.push({
                    id,
                    kind,
                    mode: kind === 'estimate' ? 'estimate' : 'measure',
                    modelId: m.id,
                    modelSha256: m.sha256,
                    modelPath: m.path,
                    split,
                    device,
                    role,
                    repetition,
                    profile: kind === 'estimate',
                    settings,
                    inputShapes: cm.inputShapes,
                    label: `${kind} ${m.id}${split === null ? '' : `@${split}`} on ${device} #${repetition}`,
                });
            };
            for (const role of ['ue', 'server'] as const) {
                for (const device of campaign.roles[role]) {
                    if (estimate) add('estimate', role, device, null);
                    if (measure) add('baseline', role, device, null);
                }
            }
            if (measure) {
                for (const k of m.splits) {
                    for (const device of campaign.roles.ue) add('measure-head', 'ue', device, k);
                    for (const device of campaign.roles.server) add('measure-tail', 'server', device, k);
                }
            }
        }
    }
    return jobs;
};

/**
 * The second half of the reuse key (the first is the job id): 16 hex digits of sha256 over the runtime identity
 * (splitbench and TFLite versions for the built-in runner, the sha256 of a benchmark_model binary), the device's
 * software build and the resolved threads, CPU mask and XNNPACK flag. A stored result is reused by a later run
 * only when its job id and this key both match, so an upgrade of either side, a new phone firmware or a core
 * count that `threads: all` resolves differently measures again. The binary's local path is left out: the same
 * bytes elsewhere are the same runtime.
 */
export const identityKey = (i: JobIdentity): string => {
    const runtime =
        i.runtime.kind === 'builtin'
            ? { kind: 'builtin', splitbench: i.runtime.splitbench, tflite: i.runtime.tflite }
            : { kind: 'benchmark_model', sha256: i.runtime.sha256 };
    return createHash('sha256')
        .update(
            canonicalJson({
                v: 1,
                runtime,
                build: i.deviceBuild,
                threads: i.threads,
                cpuMask: i.cpuMask,
                xnnpack: i.useXnnpack,
            }),
        )
        .digest('hex')
        .slice(0, 16);
};

/** One line for reports and logs: `built-in runner (splitbench 0.1.0, TFLite 2.9.0)`. */
export const runtimeText = (r: JobIdentity['runtime']): string =>
    r.kind === 'builtin'
        ? `built-in runner (splitbench ${r.splitbench}, TFLite ${r.tflite})`
        : `benchmark_model sha256 ${r.sha256.slice(0, 16)}… (${r.file})`;
