// An improvement as the text renderers and the XLSX verdict column say it: value and interval, or words when the data
// cannot tell it from running everything on the UE (docs/statistics.md "Improvements: intervals and n").
import { improvementHalfPct, includesZero } from '../analysis/improvement.js';
import type { ImprovementStat } from '../analysis/types.js';
import { fmtHighPct, fmtPct } from './format.js';

/** Words for an improvement whose interval contains 0 (docs/statistics.md "Improvements"). */
export const NOT_DISTINGUISHABLE = 'not distinguishable from running everything on the UE';

/** The short mark for {@link NOT_DISTINGUISHABLE}: the terminal's narrow cells and the XLSX verdict column. */
export const NEAR_ALL_ON_UE = '≈ all on UE';

/**
 * The words for an improvement without an interval because its base's interval reaches 0 (interval 'unbounded'):
 * the data cannot bound it, so its value is no evidence of a gain.
 */
export const CANNOT_TELL = 'cannot tell';

/** The terminal's line under a table with {@link CANNOT_TELL} cells: the reason and what it means. */
export const cannotTellLegend = (reason: string): string =>
    `${CANNOT_TELL}: ${reason}, so the data cannot bound the improvement (no interval) and its value is no evidence of a gain or a loss`;

/**
 * "value ± half" at one decimal, or two (three) when the half-width rounds to 0 at one (two): "± 0.0" would read as
 * an interval that touches 0, or as no uncertainty at all.
 */
const valueAndHalf = (value: number, half: number): string => {
    let digits = 1;
    while (digits < 3 && half > 0 && Number(half.toFixed(digits)) === 0) digits++;
    return `${value.toFixed(digits)} ± ${half.toFixed(digits)}`;
};

/**
 * An improvement as text: "42.1 ± 3.0" (95 % interval, symmetric for both methods; "0.05 ± 0.02" when the
 * half-width is below 0.05), "99.0 [97.5 to 100 (clipped)]"
 * when the upper bound was capped at 100, "48.4 (n=1)" when there is no interval, and words instead of a signed
 * number when the interval contains 0 ({@link NOT_DISTINGUISHABLE}) or the base's interval reaches 0
 * ("cannot tell: the baseline T_UE(full)'s 95 % interval reaches 0 (79.0)"). `short` (the terminal's narrow cells):
 * {@link NEAR_ALL_ON_UE} and "cannot tell (79.0)", explained under the table.
 */
export const improvementText = (s: ImprovementStat | null | undefined, short = false): string => {
    if (s === null || s === undefined || !Number.isFinite(s.valuePct)) return '';
    // "(n=1)" beside a bare figure: without it the cell reads as a result; the table's caveat line says why it is not
    if (s.interval === 'none') return `${fmtPct(s.valuePct)} (n=${s.n})`;
    if (s.interval === 'unbounded')
        return short ? `${CANNOT_TELL} (${fmtPct(s.valuePct)})` : `${CANNOT_TELL}: ${s.reason} (${fmtPct(s.valuePct)})`;
    const ci =
        s.highClipped === true
            ? `${fmtPct(s.valuePct)} [${fmtPct(s.lowPct)} to ${fmtHighPct(s)}]`
            : valueAndHalf(s.valuePct, improvementHalf(s) ?? 0);
    return includesZero(s) ? `${short ? NEAR_ALL_ON_UE : NOT_DISTINGUISHABLE} (${ci})` : ci;
};

/** Half-width of an improvement's interval (percentage points, value − low); null without an interval. */
export const improvementHalf = (s: ImprovementStat | null | undefined): number | null =>
    s === null || s === undefined ? null : improvementHalfPct(s);

/**
 * The XLSX verdict beside an improvement's number, '; '-joined: {@link NEAR_ALL_ON_UE} when its interval contains 0,
 * "upper bound clipped at 100" when it was capped, "no interval (n=1)" without an interval, "cannot tell: <reason>"
 * when the base's interval reaches 0; empty otherwise.
 */
export const improvementVerdict = (s: ImprovementStat | null | undefined): string => {
    if (s === null || s === undefined || !Number.isFinite(s.valuePct)) return '';
    if (s.interval === 'none') return `no interval (n=${s.n})`;
    if (s.interval === 'unbounded') return `${CANNOT_TELL}: ${s.reason}`;
    return [
        ...(includesZero(s) ? [NEAR_ALL_ON_UE] : []),
        ...(s.highClipped === true ? ['upper bound clipped at 100'] : []),
    ].join('; ');
};
