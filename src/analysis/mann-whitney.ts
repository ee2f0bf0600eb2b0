// Two-sided Mann-Whitney U test. Exact null distribution for small tie-free samples, otherwise the normal
// approximation with tie correction and continuity correction (the scipy defaults, so results can be cross-checked).
import { normalUpperTail } from './stats.js';

export interface MannWhitneyResult {
    /** U of the first sample: number of pairs (a, b) with a > b, ties counting 1/2. */
    u: number;
    /** U of the second sample (n1·n2 − u). */
    uOther: number;
    /** Normal-approximation z (0 for the exact method). */
    z: number;
    p: number;
    method: 'exact' | 'normal' | 'degenerate';
}

/** Largest n1 + n2 for which the exact distribution is used (when there are no ties). */
export const EXACT_MAX_TOTAL = 30;

/** Number of arrangements with U <= u for sample sizes (n1, n2), by the recursion c(i, j, u) = c(i-1, j, u-j) + c(i, j-1, u). */
const exactCdfCounts = (n1: number, n2: number): Float64Array[] => {
    // table[i][j] is a Float64Array of counts for U = 0..i*j (density, not cumulative)
    const table: Float64Array[][] = [];
    for (let i = 0; i <= n1; i++) {
        const row: Float64Array[] = [];
        for (let j = 0; j <= n2; j++) {
            const d = new Float64Array(i * j + 1);
            if (i === 0 || j === 0) d[0] = 1;
            else {
                const a = table[i - 1]?.[j] as Float64Array; // last element is from the first sample: beats all j others
                const b = row[j - 1] as Float64Array; // last element is from the second sample: adds nothing
                for (let u = 0; u < d.length; u++) {
                    d[u] =
                        (u - j >= 0 && u - j < a.length ? (a[u - j] as number) : 0) +
                        (u < b.length ? (b[u] as number) : 0);
                }
            }
            row.push(d);
        }
        table.push(row);
    }
    return table[n1] as Float64Array[];
};

export const mannWhitneyU = (a: readonly number[], b: readonly number[]): MannWhitneyResult => {
    const n1 = a.length;
    const n2 = b.length;
    if (n1 === 0 || n2 === 0) return { u: Number.NaN, uOther: Number.NaN, z: 0, p: 1, method: 'degenerate' };
    const n = n1 + n2;
    // Merge two sorted copies instead of sorting tagged objects: nightly compares run thousands of these tests.
    const sa = Float64Array.from(a).sort();
    const sb = Float64Array.from(b).sort();
    let rankSumA = 0;
    let tieTerm = 0;
    let i = 0;
    let j = 0;
    let rank = 0; // ranks used so far
    while (i < n1 || j < n2) {
        const v = i < n1 && (j >= n2 || (sa[i] as number) <= (sb[j] as number)) ? (sa[i] as number) : (sb[j] as number);
        let ca = 0;
        let cb = 0;
        while (i < n1 && sa[i] === v) {
            i++;
            ca++;
        }
        while (j < n2 && sb[j] === v) {
            j++;
            cb++;
        }
        const t = ca + cb;
        rankSumA += ca * (rank + (t + 1) / 2);
        rank += t;
        tieTerm += t * t * t - t;
    }
    const u = rankSumA - (n1 * (n1 + 1)) / 2;
    const uOther = n1 * n2 - u;
    if (tieTerm === 0 && n <= EXACT_MAX_TOTAL) {
        const density = exactCdfCounts(n1, n2)[n2] as Float64Array;
        let total = 0;
        for (const c of density) total += c;
        const uMin = Math.min(u, uOther);
        let below = 0;
        for (let k = 0; k <= uMin; k++) below += density[k] as number;
        return { u, uOther, z: 0, p: Math.min(1, (2 * below) / total), method: 'exact' };
    }
    const mean = (n1 * n2) / 2;
    const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
    if (variance <= 0) return { u, uOther, z: 0, p: 1, method: 'degenerate' };
    const dev = Math.max(0, Math.abs(u - mean) - 0.5);
    const z = dev / Math.sqrt(variance);
    return { u, uOther, z: u >= mean ? z : -z, p: Math.min(1, 2 * normalUpperTail(z)), method: 'normal' };
};
