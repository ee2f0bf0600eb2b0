import { describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import { createCircuitBreaker } from '../../../src/runner/circuit-breaker.js';

const refused = (d: string) => ({
    state: 'failed' as const,
    error: `device ${d}: connection refused`,
    code: 'DEVICE_UNREACHABLE' as const,
});
const thrown = (f: () => void): string => {
    try {
        f();
    } catch (e) {
        if (isSplitbenchError(e, 'DEVICE_UNUSABLE')) return e.message;
        throw e;
    }
    return '';
};

describe('circuit breaker per adb server', () => {
    const serverOf = (d: string): string | undefined =>
        d.startsWith('b') ? 'adb server hostb:5037' : d.startsWith('a') ? 'adb server hosta:5037' : undefined;

    it('two phones of one server given up for transport failures give up the server: its other phones fail at once', () => {
        const b = createCircuitBreaker(3, serverOf);
        b.register(['a1', 'a2', 'b1', 'b2', 'b3', 'srv']);
        b.record('b1', refused('b1'), 3);
        expect(thrown(() => b.check('b3'))).toBe('');
        b.record('b2', refused('b2'), 3);
        expect(thrown(() => b.check('b3'))).toBe(
            'b3 given up: adb server hostb:5037 dropped: b1, b2 given up, last: device b2: connection refused',
        );
        // the other server and a device without one are untouched
        for (const d of ['a1', 'a2', 'srv']) expect(thrown(() => b.check(d))).toBe('');
        expect(b.openCause('b3')).toMatch(/^adb server hostb:5037 dropped/);
    });

    it("a job refused because its server was given up does not wrap the server's cause a second time", () => {
        const b = createCircuitBreaker(3, serverOf);
        b.register(['b1', 'b2', 'b3']);
        b.record('b1', refused('b1'), 3);
        b.record('b2', refused('b2'), 3);
        const cause = 'adb server hostb:5037 dropped: b1, b2 given up, last: device b2: connection refused';
        const refusal = thrown(() => b.check('b3'));
        expect(refusal).toBe(`b3 given up: ${cause}`);
        // the executor reports the refusal as the job's outcome; the next job must read the same line
        b.record('b3', { state: 'failed', error: refusal, code: 'DEVICE_UNUSABLE' }, 1);
        expect(thrown(() => b.check('b3'))).toBe(`b3 given up: ${cause}`);
        expect(b.openCause('b3')).toBe(cause);
    });

    it('a success on the server between two phones failing means the host is up: only those phones are given up', () => {
        const b = createCircuitBreaker(3, serverOf);
        b.register(['b1', 'b2', 'b3']);
        b.record('b1', refused('b1'), 3);
        b.record('b3', { state: 'done' }, 1);
        b.record('b2', refused('b2'), 3);
        expect(thrown(() => b.check('b3'))).toBe('');
        expect(thrown(() => b.check('b2'))).toMatch(/^b2 given up: 3 consecutive transport failures/);
    });

    it('a server with one phone: that phone given up is the server given up', () => {
        const b = createCircuitBreaker(2, serverOf);
        b.register(['a1']);
        b.record('a1', refused('a1'), 2);
        expect(b.openCause('a1')).toMatch(/^2 consecutive transport failures/);
    });
});
