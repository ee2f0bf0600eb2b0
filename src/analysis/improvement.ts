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
 */
export const ratioImprovement = (
    parts: readonly MetricStat[],
    base: MetricStat,
    confidence = 0.95,
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
    const half = rel === 0 ? 0 : studentTQuantile(1 - (1 - confidence) / 2, df) * r * Math.sqrt(rel);
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

/** Half-width of an improvement's interval (percentage points): value − low, which the cap at 100 leaves alone. */
export const improvementHalfPct = (s: ImprovementStat): number | null =>
    s.interval === 'none' ? null : s.valuePct - s.lowPct;

/** True when the interval of an improvement contains 0: the data cannot tell it from running all on the UE. */
export const includesZero = (s: ImprovementStat): boolean => s.interval !== 'none' && s.lowPct <= 0 && s.highPct >= 0;
