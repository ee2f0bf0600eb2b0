// Which devices may run at the same time. Two devices whose probes name the same `cpuHost` share CPUs (the demo's
// local UE and local server, a simulated phone and the SSH server on its host), so a benchmark on one measures the
// contention with the other: they get one queue. Works on probes, from a run or from device files.
import { readFileSync } from 'node:fs';
import { linuxHostIdentity } from '../drivers/linux-probe.js';
import type { DeviceProbe, HostIdentity } from '../drivers/types.js';
import type { PlanQueue } from '../plan/format-plan.js';

/** One queue of the executor: its devices never run jobs at the same time. */
export interface HostQueue {
    /** The shared `cpuHost`, or `device:<name>` for a device whose identity is unknown (a queue of its own). */
    cpuHost: string;
    devices: string[];
}

/** What a run records in its options (`scheduling`) so reports can state how devices were scheduled. */
export interface SchedulingRecord {
    queues: HostQueue[];
    /** The campaign opted into parallel runs on a shared host: `queues` then lists the host groups that ran in parallel. */
    parallelOnSharedHost: boolean;
}

export interface HostGrouping {
    /** One entry per physical host (devices in campaign order); an unknown identity is a queue of its own. */
    queues: HostQueue[];
    /** One line per device whose identity is unknown or incomplete (from the probe's `host.warning`). */
    warnings: string[];
    /** Devices with no probe at all (dry run before the first probe). */
    unprobed: string[];
}

/**
 * Groups devices by the physical CPUs they run on (`probe.host.cpuHost`, see HostIdentity). A device with no
 * probe, no host identity (probes stored before it existed) or an identity `warning` gets a queue of its own: the
 * scheduler cannot prove it shares a host, and serializing it with a guess would hide the real problem.
 */
export const groupByCpuHost = (
    devices: readonly { name: string; probe?: DeviceProbe | null | undefined }[],
): HostGrouping => {
    const byHost = new Map<string, HostQueue>();
    const warnings: string[] = [];
    const unprobed: string[] = [];
    for (const d of devices) {
        const host = d.probe?.host;
        if (d.probe === undefined || d.probe === null) unprobed.push(d.name);
        else if (host === undefined)
            warnings.push(
                `device ${d.name}: its probe has no host identity (probed by an older splitbench); own queue`,
            );
        else if (host.warning !== undefined) warnings.push(`device ${d.name}: ${host.warning}`);
        const key = host !== undefined && host.warning === undefined ? host.cpuHost : `device:${d.name}`;
        const q = byHost.get(key) ?? { cpuHost: key, devices: [] };
        if (!q.devices.includes(d.name)) q.devices.push(d.name);
        byHost.set(key, q);
    }
    return { queues: [...byHost.values()], warnings, unprobed };
};

/** The one-line warning printed when a campaign opts into parallel runs on a shared host, or undefined. */
export const sharedHostWarning = (queues: readonly HostQueue[], parallel: boolean): string | undefined => {
    const shared = queues.filter((q) => q.devices.length > 1);
    if (!parallel || shared.length === 0) return undefined;
    return (
        `scheduling.parallelOnSharedHost: ${shared.map((q) => q.devices.join(' + ')).join('; ')} share CPUs ` +
        `(${shared.map((q) => q.cpuHost).join(', ')}) and run at the same time; their timings include each other's load`
    );
};

/** Short label of a queue for progress lines: the device, or `a+b` for devices that share a host. */
export const queueLabel = (q: HostQueue): string => q.devices.join('+');

export interface DeviceSchedule {
    /** Device groups for executeJobs' `queues` (shared-host groups; empty when parallel runs were opted into). */
    groups: string[][];
    /** For the run's options. */
    record: SchedulingRecord;
    /** One-line messages for the terminal: identity warnings, the opt-in warning, shared queues. */
    lines: string[];
}

const shortHost = (cpuHost: string): string => cpuHost.replace(/^(linux:[0-9a-f]{8})[0-9a-f]{24}$/, '$1…');

/** Queues for a run from the devices' probes and the campaign's `scheduling.parallelOnSharedHost`. */
export const scheduleDevices = (
    devices: readonly { name: string; probe?: DeviceProbe | null | undefined }[],
    parallelOnSharedHost: boolean,
): DeviceSchedule => {
    const g = groupByCpuHost(devices);
    const lines = g.warnings.map((w) => `warning: ${w}`);
    const opted = sharedHostWarning(g.queues, parallelOnSharedHost);
    if (opted !== undefined) lines.push(`warning: ${opted}`);
    else
        for (const q of g.queues)
            if (q.devices.length > 1)
                lines.push(
                    `scheduling: ${q.devices.join(', ')} share ${shortHost(q.cpuHost)}: one queue, one job at a time`,
                );
    return {
        groups: parallelOnSharedHost ? [] : g.queues.filter((q) => q.devices.length > 1).map((q) => q.devices),
        record: { queues: g.queues, parallelOnSharedHost },
        lines,
    };
};

const readOr = (file: string): string => {
    try {
        return readFileSync(file, 'utf8');
    } catch {
        return '';
    }
};

/** This host's identity, read the way the Linux probe reads it (machine-id, D-Bus copy, boot_id). */
export const localHostIdentity = (): HostIdentity =>
    linuxHostIdentity(
        readOr('/etc/machine-id') || readOr('/var/lib/dbus/machine-id'),
        readOr('/proc/sys/kernel/random/boot_id'),
    );

/**
 * Queues `--dry-run` shows, from each device file's last probe (nothing is contacted): shared-host groups with
 * their host key, then every other device alone with why its identity is unknown, if it is.
 */
export const dryRunQueues = (
    listed: readonly { name: string; probe?: DeviceProbe | undefined; local?: boolean | undefined }[],
    parallel: boolean,
): { queues: PlanQueue[]; lines: string[] } => {
    // a `kind: local` device is this host: its identity is known without a probe
    let here: HostIdentity | undefined;
    const devices = listed.map((d) => {
        if (d.local !== true) return d;
        here ??= localHostIdentity();
        const probe = d.probe ?? ({ host: here } as DeviceProbe);
        return { ...d, probe: { ...probe, host: here } };
    });
    const sched = scheduleDevices(devices, parallel);
    const grouped = new Set(sched.groups.flat());
    const sharesHost = (name: string): boolean =>
        sched.record.queues.some((q) => q.devices.length > 1 && q.devices.includes(name));
    const noteOf = (d: { name: string; probe?: DeviceProbe | undefined }): string | undefined => {
        if (d.probe === undefined) return 'identity unknown until probed';
        if (d.probe.host === undefined)
            return 'identity unknown until probed again (last probe predates host identity)';
        if (d.probe.host.warning !== undefined) return 'identity unreadable: own queue';
        return parallel && sharesHost(d.name)
            ? 'shares its host: parallel by scheduling.parallelOnSharedHost'
            : undefined;
    };
    const queues: PlanQueue[] = [
        ...sched.groups.map((g) => ({
            devices: g,
            cpuHost: sched.record.queues.find((q) => q.devices.includes(g[0] ?? ''))?.cpuHost,
        })),
        ...devices
            .filter((d) => !grouped.has(d.name))
            .map((d) => ({
                devices: [d.name],
                cpuHost: d.probe?.host?.warning === undefined ? d.probe?.host?.cpuHost : undefined,
                note: noteOf(d),
            })),
    ];
    return { queues, lines: sched.lines };
};
