// Number and text formatting shared by the text renderers.
import { halfWidthPct } from '../analysis/stats.js';
import type { BreakEven, ImprovementStat, MetricStat } from '../analysis/types.js';

export const fmtMs = (v: number | null | undefined): string =>
    v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(3);

export const fmtPct = (v: number | null | undefined): string =>
    v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(1);

export const fmtInt = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** A lower bound clipped at 0 (MetricStat.lowClipped), as text renderers print it; {@link CLIPPED_LEGEND} explains. */
export const CLIPPED_LOW = '0 (clipped)';

/** The legend line for {@link CLIPPED_LOW} (docs/statistics.md "Clipped lower bounds"). */
export const CLIPPED_LEGEND =
    "0 (clipped): the 95 % interval reached below 0 ms and its lower bound is shown as 0 because a time cannot be negative; the interval is that wide because the repetitions scatter. A total's bounds come from its parts' repetition values, not their clipped bounds. An end-to-end lower bound is the compute time's bound, clipped at 0, plus the network time (transfer, RTT, return), so it never falls below the network time: a bound marked (clipped) above 0 is the network time alone.";

/** An improvement's upper bound capped at 100 (ImprovementStat.highClipped); {@link HIGH_CLIPPED_LEGEND} explains. */
export const HIGH_CLIPPED = '100 (clipped)';

/** The legend line for {@link HIGH_CLIPPED} (docs/statistics.md "Clipped upper bounds of improvements"). */
export const HIGH_CLIPPED_LEGEND =
    "100 (clipped): the improvement's 95 % interval reached above 100 % and its upper bound is shown as 100 because an improvement 100·(B − T)/B cannot pass 100 % (no time is negative); such a cell shows the interval as [low to 100 (clipped)] instead of ± half-width.";

/** An improvement's upper bound as text (%): "100 (clipped)" when it was capped at 100. */
export const fmtHighPct = (s: ImprovementStat): string => (s.highClipped === true ? HIGH_CLIPPED : fmtPct(s.highPct));

/** A stat's lower bound as text: "0 (clipped)" when it was clipped at 0. */
export const fmtLow = (s: Pick<MetricStat, 'lowMs'> & { lowClipped?: true | undefined }): string =>
    s.lowClipped === true ? CLIPPED_LOW : fmtMs(s.lowMs);

export const fmtStat = (s: MetricStat | null | undefined): string => {
    if (s === null || s === undefined) return '';
    if (s.interval === 'none') return fmtMs(s.valueMs);
    return `${fmtMs(s.valueMs)} [${fmtLow(s)}–${fmtMs(s.highMs)}]`;
};

/**
 * Words for a stat whose interval says little: "interval not meaningful (n=3, ±121.0 %)" when the half-width exceeds
 * the value (its t-interval then reached below 0); "1 repetition: no interval" when n < 2; undefined otherwise.
 */
export const statCaveat = (s: MetricStat | null | undefined): string | undefined => {
    if (s === null || s === undefined) return undefined;
    if (s.interval === 'none') return `${s.n} repetition${s.n === 1 ? '' : 's'}: no interval`;
    const half = halfWidthPct(s);
    return half !== null && half > 100 ? `interval not meaningful (n=${s.n}, ±${fmtPct(half)} %)` : undefined;
};

/** "; interval not meaningful (…)" after a stat with an interval that says little; empty otherwise (n < 2 is said
 * once per table by the repetition caveat). */
export const withCaveat = (s: MetricStat): string => {
    const c = s.interval === 'none' ? undefined : statCaveat(s);
    return c === undefined ? '' : `; ${c}`;
};

/** Interval bounds (ms), or null when there is no interval (n = 1): a zero-width interval would read as certainty. */
export const lowOf = (s: MetricStat | null | undefined): number | null =>
    s === null || s === undefined || s.interval === 'none' ? null : s.lowMs;
export const highOf = (s: MetricStat | null | undefined): number | null =>
    s === null || s === undefined || s.interval === 'none' ? null : s.highMs;

export const fmtBreakEven = (b: BreakEven): string =>
    b === 'never' ? 'never' : b === 'unknown' ? '' : b < 0.01 ? b.toExponential(2) : b.toFixed(2);

export const escapeMd = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export const escapeXml = (s: string): string =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Flattens nested settings into dotted keys for key/value tables. */
export const flattenSettings = (obj: unknown, prefix = ''): [string, string][] => {
    if (obj === null || obj === undefined) return prefix === '' ? [] : [[prefix, String(obj)]];
    if (Array.isArray(obj)) {
        if (obj.every((x) => x === null || typeof x !== 'object')) return [[prefix, obj.map(String).join(', ')]];
        return obj.flatMap((x, i) => flattenSettings(x, `${prefix}[${i}]`));
    }
    if (typeof obj === 'object') {
        return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) =>
            flattenSettings(v, prefix === '' ? k : `${prefix}.${k}`),
        );
    }
    if (typeof obj === 'string') return [[prefix, obj]];
    if (typeof obj === 'number' || typeof obj === 'boolean' || typeof obj === 'bigint') return [[prefix, String(obj)]];
    return [[prefix, typeof obj]];
};

export const tensorSummary = (t: { name: string; shape: number[]; dtype: string; bytes: number | null }): string =>
    `${t.name} [${t.shape.join('×')}] ${t.dtype} ${t.bytes ?? '?'} B`;
