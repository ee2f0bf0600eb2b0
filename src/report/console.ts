// The split table as plain text for the terminal, in the study's columns, one block per model and device pair.
import type { SplitAnalysis, SplitRow } from '../analysis/types.js';
import {
    anyHighClipped,
    bestText,
    repetitionCaveat,
    studyColumns,
    textColumns,
    unboundedReasons,
    type Column,
} from './table.js';
import { CANNOT_TELL, cannotTellLegend, NEAR_ALL_ON_UE, NOT_DISTINGUISHABLE } from './improvement-text.js';
import { CLIPPED_LEGEND, fmtInt, fmtMs, fmtPct, fmtStat, HIGH_CLIPPED_LEGEND, withCaveat } from './format.js';
import { LOAD_EFFECT, type MeasurementConditions } from './measurement-conditions.js';
import { baseCaution, bestOnCompute } from './summary.js';

// In the terminal's narrow columns an improvement whose interval contains 0 is marked "≈ all on UE", one without an
// interval because its base's reaches 0 "cannot tell"; the lines under the table say what they mean.
const cellOf = (c: Column, r: SplitRow): string => {
    if (c.text !== undefined) return c.text(r, true) || '–';
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

export const renderConsoleTable = (a: SplitAnalysis): string => {
    const cols = textColumns(studyColumns);
    const head = cols.map((c) => SHORT[c.header] ?? c.header);
    // improvement cells with a capped bound ("≈ all on UE (10.2 [-118.8 to 100 (clipped)])") need the widest
    const width = (c: Column): number => (c.header === 'Layer name' ? 36 : c.text !== undefined ? 46 : 40);
    const body = a.rows.map((r) => cols.map((c) => clip(cellOf(c, r), width(c))));
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
    if (body.some((row) => row.some((c) => c.startsWith(NEAR_ALL_ON_UE))))
        lines.push(`${NEAR_ALL_ON_UE}: the improvement's 95 % interval contains 0, ${NOT_DISTINGUISHABLE}`);
    if (body.some((row) => row.some((c) => c.startsWith(CANNOT_TELL))))
        for (const reason of unboundedReasons(a)) lines.push(cannotTellLegend(reason));
    // the terminal shows lower bounds only for T_UE(full) and the best options per link
    const shownClipped =
        a.fullUe?.lowClipped === true ||
        a.networks.some((n) => [n.best, ...n.tiedWith].some((o) => o?.lowClipped === true));
    if (shownClipped) lines.push(CLIPPED_LEGEND);
    if (anyHighClipped(a)) lines.push(HIGH_CLIPPED_LEGEND);
    const best = bestOnCompute(a);
    if (best !== null) lines.push(best.text);
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
    if (base !== null) lines.push(base.text);
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
