// Robust statistics over repetitions and raw samples. Deterministic: the bootstrap interval is computed from the
// closed-form resampling distribution of the median, so reports do not change from one rendering to the next.
import type { MetricStat, Rep } from './types.js';

export const sortedCopy = (xs: readonly number[]): Float64Array => Float64Array.from(xs).sort();

/** Quantile by linear interpolation between order statistics (Hyndman-Fan type 7, numpy's default). */
export const quantileSorted = (s: ArrayLike<number>, p: number): number => {
    const n = s.length;
    if (n === 0) return Number.NaN;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = s[lo] as number;
    const b = s[Math.min(lo + 1, n - 1)] as number;
    return a + (h - lo) * (b - a);
};

export const median = (xs: readonly number[]): number => quantileSorted(sortedCopy(xs), 0.5);

/**
 * P(X >= m) for X ~ Binomial(n, p), in log space so large n does not underflow. Terms are summed away from the mode
 * and the sum stops once they fall below 1e-17 of it, so one call costs O(sqrt(n)) terms, not O(n).
 */
const binomialUpperTail = (n: number, p: number, m: number, logFact: Float64Array): number => {
    if (m <= 0) return 1;
    if (m > n) return 0;
    if (p <= 0) return 0;
    if (p >= 1) return 1;
    const lp = Math.log(p);
    const lq = Math.log1p(-p);
    const term = (i: number): number =>
        Math.exp((logFact[n] as number) - (logFact[i] as number) - (logFact[n - i] as number) + i * lp + (n - i) * lq);
    const mode = Math.floor((n + 1) * p);
    // Sum the side of m that does not contain the mode: its terms only shrink away from m.
    const upper = m > mode;
    let sum = 0;
    for (let i = upper ? m : m - 1; upper ? i <= n : i >= 0; i += upper ? 1 : -1) {
        const t = term(i);
        sum += t;
        if (t < sum * 1e-17) break;
    }
    return upper ? Math.min(1, sum) : Math.max(0, 1 - sum);
};

// ln(i!) for i = 0..n, grown on demand and shared: every interval of a report needs the same table.
let lfCache = new Float64Array(1);
const logFactorials = (n: number): Float64Array => {
    if (lfCache.length > n) return lfCache;
    const lf = new Float64Array(Math.max(n + 1, lfCache.length * 2));
    lf.set(lfCache);
    for (let i = lfCache.length; i < lf.length; i++) lf[i] = (lf[i - 1] as number) + Math.log(i);
    lfCache = lf;
    return lf;
};

/**
 * Percentile bootstrap interval of the median, exact (infinitely many resamples). The resampled median is taken as
 * the m-th order statistic, m = ceil(n/2); it is <= v exactly when at least m of the n draws are <= v, so
 * P(median* <= v) = P(Binomial(n, c(v)/n) >= m) with c(v) = number of samples <= v.
 */
export const bootstrapMedianCi = (sorted: ArrayLike<number>, confidence = 0.95): [number, number] => {
    const n = sorted.length;
    if (n === 0) return [Number.NaN, Number.NaN];
    const m = Math.ceil(n / 2);
    const lf = logFactorials(n);
    // c(v) for the value at sorted index i (ties: the last index holding that value).
    const cdfAt = (i: number): number => {
        let j = i;
        while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
        return binomialUpperTail(n, (j + 1) / n, m, lf);
    };
    const firstReaching = (target: number): number => {
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (cdfAt(mid) >= target) hi = mid;
            else lo = mid + 1;
        }
        return sorted[lo] as number;
    };
    const alpha = 1 - confidence;
    return [firstReaching(alpha / 2), firstReaching(1 - alpha / 2)];
};

/** Median and IQR of per-repetition values (ms). */
export const statFromValues = (valuesMs: readonly number[]): MetricStat => {
    const s = sortedCopy(valuesMs);
    const n = s.length;
    return {
        medianMs: quantileSorted(s, 0.5),
        lowMs: quantileSorted(s, 0.25),
        highMs: quantileSorted(s, 0.75),
        interval: n > 1 ? 'iqr' : 'none',
        n,
        repValuesMs: [...valuesMs],
    };
};

/**
 * Statistics of timed repetitions: when every repetition carries raw samples they are pooled (median of all samples,
 * bootstrap CI of that median); otherwise the median and IQR of the repetition means.
 */
export const statFromReps = (reps: readonly Rep[], confidence = 0.95): MetricStat => {
    const repValuesMs = reps.map((r) => r.avgUs / 1000);
    const withSamples = reps.length > 0 && reps.every((r) => r.samplesUs !== undefined && r.samplesUs.length > 0);
    if (!withSamples) return statFromValues(repValuesMs);
    const samplesMs: number[] = [];
    for (const r of reps) for (const v of r.samplesUs ?? []) samplesMs.push(v / 1000);
    const s = sortedCopy(samplesMs);
    const [lowMs, highMs] = bootstrapMedianCi(s, confidence);
    return {
        medianMs: quantileSorted(s, 0.5),
        lowMs,
        highMs,
        interval: s.length > 1 ? 'bootstrap' : 'none',
        n: s.length,
        repValuesMs,
        samplesMs,
    };
};

/** P(Z > z) for a standard normal Z, without the cancellation of 1 − Φ(z) in the far tail. */
export const normalUpperTail = (z: number): number =>
    z >= 0 ? 0.5 * erfc(z / Math.SQRT2) : 1 - 0.5 * erfc(-z / Math.SQRT2);

/** Standard normal CDF. */
export const normalCdf = (z: number): number => normalUpperTail(-z);

// erfc for x >= 0 from the published Chebyshev fit with fractional error < 1.2e-7; relative accuracy holds in the far
// tail too, which Abramowitz-Stegun 7.1.26 (absolute error) does not give for tiny p-values.
const erfc = (x: number): number => {
    const t = 1 / (1 + 0.5 * x);
    const y =
        t *
        Math.exp(
            -x * x -
                1.26551223 +
                t *
                    (1.00002368 +
                        t *
                            (0.37409196 +
                                t *
                                    (0.09678418 +
                                        t *
                                            (-0.18628806 +
                                                t *
                                                    (0.27886807 +
                                                        t *
                                                            (-1.13520398 +
                                                                t *
                                                                    (1.48851587 +
                                                                        t * (-0.82215223 + t * 0.17087277)))))))),
        );
    return y;
};
