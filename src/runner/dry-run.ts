// `run --dry-run`: the plan with what earlier runs already measured (judged on the device files' last probes, since
// nothing is contacted), and a warning for every device whose last probe is already above its thermal gate or
// whose jobs ask for more threads than it has CPUs.
import { availableParallelism } from 'node:os';
import type { DeviceSpec } from '../config/device-file.js';
import type { LoadedCampaign } from '../config/load.js';
import type { DeviceProbe } from '../drivers/types.js';
import { formatPlan } from '../plan/format-plan.js';
import type { Job } from '../plan/types.js';
import type { ResultStore } from '../store/types.js';
import { dryRunQueues } from './host-queues.js';
import { jobIdentities } from './job-identities.js';
import { oversubscribed, oversubscribedText } from './oversubscription.js';
import { decideReuse } from './reuse.js';

export interface DryRunArgs {
    jobs: readonly Job[];
    store: ResultStore;
    loaded: LoadedCampaign;
    specs: ReadonlyMap<string, DeviceSpec>;
    fresh: boolean;
    only?: ReadonlySet<string> | undefined;
    /** Job ids already done in the run being resumed (--resume): skipped like reused ones. */
    done?: ReadonlySet<string> | undefined;
    warn: (line: string) => void;
}

/** Fixed cost (s) of one job on a `kind: local` device, for the dry-run estimate (measured, see below). */
const LOCAL_JOB_OVERHEAD_SECS = 0.3;

/** Hottest reading of a probe (°C): thermal zones and the battery. */
export const hottestC = (p: Pick<DeviceProbe, 'thermalC' | 'android'>): number | undefined => {
    const temps = Object.values(p.thermalC);
    if (p.android?.batteryTempC !== undefined) temps.push(p.android.batteryTempC);
    return temps.length > 0 ? Math.max(...temps) : undefined;
};

/** One line per device whose last probed temperature is at or above its role's thermal gate. */
export const thermalWarnings = (jobs: readonly Job[], specs: ReadonlyMap<string, DeviceSpec>): string[] => {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const job of jobs) {
        const gate = job.settings.thermalGateC;
        if (gate === undefined || seen.has(job.device)) continue;
        seen.add(job.device);
        const probe = specs.get(job.device)?.probe as DeviceProbe | undefined;
        const hot = probe === undefined ? undefined : hottestC(probe);
        if (probe === undefined || hot === undefined || hot < gate) continue;
        out.push(
            `${job.device} was at ${hot} °C when last probed (${probe.probedAt}), above its ${gate} °C thermal gate: ` +
                `its first job waits up to ${job.settings.thermalGateTimeoutSecs} s to cool, then its jobs fail ` +
                `(splitbench devices probe ${job.device} to refresh)`,
        );
    }
    return out;
};

export const dryRun = async (a: DryRunArgs): Promise<{ text: string; skipped: number }> => {
    const probes = new Map<string, DeviceProbe>();
    for (const [name, spec] of a.specs) if (spec.probe !== undefined) probes.set(name, spec.probe);
    const ids = jobIdentities(a.jobs, probes, a.specs, a.loaded.paths);
    const decision = decideReuse({
        jobs: a.jobs,
        measured: await a.store.measuredJobs({ campaignName: a.loaded.campaign.name }),
        keyOf: (j) => ids.get(j.id)?.key,
        fresh: a.fresh,
        only: a.only,
    });
    const skip = new Set(decision.reusedFrom.keys());
    for (const j of decision.missing) skip.add(j.id);
    for (const id of a.done ?? []) skip.add(id);
    for (const w of thermalWarnings(a.jobs, a.specs)) a.warn(w);
    // a `kind: local` device is this host, probed or not: its CPUs are the ones this process may use
    for (const o of oversubscribed(
        a.jobs.filter((j) => a.only === undefined || a.only.has(j.device)),
        (d) => probes.get(d),
        (d) => (a.specs.get(d)?.kind === 'local' ? availableParallelism() : undefined),
    ))
        a.warn(oversubscribedText(o));
    const queues = dryRunQueues(
        [...new Set(a.jobs.map((j) => j.device))].map((name) => ({
            name,
            probe: a.specs.get(name)?.probe,
            local: a.specs.get(name)?.kind === 'local',
        })),
        a.loaded.campaign.scheduling.parallelOnSharedHost,
    );
    for (const l of queues.lines) a.warn(l.replace(/^warning: /, ''));
    // one query for every job's last mean time, not one per job (a round trip each on PostgreSQL)
    const lastAvg = await a.store.lastAvgUs(a.jobs.map((j) => j.id));
    const text = formatPlan(a.jobs, {
        queues: queues.queues,
        skip,
        perRunMs: (j) => (lastAvg.get(j.id) ?? Number.NaN) / 1000 || undefined,
        // A local job is a child process on this host (no transfer): the demo's 48 jobs took 21.6 s of wall time on
        // the quiet 2-core VM (0.45 s a job, of which about half is warm-up and timed inference): about 0.2 s of fixed cost. Over SSH and ADB a job also
        // pushes (hash-checked) and execs remotely, which the 1.5 s default covers.
        overheadSecs: (d) => (a.specs.get(d)?.kind === 'local' ? LOCAL_JOB_OVERHEAD_SECS : 1.5),
    });
    return { text, skipped: decision.reusedFrom.size };
};
