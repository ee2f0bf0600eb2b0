// Which planned jobs a new run measures and which earlier results it reuses. The reuse key is the job id plus the
// identity key (runtime, device build, resolved threads / CPU mask / XNNPACK: identityKey in src/plan/plan.ts), so
// results are not reused across an upgrade of splitbench, TFLite or benchmark_model, or a new device build.
import type { Job } from '../plan/types.js';
import type { MeasuredJob } from '../store/types.js';

export interface ReuseInput {
    jobs: readonly Job[];
    /** Done jobs of the campaign's earlier runs, oldest first (store.measuredJobs). */
    measured: readonly MeasuredJob[];
    /** Identity key of a job on its device now; undefined when the device could not be probed. */
    keyOf: (job: Job) => string | undefined;
    fresh: boolean;
    /** `--ue`/`--server`: only these devices measure; the other devices' results are reused as they are. */
    only?: ReadonlySet<string> | undefined;
}

export interface ReuseDecision {
    /** Job id → the run whose result is reused. */
    reusedFrom: Map<string, string>;
    /** Jobs this run measures (on unreachable devices too: they fail with the cause). */
    todo: Job[];
    /** Jobs neither measured nor reused: other devices' jobs (with --ue/--server) that no run has measured. */
    missing: Job[];
}

export const decideReuse = (a: ReuseInput): ReuseDecision => {
    // latest run per (job id, identity key), and per job id whatever the key
    const byKey = new Map<string, string>();
    const byId = new Map<string, string>();
    for (const m of a.measured) {
        byId.set(m.id, m.runId);
        if (m.identityKey !== null) byKey.set(`${m.id}/${m.identityKey}`, m.runId);
    }
    const out: ReuseDecision = { reusedFrom: new Map(), todo: [], missing: [] };
    for (const job of a.jobs) {
        const measures = a.only === undefined || a.only.has(job.device);
        if (!measures) {
            // not probed in this run, so its identity is unknown: the latest result is the reference
            const from = byId.get(job.id);
            if (from !== undefined) out.reusedFrom.set(job.id, from);
            else out.missing.push(job);
            continue;
        }
        const key = a.keyOf(job);
        const from = a.fresh || key === undefined ? undefined : byKey.get(`${job.id}/${key}`);
        if (from !== undefined) out.reusedFrom.set(job.id, from);
        else out.todo.push(job);
    }
    return out;
};

/** What a run's report shows: job id → the run that measured that result (the run itself, or one it reused). */
export interface RunCoverage {
    runId: string;
    startedAt: string;
    sources: ReadonlyMap<string, string>;
}

/**
 * The newest run whose report shows exactly the wanted results (job id → measuring run), for pointing at the
 * campaign's latest results when a run has nothing to measure. `runs`: any order.
 */
export const latestCoveringRun = (
    runs: readonly RunCoverage[],
    wanted: ReadonlyMap<string, string>,
): RunCoverage | undefined =>
    [...runs]
        .sort((x, y) => y.startedAt.localeCompare(x.startedAt))
        .find((r) => [...wanted].every(([id, from]) => r.sources.get(id) === from));
