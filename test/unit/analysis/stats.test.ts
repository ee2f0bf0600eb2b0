// The statistical model on hand-computed samples. Student-t quantiles and Welch results are the published table values
// (also what scipy.stats.t.ppf / ttest_ind(equal_var=False) print), not outputs of the code under test.
import { describe, expect, it } from 'vitest';
import { studentTCdf, studentTQuantile, studentTTwoSided, welchTTest } from '../../../src/analysis/student-t.js';
import {
    halfWidthPct,
    quantileSorted,
    repValueMs,
    shiftedLowMs,
    statFromReps,
    statFromValues,
    sumStat,
    unclippedLowMs,
} from '../../../src/analysis/stats.js';

describe('Student t', () => {
    it('has the textbook quantiles', () => {
        expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.70620474, 7);
        expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.30265273, 7);
        expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.77644511, 7);
        expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.22813885, 7);
        expect(studentTQuantile(0.995, 5)).toBeCloseTo(4.03214298, 7);
        expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.77644511, 7);
    });

    it('has a CDF that agrees with closed forms', () => {
        // df = 1 is Cauchy: P(T <= 1) = 1/2 + atan(1)/π = 0.75
        expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 8);
        // df = 2: P(T <= t) = 1/2 + t / (2·sqrt(2 + t²)); t = 2 → 0.5 + 2/(2·sqrt 6) = 0.908248290
        expect(studentTCdf(2, 2)).toBeCloseTo(0.90824829, 8);
        expect(studentTTwoSided(0, 7)).toBeCloseTo(1, 7);
        // df = 2, two-sided tail at t = 2: 2·(1 − 0.908248290) = 0.183503419
        expect(studentTTwoSided(2, 2)).toBeCloseTo(0.18350342, 8);
    });

    it("runs Welch's test like scipy", () => {
        // a = 1..5, b = 2,4..10: means 3, 6; s²/n = 0.5, 2; t = 3/sqrt(2.5) = 1.897367; df = 6.25/1.0625 = 5.882353
        const r = welchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
        expect(r.t).toBeCloseTo(1.8973666, 6);
        expect(r.df).toBeCloseTo(5.88235294, 7);
        expect(r.p).toBeCloseTo(0.10753119, 6);
        expect(welchTTest([5, 5, 5], [5, 5, 5])).toMatchObject({ p: 1, method: 'degenerate' });
        expect(welchTTest([5, 5, 5], [6, 6, 6])).toMatchObject({ p: 0, method: 'degenerate' });
        expect(welchTTest([5], [6, 7])).toMatchObject({ p: 1, method: 'degenerate' });
    });
});

describe('one value per repetition, then mean and t-interval', () => {
    it('interpolates quantiles linearly (type 7)', () => {
        expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
        expect(quantileSorted([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    });

    it('gives the mean and the Student-t interval of repetition values', () => {
        // 1..5: mean 3, s = sqrt(2.5) = 1.5811388, s/√5 = 0.7071068, t(0.975, 4) = 2.7764451 → ± 1.9632432
        const s = statFromValues([1, 2, 3, 4, 5]);
        expect(s.valueMs).toBeCloseTo(3, 12);
        expect(s.lowMs).toBeCloseTo(3 - 1.9632432, 6);
        expect(s.highMs).toBeCloseTo(3 + 1.9632432, 6);
        expect(s).toMatchObject({ interval: 't', n: 5, perRep: 'mean' });
        // 90 %: t(0.95, 4) = 2.1318468 → ± 1.5074433
        expect(statFromValues([1, 2, 3, 4, 5], 'mean', 0.9).highMs).toBeCloseTo(3 + 1.5074433, 6);
        // one repetition: no interval
        expect(statFromValues([7])).toMatchObject({ valueMs: 7, lowMs: 7, highMs: 7, interval: 'none', n: 1 });
    });

    it("takes each repetition's median of raw samples, else its average, and says which", () => {
        expect(repValueMs({ avgUs: 3000, samplesUs: [2000, 9000, 3000] })).toEqual({ ms: 3, kind: 'median' });
        expect(repValueMs({ avgUs: 3500 })).toEqual({ ms: 3.5, kind: 'mean' });
        // medians 2 and 4 (not the pooled median of 1 2 3 4 5 6), mean 3; s = sqrt(2), s/√2 = 1, t(0.975, 1) = 12.7062
        const s = statFromReps([
            { avgUs: 9999, samplesUs: [1000, 2000, 3000] },
            { avgUs: 9999, samplesUs: [4000, 4000, 6000] },
        ]);
        expect(s.repValuesMs).toEqual([2, 4]);
        expect(s.valueMs).toBeCloseTo(3, 12);
        expect(s.highMs).toBeCloseTo(3 + 12.70620474, 6);
        expect(s.perRep).toBe('median');
        const mixed = statFromReps([{ avgUs: 1000, samplesUs: [1000, 2000, 3000] }, { avgUs: 3000 }]);
        expect(mixed.repValuesMs).toEqual([2, 3]);
        expect(mixed.perRep).toBe('mixed');
    });

    it('adds two independent stats with Welch–Satterthwaite degrees of freedom', () => {
        // a: 1.0 1.2 (s²/n = 0.01), b: 0.55 0.75 (0.01): se = sqrt(0.02), df = 0.0004/0.0002 = 2, t = 4.3026527
        const t = sumStat(statFromValues([1.0, 1.2]), statFromValues([0.55, 0.75]));
        expect(t.valueMs).toBeCloseTo(1.75, 12);
        expect(t.highMs - t.valueMs).toBeCloseTo(4.30265273 * Math.sqrt(0.02), 6);
        expect(sumStat(statFromValues([1]), statFromValues([2, 3])).interval).toBe('none');
    });
});

describe('lower bounds clipped at 0', () => {
    // the review's T_UE(full): per-repetition medians 129.843, 82.799, 221.316 ms; mean 144.652667, s² = 4961.2344,
    // s/√3 = 40.66626, t(0.975, 2) = 4.30265273 → half-width 174.97280: [−30.32013, 319.62547]
    const reviewed = statFromValues([129.843, 82.799, 221.316], 'median');

    it('marks the clip and keeps the t-interval recoverable', () => {
        expect(reviewed.lowMs).toBe(0);
        expect(reviewed.lowClipped).toBe(true);
        expect(reviewed.highMs).toBeCloseTo(319.62547, 4);
        expect(unclippedLowMs(reviewed)).toBeCloseTo(-30.32013, 4);
        // half-width / value = 174.97280 / 144.652667 = 120.96 %: the interval is not meaningful
        expect(halfWidthPct(reviewed)).toBeCloseTo(120.96065, 4);
        // a bound above 0 is not marked; a quantity that may be negative is never clipped
        expect(statFromValues([9, 10, 11]).lowClipped).toBeUndefined();
        expect(statFromValues([-1, 5]).lowClipped).toBeUndefined();
    });

    it('clips the compute bound at 0 before adding a constant: no end-to-end bound below the transfer time', () => {
        // t-bound −30.32013 → clipped 0, + 100 ms transfer = 100 (the transfer alone), marked
        expect(shiftedLowMs(reviewed, 100)).toEqual({ lowMs: 100, lowClipped: true });
        // + 29.830 ms: 29.83 (the old rule, −30.32013 + 29.83 → −0.49 → 0, claimed less than the transfer)
        expect(shiftedLowMs(reviewed, 29.83)).toEqual({ lowMs: 29.83, lowClipped: true });
        // 9, 10, 11: s = 1, half = 4.30265273/√3 = 2.48414, low 7.51586 (not clipped) + 5 = 12.51586
        const calm = shiftedLowMs(statFromValues([9, 10, 11]), 5);
        expect(calm.lowMs).toBeCloseTo(12.51586, 4);
        expect(calm.lowClipped).toBeUndefined();
    });

    it('sums from the components’ values, then clips and marks the sum', () => {
        // a = 1, 5 (mean 3, s² = 8, s²/n = 4), b = 1, 5 the same: se = √8 = 2.828427, Welch df = 64/(16 + 16) = 2,
        // half = 4.30265273·2.828427 = 12.16974: 6 ± 12.16974 → low −6.16974 → clipped to 0
        const a = statFromValues([1, 5]);
        expect(a.lowClipped).toBe(true);
        const s = sumStat(a, a);
        expect(s.valueMs).toBe(6);
        expect(s.highMs).toBeCloseTo(18.16974, 4);
        expect(s.lowMs).toBe(0);
        expect(s.lowClipped).toBe(true);
        expect(unclippedLowMs(s)).toBeCloseTo(-6.16974, 4);
    });
});
