// Threads beyond the CPUs a device has: the benchmark's threads then take turns on the cores, so its times
// include the wait for a core. Not an error (a campaign may ask for the phone's 4 threads on a smaller host on
// purpose), but a measurement condition every report and run states (docs/measurement-conditions.md).
import type { DeviceProbe } from '../drivers/types.js';
import type { Job } from '../plan/types.js';
import { benchSettingsFor } from './job-settings.js';

/**
 * CPUs a device's benchmarks can run on at once: for a simulated phone the host CPUs it may use (`host.cpus`,
 * the simulator says so), since its profile's core count is the phone's, not the machine's; otherwise the
 * probe's `cores` (nproc on Linux, the online cores of a phone). Undefined when the probe cannot say.
 */
export const deviceCpus = (probe: Pick<DeviceProbe, 'cores' | 'host'> | null | undefined): number | undefined => {
    if (probe === undefined || probe === null) return undefined;
    if (probe.host?.simulated === true) return probe.host.cpus;
    return probe.cores > 0 ? probe.cores : undefined;
};

export interface Oversubscribed {
    device: string;
    /** The most threads any of the device's jobs asks for (resolved: `all` is the probe's core count). */
    threads: number;
    cpus: number;
    simulated: boolean;
}

/**
 * Devices whose jobs ask for more threads than they have CPUs, once per device in the jobs' order. A device
 * without a probe counts `unprobedCpus` (a `kind: local` device is this host); when that says nothing too, or
 * the probe does not know its CPUs, the device is left out: no warning is better than a guess.
 */
export const oversubscribed = (
    jobs: readonly Job[],
    probeOf: (device: string) => DeviceProbe | undefined,
    unprobedCpus: (device: string) => number | undefined = () => undefined,
): Oversubscribed[] => {
    const most = new Map<string, Oversubscribed>();
    for (const job of jobs) {
        const probe = probeOf(job.device);
        const cpus = probe === undefined ? unprobedCpus(job.device) : deviceCpus(probe);
        if (cpus === undefined) continue;
        const threads = benchSettingsFor(job, probe).threads;
        const o = most.get(job.device);
        if (o !== undefined) o.threads = Math.max(o.threads, threads);
        else most.set(job.device, { device: job.device, threads, cpus, simulated: probe?.host?.simulated === true });
    }
    return [...most.values()].filter((o) => o.threads > o.cpus);
};

/** The one-line warning for a device (without the `warning: ` prefix the caller adds). */
export const oversubscribedText = (o: Oversubscribed): string =>
    `${o.device}: ${o.threads} threads asked on ${o.cpus} CPU(s)` +
    (o.simulated ? ' (a simulated phone: the CPUs of the host that runs it)' : '') +
    `: the threads take turns on the cores, so its times include waiting for one; fewer threads measure the ` +
    `device without that wait (docs/measurement-conditions.md)`;
