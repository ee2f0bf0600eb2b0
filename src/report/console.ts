// The split table as plain text for the terminal, in the study's columns, one block per model and device pair.
import { includesZero } from '../analysis/improvement.js';
import { halfWidthPct } from '../analysis/stats.js';
import type { ImprovementStat, SplitAnalysis, SplitRow, SplitTimes } from '../analysis/types.js';
import {
    bestText,
    cannotRank,
    NOT_DISTINGUISHABLE,
    repetitionCaveat,
    studyColumns,
    textColumns,
    type Column,
} from './table.js';
import { CLIPPED_LEGEND, fmtInt, fmtMs, fmtPct, fmtStat, withCaveat } from './format.js';
import { LOAD_EFFECT, type MeasurementConditions } from './measurement-conditions.js';

// In the terminal's narrow columns an improvement whose interval contains 0 is marked "≈ all on UE"; the line under
// the table says what that means.
const SHORT_WORDS = '≈ all on UE';

const cellOf = (c: Column, r: SplitRow): string => {
    if (c.text !== undefined) return c.text(r, SHORT_WORDS) || '–';
    const v = c.get(r);
    if (v === null) return '–';
    if (typeof v === 'string') return v;
    switch (c.kind) {
        case 'ms':
            return fmtMs(v);
        case 'pct':
            return fmtPct(v);
        case 'mbps':
            return v.toFixed(2);
        case 'int':
        case 'text':
            return fmtInt(v);
    }
};

const SHORT: Record<string, string> = {
    'Split (op index)': 'split',
    'Layer # (study)': 'layer#',
    'Layer name': 'layer',
    'Cut bytes (all crossing tensors)': 'cut bytes',
    'Layer output bytes (study)': 'layer out B',
    '# tensors': 'tensors',
    'UE time (ms)': 'UE ms',
    'Server time (ms)': 'server ms',
    'Total (ms)': 'total ms',
    'UE improvement %': 'UE impr %',
    'Total improvement %': 'total impr %',
    Method: 'method',
};

const clip = (s: string, n: number): string => (s.length <= n ? s : `…${s.slice(s.length - n + 1)}`);

/** Above this half-width of T_UE(full)'s 95 % interval, in % of its value, the improvement columns are not to be read
 * as more than a sign: a split that leaves ~0.1 ms on the server then shows a double-digit "improvement". */
const BASE_SPREAD_PCT = 10;

const baseCaution = (a: SplitAnalysis): string | undefined => {
    const b = a.fullUe;
    // from the upper bound: a lower bound clipped at 0 would understate the half-width
    const halfPct = b === null ? null : halfWidthPct(b);
    if (b === null || halfPct === null || !(halfPct > BASE_SPREAD_PCT)) return undefined;
    return (
        `caution: T_UE(full), the base of the measured improvements, varies by ±${fmtPct(halfPct)} % (95 % interval, ` +
        `n=${b.n}): the improvement columns carry that uncertainty; more repetitions narrow it`
    );
};

const primaryOf = (r: SplitRow): SplitTimes | null => (r.primary === 'measured' ? r.measured : r.estimated);

const improvementWords = (label: string, s: ImprovementStat): string => {
    const v = `${fmtPct(s.valuePct)} %`;
    if (s.interval === 'none') return `${label} ${v} (n=${s.n}, no interval)`;
    const ci = `95 % interval ${fmtPct(s.lowPct)} to ${fmtPct(s.highPct)} %, n=${s.n}`;
    return includesZero(s) ? `${label} ${NOT_DISTINGUISHABLE} (${v}, ${ci})` : `${label} ${v} (${ci})`;
};

/**
 * The best split on compute alone (largest total improvement of the primary times, measured rows first: TR 26.847's
 * ask), with both improvements and their intervals; undefined without improvements.
 */
const bestSplitLine = (a: SplitAnalysis): string | undefined => {
    const withImp = a.rows.filter((r) => (primaryOf(r)?.improvement ?? null) !== null);
    const measured = withImp.filter((r) => r.primary === 'measured');
    const pool = measured.length > 0 ? measured : withImp;
    let best: SplitRow | undefined;
    for (const r of pool)
        if (
            best === undefined ||
            (primaryOf(r)?.totalImprovementPct ?? -Infinity) > (primaryOf(best)?.totalImprovementPct ?? -Infinity)
        )
            best = r;
    const imp = best === undefined ? null : (primaryOf(best)?.improvement ?? null);
    if (best === undefined || imp === null) return undefined;
    const why = cannotRank(a);
    if (why !== undefined) return `best split on compute: cannot rank (${why})`;
    return (
        `best split on compute (${best.primary ?? ''}, no network): split ${best.splitAfter} (layer ${best.layerNumber}): ` +
        `${improvementWords('total improvement', imp.total)}; ${improvementWords('UE improvement', imp.ue)}`
    );
};

export const renderConsoleTable = (a: SplitAnalysis): string => {
    const cols = textColumns(studyColumns);
    const head = cols.map((c) => SHORT[c.header] ?? c.header);
    const body = a.rows.map((r) => cols.map((c) => clip(cellOf(c, r), c.header === 'Layer name' ? 36 : 40)));
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
    const fmt = (cells: string[]): string =>
        cells
            .map((s, i) => (cols[i]?.kind === 'text' ? s.padEnd(widths[i] ?? 0) : s.padStart(widths[i] ?? 0)))
            .join('  ');
    const full =
        a.fullUe !== null
            ? `T_UE(full) = ${fmtStat(a.fullUe)} ms (${a.fullUe.source}, n=${a.fullUe.n}${withCaveat(a.fullUe)})`
            : 'T_UE(full) unknown';
    const reps = repetitionCaveat(a);
    const lines = [
        `${a.model.name}: UE ${a.ueDevice} → server ${a.serverDevice}; ${full}`,
        ...(reps === undefined ? [] : [`caution: ${reps}; run 3 or more repetitions`]),
        fmt(head),
        fmt(widths.map((w) => '-'.repeat(w))),
        ...body.map(fmt),
    ];
    if (body.some((row) => row.some((c) => c.startsWith(SHORT_WORDS))))
        lines.push(`${SHORT_WORDS}: the improvement's 95 % interval contains 0, ${NOT_DISTINGUISHABLE}`);
    // the terminal shows lower bounds only for T_UE(full) and the best options per link
    const shownClipped =
        a.fullUe?.lowClipped === true ||
        a.networks.some((n) => n.best?.lowClipped === true || (n.tie && n.runnerUp?.lowClipped === true));
    if (shownClipped) lines.push(CLIPPED_LEGEND);
    const best = bestSplitLine(a);
    if (best !== undefined) lines.push(best);
    for (const [i, n] of a.networks.entries()) {
        if (n.best === null) continue;
        lines.push(
            `best for ${n.profile.name} (${n.profile.uplinkMbps} Mbit/s up, RTT ${n.profile.rttMs} ms): ${bestText(a, i)} end to end`,
        );
    }
    lines.push(
        'times: mean over n repetitions of per-repetition medians (averages without raw samples); improvements: estimated vs the profile total, measured vs the measured full model',
    );
    const base = baseCaution(a);
    if (base !== undefined) lines.push(base);
    for (const w of a.warnings) lines.push(`note: ${w}`);
    return lines.join('\n');
};

/**
 * The caveats a terminal reader must see beside the split tables (the full lists are in the report's Measurement
 * conditions block): results measured while other work used the device, and devices sharing CPUs that ran at
 * the same time. Empty when there is nothing to say.
 */
export const renderConsoleCaveats = (m: MeasurementConditions | undefined): string => {
    if (m === undefined) return '';
    const lines: string[] = [];
    if (m.loadFlagged.length > 0)
        lines.push(
            `caution: ${m.loadFlagged.length} of ${m.results} result(s) were measured while other work used the device ` +
                `(load flags): ${LOAD_EFFECT}; see the report`,
        );
    for (const p of m.concurrent.filter((c) => c.sharedHost))
        lines.push(
            `caution: ${p.devices.join(' and ')} share CPUs and ran ${p.overlappingJobs} job pair(s) at the same time: ` +
                'their timings include each other',
        );
    for (const o of m.oversubscribed)
        lines.push(
            `caution: ${o.device} ran ${o.threads} threads on ${o.cpus} CPU(s): its times include waiting for a core`,
        );
    return lines.map((l) => `${l}\n`).join('');
};
