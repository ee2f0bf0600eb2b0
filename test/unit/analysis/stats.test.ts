import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from '../../../src/analysis/mann-whitney.js';
import { bootstrapMedianCi, normalCdf, quantileSorted, statFromReps } from '../../../src/analysis/stats.js';

describe('quantiles and intervals', () => {
    it('interpolates quantiles linearly (type 7)', () => {
        // 1 2 3 4: q25 at h = 0.75 → 1.75; median 2.5; q75 at h = 2.25 → 3.25
        expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
        expect(quantileSorted([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
        expect(quantileSorted([1, 2, 3, 4], 0.75)).toBeCloseTo(3.25, 12);
    });

    it('computes the exact bootstrap CI of the median by hand for n = 5', () => {
        // m = 3. F(x_(j)) = P(Bin(5, j/5) >= 3): j=1 .05792, j=2 .31744, j=3 .68256, j=4 .94208, j=5 1
        const s = [2.9, 2.95, 3.0, 3.05, 3.1];
        expect(bootstrapMedianCi(s, 0.95)).toEqual([2.9, 3.1]); // .025 → j=1, .975 → j=5
        expect(bootstrapMedianCi(s, 0.8)).toEqual([2.95, 3.05]); // .1 → j=2 (.31744), .9 → j=4 (.94208)
        // 0.9: .05 → j=1 (.05792 >= .05), .95 → j=5 (.94208 < .95)
        expect(bootstrapMedianCi(s, 0.9)).toEqual([2.9, 3.1]);
    });

    it('pools raw samples only when every repetition has them', () => {
        const withSamples = statFromReps([
            { avgUs: 1000, samplesUs: [1000, 2000] },
            { avgUs: 3000, samplesUs: [3000] },
        ]);
        expect(withSamples.interval).toBe('bootstrap');
        expect(withSamples.medianMs).toBe(2);
        expect(withSamples.repValuesMs).toEqual([1, 3]);
        const mixed = statFromReps([{ avgUs: 1000, samplesUs: [1000, 2000] }, { avgUs: 3000 }]);
        expect(mixed.interval).toBe('iqr');
        expect(mixed.medianMs).toBe(2); // median of rep means 1 and 3
        expect(mixed.samplesMs).toBeUndefined();
    });

    it('has a normal CDF accurate to 1e-7', () => {
        expect(normalCdf(0)).toBeCloseTo(0.5, 7);
        expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 7);
        expect(normalCdf(-3)).toBeCloseTo(0.001349898, 8);
    });
});

describe('Mann-Whitney U', () => {
    it('uses the exact distribution for small tie-free samples', () => {
        // a entirely below b: U_a = 0; 20 equally likely arrangements, one with U <= 0 → p = 2/20
        const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
        expect(r.u).toBe(0);
        expect(r.uOther).toBe(9);
        expect(r.method).toBe('exact');
        expect(r.p).toBeCloseTo(0.1, 12);
        // a=[1,4], b=[2,3]: pairs (1>2 no,1>3 no,4>2,4>3) → U=2 = mean → p = 1 (capped)
        expect(mannWhitneyU([1, 4], [2, 3]).u).toBe(2);
        expect(mannWhitneyU([1, 4], [2, 3]).p).toBe(1);
        // a=[1,2,4], b=[3,5,6]: U_a = 1 (4>3). arrangements with U<=1 of C(6,3)=20: U=0 (1), U=1 (1) → p = 4/20
        expect(mannWhitneyU([1, 2, 4], [3, 5, 6]).p).toBeCloseTo(0.2, 12);
    });

    it('uses the normal approximation with tie and continuity correction when there are ties', () => {
        // ranks: 1→1, 2,2,2→3, 3,3→5.5, 4→7, 5→8; R_a = 1+3+3+5.5 = 12.5; U_a = 12.5 − 10 = 2.5; μ = 8
        // σ² = 16/12 · (9 − (24 + 6)/(8·7)) = 11.285714; z = (5.5 − 0.5)/3.359422 = 1.488351; p = 0.136658
        const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]);
        expect(r.u).toBe(2.5);
        expect(r.method).toBe('normal');
        expect(r.z).toBeCloseTo(-1.488351, 5);
        expect(r.p).toBeCloseTo(0.136658, 5);
    });

    it('gives p = 1 for identical samples and handles empty input', () => {
        expect(mannWhitneyU([5, 5, 5], [5, 5, 5]).p).toBe(1);
        expect(mannWhitneyU([], [1]).p).toBe(1);
    });

    it('is tiny for large separated samples', () => {
        const a = Array.from({ length: 50 }, (_, i) => 10 + i * 0.01);
        const b = a.map((x) => x * 1.2);
        expect(mannWhitneyU(a, b).p).toBeLessThan(1e-10);
    });
});
