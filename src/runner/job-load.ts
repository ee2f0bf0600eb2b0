// Device load around one job: one exec just before and one just after the benchmark read /proc/loadavg and
// /proc/stat (Linux and Android both have them), and a pure function turns the two snapshots into a
// JobLoad with a flag when other work shared the device. Threshold and reasoning: docs/measurement-conditions.md.
import type { DeviceDriver } from '../drivers/types.js';
import type { JobLoad } from '../store/types.js';

/**
 * The one command per snapshot: a single `cat` (one process, no shell: the cheapest exec a device has; toybox on
 * Android). The lines of /proc/stat other than `cpu*` are ignored.
 */
export const LOAD_ARGV: readonly string[] = ['cat', '/proc/loadavg', '/proc/stat'];

/**
 * Foreign work, in cores, beyond what the benchmark's own threads can explain, averaged over the job, above
 * which a result is flagged. Half a core: a benchmark thread then found its core taken about half of the time
 * (or every core a little), which is far beyond the noise of kernel threads and the harness's own exec (a few
 * hundredths of a core on an idle host).
 */
export const OTHER_BUSY_CORES_LIMIT = 0.5;

/**
 * Share of all CPUs' time (0..1) busy during the job at or above which the CPUs count as saturated. Linux's
 * scheduler is work-conserving: while a task is runnable no CPU it may use sits idle, so work queued behind a
 * benchmark shows as (nearly) no idle time. TFLite with as many threads as cores kept a 2-core host 50–82 % busy
 * on its own here, far below this.
 */
export const SATURATED_BUSY_FRACTION = 0.95;

export interface LoadSnapshot {
    /** /proc/loadavg 1-minute average. */
    loadAvg1?: number | undefined;
    /** Aggregate `cpu` line of /proc/stat, in clock ticks (USER_HZ). */
    busyTicks?: number | undefined;
    totalTicks?: number | undefined;
    /** Number of `cpuN` lines: the CPUs the counters cover. */
    cpus: number;
}

/**
 * Parses the output of LOAD_ARGV. /proc/stat `cpu` fields (proc(5)): user nice system idle iowait irq softirq
 * steal [guest guest_nice]; busy = user+nice+system+irq+softirq+steal (steal is CPU a hypervisor gave to someone
 * else: other work), total = busy+idle+iowait; guest time is already inside user. Missing parts stay undefined.
 */
export const parseLoadSnapshot = (text: string): LoadSnapshot => {
    const snap: LoadSnapshot = { cpus: 0 };
    for (const line of text.split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f[0] === 'cpu') {
            const n = f.slice(1, 9).map(Number);
            if (n.length < 4 || !n.every((x) => Number.isFinite(x))) continue;
            const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = n;
            snap.busyTicks = user + nice + system + irq + softirq + steal;
            snap.totalTicks = snap.busyTicks + idle + iowait;
        } else if (f[0] !== undefined && /^cpu\d+$/.test(f[0])) {
            snap.cpus++;
        } else if (snap.loadAvg1 === undefined && f.length >= 3 && /^\d+(\.\d+)?$/.test(f[0] ?? '')) {
            snap.loadAvg1 = Number(f[0]);
        }
    }
    return snap;
};

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/**
 * Load around a job from the snapshots before and after it. `ownCores` is how many cores the benchmark itself
 * can keep busy: min(threads, CPUs in its mask) — see ownCoresOf. Flags (either is enough):
 *  - otherBusy × cpus > OTHER_BUSY_CORES_LIMIT: more CPU time was used than the benchmark's threads explain;
 *  - loadAvg1Before > cpus and the CPUs saturated during the job (busyFraction ≥ SATURATED_BUSY_FRACTION, or
 *    unknown): more runnable tasks than CPUs when the job began, and no idle time in which they could have run
 *    beside it.
 * The second catches what the first cannot: a benchmark using every core hides others' CPU use in its own. The
 * saturation condition is what keeps it honest: the load average is a 1-minute mean and stays above the CPU count
 * for a minute or more after heavy work has ended, but a job during which the CPUs idled had nothing queued
 * behind it.
 */
export const jobLoad = (
    before: LoadSnapshot | undefined,
    after: LoadSnapshot | undefined,
    ownCores: number,
): JobLoad | undefined => {
    if (before === undefined && after === undefined) return undefined;
    const load: JobLoad = {};
    if (before?.loadAvg1 !== undefined) load.loadAvg1Before = before.loadAvg1;
    if (after?.loadAvg1 !== undefined) load.loadAvg1After = after.loadAvg1;
    const cpus = Math.max(after?.cpus ?? 0, before?.cpus ?? 0);
    const flags: string[] = [];
    if (
        before?.busyTicks !== undefined &&
        before.totalTicks !== undefined &&
        after?.busyTicks !== undefined &&
        after.totalTicks !== undefined &&
        after.totalTicks > before.totalTicks
    ) {
        const busy = Math.min(
            1,
            Math.max(0, (after.busyTicks - before.busyTicks) / (after.totalTicks - before.totalTicks)),
        );
        load.busyFraction = round(busy, 4);
        if (cpus > 0) {
            const other = Math.max(0, busy - Math.min(ownCores, cpus) / cpus);
            load.otherBusy = round(other, 4);
            if (other * cpus > OTHER_BUSY_CORES_LIMIT)
                flags.push(
                    `${(other * cpus).toFixed(2)} core(s) busy beyond the benchmark's ${Math.min(ownCores, cpus)} of ${cpus} CPU(s)`,
                );
        }
    }
    const saturated = load.busyFraction === undefined || load.busyFraction >= SATURATED_BUSY_FRACTION;
    if (load.loadAvg1Before !== undefined && cpus > 0 && load.loadAvg1Before > cpus && saturated)
        flags.push(
            `load average ${load.loadAvg1Before.toFixed(2)} above ${cpus} CPU(s) before the job` +
                (load.busyFraction !== undefined
                    ? `, CPUs ${(100 * load.busyFraction).toFixed(0)} % busy during it`
                    : ''),
        );
    if (flags.length > 0) load.flag = flags.join('; ');
    return load;
};

/** Cores the benchmark can occupy: its thread count, capped by the CPUs of its taskset mask (hex) when pinned. */
export const ownCoresOf = (threads: number, cpuMask: string | undefined): number => {
    if (cpuMask === undefined) return threads;
    const hex = cpuMask.replace(/^0x/i, '');
    if (!/^[0-9a-f]+$/i.test(hex)) return threads;
    let bits = 0;
    for (const ch of hex) bits += [...parseInt(ch, 16).toString(2)].filter((b) => b === '1').length;
    return Math.min(threads, Math.max(1, bits));
};

/** One load snapshot of a device; undefined when it cannot be read (a load reading never fails a job). */
export const readLoadSnapshot = async (
    driver: DeviceDriver,
    signal: AbortSignal,
): Promise<LoadSnapshot | undefined> => {
    try {
        const r = await driver.exec(LOAD_ARGV, { signal, timeoutMs: 15_000 });
        const snap = parseLoadSnapshot(r.stdout);
        return snap.loadAvg1 === undefined && snap.totalTicks === undefined ? undefined : snap;
    } catch {
        return undefined;
    }
};
