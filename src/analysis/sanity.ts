// Sanity flags on measured split rows (docs/statistics.md "Estimate vs measured"): physically implausible
// orderings of measured times, each raised only beyond noise (the two 95 % intervals do not overlap).
//
// Not here, on purpose: "tail faster than the runtime's zero-op overhead". The only overhead estimate the data
// offer, a profiled run's inference time minus the sum of its per-op times, measured 1.0–1.7 ms on the demo's server
// and 1.4–4.5 ms on its UE (305 ops: ~3–15 µs between ops, the profiler's and interpreter's per-op cost, not a
// per-invoke cost), while the measured one-op tail at split 287 took 0.04–0.07 ms. A flag built on it would fire on
// every short tail; docs/statistics.md gives the figures.
import type { MetricStat, SplitRow, SplitTimes } from './types.js';

/**
 * Strictly above, beyond noise: a's interval lies wholly above b's. A stat of one repetition has no interval (its
 * bounds equal its value), and noise cannot be ruled out without one, so it never counts as beyond noise.
 */
const above = (a: MetricStat, b: MetricStat): boolean => a.interval === 't' && b.interval === 't' && a.lowMs > b.highMs;

/**
 * Sanity flags on measured rows, each only when both sides have a 95 % interval (n ≥ 2) and they do not overlap: a head slower than the whole model on the
 * UE, a tail slower than the whole model on the server, and a head (tail) slower than a head (tail) that runs more
 * ops (the later split's head, the earlier split's tail).
 */
export const sanityFlags = (
    rows: readonly SplitRow[],
    fullUe: MetricStat | null,
    fullServer: MetricStat | null,
): void => {
    const measured = rows.filter((r) => r.measured !== null);
    for (const [i, r] of measured.entries()) {
        const m = r.measured as SplitTimes;
        if (fullUe !== null && above(m.ue, fullUe)) r.flags.push('measured head slower than the full model on the UE');
        if (fullServer !== null && above(m.server, fullServer))
            r.flags.push('measured tail slower than the full model on the server');
        const later = measured[i + 1]?.measured ?? null;
        if (later !== null && above(m.ue, later.ue))
            r.flags.push(`measured head slower than the longer head of split ${measured[i + 1]?.splitAfter}`);
        const earlier = measured[i - 1]?.measured ?? null;
        if (earlier !== null && above(m.server, earlier.server))
            r.flags.push(`measured tail slower than the longer tail of split ${measured[i - 1]?.splitAfter}`);
    }
};
