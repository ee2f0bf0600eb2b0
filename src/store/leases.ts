// Device leases as a run uses them: take a device's lease before its first job (waiting while another run holds
// it, or failing at once with --no-wait), renew every held lease on a timer, release them at the end. A lease
// whose holder crashed expires after its time to live; a holder on this host whose process is gone is taken over
// at once. The storage is the results database (LeaseStore): PostgreSQL for a lab, the SQLite file on one machine.
// Besides devices, the same table holds two other kinds of key: `run:<id>`, held by the process measuring the run
// for the whole run (so `--resume` of a live run is refused and `runs list` tells a live run from a dead one), and
// `host:<cpuHost>`, held while a run measures on that physical host (so two runs never share one machine's CPUs).
import { hostname, userInfo } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { SplitbenchError } from '../errors.js';
import type { DeviceLease, LeaseHolder, LeaseStore } from './types.js';

/** Default time to live of a lease (ms): a crashed orchestrator's devices are free again after this. */
export const DEFAULT_LEASE_TTL_MS = 60_000;

export interface DeviceLeasesOptions {
    /** Time to live (ms) of each lease; renewed every ttlMs / 3. Default 60 000. */
    ttlMs?: number | undefined;
    /** How often (ms) a waiting run asks again. Default 2 000. */
    pollMs?: number | undefined;
    /** Fail at once instead of waiting when a device is held (`--no-wait`). */
    noWait?: boolean | undefined;
    /** Told once per device (and again when the holder changes) while waiting, and on a takeover. */
    onMessage?: ((message: string) => void) | undefined;
    /** Told when a renewal finds a lease gone (the run was paused past its expiry and another run took it). */
    onLost?: ((device: string) => void) | undefined;
}

/** This process as a lease holder for `runId`. */
export const thisHolder = (runId: string): LeaseHolder => ({
    runId,
    user: safeUser(),
    host: hostname(),
    pid: process.pid,
});

const safeUser = (): string => {
    try {
        return userInfo().username;
    } catch {
        return process.env['USER'] ?? 'unknown';
    }
};

const shortTime = (iso: string): string => `${iso.slice(0, 19).replace('T', ' ')}Z`;

/** Lease key of a run's own liveness record. */
export const runLeaseKey = (runId: string): string => `run:${runId}`;

/** Lease key of a physical host (`probe.host.cpuHost`, src/drivers/types.ts). */
export const hostLeaseKey = (cpuHost: string): string => `host:${cpuHost}`;

/** A lease key as messages name it: `device a01`, `run 2026…`, `physical host 3f2a…`. */
export const leaseLabel = (key: string): string =>
    key.startsWith('run:')
        ? `run ${key.slice(4)}`
        : key.startsWith('host:')
          ? `physical host ${key.slice(5)}`
          : `device ${key}`;

/** "run R (user U on host H, pid P) since T": the holder as every lease message names it. */
export const describeHolder = (l: DeviceLease): string =>
    `run ${l.runId} (user ${l.user} on host ${l.host}, pid ${l.pid}) since ${shortTime(l.since)}`;

/** Whether a lease's holder is a process on this host that no longer exists (kill -9, crash, reboot of the shell). */
export const holderIsDeadHere = (l: Pick<DeviceLease, 'host' | 'pid'>, host: string = hostname()): boolean => {
    if (l.host !== host || l.pid === process.pid) return false;
    try {
        process.kill(l.pid, 0);
        return false;
    } catch (e) {
        // EPERM: the process exists under another user
        return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
};

// node:timers/promises gives the abortable wait; the abort becomes our ABORTED error with the reason as cause.
const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    try {
        await delay(ms, undefined, { signal });
    } catch (e) {
        throw new SplitbenchError('ABORTED', 'interrupted while waiting for a device lease', { cause: e });
    }
};

/** The leases one run holds. Create one per run; call close() when the run ends (releases everything). */
export class DeviceLeases {
    private readonly store: LeaseStore;
    private readonly holder: LeaseHolder;
    private readonly ttlMs: number;
    private readonly pollMs: number;
    private readonly noWait: boolean;
    private readonly onMessage: (message: string) => void;
    private readonly onLost: (device: string) => void;
    private readonly held = new Set<string>();
    private timer: NodeJS.Timeout | undefined;
    private renewing: Promise<void> = Promise.resolve();

    constructor(store: LeaseStore, holder: LeaseHolder, opts: DeviceLeasesOptions = {}) {
        this.store = store;
        this.holder = holder;
        this.ttlMs = opts.ttlMs ?? DEFAULT_LEASE_TTL_MS;
        this.pollMs = opts.pollMs ?? 2_000;
        this.noWait = opts.noWait === true;
        this.onMessage = opts.onMessage ?? ((): void => undefined);
        this.onLost = opts.onLost ?? ((): void => undefined);
    }

    /** Devices this run holds now. */
    devices(): string[] {
        return [...this.held].sort();
    }

    /**
     * Takes the lease `device` (a device name, or a `host:` key from hostLeaseKey), waiting while another live run
     * holds it. Throws DEVICE_BUSY naming the holder with `noWait`, ABORTED when `signal` fires while waiting,
     * STORE_FAILED when the database fails.
     */
    async acquire(device: string, signal?: AbortSignal): Promise<void> {
        await this.take(device, this.noWait, signal);
    }

    /**
     * Takes the run's own liveness lease (`run:<id>`) for the whole run; never waits. Throws DEVICE_BUSY ("run X
     * is being measured by pid N on host H (user U) since T; wait for it or stop it") when a live process holds it:
     * same host and its pid exists, or another host and its lease has not expired.
     */
    async claimRun(): Promise<void> {
        const key = runLeaseKey(this.holder.runId);
        try {
            await this.take(key, true);
        } catch (e) {
            const h = (e as SplitbenchError).details['holder'] as DeviceLease | undefined;
            if (h === undefined) throw e;
            throw new SplitbenchError(
                'DEVICE_BUSY',
                `run ${h.runId} is being measured by pid ${h.pid} on host ${h.host} (user ${h.user}) since ` +
                    `${shortTime(h.since)}, lease renewed ${shortTime(h.renewedAt)}; wait for it or stop it`,
                { details: { run: h.runId, holder: h } },
            );
        }
    }

    private async take(device: string, noWait: boolean, signal?: AbortSignal): Promise<void> {
        if (this.held.has(device)) return;
        const what = leaseLabel(device);
        let told = '';
        for (;;) {
            const got = await this.store.acquireLease(device, this.holder, this.ttlMs);
            if (got.acquired) break;
            const h = got.holder;
            if (holderIsDeadHere(h, this.holder.host)) {
                const taken = await this.store.acquireLease(device, this.holder, this.ttlMs, h);
                if (taken.acquired) {
                    this.onMessage(
                        `${what}: took over the lease of ${describeHolder(h)}: that process no longer exists`,
                    );
                    break;
                }
                continue;
            }
            const msg = `${what} is held by ${describeHolder(h)}, lease expires ${shortTime(h.expiresAt)} unless renewed`;
            if (noWait) throw new SplitbenchError('DEVICE_BUSY', msg, { details: { device, holder: h } });
            const key = `${h.runId}/${h.pid}/${h.host}`;
            if (key !== told) {
                told = key;
                this.onMessage(`${msg}; waiting`);
            }
            await sleep(this.pollMs, signal);
        }
        this.held.add(device);
        this.timer ??= setInterval(
            () => {
                this.renewing = this.renew();
            },
            Math.max(10, Math.floor(this.ttlMs / 3)),
        );
        this.timer.unref();
    }

    /** Renews every held lease now; devices whose lease was lost are dropped and reported to onLost. */
    async renew(): Promise<void> {
        const devices = this.devices();
        if (devices.length === 0) return;
        let still: string[];
        try {
            still = await this.store.renewLeases(this.holder.runId, devices, this.ttlMs);
        } catch {
            // the database is briefly unreachable: the next tick tries again before the lease expires
            return;
        }
        for (const d of devices)
            if (!still.includes(d)) {
                this.held.delete(d);
                this.onLost(d);
            }
    }

    /** Releases one device's lease (its last job is done). */
    async release(device: string): Promise<void> {
        if (!this.held.delete(device)) return;
        await this.store.releaseLeases(this.holder.runId, [device]);
    }

    /** Stops renewing and releases every lease this run holds. */
    async close(): Promise<void> {
        if (this.timer !== undefined) clearInterval(this.timer);
        this.timer = undefined;
        await this.renewing;
        const devices = this.devices();
        this.held.clear();
        if (devices.length > 0) await this.store.releaseLeases(this.holder.runId, devices);
    }
}
