// The calibration bench's proportion interval against values worked by hand from Wilson's formula.
import { describe, expect, it } from 'vitest';
import { formatRate, wilsonInterval } from '../../../bench/wilson.js';

describe('wilsonInterval (Wilson 1927 score interval, z = 1.96)', () => {
    it('0 of 10: [0, z²/(n + z²)] = [0, 3.8415/13.8415] = [0, 0.2775]', () => {
        const { low, high } = wilsonInterval(0, 10);
        expect(low).toBe(0);
        expect(high).toBeCloseTo(0.27753, 4);
    });

    it('2 of 3: centre (0.6667 + 0.6402)/2.2805 = 0.5731, half 0.8595·√(0.07407 + 0.10671) = 0.3654', () => {
        const { low, high } = wilsonInterval(2, 3);
        expect(low).toBeCloseTo(0.2077, 3);
        expect(high).toBeCloseTo(0.9385, 3);
    });

    it('10 of 10 mirrors 0 of 10: [1 − 0.2775, 1]', () => {
        const { low, high } = wilsonInterval(10, 10);
        expect(low).toBeCloseTo(1 - 0.27753, 4);
        expect(high).toBe(1);
    });

    it('n = 0 knows nothing: [0, 1]; the text says there were no pairs', () => {
        expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
        expect(formatRate(0, 0)).toBe('0/0 (no pairs)');
    });

    it('formats a rate with its interval in whole percent', () => {
        expect(formatRate(2, 3)).toBe('2/3 = 67 % (95 % CI 21–94 %)');
    });
});
