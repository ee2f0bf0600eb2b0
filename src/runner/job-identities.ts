// Identity (runtime, device build, resolved settings) of each planned job on its probed device, and its key.
import type { LoadedCampaign } from '../config/load.js';
import type { DeviceSpec } from '../config/device-file.js';
import type { DeviceProbe } from '../drivers/types.js';
import { identityKey } from '../plan/plan.js';
import type { Job, JobIdentity } from '../plan/types.js';
import { benchSettingsFor, binaryFor } from './job-settings.js';
import { jobIdentityOf, runtimeIdentityOf } from './runtime-identity.js';

export interface KeyedIdentity {
    key: string;
    identity: JobIdentity;
}

/**
 * Jobs on devices without a probe, or whose benchmark binary cannot be chosen (the job then fails when it runs,
 * with that cause), get no identity: they are never reused.
 */
export const jobIdentities = (
    jobs: readonly Job[],
    probes: ReadonlyMap<string, DeviceProbe>,
    specs: ReadonlyMap<string, DeviceSpec>,
    paths: LoadedCampaign['paths'],
): Map<string, KeyedIdentity> => {
    const out = new Map<string, KeyedIdentity>();
    for (const job of jobs) {
        const probe = probes.get(job.device);
        if (probe === undefined) continue;
        try {
            const binary = binaryFor(job.settings, probe, paths, job.device, specs.get(job.device)?.benchmarkBinary);
            const identity = jobIdentityOf(runtimeIdentityOf(binary), probe, benchSettingsFor(job, probe));
            out.set(job.id, { key: identityKey(identity), identity });
        } catch {
            // no identity: measured (and failing with the cause) rather than reused
        }
    }
    return out;
};
