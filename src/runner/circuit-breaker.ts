// Per-device circuit breaker: a device that cannot work stops costing time. After N consecutive transport
// failures (every failed attempt counts, retries included) or one thermal-gate timeout, the device's remaining
// jobs fail at once with the cause instead of each spending its retries or its gate timeout again.
// Wired through the executor's callbacks: `beforeJob` refuses jobs of an open device, `onOutcome` counts.
import { SplitbenchError } from '../errors.js';
import type { JobOutcome } from './executor.js';
import { isTransportCode } from './retry.js';

/** Default of the campaign setting `circuitBreaker.transportFailures`. */
export const DEFAULT_BREAKER_THRESHOLD = 3;

export interface CircuitBreaker {
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
export const createCircuitBreaker = (threshold: number): CircuitBreaker => {
    const streak = new Map<string, number>();
    const open = new Map<string, string>();
    return {
        check(device) {
            const cause = open.get(device);
            if (cause !== undefined) throw new SplitbenchError('DEVICE_UNUSABLE', `${device} given up: ${cause}`);
        },
        record(device, outcome, attempts) {
            if (open.has(device)) return;
            if (outcome.state === 'done') {
                streak.set(device, 0);
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
            if (threshold > 0 && n >= threshold)
                open.set(device, `${n} consecutive transport failures, last: ${outcome.error}`);
        },
        openCause: (device) => open.get(device),
    };
};
