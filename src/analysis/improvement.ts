// Improvements against running the whole model on the UE (TR 26.847's two asks: %UE and %total), each with an
// interval and n like every time (docs/statistics.md "Improvements"). Pure: values in, values out.
import { meanInterval, variance, welchDfOf } from './stats.js';
import { studentTQuantile } from './student-t.js';
import type { ImprovementStat, MetricStat } from './types.js';

/**
 * An improvement 100·(B − T)/B cannot exceed 100 % because a time T is never negative, yet a symmetric interval of a
 * noisy ratio can reach past it. Like a time's lower bound at 0 (docs/statistics.md "Clipped lower bounds"), the
 * upper bound is capped at 100 and marked `highClipped`; the lower bound stays value − half-width, so the method's
 * half-width is still value − lowPct.
 */
const capHigh = (s: ImprovementStat): ImprovementStat =>
    s.interval === 't' && s.highPct > 100 ? { ...s, highPct: 100, highClipped: true } : s;

const NONE = (valuePct: number, method: ImprovementStat['method'], n: number): ImprovementStat => ({
    valuePct,
    lowPct: valuePct,
    highPct: valuePct,
    interval: 'none',
    method,
    n,
    df: null,
});

/**
 * Paired improvement (%): base B_r and time T_r come from the same repetition r (an estimate: the profiled run's
 * total and its prefix sum), so each repetition gives one improvement 100·(B_r − T_r)/B_r, and the point value and
 * interval are the mean and Student-t interval of those values (df = n − 1; NIST/SEMATECH e-Handbook §7.2.2.1).
 * Pairing removes the run-to-run variation both share. Inputs in ms, same length (the caller pairs them);
 * fewer than two pairs: interval 'none'. A repetition with B_r ≤ 0 cannot be a base and is left out. The upper bound
 * is capped at 100 (`highClipped`).
 */
export const pairedImprovement = (
    baseMs: readonly number[],
    timeMs: readonly number[],
    confidence = 0.95,
): ImprovementStat => {
    const n = Math.min(baseMs.length, timeMs.length);
    const pcts: number[] = [];
    for (let r = 0; r < n; r++) {
        const b = baseMs[r] as number;
        if (b > 0) pcts.push((100 * (b - (timeMs[r] as number))) / b);
    }
    const m = meanInterval(pcts, confidence);
    return capHigh({
        valuePct: m.value,
        lowPct: m.low,
        highPct: m.high,
        interval: m.interval,
        method: 'paired',
        n: m.n,
        df: m.df,
    });
};

/**
 * Improvement (%) of a time T = Σ parts (each an independent mean, e.g. measured head + tail) against an
 * independent base B (the measured full model): 100·(1 − R) with R = T̄/B̄.
 * Delta method (first-order Taylor expansion of T/B; Casella & Berger, _Statistical Inference_ 2nd ed. §5.5.4):
 * Var(R)/R² ≈ Σ_i v_i/T̄² + v_B/B̄², v = s²/n of each mean. Degrees of freedom: Welch–Satterthwaite on those
 * relative-variance components, ν = (Σ c)² / Σ c²/(n − 1) (Satterthwaite 1946). Interval 100·(1 − R ∓ t·R·√ΣC).
 * n = the fewest repetitions of any side; interval 'none' when any side has fewer than two, or B̄ ≤ 0. The upper
 * bound is capped at 100 (`highClipped`).
 * Interval 'unbounded' (value only, with `g` and `reason`) when g = t²·v_B/B̄² ≥ 1 for the base's own quantile
 * t(n_B − 1) (its interval as the reports print it reaches 0) or for the ratio's t(ν) (Fieller's interval at the
 * interval's df is unbounded; Fieller 1954, docs/statistics.md "Improvements: intervals and n"): the data cannot
 * bound the improvement at all. `g` is the larger; `baseName` names the base in the reason (e.g. "T_UE(full)").
 */
export const ratioImprovement = (
    parts: readonly MetricStat[],
    base: MetricStat,
    confidence = 0.95,
    baseName = 'B',
): ImprovementStat => {
    const t = parts.reduce((s, p) => s + p.valueMs, 0);
    const b = base.valueMs;
    const n = Math.min(base.n, ...parts.map((p) => p.n));
    if (!(b > 0)) return NONE(Number.NaN, 'delta', n);
    const r = t / b;
    const valuePct = 100 * (1 - r);
    if (n < 2) return NONE(valuePct, 'delta', n);
    const comps = [
        ...parts.map((p) => ({ c: variance(p.repValuesMs) / p.n / (t * t), n: p.n })),
        { c: variance(base.repValuesMs) / base.n / (b * b), n: base.n },
    ].filter((x) => Number.isFinite(x.c));
    const rel = comps.reduce((s, x) => s + x.c, 0);
    const df = welchDfOf(comps);
    const q = 1 - (1 - confidence) / 2;
    const pct = `${+(100 * confidence).toFixed(1)} %`;
    const own = baseG(base, studentTQuantile(q, base.n - 1));
    const atRatio = Number.isFinite(df) ? baseG(base, studentTQuantile(q, df)) : 0;
    if (own >= 1 || atRatio >= 1)
        return {
            ...NONE(valuePct, 'delta', n),
            interval: 'unbounded',
            df,
            g: Math.max(own, atRatio),
            reason:
                own >= 1
                    ? `the baseline ${baseName}'s ${pct} interval reaches 0`
                    : `the baseline ${baseName}'s interval at the ratio's ${pct} t quantile (df ${df.toFixed(1)}) reaches 0`,
        };
    const half = rel === 0 ? 0 : studentTQuantile(q, df) * r * Math.sqrt(rel);
    return capHigh({
        valuePct,
        lowPct: valuePct - 100 * half,
        highPct: valuePct + 100 * half,
        interval: 't',
        method: 'delta',
        n,
        df,
    });
};

/**
 * Fieller's g = t²·v_B/B̄² of a base B at quantile t (dimensionless; Fieller 1954): the squared relative half-width
 * of B̄ ± t·√v_B, so g ≥ 1 exactly when that interval reaches 0. v_B = s²/n (ms²); 0 when B has no spread.
 */
const baseG = (base: MetricStat, t: number): number => {
    const vB = variance(base.repValuesMs) / base.n;
    return vB > 0 ? (t * t * vB) / (base.valueMs * base.valueMs) : 0;
};

/** Half-width of an improvement's interval (percentage points): value − low, which the cap at 100 leaves alone. */
export const improvementHalfPct = (s: ImprovementStat): number | null =>
    s.interval === 't' ? s.valuePct - s.lowPct : null;

/** True when the interval of an improvement contains 0: the data cannot tell it from running all on the UE. */
export const includesZero = (s: ImprovementStat): boolean => s.interval === 't' && s.lowPct <= 0 && s.highPct >= 0;

/**
 * Why the data cannot tell an improvement from running everything on the UE, or null when they can (or when there
 * is no interval for lack of repetitions): its interval contains 0, or it has none because the base's interval
 * reaches 0 ({@link ratioImprovement}'s interval 'unbounded').
 */
export const notDistinguishableReason = (s: ImprovementStat): string | null =>
    s.interval === 'unbounded'
        ? (s.reason ?? 'the baseline interval reaches 0')
        : includesZero(s)
          ? 'the 95 % interval contains 0'
          : null;
