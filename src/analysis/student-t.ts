// Student's t distribution: CDF through the regularized incomplete beta function and quantiles by bisection on it.
// No installed package provides these (checked node_modules: no jstat, simple-statistics or similar), so the small
// textbook formulas live here: Lanczos ln Γ and Lentz's continued fraction for I_x(a, b), as in Press et al.,
// Numerical Recipes (3rd ed.) §6.1 and §6.4. Accuracy ~1e-10, far below what timing statistics can resolve.

const LANCZOS = [
    57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199, 0.339946499848118887e-4,
    0.465236289270485756e-4, -0.983744753048795646e-4, 0.158088703224912494e-3, -0.210264441724104883e-3,
    0.217439618115212643e-3, -0.16431810653676389e-3, 0.844182239838527433e-4, -0.261908384015814087e-4,
    0.368991826595316234e-5,
];

/** ln Γ(x) for x > 0 (Numerical Recipes 3rd ed. §6.1, g = 671/128, 14 terms). */
export const lnGamma = (x: number): number => {
    let y = x;
    const tmp = x + 5.2421875;
    const t = (x + 0.5) * Math.log(tmp) - tmp;
    let ser = 0.999999999999997092;
    for (const c of LANCZOS) ser += c / ++y;
    return t + Math.log((2.5066282746310005 * ser) / x);
};

// Continued fraction for I_x(a, b) by the modified Lentz method (Numerical Recipes §6.4 betacf).
const betaContinuedFraction = (a: number, b: number, x: number): number => {
    const TINY = 1e-300;
    const qab = a + b;
    const qap = a + 1;
    const qam = a - 1;
    let c = 1;
    let d = 1 - (qab * x) / qap;
    if (Math.abs(d) < TINY) d = TINY;
    d = 1 / d;
    let h = d;
    for (let m = 1; m <= 10000; m++) {
        const m2 = 2 * m;
        let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (Math.abs(d) < TINY) d = TINY;
        c = 1 + aa / c;
        if (Math.abs(c) < TINY) c = TINY;
        d = 1 / d;
        h *= d * c;
        aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (Math.abs(d) < TINY) d = TINY;
        c = 1 + aa / c;
        if (Math.abs(c) < TINY) c = TINY;
        d = 1 / d;
        const del = d * c;
        h *= del;
        if (Math.abs(del - 1) < 1e-15) break;
    }
    return h;
};

/** Regularized incomplete beta function I_x(a, b), 0 <= x <= 1. */
export const incompleteBeta = (x: number, a: number, b: number): number => {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
    // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise.
    if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
    return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, 1 - x)) / b;
};

/** Two-sided tail P(|T| >= |t|) for T ~ Student t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export const studentTTwoSided = (t: number, df: number): number => {
    if (!Number.isFinite(t)) return Number.isNaN(t) ? 1 : 0;
    return Math.min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5));
};

/** P(T <= t) for T ~ Student t with `df` degrees of freedom. */
export const studentTCdf = (t: number, df: number): number => {
    const tail = studentTTwoSided(t, df) / 2;
    return t >= 0 ? 1 - tail : tail;
};

const quantileCache = new Map<string, number>();

/** The p-quantile of Student's t with `df` degrees of freedom (bisection on the CDF to 1e-12; p in (0, 1)). */
export const studentTQuantile = (p: number, df: number): number => {
    if (!(p > 0 && p < 1)) return p <= 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (p === 0.5) return 0;
    const key = `${p}|${df}`;
    const hit = quantileCache.get(key);
    if (hit !== undefined) return hit;
    const upper = p > 0.5;
    const target = upper ? p : 1 - p;
    let lo = 0;
    let hi = 1;
    while (studentTCdf(hi, df) < target) hi *= 2;
    for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
        const mid = (lo + hi) / 2;
        if (studentTCdf(mid, df) < target) lo = mid;
        else hi = mid;
    }
    const q = upper ? (lo + hi) / 2 : -(lo + hi) / 2;
    quantileCache.set(key, q);
    return q;
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
