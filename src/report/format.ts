// Number and text formatting shared by the text renderers.
import type { BreakEven, MetricStat } from '../analysis/types.js';

export const fmtMs = (v: number | null | undefined): string =>
    v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(3);

export const fmtPct = (v: number | null | undefined): string =>
    v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(1);

export const fmtInt = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

export const fmtStat = (s: MetricStat | null | undefined): string => {
    if (s === null || s === undefined) return '';
    if (s.interval === 'none') return fmtMs(s.valueMs);
    return `${fmtMs(s.valueMs)} [${fmtMs(s.lowMs)}–${fmtMs(s.highMs)}]`;
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
