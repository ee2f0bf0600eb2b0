import { describe, expect, it } from 'vitest';
import {
    improvementHalfPct,
    includesZero,
    notDistinguishableReason,
    pairedImprovement,
    ratioImprovement,
} from '../../../src/analysis/improvement.js';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import { statFromValues } from '../../../src/analysis/stats.js';
import { smallInput } from '../../support/report-fixtures.js';

// Every expected number is worked out by hand; the t quantiles are table values (t(0.975, 1) = 12.7062047,
// t(0.975, 2) = 4.3026527), and the delta-method cases were checked with scipy:
//   python3 -c "from scipy.stats import t; import numpy as np; T=5.6; B=6.2; R=T/B;
//     cT=np.var([2.5,2.7],ddof=1)/2/T**2; cB=np.var([6.0,6.4,6.2],ddof=1)/3/B**2; rel=cT+cB;
//     df=rel**2/(cT**2/1+cB**2/2); print(100*(1-R), 100*t.ppf(.975,df)*R*np.sqrt(rel), df)"
//   → 9.67741935  7.83375561  2.73856932
describe('paired improvement (an estimate: time and base from the same repetition)', () => {
    it('is the mean and Student-t interval of the per-repetition improvements', () => {
        // bases 10, 12, 8 ms; times 6, 6, 5 → 40, 50, 37.5 %; mean 42.5; s² = (2.5² + 7.5² + 5²)/2 = 43.75;
        // half = 4.3026527 · √(43.75/3) = 16.4310265
        const s = pairedImprovement([10, 12, 8], [6, 6, 5]);
        expect(s).toMatchObject({ interval: 't', method: 'paired', n: 3, df: 2 });
        expect(s.valuePct).toBeCloseTo(42.5, 10);
        expect(s.lowPct).toBeCloseTo(42.5 - 16.4310265, 6);
        expect(s.highPct).toBeCloseTo(42.5 + 16.4310265, 6);
    });

    it('removes the run-to-run variation that time and base share', () => {
        // each repetition's time is half its base: 50 % every time, although times vary from 4 to 6 ms
        const s = pairedImprovement([10, 12, 8], [5, 6, 4]);
        expect(s.valuePct).toBeCloseTo(50, 10);
        expect(s.highPct - s.lowPct).toBeCloseTo(0, 10);
    });

    it('keeps a negative interval negative (no clipping at 0, unlike times)', () => {
        // 10 → 12 and 10 → 13 ms: −20 and −30 %; mean −25, half 12.7062047 · 5 = 63.5310235
        const s = pairedImprovement([10, 10], [12, 13]);
        expect(s.valuePct).toBeCloseTo(-25, 10);
        expect(s.lowPct).toBeCloseTo(-25 - 63.5310235, 6);
        expect(s.highPct).toBeCloseTo(-25 + 63.5310235, 6);
        expect(includesZero(s)).toBe(true);
    });

    it('has no interval with one repetition', () => {
        expect(pairedImprovement([10], [4])).toMatchObject({
            valuePct: 60,
            lowPct: 60,
            highPct: 60,
            interval: 'none',
            n: 1,
            df: null,
        });
    });
});

describe('ratio improvement (a measurement: time and base from independent jobs, delta method)', () => {
    const full = statFromValues([6.0, 6.4, 6.2]);
    const head = statFromValues([3.0, 3.0]);
    const tail = statFromValues([2.5, 2.7]);

    it('gives 100·(1 − T/B) with the delta-method interval and Welch–Satterthwaite df', () => {
        // total: T = 5.6, B = 6.2 (see the scipy line above)
        const s = ratioImprovement([head, tail], full);
        expect(s).toMatchObject({ interval: 't', method: 'delta', n: 2 });
        expect(s.valuePct).toBeCloseTo(9.67741935, 7);
        expect(s.df).toBeCloseTo(2.73856932, 6);
        expect(s.lowPct).toBeCloseTo(9.67741935 - 7.83375561, 5);
        expect(s.highPct).toBeCloseTo(9.67741935 + 7.83375561, 5);
    });

    it('with a constant part, only the base varies: df = n_B − 1', () => {
        // UE: R = 3/6.2; relative variance (0.04/3)/6.2²; half = 100 · 4.3026527 · R · √that = 3.87742619
        const s = ratioImprovement([head], full);
        expect(s.valuePct).toBeCloseTo(100 * (1 - 3 / 6.2), 8);
        expect(s.df).toBeCloseTo(2, 10);
        expect((s.highPct - s.lowPct) / 2).toBeCloseTo(3.87742619, 5);
    });

    it('has no interval when either side has one repetition', () => {
        const one = statFromValues([6.2]);
        expect(ratioImprovement([head, tail], one)).toMatchObject({ interval: 'none', n: 1, df: null });
        expect(ratioImprovement([statFromValues([3.0]), tail], full)).toMatchObject({ interval: 'none', n: 1 });
        expect(ratioImprovement([statFromValues([3.0])], one).valuePct).toBeCloseTo(100 * (1 - 3 / 6.2), 8);
    });
});

describe('improvements in the split table', () => {
    const a = analyzeSplits(smallInput());

    it('pairs estimated rows with their own profile total', () => {
        // k0: UE 1.0 and 1.2 ms against totals 6.5 and 6.5 → 84.6154, 81.5385 %: mean 83.0769,
        // half 12.7062047 · 3.0769231/√2/√2 = 19.5480073; total 1.55, 1.95 (UE rep r + server rep r) → 76.1538,
        // 70.0: mean 73.0769, half 39.0960146
        const e = a.rows[0]?.estimated?.improvement;
        expect(e?.ue).toMatchObject({ method: 'paired', n: 2, interval: 't' });
        expect(e?.ue.valuePct).toBeCloseTo(83.0769231, 6);
        // 83.0769 + 19.5480 = 102.6249 > 100: capped and marked; the lower bound keeps the half-width
        expect(e?.ue.lowPct).toBeCloseTo(83.0769231 - 19.5480073, 5);
        expect(e?.ue).toMatchObject({ highPct: 100, highClipped: true });
        expect(e?.total).toMatchObject({ method: 'paired', n: 2 });
        expect(e?.total.lowPct).toBeCloseTo(73.0769231 - 39.0960146, 5);
        expect(a.rows[0]?.estimated?.totalImprovementPct).toBeCloseTo(73.0769231, 6);
        // the last split: the head is the whole profile in each repetition, 0 ± 0
        expect(a.rows[3]?.estimated?.improvement?.ue).toMatchObject({ valuePct: 0, lowPct: 0, highPct: 0 });
    });

    it('uses the delta method for measured rows against the measured full model', () => {
        const m = a.rows[1]?.measured?.improvement;
        expect(m?.total.method).toBe('delta');
        expect(m?.total.valuePct).toBeCloseTo(9.67741935, 7);
        expect(m?.total.highPct).toBeCloseTo(9.67741935 + 7.83375561, 5);
        expect(m?.ue.n).toBe(2);
    });

    it('falls back to the delta method for an estimated total when the devices have different repetition counts', () => {
        const input = smallInput();
        const third = structuredClone(input.estimate.server[0]);
        if (third === undefined) throw new Error('fixture');
        // server c = 0.4 ms: totals over ops 0..3 are .65, .85, .75
        (third.ops[3] as { avgMs: number }).avgMs = 0.4;
        input.estimate.server.push(third);
        // k1: UE 3.0, 3.2; server .35, .55, .45; T = 3.55, B = 6.5 (constant, no variance):
        // python3 -c "from scipy.stats import t; import numpy as np; ue=[3.0,3.2]; s=[.35,.55,.45]; T=3.55;
        //   cu=np.var(ue,ddof=1)/2/T**2; cs=np.var(s,ddof=1)/3/T**2; r=cu+cs; df=r**2/(cu**2+cs**2/2);
        //   print(100*t.ppf(.975,df)*T/6.5*np.sqrt(r), df)"  → 9.19538069  1.68421053
        const e = analyzeSplits(input).rows[1]?.estimated?.improvement;
        expect(e?.ue.method).toBe('paired');
        expect(e?.total).toMatchObject({ method: 'delta', n: 2 });
        expect(e?.total.valuePct).toBeCloseTo(100 * (1 - 3.55 / 6.5), 8);
        expect(e?.total.df).toBeCloseTo(1.68421053, 6);
        expect((e?.total.highPct ?? 0) - (e?.total.valuePct ?? 0)).toBeCloseTo(9.19538069, 5);
    });

    it('has no measured interval when the full model ran once', () => {
        const input = smallInput();
        input.measured.fullUe = [{ avgUs: 6200 }];
        const m = analyzeSplits(input).rows[1]?.measured?.improvement;
        expect(m?.ue).toMatchObject({ interval: 'none', n: 1 });
        expect(m?.total.valuePct).toBeCloseTo((100 * 0.6) / 6.2, 8);
    });
});

describe('upper bound capped at 100 % (T ≥ 0, so no improvement passes 100 %)', () => {
    it('caps a paired interval and marks it, leaving the lower bound and the half-width value − low alone', () => {
        // bases 10, 10; times 0.5, 4.5 → 95, 55 %; mean 75, s = 28.2843, half = 12.7062047 · 28.2843/√2 = 254.1241
        // → [−179.1241, 329.1241]; 329.1 > 100 → capped
        const s = pairedImprovement([10, 10], [0.5, 4.5]);
        expect(s.valuePct).toBeCloseTo(75, 10);
        expect(s.lowPct).toBeCloseTo(-179.1240947, 6);
        expect(s.highPct).toBe(100);
        expect(s.highClipped).toBe(true);
        expect(improvementHalfPct(s)).toBeCloseTo(254.1240947, 6);
        expect(includesZero(s)).toBe(true);
    });

    it('caps a delta-method interval and marks it', () => {
        // head 1, 3 ms (T = 2, s²/n = 1), base 10, 11, 12 ms (B = 11, s²/n = 1/3): R = 2/11, c_T = 1/4,
        // c_B = (1/3)/121, df = (c_T + c_B)²/(c_T²/1 + c_B²/2) = 1.0220979, half = 100·t(0.975, df)·R·√(c_T + c_B);
        // scipy: 81.8181818 ± 110.3765232 → [−28.5583414, 192.1947051]. The base's g = t(0.975, df)²·(1/3)/121 =
        // 0.4017 < 1: the interval stays
        const s = ratioImprovement([statFromValues([1, 3])], statFromValues([10, 11, 12]));
        expect(s.valuePct).toBeCloseTo(81.8181818, 6);
        expect(s.lowPct).toBeCloseTo(-28.5583414, 5);
        expect(s.highPct).toBe(100);
        expect(s.highClipped).toBe(true);
        expect(s.df).toBeCloseTo(1.0220979, 6);
    });

    it('leaves a bound at or below 100 unmarked', () => {
        // 42.5 ± 16.4310265 (the first paired case): high 58.93
        expect(pairedImprovement([10, 12, 8], [6, 6, 5]).highClipped).toBeUndefined();
    });
});

// Fieller's g = t²·v_B/B̄² (v_B = s²/n of the base): g ≥ 1 when the base's interval reaches 0, and then the ratio has no
// bounded interval. Every case below is computed with scipy:
//   python3 -c "from scipy.stats import t; import numpy as np
//     def case(parts, b):
//       T = sum(np.mean(p) for p in parts); B = np.mean(b); R = T/B
//       comps = [(np.var(p, ddof=1)/len(p)/T**2, len(p)) for p in parts] + [(np.var(b, ddof=1)/len(b)/B**2, len(b))]
//       rel = sum(c for c, _ in comps); df = rel**2/sum(c**2/(n - 1) for c, n in comps if c > 0)
//       vB = np.var(b, ddof=1)/len(b)
//       print(100*(1 - R), df, t.ppf(.975, len(b) - 1)**2*vB/B**2, t.ppf(.975, df)**2*vB/B**2)"
describe('ratio improvement when the base cannot bound the ratio (g ≥ 1)', () => {
    it("has no interval with the review's n=2 base, T_UE(full) 70.086 [0 (clipped)–269.627] (±284.7 %)", () => {
        // base 54.382, 85.790 ms: 70.086 ± 12.7062·15.704 = ± 199.541 (±284.70 %); head 14.5, 14.936 ms (T 14.718):
        // value 79.0000856 %, df 1.0087393, g own t(1)²·v_B/B̄² = 8.1056850 (t(ν) gives 7.78)
        const s = ratioImprovement(
            [statFromValues([14.5, 14.936])],
            statFromValues([54.382, 85.79]),
            0.95,
            'T_UE(full)',
        );
        expect(s).toMatchObject({ interval: 'unbounded', method: 'delta', n: 2 });
        expect(s.valuePct).toBeCloseTo(79.0000856, 6);
        expect(s.lowPct).toBe(s.valuePct);
        expect(s.highPct).toBe(s.valuePct);
        expect(s.g).toBeCloseTo(8.105685, 5);
        expect(s.df).toBeCloseTo(1.0087393, 6);
        expect(s.reason).toBe("the baseline T_UE(full)'s 95 % interval reaches 0");
        // no interval, so no half-width and no "interval contains 0"; still not distinguishable, for that reason
        expect(improvementHalfPct(s)).toBeNull();
        expect(includesZero(s)).toBe(false);
        expect(notDistinguishableReason(s)).toBe("the baseline T_UE(full)'s 95 % interval reaches 0");
    });

    it('treats the total improvement alike (n=3, ±162.6 %)', () => {
        // base 30, 60, 120 ms: 70 ± 4.3027·26.458 = ± 113.84 (±162.6 %), g own 2.6446886; head 16, 16.5, 17 and
        // tail 1, 1.2, 1.1 (T 17.6): value 74.8571429 %, df 2.0078346 (t(ν) gives g 2.6250)
        const s = ratioImprovement(
            [statFromValues([16, 16.5, 17]), statFromValues([1, 1.2, 1.1])],
            statFromValues([30, 60, 120]),
        );
        expect(s).toMatchObject({ interval: 'unbounded', n: 3 });
        expect(s.valuePct).toBeCloseTo(74.8571429, 6);
        expect(s.g).toBeCloseTo(2.6446886, 6);
        expect(s.reason).toBe("the baseline B's 95 % interval reaches 0");
    });

    it("also when only the ratio's t(ν) makes g reach 1 (a noisy head of n=2 against a base of n=5)", () => {
        // base 6, 8, 10, 12, 14 ms: 10 ± 2.7764·1.4142 (±39.3 %), g own 0.1541729; head 1, 3 ms: value 80 %,
        // df 1.1645367, g at t(0.975, df) 1.6776933 ≥ 1: Fieller's interval at the interval's own df is unbounded
        const s = ratioImprovement([statFromValues([1, 3])], statFromValues([6, 8, 10, 12, 14]), 0.95, 'T_UE(full)');
        expect(s).toMatchObject({ interval: 'unbounded', n: 2 });
        expect(s.valuePct).toBeCloseTo(80, 8);
        expect(s.g).toBeCloseTo(1.6776933, 6);
        expect(s.reason).toBe("the baseline T_UE(full)'s interval at the ratio's 95 % t quantile (df 1.2) reaches 0");
    });

    it('keeps the interval when g < 1 for both quantiles', () => {
        // same base, head 4, 4 ms: df 4, g 0.1541729; value 60 ± 15.7059453
        const s = ratioImprovement([statFromValues([4, 4])], statFromValues([6, 8, 10, 12, 14]));
        expect(s).toMatchObject({ interval: 't', n: 2 });
        expect(s.g).toBeUndefined();
        expect(s.lowPct).toBeCloseTo(60 - 15.7059453, 6);
        expect(notDistinguishableReason(s)).toBeNull();
    });

    it('marks the measured improvements of the split table when T_UE(full) reaches 0', () => {
        const input = smallInput();
        // T_UE(full) 1, 6, 11 ms: 6 ± 4.3027·2.8868 = ± 12.421 (its interval reaches 0), g = 4.3027²·(25/3)/36 =
        // 4.2853751; split 1 measured head 3.0, tail 2.6 ms → UE 50 %, total 100·(1 − 5.6/6) = 6.6667 %
        input.measured.fullUe = [{ avgUs: 1000 }, { avgUs: 6000 }, { avgUs: 11000 }];
        const a = analyzeSplits(input);
        const m = a.rows[1]?.measured?.improvement;
        expect(m?.ue).toMatchObject({
            interval: 'unbounded',
            reason: "the baseline T_UE(full)'s 95 % interval reaches 0",
        });
        expect(m?.ue.valuePct).toBeCloseTo(50, 8);
        expect(m?.ue.g).toBeCloseTo(4.2853751, 6);
        expect(m?.total).toMatchObject({ interval: 'unbounded' });
        expect(m?.total.valuePct).toBeCloseTo(100 * (1 - 5.6 / 6), 8);
        // the estimated rows are paired against their own profile total and keep their intervals
        expect(a.rows[1]?.estimated?.improvement?.ue.interval).toBe('t');
    });
});
