import { describe, expect, it } from 'vitest';
import { cppDouble, formatStatLine, percentile, statLine, summarize } from '../../../src/tflite/stats.js';

describe('cppDouble (C++ ostream default double)', () => {
    it.each([
        [0, '0'],
        [14452.5, '14452.5'],
        [699438, '699438'],
        [483.029, '483.029'],
        [12.333333, '12.3333'],
        [1050370.4, '1.05037e+06'],
        [11403900, '1.14039e+07'],
        [0.000544, '0.000544'],
        [0.00001234, '1.234e-05'],
        [1.8829, '1.8829'],
        [150, '150'],
        [0.5, '0.5'],
        [-3.25, '-3.25'],
        [999999.6, '1e+06'],
    ])('%d → %s', (x, s) => {
        expect(cppDouble(x)).toBe(s);
    });
});

describe('benchmark_model statistics', () => {
    it('uses nearest-rank percentiles values[n*p/100]', () => {
        const sorted = Array.from({ length: 20 }, (_, i) => i + 1);
        expect(percentile(sorted, 5)).toBe(2);
        expect(percentile(sorted, 50)).toBe(11);
        expect(percentile(sorted, 95)).toBe(20);
        expect(percentile([7], 95)).toBe(7);
    });

    it('truncates the population std and keeps first/curr in run order', () => {
        const s = summarize([10, 20, 30, 41]);
        expect(s).toMatchObject({ count: 4, first: 10, curr: 41, min: 10, max: 41, avg: 25.25 });
        // population std = sqrt(mean(x²) − mean²) = 11.388… → 11
        expect(s?.std).toBe(11);
    });

    it('prints the three stat-line forms', () => {
        expect(formatStatLine(statLine([], true))).toBe('count=0');
        expect(formatStatLine(statLine([670083], true))).toBe('count=1 curr=670083 p5=670083 median=670083 p95=670083');
        expect(formatStatLine(statLine([5, 5, 5], false))).toBe('count=3 curr=5(all same)');
        expect(formatStatLine(statLine([17, 7, 13], true))).toBe(
            'count=3 first=17 curr=13 min=7 max=17 avg=12.3333 std=4 p5=7 median=13 p95=17',
        );
    });

    it('prints int64 samples as plain integers even above 1e6, and avg as a double', () => {
        expect(formatStatLine(statLine([1144298, 1217571, 1336699], true))).toBe(
            'count=3 first=1144298 curr=1336699 min=1144298 max=1336699 avg=1.23286e+06 std=79287 p5=1144298 median=1217571 p95=1336699',
        );
    });

    it('stores avg as printed so text and JSON agree', () => {
        expect(statLine([1, 2, 2], false).avg).toBe(1.66667);
    });
});
