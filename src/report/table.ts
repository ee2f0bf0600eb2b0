// One column model for the split table, shared by the Markdown, HTML and XLSX renderers so they cannot disagree.
import { includesZero } from '../analysis/improvement.js';
import type {
    ImprovementStat,
    MetricStat,
    NetworkOption,
    SplitAnalysis,
    SplitRow,
    SplitTimes,
} from '../analysis/types.js';
import { fmtBreakEven, fmtInt, fmtMs, fmtPct, highOf, lowOf, tensorSummary } from './format.js';

export type CellKind = 'int' | 'ms' | 'pct' | 'mbps' | 'text';
export type Cell = number | string | null;

export interface Column {
    header: string;
    kind: CellKind;
    get: (r: SplitRow) => Cell;
    /**
     * What text renderers (md, html, terminal) print instead of the formatted value of `get`; `words` replaces
     * {@link NOT_DISTINGUISHABLE} where a renderer has little room.
     */
    text?: ((r: SplitRow, words?: string) => string) | undefined;
    /** A spreadsheet-only column (xlsx): text renderers show it inside the `text` of the column before it. */
    sheetOnly?: boolean | undefined;
}

/** The columns text renderers show (sheet-only columns dropped). */
export const textColumns = (cols: readonly Column[]): Column[] => cols.filter((c) => c.sheetOnly !== true);

/** A column's cell as text renderers print it. */
export const cellText = (c: Column, r: SplitRow, words?: string): string =>
    c.text?.(r, words) ?? formatCell(c.get(r), c.kind);

/** Words for an improvement whose interval contains 0 (docs/statistics.md "Improvements"). */
export const NOT_DISTINGUISHABLE = 'not distinguishable from running everything on the UE';

/**
 * An improvement as text: "42.1 ± 3.0" (95 % interval, symmetric for both methods), the bare value when there is
 * no interval (n = 1), and words instead of a signed number when the interval contains 0.
 */
export const improvementText = (s: ImprovementStat | null | undefined, words = NOT_DISTINGUISHABLE): string => {
    if (s === null || s === undefined || !Number.isFinite(s.valuePct)) return '';
    if (s.interval === 'none') return fmtPct(s.valuePct);
    const ci = `${fmtPct(s.valuePct)} ± ${fmtPct(improvementHalf(s))}`;
    return includesZero(s) ? `${words} (${ci})` : ci;
};

/** Half-width of an improvement's interval (percentage points); null without an interval. */
export const improvementHalf = (s: ImprovementStat | null | undefined): number | null =>
    s === null || s === undefined || s.interval === 'none' ? null : (s.highPct - s.lowPct) / 2;

/**
 * The improvement columns of one method: the value (text renderers add its interval) and a sheet-only "±" column
 * with the interval's half-width, beside it as the study's layout has one column per quantity.
 */
const improvementColumns = (
    label: string,
    times: (r: SplitRow) => SplitTimes | null,
    which: 'ue' | 'total',
    base?: string,
): Column[] => [
    {
        header: base === undefined ? `${label} %` : `${label} % (base: ${base})`,
        kind: 'pct',
        get: (r) => times(r)?.improvement?.[which].valuePct ?? null,
        text: (r, words) => improvementText(times(r)?.improvement?.[which], words),
    },
    {
        header: `${label} ± (95 %)`,
        kind: 'pct',
        get: (r) => improvementHalf(times(r)?.improvement?.[which]),
        sheetOnly: true,
    },
];

const primaryTimes = (r: SplitRow): SplitTimes | null => (r.primary === 'measured' ? r.measured : r.estimated);

const errFlags = (r: SplitRow): string[] => {
    const e = r.estimateError;
    if (e === null) return [];
    return [
        ...(e.ue.beyondInterval ? ['UE estimate outside the measured interval'] : []),
        ...(e.server.beyondInterval ? ['server estimate outside the measured interval'] : []),
    ];
};

/** Estimate errors and sanity flags of a row, '; '-joined. */
export const rowFlags = (r: SplitRow): string => [...errFlags(r), ...r.flags].join('; ');

/**
 * The reference study's columns with ours beside them: split point as op index and as the study's layer number,
 * data size as every crossing tensor (ours) and as the split layer's own output (the study's), then the primary
 * times (measured where both halves were measured, else estimated) and the improvements with that method's base.
 */
export const studyColumns: readonly Column[] = [
    { header: 'Split (op index)', kind: 'int', get: (r) => r.splitAfter },
    { header: 'Layer # (study)', kind: 'int', get: (r) => r.layerNumber },
    { header: 'Layer name', kind: 'text', get: (r) => r.layerName },
    { header: 'Cut bytes (all crossing tensors)', kind: 'int', get: (r) => r.cut.bytes },
    { header: 'Layer output bytes (study)', kind: 'int', get: (r) => r.layerOutputBytes },
    { header: '# tensors', kind: 'int', get: (r) => r.cut.tensors.length },
    { header: 'UE time (ms)', kind: 'ms', get: (r) => primaryTimes(r)?.ue.valueMs ?? null },
    { header: 'Server time (ms)', kind: 'ms', get: (r) => primaryTimes(r)?.server.valueMs ?? null },
    { header: 'Total (ms)', kind: 'ms', get: (r) => primaryTimes(r)?.totalMs ?? null },
    ...improvementColumns('UE improvement', primaryTimes, 'ue'),
    ...improvementColumns('Total improvement', primaryTimes, 'total'),
    {
        header: 'n',
        kind: 'int',
        get: (r) => {
            const t = primaryTimes(r);
            return t === null ? null : Math.min(t.ue.n, t.server.n);
        },
    },
    { header: 'Method', kind: 'text', get: (r) => r.primary ?? (r.notEstimable !== undefined ? 'not estimable' : '') },
];

/** Estimated against measured, side by side, with the split point, the errors in ms and %, and the flags. */
export const detailColumns: readonly Column[] = [
    { header: 'Split (op index)', kind: 'int', get: (r) => r.splitAfter },
    { header: 'Est. UE (ms)', kind: 'ms', get: (r) => r.estimated?.ue.valueMs ?? null },
    { header: 'Meas. UE (ms)', kind: 'ms', get: (r) => r.measured?.ue.valueMs ?? null },
    { header: 'Meas. UE low (ms)', kind: 'ms', get: (r) => lowOf(r.measured?.ue) },
    { header: 'Meas. UE high (ms)', kind: 'ms', get: (r) => highOf(r.measured?.ue) },
    { header: 'UE error (ms)', kind: 'ms', get: (r) => r.estimateError?.ue.ms ?? null },
    { header: 'UE error %', kind: 'pct', get: (r) => r.estimateError?.ue.pct ?? null },
    { header: 'Est. server (ms)', kind: 'ms', get: (r) => r.estimated?.server.valueMs ?? null },
    { header: 'Meas. server (ms)', kind: 'ms', get: (r) => r.measured?.server.valueMs ?? null },
    { header: 'Meas. server low (ms)', kind: 'ms', get: (r) => lowOf(r.measured?.server) },
    { header: 'Meas. server high (ms)', kind: 'ms', get: (r) => highOf(r.measured?.server) },
    { header: 'Server error (ms)', kind: 'ms', get: (r) => r.estimateError?.server.ms ?? null },
    { header: 'Server error %', kind: 'pct', get: (r) => r.estimateError?.server.pct ?? null },
    ...improvementColumns('Est. UE improvement', (r) => r.estimated, 'ue', 'profile total'),
    ...improvementColumns('Meas. UE improvement', (r) => r.measured, 'ue', 'measured full model'),
    ...improvementColumns('Est. total improvement', (r) => r.estimated, 'total', 'profile total'),
    ...improvementColumns('Meas. total improvement', (r) => r.measured, 'total', 'measured full model'),
    {
        header: 'n est. / meas.',
        kind: 'text',
        get: (r) =>
            `${r.estimated === null ? '–' : Math.min(r.estimated.ue.n, r.estimated.server.n)} / ${r.measured === null ? '–' : Math.min(r.measured.ue.n, r.measured.server.n)}`,
    },
    { header: 'Flags', kind: 'text', get: rowFlags },
    { header: 'Cut tensors', kind: 'text', get: (r) => r.cut.tensors.map(tensorSummary).join('; ') },
    {
        header: 'Note',
        kind: 'text',
        get: (r) =>
            r.notEstimable !== undefined ? `not estimable: ${r.notEstimable.reason}; ${r.notEstimable.hint}` : '',
    },
];

const PER_REP: Record<MetricStat['perRep'], string> = {
    median: 'the median of its raw samples',
    mean: "the benchmark's reported average (no raw samples)",
    mixed: 'the median of its raw samples where it has them, else the reported average',
};

const statOf = (a: SplitAnalysis, method: 'estimated' | 'measured'): MetricStat['perRep'] | null => {
    const kinds = new Set(
        a.rows.flatMap((r) => (r[method] === null ? [] : [r[method].ue.perRep, r[method].server.perRep])),
    );
    if (kinds.size === 0) return null;
    return kinds.size === 1 ? ([...kinds][0] as MetricStat['perRep']) : 'mixed';
};

/**
 * One sentence per statistic the tables of an analysis hold, for the legend under each table: what a repetition's
 * value is for each method, how the point value and interval are formed, and the bases of the improvements.
 */
export const statisticsLegend = (a: SplitAnalysis): string[] => {
    const out = [
        'Times (ms) are the mean over n repetitions of one value per repetition; low/high is the 95 % Student-t interval of that mean (none when n = 1). Total = UE + server (intervals combined with Welch–Satterthwaite).',
    ];
    const m = statOf(a, 'measured');
    if (m !== null) out.push(`Measured: each repetition's value is ${PER_REP[m]}.`);
    const e = statOf(a, 'estimated');
    if (e !== null)
        out.push(
            e === 'mean'
                ? "Estimated: each repetition's value is the sum of per-op averages of one profiled run (no raw samples)."
                : "Estimated: each repetition's value is the sum of per-op averages of one profiled run, scaled by that run's median/mean inference time, so estimates and measurements use the same statistic.",
        );
    out.push(
        "Improvements: estimated rows against the same profile's total Σ t_UE(i) (the study's definition), measured rows against the measured full model T_UE(full).",
        `Improvement intervals (± = half-width of the 95 % interval): estimated rows from one improvement per repetition (each repetition against its own total), measured rows from the ratio of two independent means (delta method, Welch–Satterthwaite df). Where the interval contains 0 the table says "${NOT_DISTINGUISHABLE}" instead of a signed number.`,
        "Split (op index) counts every op of the file; Layer # (study) counts only ops on activations (constant-folding ops such as fp16 DEQUANTIZE excluded). Cut bytes is every tensor crossing the cut; Layer output bytes is the split op's own output (the study's intermediate data size).",
    );
    return out;
};

/** Two columns per network profile: end-to-end time and break-even uplink rate. */
export const networkColumns = (a: SplitAnalysis): Column[] =>
    a.networks.flatMap((n, i) => [
        {
            header: `E2E ${n.profile.name} (ms)`,
            kind: 'ms' as const,
            get: (r: SplitRow): Cell => r.network[i]?.endToEndMs ?? null,
        },
        {
            header: `Break-even UL ${n.profile.name} (Mbit/s)`,
            kind: 'mbps' as const,
            get: (r: SplitRow): Cell => {
                const b = r.network[i]?.breakEvenUplinkMbps ?? 'unknown';
                return b === 'unknown' ? null : b;
            },
        },
    ]);

export const analysisTitle = (a: SplitAnalysis): string =>
    `${a.model.name} — UE ${a.ueDevice} / server ${a.serverDevice}`;

const optionText = (o: NetworkOption): string => {
    const what =
        o.option === 'split'
            ? `split after op ${o.splitAfter}`
            : o.option === 'allOnUe'
              ? 'all on UE'
              : 'all on server';
    const ci = o.highMs > o.lowMs ? ` [${o.lowMs.toFixed(3)}–${o.highMs.toFixed(3)}]` : '';
    return `${what} (${o.endToEndMs.toFixed(3)} ms${ci})`;
};

/** The best option of network profile i; "tie: A or B" when the runner-up's interval overlaps the best's. */
export const bestText = (a: SplitAnalysis, i: number): string => {
    const n = a.networks[i];
    const b = n?.best ?? null;
    if (n === undefined || b === null) return 'unknown';
    if (n.tie && n.runnerUp !== null) return `tie: ${optionText(b)} or ${optionText(n.runnerUp)}`;
    return optionText(b);
};

export const formatCell = (v: Cell, kind: CellKind): string => {
    if (v === null) return '';
    if (typeof v === 'string') return v;
    switch (kind) {
        case 'ms':
            return fmtMs(v);
        case 'pct':
            return fmtPct(v);
        case 'mbps':
            return fmtBreakEven(v);
        case 'int':
            return fmtInt(v);
        case 'text':
            return String(v);
    }
};
