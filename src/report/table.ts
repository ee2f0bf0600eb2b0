// One column model for the split table, shared by the Markdown, HTML and XLSX renderers so they cannot disagree.
import type { MetricStat, NetworkOption, SplitAnalysis, SplitRow, SplitTimes } from '../analysis/types.js';
import {
    CLIPPED_LEGEND,
    CLIPPED_LOW,
    fmtBreakEven,
    fmtInt,
    fmtLow,
    fmtMs,
    fmtPct,
    HIGH_CLIPPED_LEGEND,
    highOf,
    lowOf,
    tensorSummary,
} from './format.js';
import {
    improvementHalf,
    improvementText,
    improvementVerdict,
    CANNOT_TELL,
    NEAR_ALL_ON_UE,
    NOT_DISTINGUISHABLE,
} from './improvement-text.js';

export type CellKind = 'int' | 'ms' | 'pct' | 'mbps' | 'text';
export type Cell = number | string | null;

export interface Column {
    header: string;
    kind: CellKind;
    get: (r: SplitRow) => Cell;
    /**
     * What text renderers (md, html, terminal) print instead of the formatted value of `get`; `short` where a
     * renderer has little room (the terminal: see improvementText).
     */
    text?: ((r: SplitRow, short?: boolean) => string) | undefined;
    /** A spreadsheet-only column (xlsx): text renderers show it inside the `text` of the column before it. */
    sheetOnly?: boolean | undefined;
}

/** The columns text renderers show (sheet-only columns dropped). */
export const textColumns = (cols: readonly Column[]): Column[] => cols.filter((c) => c.sheetOnly !== true);

/** A column's cell as text renderers print it. */
export const cellText = (c: Column, r: SplitRow, short?: boolean): string =>
    c.text?.(r, short) ?? formatCell(c.get(r), c.kind);

/**
 * The improvement columns of one method: the value (text renderers add its interval), then two sheet-only columns,
 * beside it as the study's layout has one column per quantity: the interval's half-width ("±") and the verdict
 * ({@link improvementVerdict}), so the sheet's numbers carry what the text renderers say in words.
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
        text: (r, short) => improvementText(times(r)?.improvement?.[which], short),
    },
    {
        header: `${label} ± (95 %)`,
        kind: 'pct',
        get: (r) => improvementHalf(times(r)?.improvement?.[which]),
        sheetOnly: true,
    },
    {
        header: `${label} verdict`,
        kind: 'text',
        get: (r) => improvementVerdict(times(r)?.improvement?.[which]),
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
    {
        header: 'Meas. UE low (ms)',
        kind: 'ms',
        get: (r) => lowOf(r.measured?.ue),
        text: (r) => (r.measured === null || r.measured.ue.interval === 'none' ? '' : fmtLow(r.measured.ue)),
    },
    { header: 'Meas. UE high (ms)', kind: 'ms', get: (r) => highOf(r.measured?.ue) },
    { header: 'UE error (ms)', kind: 'ms', get: (r) => r.estimateError?.ue.ms ?? null },
    { header: 'UE error %', kind: 'pct', get: (r) => r.estimateError?.ue.pct ?? null },
    { header: 'Est. server (ms)', kind: 'ms', get: (r) => r.estimated?.server.valueMs ?? null },
    { header: 'Meas. server (ms)', kind: 'ms', get: (r) => r.measured?.server.valueMs ?? null },
    {
        header: 'Meas. server low (ms)',
        kind: 'ms',
        get: (r) => lowOf(r.measured?.server),
        text: (r) => (r.measured === null || r.measured.server.interval === 'none' ? '' : fmtLow(r.measured.server)),
    },
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
    // last, so the columns above keep their places: 'yes' where the low column's 0 is a bound clipped at 0
    {
        header: 'Meas. UE low clipped at 0',
        kind: 'text',
        get: (r) => (r.measured?.ue.lowClipped === true ? 'yes' : ''),
        sheetOnly: true,
    },
    {
        header: 'Meas. server low clipped at 0',
        kind: 'text',
        get: (r) => (r.measured?.server.lowClipped === true ? 'yes' : ''),
        sheetOnly: true,
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

/** Whether any time of the analysis has a lower bound clipped at 0 (then the legend explains "0 (clipped)"). */
export const anyClipped = (a: SplitAnalysis): boolean =>
    [a.fullUe, a.fullServer, a.estimatedFullUe].some((s) => s?.lowClipped === true) ||
    a.rows.some((r) =>
        [r.measured, r.estimated].some(
            (t) => t !== null && [t.ue, t.server, t.total].some((s) => s.lowClipped === true),
        ),
    ) ||
    a.networks.some((n) => [n.best, ...n.tiedWith].some((o) => o?.lowClipped === true));

/** Whether any improvement of the analysis has its upper bound capped at 100 (then the legend explains it). */
export const anyHighClipped = (a: SplitAnalysis): boolean =>
    a.rows.some((r) =>
        [r.measured, r.estimated].some(
            (t) => t?.improvement?.ue.highClipped === true || t?.improvement?.total.highClipped === true,
        ),
    );

/** The distinct reasons why improvements of the analysis have no interval (interval 'unbounded'), in row order. */
export const unboundedReasons = (a: SplitAnalysis): string[] => [
    ...new Set(
        a.rows.flatMap((r) =>
            [r.measured, r.estimated].flatMap((t) =>
                [t?.improvement?.ue, t?.improvement?.total].flatMap((s) =>
                    s?.interval === 'unbounded' && s.reason !== undefined ? [s.reason] : [],
                ),
            ),
        ),
    ),
];

/**
 * One sentence per statistic the tables of an analysis hold, for the legend under each table: what a repetition's
 * value is for each method, how the point value and interval are formed, and the bases of the improvements.
 * `sheet`: the legend of the XLSX sheet, whose improvement cells stay numbers beside a verdict column.
 */
export const statisticsLegend = (a: SplitAnalysis, target: 'text' | 'sheet' = 'text'): string[] => {
    const out = [
        'Times (ms) are the mean over n repetitions of one value per repetition; low/high is the 95 % Student-t interval of that mean (none when n = 1). Total = UE + server (intervals combined with Welch–Satterthwaite).',
    ];
    if (anyClipped(a)) out.push(CLIPPED_LEGEND);
    if (target === 'text' && anyHighClipped(a)) out.push(HIGH_CLIPPED_LEGEND);
    const m = statOf(a, 'measured');
    if (m !== null) out.push(`Measured: each repetition's value is ${PER_REP[m]}.`);
    const e = statOf(a, 'estimated');
    if (e !== null)
        out.push(
            e === 'mean'
                ? "Estimated: each repetition's value is the sum of per-op averages of one profiled run (no raw samples)."
                : "Estimated: each repetition's value is the sum of per-op averages of one profiled run, scaled by that run's median/mean inference time, so estimates and measurements use the same statistic.",
        );
    const intervals =
        'Improvement intervals (95 %): estimated rows from one improvement per repetition (each repetition against its own total), measured rows from the ratio of two independent means (delta method, Welch–Satterthwaite df); an upper bound above 100 % is capped at 100, since no time is negative.';
    const unbounded = unboundedReasons(a);
    out.push(
        "Improvements: estimated rows against the same profile's total Σ t_UE(i) (the study's definition), measured rows against the measured full model T_UE(full).",
        ...(unbounded.length === 0
            ? []
            : [
                  `Where ${unbounded.join(' and where ')}, the improvements against that baseline have no interval (the ratio cannot be bounded: Fieller's g ≥ 1); the table says "${CANNOT_TELL}" beside the point value, which is no evidence of a gain.`,
              ]),
        target === 'sheet'
            ? `${intervals} Improvement cells are numbers; "± (95 %)" beside each is the half-width of its interval (value − lower bound), and "verdict" says "${NEAR_ALL_ON_UE}" where the interval contains 0 (${NOT_DISTINGUISHABLE}: do not read the sign), "upper bound clipped at 100" where the bound was capped (the upper bound is then 100, not value + ±), and "no interval (n=1)" with one repetition.`
            : `${intervals} ± is the half-width of the interval. Where the interval contains 0 the table says "${NOT_DISTINGUISHABLE}" instead of a signed number.`,
        "Split (op index) counts every op of the file; Layer # (study) counts only ops on activations (constant-folding ops such as fp16 DEQUANTIZE excluded). Cut bytes is every tensor crossing the cut; Layer output bytes is the split op's own output (the study's intermediate data size).",
    );
    return out;
};

/**
 * The caveat of an analysis whose measured results rest on fewer than two repetitions (T_UE(full) or any measured
 * head or tail): without an interval nothing tells an improvement from noise (one noisy baseline once showed
 * +48 % where back-to-back runs gave 0–3 %), so reports say so in words. Undefined when every measured stat has n ≥ 2.
 */
export const repetitionCaveat = (a: SplitAnalysis): string | undefined => {
    const ns = [
        ...(a.fullUe?.source === 'measured' ? [a.fullUe.n] : []),
        ...a.rows.flatMap((r) => (r.measured === null ? [] : [r.measured.ue.n, r.measured.server.n])),
    ];
    const n = Math.min(...ns);
    if (ns.length === 0 || n >= 2) return undefined;
    return `${n} repetition${n === 1 ? '' : 's'}: no interval; the improvements cannot be told from noise`;
};

/**
 * Why the best split cannot be ranked, or undefined when it can: {@link repetitionCaveat}, or, for an analysis with
 * only estimates, estimates of fewer than two repetitions.
 */
export const cannotRank = (a: SplitAnalysis): string | undefined => {
    const r = repetitionCaveat(a);
    if (r !== undefined) return r;
    const est = a.rows.flatMap((x) => (x.primary === 'estimated' && x.estimated !== null ? [x.estimated] : []));
    const n = Math.min(...est.map((t) => Math.min(t.ue.n, t.server.n)));
    return est.length > 0 && n < 2
        ? `${n} profiled repetition${n === 1 ? '' : 's'}: no interval; the estimated improvements cannot be told from noise`
        : undefined;
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
    // a clipped end-to-end bound is the network time alone (0 for all on UE): the compute part's bound was clipped
    const low =
        o.lowClipped !== true ? o.lowMs.toFixed(3) : o.lowMs === 0 ? CLIPPED_LOW : `${o.lowMs.toFixed(3)} (clipped)`;
    const ci = o.highMs > o.lowMs ? ` [${low}–${o.highMs.toFixed(3)}]` : '';
    return `${what} (${o.endToEndMs.toFixed(3)} ms${ci})`;
};

/**
 * A tie in words, in rank order: "tie: A or B" for two options, "tie among 4: A, B, C or D" for more, so a reader
 * sees every option the data cannot tell from the best (docs/statistics.md "Best split per link").
 */
export const tieText = (options: readonly NetworkOption[]): string => {
    const texts = options.map(optionText);
    const list = `${texts.slice(0, -1).join(', ')} or ${texts[texts.length - 1] ?? ''}`;
    return texts.length <= 2 ? `tie: ${list}` : `tie among ${texts.length}: ${list}`;
};

/**
 * The best option of network profile i; a tie listing the best and every option whose interval overlaps it
 * ({@link tieText}); "cannot rank" with the reason and the smallest point value when the results have no intervals
 * ({@link cannotRank}).
 */
export const bestText = (a: SplitAnalysis, i: number): string => {
    const n = a.networks[i];
    const b = n?.best ?? null;
    if (n === undefined || b === null) return 'unknown';
    const why = cannotRank(a);
    if (why !== undefined) return `cannot rank (${why}); smallest point value: ${optionText(b)}`;
    if (n.tiedWith.length > 0) return tieText([b, ...n.tiedWith]);
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
