// The two summary lines of a split analysis that every report carries: the caution when T_UE(full), the base of the
// measured improvements, is too uncertain, and the best split on compute. The terminal, Markdown, HTML and XLSX print
// the same text and JSON gives the same facts as fields, all from here, so the reports cannot drift apart.
import { includesZero } from '../analysis/improvement.js';
import { halfWidthPct } from '../analysis/stats.js';
import type { ImprovementStat, SplitAnalysis, SplitRow, SplitTimes } from '../analysis/types.js';
import { fmtHighPct, fmtPct } from './format.js';
import { CANNOT_TELL, NOT_DISTINGUISHABLE } from './improvement-text.js';
import { cannotRank } from './table.js';

/** Above this half-width of T_UE(full)'s 95 % interval, in % of its value, the improvement columns are not to be read
 * as more than a sign: a split that leaves ~0.1 ms on the server then shows a double-digit "improvement". */
export const BASE_SPREAD_PCT = 10;

export interface BaseCaution {
    /** Half-width of T_UE(full)'s 95 % interval in % of its value. */
    halfWidthPct: number;
    n: number;
    text: string;
}

/** The caution on T_UE(full), or null when its half-width is within ±{@link BASE_SPREAD_PCT} % (or unknown). */
export const baseCaution = (a: SplitAnalysis): BaseCaution | null => {
    const b = a.fullUe;
    // from the upper bound: a lower bound clipped at 0 would understate the half-width
    const halfPct = b === null ? null : halfWidthPct(b);
    if (b === null || halfPct === null || !(halfPct > BASE_SPREAD_PCT)) return null;
    return {
        halfWidthPct: halfPct,
        n: b.n,
        text:
            `caution: T_UE(full), the base of the measured improvements, varies by ±${fmtPct(halfPct)} % (95 % interval, ` +
            `n=${b.n}): the improvement columns carry that uncertainty; more repetitions narrow it`,
    };
};

const primaryOf = (r: SplitRow): SplitTimes | null => (r.primary === 'measured' ? r.measured : r.estimated);

const improvementWords = (label: string, s: ImprovementStat): string => {
    const v = `${fmtPct(s.valuePct)} %`;
    if (s.interval === 'none') return `${label} ${v} (n=${s.n}, no interval)`;
    if (s.interval === 'unbounded') return `${label} ${CANNOT_TELL}: ${s.reason} (${v}, no interval, n=${s.n})`;
    const ci = `95 % interval ${fmtPct(s.lowPct)} to ${fmtHighPct(s)} %, n=${s.n}`;
    return includesZero(s) ? `${label} ${NOT_DISTINGUISHABLE} (${v}, ${ci})` : `${label} ${v} (${ci})`;
};

export interface BestOnCompute {
    /** The split with the largest total improvement of the primary times (measured rows first). */
    splitAfter: number;
    layerNumber: number;
    method: 'measured' | 'estimated';
    totalImprovement: ImprovementStat;
    ueImprovement: ImprovementStat;
    /** Why the split cannot be ranked (no intervals), or null when it can. */
    cannotRank: string | null;
    text: string;
}

/**
 * The best split on compute alone (largest total improvement of the primary times, measured rows first: TR 26.847's
 * ask), with both improvements and their intervals in words; null without improvements. A total improvement without
 * an interval because its base's reaches 0 (interval 'unbounded') is no gain and never wins; when no row has any
 * other, the split with the largest value is named with `cannotRank` set to that reason.
 */
export const bestOnCompute = (a: SplitAnalysis): BestOnCompute | null => {
    const withImp = a.rows.filter((r) => (primaryOf(r)?.improvement ?? null) !== null);
    const measured = withImp.filter((r) => r.primary === 'measured');
    const all = measured.length > 0 ? measured : withImp;
    const bounded = all.filter((r) => primaryOf(r)?.improvement?.total.interval !== 'unbounded');
    const pool = bounded.length > 0 ? bounded : all;
    let best: SplitRow | undefined;
    for (const r of pool)
        if (
            best === undefined ||
            (primaryOf(r)?.totalImprovementPct ?? -Infinity) > (primaryOf(best)?.totalImprovementPct ?? -Infinity)
        )
            best = r;
    const imp = best === undefined ? null : (primaryOf(best)?.improvement ?? null);
    if (best === undefined || best.primary === null || imp === null) return null;
    const why =
        cannotRank(a) ??
        (imp.total.interval === 'unbounded' ? `${imp.total.reason}: no total improvement has an interval` : null);
    return {
        splitAfter: best.splitAfter,
        layerNumber: best.layerNumber,
        method: best.primary,
        totalImprovement: imp.total,
        ueImprovement: imp.ue,
        cannotRank: why,
        text:
            why !== null
                ? `best split on compute: cannot rank (${why})`
                : `best split on compute (${best.primary}, no network): split ${best.splitAfter} (layer ${best.layerNumber}): ` +
                  `${improvementWords('total improvement', imp.total)}; ${improvementWords('UE improvement', imp.ue)}`,
    };
};

/**
 * The summary as sentences for the shareable reports (Markdown, HTML, XLSX): the best split on compute, then the
 * caution on T_UE(full) — the terminal's lines, capitalised. Empty when neither applies.
 */
export const summarySentences = (a: SplitAnalysis): string[] =>
    [bestOnCompute(a)?.text, baseCaution(a)?.text].flatMap((t) =>
        t === undefined ? [] : [`${t.charAt(0).toUpperCase()}${t.slice(1)}.`],
    );
