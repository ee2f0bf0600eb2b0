// Number and text formatting shared by the text renderers.
import { halfWidthPct } from '../analysis/stats.js';
import type { BreakEven, MetricStat } from '../analysis/types.js';

export const fmtMs = (v: number | null | undefined): string =>
    v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(3);

export const fmtPct = (v: number | null | undefined): string =>
    v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(1);

export const fmtInt = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

/** A lower bound clipped at 0 (MetricStat.lowClipped), as text renderers print it; {@link CLIPPED_LEGEND} explains. */
export const CLIPPED_LOW = '0 (clipped)';

/** The legend line for {@link CLIPPED_LOW} (docs/statistics.md "Clipped lower bounds"). */
export const CLIPPED_LEGEND =
    '0 (clipped): the 95 % interval reached below 0 ms and its lower bound is shown as 0 because a time cannot be negative; the interval is that wide because the repetitions scatter, and end-to-end and total bounds are computed from the unclipped intervals.';

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
