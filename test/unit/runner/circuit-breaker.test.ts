import { describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import { createCircuitBreaker } from '../../../src/runner/circuit-breaker.js';

describe('circuit breaker', () => {
    it('opens after N consecutive failed attempts of transport failures; a finished job resets the count', () => {
        const b = createCircuitBreaker(3);
        const lost = { state: 'failed', error: 'connection refused', code: 'DEVICE_UNREACHABLE' } as const;
        b.record('p', lost, 2);
        b.record('p', { state: 'done' }, 1);
        b.record('p', lost, 2); // 2 since the last success
        expect(b.openCause('p')).toBeUndefined();
        expect(() => b.check('p')).not.toThrow();
        b.record('p', lost, 1); // 3
        expect(b.openCause('p')).toBe('3 consecutive transport failures, last: connection refused');
        let e: unknown;
        try {
            b.check('p');
        } catch (x) {
            e = x;
        }
        expect(isSplitbenchError(e, 'DEVICE_UNUSABLE')).toBe(true);
        expect((e as Error).message).toBe('p given up: 3 consecutive transport failures, last: connection refused');
        // other devices are not affected
        expect(() => b.check('q')).not.toThrow();
    });

    it('a benchmark that failed (the device works) resets the count; one thermal-gate timeout opens at once', () => {
        const b = createCircuitBreaker(2);
        b.record('p', { state: 'failed', error: 'push failed', code: 'TRANSFER_FAILED' }, 1);
        b.record('p', { state: 'failed', error: 'benchmark failed', code: 'RUNTIME_FAILED' }, 1);
        b.record('p', { state: 'failed', error: 'push failed', code: 'TRANSFER_FAILED' }, 1);
        expect(b.openCause('p')).toBeUndefined();
        b.record('p', { state: 'failed', error: 'p stayed at 41.2 °C', code: 'DEVICE_UNUSABLE' }, 1);
        expect(b.openCause('p')).toBe('p stayed at 41.2 °C');
    });

    it('threshold 0 never opens on transport failures', () => {
        const b = createCircuitBreaker(0);
        for (let i = 0; i < 10; i++) b.record('p', { state: 'failed', error: 'x', code: 'TIMEOUT' }, 3);
        expect(b.openCause('p')).toBeUndefined();
    });
});
