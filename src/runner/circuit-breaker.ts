// Per-device circuit breaker, with one per adb server above it: a device that cannot work stops costing time. After N consecutive transport
// failures (every failed attempt counts, retries included) or one thermal-gate timeout, the device's remaining
// jobs fail at once with the cause instead of each spending its retries or its gate timeout again.
// Wired through the executor's callbacks: `beforeJob` refuses jobs of an open device, `onOutcome` counts.
import { SplitbenchError } from '../errors.js';
import type { JobOutcome } from './executor.js';
import { isTransportCode } from './retry.js';

/** Default of the campaign setting `circuitBreaker.transportFailures`. */
export const DEFAULT_BREAKER_THRESHOLD = 3;

export interface CircuitBreaker {
    /** The run's devices, so a group (adb server) knows how many it has. */
    register(devices: readonly string[]): void;
    /** Throws DEVICE_UNUSABLE (never retried) when the device has been given up on. */
    check(device: string): void;
    /** Counts a job's final outcome; `attempts` is how many attempts the job made. */
    record(device: string, outcome: JobOutcome, attempts: number): void;
    /** Why the device was given up on, or undefined while it is still in use. */
    openCause(device: string): string | undefined;
}

/**
 * `threshold`: consecutive transport failures (attempts) that open the breaker; 0 disables counting them (a
 * thermal-gate timeout still opens it). A job that finishes, or fails in the benchmark itself (the device works),
 * resets the count.
 */
export const createCircuitBreaker = (
    threshold: number,
    /** The adb server (or other shared transport) a device hangs off; devices without one have no group. */
    groupOf: (device: string) => string | undefined = () => undefined,
): CircuitBreaker => {
    const streak = new Map<string, number>();
    const open = new Map<string, string>();
    // Per group (adb server): devices given up on for transport failures since the group's last success. Two of
    // them (or every device of a one-device group) mean the host itself dropped: its other devices are given up
    // too, instead of each spending `threshold` attempts on a host that is gone.
    const groupSize = new Map<string, number>();
    const downInGroup = new Map<string, string[]>();
    const groupOpen = new Map<string, string>();
    const noteGroupFailure = (device: string, cause: string): void => {
        const g = groupOf(device);
        if (g === undefined || groupOpen.has(g)) return;
        const down = [...(downInGroup.get(g) ?? []), device];
        downInGroup.set(g, down);
        if (down.length >= Math.min(2, groupSize.get(g) ?? 1))
            groupOpen.set(g, `${g} dropped: ${down.join(', ')} given up, last: ${cause}`);
    };
    return {
        register(devices) {
            for (const d of devices) {
                const g = groupOf(d);
                if (g !== undefined) groupSize.set(g, (groupSize.get(g) ?? 0) + 1);
            }
        },
        check(device) {
            const cause = open.get(device);
            if (cause !== undefined) throw new SplitbenchError('DEVICE_UNUSABLE', `${device} given up: ${cause}`);
            const g = groupOf(device);
            const gc = g === undefined ? undefined : groupOpen.get(g);
            if (gc !== undefined) throw new SplitbenchError('DEVICE_UNUSABLE', `${device} given up: ${gc}`);
        },
        record(device, outcome, attempts) {
            // a job refused by check() comes back here as DEVICE_UNUSABLE: the device is given up already
            const g = groupOf(device);
            if (open.has(device) || (g !== undefined && groupOpen.has(g))) return;
            if (outcome.state === 'done') {
                streak.set(device, 0);
                if (g !== undefined) downInGroup.set(g, []);
                return;
            }
            if (outcome.code === 'DEVICE_UNUSABLE') {
                // the thermal gate's timeout: waiting again for the next job would spend the same time for nothing
                open.set(device, outcome.error);
                return;
            }
            if (outcome.code === undefined || !isTransportCode(outcome.code)) {
                streak.set(device, 0);
                return;
            }
            const n = (streak.get(device) ?? 0) + attempts;
            streak.set(device, n);
            if (threshold > 0 && n >= threshold) {
                open.set(device, `${n} consecutive transport failures, last: ${outcome.error}`);
                noteGroupFailure(device, outcome.error);
            }
        },
        openCause: (device) => {
            const g = groupOf(device);
            return open.get(device) ?? (g === undefined ? undefined : groupOpen.get(g));
        },
    };
};
