// Student's t distribution from jstat (a maintained statistics library: `jStat.studentt.cdf` / `.inv`), and Welch's
// test on top of it. Only the test statistic and its degrees of freedom are computed here. jstat is accurate to
// ~1e-8, far below what timing statistics resolve.
import jstat from 'jstat';

const { studentt } = jstat.jStat;

/** Two-sided tail P(|T| >= |t|) for T ~ Student t with `df` degrees of freedom. */
export const studentTTwoSided = (t: number, df: number): number => {
    if (!Number.isFinite(t)) return Number.isNaN(t) ? 1 : 0;
    return Math.min(1, 2 * studentt.cdf(-Math.abs(t), df));
};

/** P(T <= t) for T ~ Student t with `df` degrees of freedom. */
export const studentTCdf = (t: number, df: number): number => studentt.cdf(t, df);

/** The p-quantile of Student's t with `df` degrees of freedom (p in (0, 1); ±Infinity outside). */
export const studentTQuantile = (p: number, df: number): number => {
    if (!(p > 0 && p < 1)) return p <= 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return studentt.inv(p, df);
};

export interface WelchResult {
    /** Welch's t statistic of (mean B − mean A). */
    t: number;
    df: number;
    /** Two-sided p-value. */
    p: number;
    method: 'welch' | 'degenerate';
}

/**
 * Welch's unequal-variance t-test of two samples (Welch 1947; scipy.stats.ttest_ind(equal_var=False) gives the same
 * t, df and p). Both samples need at least two values; when both have zero variance the means are either equal
 * (p = 1) or the difference is certain (p = 0): method 'degenerate'.
 */
export const welchTTest = (a: readonly number[], b: readonly number[]): WelchResult => {
    const na = a.length;
    const nb = b.length;
    if (na < 2 || nb < 2) return { t: 0, df: 0, p: 1, method: 'degenerate' };
    const ma = a.reduce((s, x) => s + x, 0) / na;
    const mb = b.reduce((s, x) => s + x, 0) / nb;
    const va = a.reduce((s, x) => s + (x - ma) ** 2, 0) / (na - 1) / na;
    const vb = b.reduce((s, x) => s + (x - mb) ** 2, 0) / (nb - 1) / nb;
    const se = Math.sqrt(va + vb);
    if (se === 0)
        return ma === mb
            ? { t: 0, df: na + nb - 2, p: 1, method: 'degenerate' }
            : { t: mb > ma ? Infinity : -Infinity, df: na + nb - 2, p: 0, method: 'degenerate' };
    const df = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1));
    const t = (mb - ma) / se;
    return { t, df, p: studentTTwoSided(t, df), method: 'welch' };
};
