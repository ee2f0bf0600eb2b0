// The one statistical model of splitbench (docs/statistics.md): each repetition contributes one value per metric
// (the median of its raw samples, or the benchmark's average when there are none), and every point value and interval
// is computed across repetitions from those values: the mean with a Student-t interval. Samples within one repetition
// share that repetition's conditions (load, temperature, frequency), so they are not independent evidence across runs.
import type { MetricStat, Rep } from './types.js';
import { studentTQuantile } from './student-t.js';

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

export const mean = (xs: readonly number[]): number => {
    let s = 0;
    for (const x of xs) s += x;
    return xs.length === 0 ? Number.NaN : s / xs.length;
};

/** Sample variance with Bessel's correction (n − 1); 0 for fewer than two values. */
export const variance = (xs: readonly number[]): number => {
    const n = xs.length;
    if (n < 2) return 0;
    const m = mean(xs);
    let s = 0;
    for (const x of xs) s += (x - m) ** 2;
    return s / (n - 1);
};

/** What one repetition's value is: the median of its raw samples, or the benchmark's reported average. */
export type PerRepStatistic = MetricStat['perRep'];

const combinePerRep = (kinds: readonly ('median' | 'mean')[]): PerRepStatistic =>
    kinds.every((k) => k === 'median') ? 'median' : kinds.every((k) => k === 'mean') ? 'mean' : 'mixed';

/**
 * A time is never negative: with two or three scattered repetitions the symmetric interval can reach below 0, and
 * its lower bound is then clipped at 0 (the interval's coverage only grows). The clip is carried as `lowClipped`
 * so reports can say the bound is not the t-interval's; quantities that may be negative (`nonNegative` false) keep
 * their bound.
 */
export const clipLowBound = (lowMs: number, nonNegative: boolean): Pick<MetricStat, 'lowMs'> & { lowClipped?: true } =>
    nonNegative && lowMs < 0 ? { lowMs: 0, lowClipped: true } : { lowMs };

/**
 * The lower bound before any clip at 0 (ms). Every interval of a MetricStat is symmetric around its value before
 * the clip (Student-t, Welch–Satterthwaite), so it is value − (high − value); without an interval, the value.
 */
export const unclippedLowMs = (s: Pick<MetricStat, 'valueMs' | 'highMs'>): number => 2 * s.valueMs - s.highMs;

/**
 * Whether the interval says little: its half-width exceeds the value itself (above 100 % of it), so the clipped
 * bound hides how far the t-interval reached below 0. Null without an interval.
 */
export const halfWidthPct = (s: Pick<MetricStat, 'valueMs' | 'highMs' | 'interval'>): number | null =>
    s.interval === 'none' || !(s.valueMs > 0) ? null : (100 * (s.highMs - s.valueMs)) / s.valueMs;

/** `loadedReps` when any repetition was load-flagged; nothing otherwise (so unflagged stats keep their shape). */
const loadedField = (loaded: readonly boolean[] | undefined): { loadedReps?: boolean[] } =>
    loaded !== undefined && loaded.some((l) => l) ? { loadedReps: [...loaded] } : {};

/**
 * Mean and two-sided Student-t interval of per-repetition values (ms):
 * x̄ ± t_{1−α/2, n−1} · s/√n (e.g. NIST/SEMATECH e-Handbook §7.2.2.1), the lower bound clipped at 0 for times
 * (then `lowClipped: true`; {@link unclippedLowMs} gives the t-interval's bound back).
 * One value: no interval (low = high = x̄).
 * `perRep` says what each value is (see {@link PerRepStatistic}); `loaded` marks, index by index, the values whose
 * result was load-flagged (kept in the point value and interval: the reports show every repetition).
 */
export const statFromValues = (
    valuesMs: readonly number[],
    perRep: PerRepStatistic = 'mean',
    confidence = 0.95,
    loaded?: readonly boolean[],
): MetricStat => {
    const t = meanInterval(valuesMs, confidence);
    return {
        valueMs: t.value,
        ...clipLowBound(t.low, t.interval === 't' && valuesMs.every((v) => v >= 0)),
        highMs: t.high,
        interval: t.interval,
        n: t.n,
        perRep,
        repValuesMs: [...valuesMs],
        ...loadedField(loaded),
    };
};

/** A mean with its two-sided Student-t interval, in the unit of the values, unclipped. */
export interface MeanInterval {
    value: number;
    low: number;
    high: number;
    interval: 't' | 'none';
    n: number;
    /** Degrees of freedom of the t quantile (n − 1); null without an interval. */
    df: number | null;
}

/**
 * Mean and two-sided Student-t interval x̄ ± t_{1−α/2, n−1} · s/√n of any values (NIST/SEMATECH e-Handbook
 * §7.2.2.1), without the clipping at 0 that times get: for quantities that may be negative (improvements in %).
 * Fewer than two values: interval 'none', low = high = x̄.
 */
export const meanInterval = (values: readonly number[], confidence = 0.95): MeanInterval => {
    const n = values.length;
    const value = mean(values);
    if (n < 2) return { value, low: value, high: value, interval: 'none', n, df: null };
    const half = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(variance(values) / n);
    return { value, low: value - half, high: value + half, interval: 't', n, df: n - 1 };
};

/** One repetition's value (ms): the median of its raw samples when it has them, else its average. */
export const repValueMs = (r: Rep): { ms: number; kind: 'median' | 'mean' } =>
    r.samplesUs !== undefined && r.samplesUs.length > 0
        ? { ms: median(r.samplesUs) / 1000, kind: 'median' }
        : { ms: r.avgUs / 1000, kind: 'mean' };

/** Statistics of timed repetitions (µs in, ms out): one value per repetition, then {@link statFromValues}. */
export const statFromReps = (reps: readonly Rep[], confidence = 0.95): MetricStat => {
    const vals = reps.map(repValueMs);
    return statFromValues(
        vals.map((v) => v.ms),
        combinePerRep(vals.map((v) => v.kind)),
        confidence,
        reps.map((r) => r.loaded === true),
    );
};

/**
 * Sum of two independent quantities (UE time + server time): point value a + b, standard error √(s_a²/n_a + s_b²/n_b)
 * with Welch–Satterthwaite degrees of freedom (Welch 1947). The two devices' repetitions are not paired, so the
 * variances add. No interval when either side has fewer than two repetitions. The bound comes from the components'
 * repetition values, never from their clipped bounds; the sum's own bound is clipped at 0 last (`lowClipped`).
 */
export const sumStat = (a: MetricStat, b: MetricStat, confidence = 0.95): MetricStat => {
    const valueMs = a.valueMs + b.valueMs;
    const perRep = a.perRep === b.perRep ? a.perRep : 'mixed';
    const n = Math.min(a.n, b.n);
    const repValuesMs = Array.from(
        { length: n },
        (_, i) => (a.repValuesMs[i] as number) + (b.repValuesMs[i] as number),
    );
    // a total's repetition is loaded when either half is
    const loaded = loadedField(
        Array.from({ length: n }, (_, i) => a.loadedReps?.[i] === true || b.loadedReps?.[i] === true),
    );
    if (a.n < 2 || b.n < 2)
        return { valueMs, lowMs: valueMs, highMs: valueMs, interval: 'none', n, perRep, repValuesMs, ...loaded };
    const va = variance(a.repValuesMs) / a.n;
    const vb = variance(b.repValuesMs) / b.n;
    const se = Math.sqrt(va + vb);
    const df = welchDf(va, a.n, vb, b.n);
    const half = se === 0 ? 0 : studentTQuantile(1 - (1 - confidence) / 2, df) * se;
    return {
        valueMs,
        ...clipLowBound(
            valueMs - half,
            [...a.repValuesMs, ...b.repValuesMs].every((v) => v >= 0),
        ),
        highMs: valueMs + half,
        interval: 't',
        n,
        perRep,
        repValuesMs,
        ...loaded,
    };
};

/** Welch–Satterthwaite degrees of freedom from the squared standard errors v = s²/n of two means. */
export const welchDf = (va: number, na: number, vb: number, nb: number): number => {
    const num = (va + vb) ** 2;
    const den = (na > 1 ? va ** 2 / (na - 1) : 0) + (nb > 1 ? vb ** 2 / (nb - 1) : 0);
    return den === 0 ? Math.max(1, na + nb - 2) : num / den;
};

/**
 * Welch–Satterthwaite degrees of freedom of a sum of independent variance components c_i, each from a mean of n_i
 * values: ν = (Σ c_i)² / Σ c_i²/(n_i − 1) (Satterthwaite 1946). {@link welchDf} is the two-component case.
 * All components zero: Σ(n_i − 1), at least 1.
 */
export const welchDfOf = (comps: readonly { c: number; n: number }[]): number => {
    let num = 0;
    let den = 0;
    let dof = 0;
    for (const { c, n } of comps) {
        num += c;
        if (n > 1) {
            den += c ** 2 / (n - 1);
            dof += n - 1;
        }
    }
    return den === 0 ? Math.max(1, dof) : num ** 2 / den;
};

/**
 * Lower bound (ms) of a time that is a compute time plus a constant (an end-to-end time: compute + transfer, RTT and
 * result return). The compute time cannot be negative, so its own lower bound is clipped at 0 first (from the
 * unclipped t-bound, {@link unclippedLowMs}), and then the constant is added: the bound never falls below the
 * constant, which is spent whatever the compute took. `lowClipped` says the compute part's bound was clipped, so the
 * bound is the constant alone (docs/statistics.md "Clipped lower bounds").
 */
export const shiftedLowMs = (
    compute: Pick<MetricStat, 'valueMs' | 'highMs'>,
    byMs: number,
): { lowMs: number; lowClipped?: true } => {
    const c = clipLowBound(unclippedLowMs(compute), true);
    return { ...c, lowMs: c.lowMs + byMs };
};

/** True when the two intervals share a point (a single value is an interval of width 0). */
export const overlaps = (a: Pick<MetricStat, 'lowMs' | 'highMs'>, b: Pick<MetricStat, 'lowMs' | 'highMs'>): boolean =>
    a.lowMs <= b.highMs && b.lowMs <= a.highMs;
