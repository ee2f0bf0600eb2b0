// The Wilson score interval of a binomial proportion (Wilson 1927, "Probable inference, the law of succession, and
// statistical inference", JASA 22:209–212; also Newcombe 1998, method 3). Implemented here rather than taken from
// jstat, which has no proportion interval: it is four lines once z is known.

/** z = Φ⁻¹(0.975), the standard normal quantile of a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval of k successes in n trials, as proportions in [0, 1]:
 * centre (p̂ + z²/2n)/(1 + z²/n), half-width z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²), with p̂ = k/n.
 * Unlike p̂ ± z√(p̂(1−p̂)/n) it stays inside [0, 1] and is not empty at k = 0 or k = n, which is what a
 * calibration with ten pairs and zero false alarms needs. n = 0 gives [0, 1] (nothing is known).
 */
export const wilsonInterval = (k: number, n: number, z = Z_95): { low: number; high: number } => {
    if (n === 0) return { low: 0, high: 1 };
    const p = k / n;
    const z2n = (z * z) / n;
    const centre = (p + z2n / 2) / (1 + z2n);
    const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
    // at k = 0 (k = n) the bound is exactly 0 (1); rounding would leave 1e-17 (1 − 1e-16)
    return { low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
};

/** "2/3 = 67 % (95 % CI 21–94 %)": a rate that says how little a few pairs can tell. */
export const formatRate = (k: number, n: number): string => {
    if (n === 0) return '0/0 (no pairs)';
    const { low, high } = wilsonInterval(k, n);
    return `${k}/${n} = ${((100 * k) / n).toFixed(0)} % (95 % CI ${(100 * low).toFixed(0)}–${(100 * high).toFixed(0)} %)`;
};
