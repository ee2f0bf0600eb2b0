// The split table as plain text for the terminal, in the study's columns, one block per model and device pair.
import type { SplitAnalysis } from '../analysis/types.js';
import { studyColumns, type Cell, type Column } from './table.js';
import { fmtInt, fmtMs, fmtPct } from './format.js';

const cellText = (c: Column, v: Cell): string => {
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
    'Split point (layer)': 'split',
    'Layer name': 'layer',
    'Intermediate data size (bytes)': 'cut bytes',
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
    const cols = studyColumns;
    const head = cols.map((c) => SHORT[c.header] ?? c.header);
    const body = a.rows.map((r) => cols.map((c) => clip(cellText(c, c.get(r)), c.header === 'Layer name' ? 36 : 40)));
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]?.length ?? 0)));
    const fmt = (cells: string[]): string =>
        cells
            .map((s, i) => (i === 1 || i === cells.length - 1 ? s.padEnd(widths[i] ?? 0) : s.padStart(widths[i] ?? 0)))
            .join('  ');
    const full =
        a.fullUe !== null ? `T_UE(full) = ${fmtMs(a.fullUe.medianMs)} ms (${a.fullUe.source})` : 'T_UE(full) unknown';
    const lines = [
        `${a.model.name}: UE ${a.ueDevice} → server ${a.serverDevice}; ${full}`,
        fmt(head),
        fmt(widths.map((w) => '-'.repeat(w))),
        ...body.map(fmt),
    ];
    for (const n of a.networks) {
        const b = n.best;
        if (b === null) continue;
        const what =
            b.option === 'split'
                ? `split after op ${b.splitAfter}`
                : b.option === 'allOnUe'
                  ? 'all on the UE'
                  : 'all on the server';
        lines.push(
            `best for ${n.profile.name} (${n.profile.uplinkMbps} Mbit/s up, RTT ${n.profile.rttMs} ms): ${what}, ${fmtMs(b.endToEndMs)} ms end to end`,
        );
    }
    for (const w of a.warnings) lines.push(`note: ${w}`);
    return lines.join('\n');
};
