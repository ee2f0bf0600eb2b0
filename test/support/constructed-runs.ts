// Runs for compare and history written with the store's own API, so every repetition value is known: each result
// has 5 samples avg−2 … avg+2 µs, whose median is avg. Model "two" (two CONV_2D ops: one split point, 0) measured
// in mode measure on UE "phone" (full model and head) and server "edge" (tail); load readings as the runner records
// them. (These are the inputs compare reads, not stand-ins for its output.)
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RoleSettingsSchema, type RoleSettings } from '../../src/config/schema.js';
import { buildTestModel, type ModelSpec } from '../../src/model/build.js';
import { jobId } from '../../src/plan/plan.js';
import type { Job, JobKind } from '../../src/plan/types.js';
import { openStore } from '../../src/store/sqlite-store.js';
import type { JobLoad } from '../../src/store/types.js';
import { makeResult, newRun } from './store-fixtures.js';

/** Two ops, k1 CONV_2D and k2 CONV_2D: one split point, 0. `seed` changes the weights, i.e. the file's sha256. */
export const twoOps = (seed = 9): ModelSpec => ({
    inputs: [{ name: 'x', shape: [1, 8, 8, 3] }],
    layers: [
        { op: 'CONV_2D', name: 'k1', input: 'x', filters: 4, kernel: 3, activation: 'RELU' },
        { op: 'CONV_2D', name: 'k2', input: 'k1', filters: 4, kernel: 1 },
    ],
    outputs: ['k2'],
    seed,
});

export const LOADED: JobLoad = {
    loadAvg1Before: 3.1,
    loadAvg1After: 3.4,
    busyFraction: 1,
    otherBusy: 0.5,
    flag: 'load average 3.10 above 2 CPU(s) before the job',
};
export const QUIET: JobLoad = { loadAvg1Before: 0.2, loadAvg1After: 0.6, busyFraction: 0.52, otherBusy: 0.02 };

/** Per kind, one avg (µs) per repetition, and which repetitions ran under load. */
export interface RunSpec {
    id: string;
    head: number[];
    tail: number[];
    full: number[];
    loaded?: ((kind: JobKind, rep: number) => boolean) | undefined;
    /** Default 'loadcase'. */
    campaign?: string | undefined;
    /** Seed of the model file (twoOps); default 9. */
    modelSeed?: number | undefined;
    /** The UE's settings (the server keeps the default { runs: 5 }). */
    ueSettings?: RoleSettings | undefined;
}

export const DEFAULT_SETTINGS = RoleSettingsSchema.parse({ runs: 5 });

/** sha256 of the model file of each seed written. */
export type ModelShas = Map<number, string>;

/** Writes the runs, a minute apart in the order given, into `work`/results.db (model files beside it). */
export const writeRuns = (work: string, runs: readonly RunSpec[]): ModelShas => {
    const shas: ModelShas = new Map();
    const models = new Map<number, { path: string; sha: string }>();
    let t = Date.parse('2026-11-30T01:00:00Z');
    const store = openStore(join(work, 'results.db'), { now: () => new Date((t += 60_000)) });
    try {
        for (const spec of runs) {
            const seed = spec.modelSeed ?? 9;
            let model = models.get(seed);
            if (model === undefined) {
                const bytes = buildTestModel(twoOps(seed));
                const path = join(work, `two-${seed}.tflite`);
                writeFileSync(path, bytes);
                const sha = createHash('sha256').update(bytes).digest('hex');
                store.upsertModel({ sha256: sha, path, sizeBytes: bytes.length, opCount: 2 });
                model = { path, sha };
                models.set(seed, model);
                shas.set(seed, sha);
            }
            store.createRun(newRun({ id: spec.id, campaignName: spec.campaign ?? 'loadcase' }));
            const jobs: { job: Job; avgUs: number }[] = [];
            const add = (kind: JobKind, device: string, values: readonly number[]): void => {
                values.forEach((avgUs, repetition) => {
                    const role = kind === 'measure-tail' ? 'server' : 'ue';
                    const settings = role === 'ue' ? (spec.ueSettings ?? DEFAULT_SETTINGS) : DEFAULT_SETTINGS;
                    const split = kind === 'baseline' ? null : 0;
                    const key = { kind, modelSha256: model.sha, split, device, role, repetition, settings } as const;
                    jobs.push({
                        avgUs,
                        job: {
                            ...key,
                            id: jobId(key),
                            mode: 'measure',
                            modelId: 'two',
                            modelPath: model.path,
                            profile: false,
                            label: `${kind} two on ${device}`,
                        },
                    });
                });
            };
            add('baseline', 'phone', spec.full);
            add('measure-head', 'phone', spec.head);
            add('measure-tail', 'edge', spec.tail);
            store.upsertJobs(
                spec.id,
                jobs.map((j) => j.job),
            );
            for (const { job, avgUs } of jobs) {
                store.markJobRunning(spec.id, job.id, 1);
                store.recordResult(spec.id, job.id, {
                    attempt: 1,
                    raw: { stdout: '', stderr: '', exitCode: 0 },
                    parsed: makeResult({ avgUs, samples: 5 }),
                    load: spec.loaded?.(job.kind, job.repetition) === true ? LOADED : QUIET,
                });
            }
            store.setRunState(spec.id, 'done');
        }
    } finally {
        store.close();
    }
    return shas;
};
