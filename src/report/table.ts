// One column model for the split table, shared by the Markdown, HTML and XLSX renderers so they cannot disagree.
import type { SplitAnalysis, SplitRow, SplitTimes } from '../analysis/types.js';
import { fmtBreakEven, fmtInt, fmtMs, fmtPct, tensorSummary } from './format.js';

export type CellKind = 'int' | 'ms' | 'pct' | 'mbps' | 'text';
export type Cell = number | string | null;

export interface Column {
    header: string;
    kind: CellKind;
    get: (r: SplitRow) => Cell;
}

const primaryTimes = (r: SplitRow): SplitTimes | null => (r.primary === 'measured' ? r.measured : r.estimated);

/** The reference study's columns, in its order, with the primary times (measured where available). */
export const studyColumns: readonly Column[] = [
    { header: 'Split point (layer)', kind: 'int', get: (r) => r.splitAfter },
    { header: 'Layer name', kind: 'text', get: (r) => r.layerName },
    { header: 'Intermediate data size (bytes)', kind: 'int', get: (r) => r.cut.bytes },
    { header: '# tensors', kind: 'int', get: (r) => r.cut.tensors.length },
    { header: 'UE time (ms)', kind: 'ms', get: (r) => primaryTimes(r)?.ue.medianMs ?? null },
    { header: 'Server time (ms)', kind: 'ms', get: (r) => primaryTimes(r)?.server.medianMs ?? null },
    { header: 'Total (ms)', kind: 'ms', get: (r) => primaryTimes(r)?.totalMs ?? null },
    { header: 'UE improvement %', kind: 'pct', get: (r) => primaryTimes(r)?.ueImprovementPct ?? null },
    { header: 'Total improvement %', kind: 'pct', get: (r) => primaryTimes(r)?.totalImprovementPct ?? null },
    { header: 'Method', kind: 'text', get: (r) => r.primary ?? (r.notEstimable !== undefined ? 'not estimable' : '') },
];

/** Estimated against measured, side by side. */
export const detailColumns: readonly Column[] = [
    { header: 'Est. UE (ms)', kind: 'ms', get: (r) => r.estimated?.ue.medianMs ?? null },
    { header: 'Est. server (ms)', kind: 'ms', get: (r) => r.estimated?.server.medianMs ?? null },
    { header: 'Meas. UE (ms)', kind: 'ms', get: (r) => r.measured?.ue.medianMs ?? null },
    { header: 'Meas. UE low (ms)', kind: 'ms', get: (r) => r.measured?.ue.lowMs ?? null },
    { header: 'Meas. UE high (ms)', kind: 'ms', get: (r) => r.measured?.ue.highMs ?? null },
    { header: 'Meas. server (ms)', kind: 'ms', get: (r) => r.measured?.server.medianMs ?? null },
    { header: 'Meas. server low (ms)', kind: 'ms', get: (r) => r.measured?.server.lowMs ?? null },
    { header: 'Meas. server high (ms)', kind: 'ms', get: (r) => r.measured?.server.highMs ?? null },
    { header: 'Estimate error UE %', kind: 'pct', get: (r) => r.estimateError?.uePct ?? null },
    { header: 'Estimate error server %', kind: 'pct', get: (r) => r.estimateError?.serverPct ?? null },
    { header: 'Cut tensors', kind: 'text', get: (r) => r.cut.tensors.map(tensorSummary).join('; ') },
    {
        header: 'Note',
        kind: 'text',
        get: (r) =>
            r.notEstimable !== undefined ? `not estimable: ${r.notEstimable.reason}; ${r.notEstimable.hint}` : '',
    },
];

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

export const bestText = (a: SplitAnalysis, i: number): string => {
    const b = a.networks[i]?.best ?? null;
    if (b === null) return 'unknown';
    if (b.option === 'split') return `split after op ${b.splitAfter} (${b.endToEndMs.toFixed(3)} ms)`;
    return `${b.option === 'allOnUe' ? 'all on UE' : 'all on server'} (${b.endToEndMs.toFixed(3)} ms)`;
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
