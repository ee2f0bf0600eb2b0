// CSV for scripts: one line per model × device pair × split point × method (estimated, measured), numbers unrounded.
import { notDistinguishableReason } from '../analysis/improvement.js';
import type { ImprovementStat, MetricStat, SplitAnalysis, SplitRow, SplitTimes } from '../analysis/types.js';
import { highOf, lowOf, tensorSummary } from './format.js';
import { splitCheckOf, splitCheckText } from './split-checks.js';
import { rowFlags } from './table.js';
import type { ReportInput } from './types.js';

/**
 * RFC 4180 quoting; text starting with = + - @ is prefixed with ' so spreadsheets do not run it as a formula.
 * Numbers keep 12 significant digits: enough for µs-resolution timings, without binary noise like 0.6500000000000001.
 */
export const csvField = (v: string | number | null | undefined): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(12))) : '';
    const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const BASE = [
    'run_id',
    'model',
    'model_sha256',
    'ue_device',
    'server_device',
    'split_after',
    'layer_number_study',
    'layer_name',
    'layer_type',
    'cut_bytes',
    'layer_output_bytes',
    'cut_tensors',
    'cut_tensor_list',
    'method',
    'ue_ms',
    'ue_low_ms',
    'ue_high_ms',
    'ue_low_clipped',
    'ue_interval',
    'ue_n',
    'ue_per_rep',
    'server_ms',
    'server_low_ms',
    'server_high_ms',
    'server_low_clipped',
    'server_interval',
    'server_n',
    'server_per_rep',
    'total_ms',
    'total_low_ms',
    'total_high_ms',
    'total_low_clipped',
    'ue_improvement_pct',
    'ue_improvement_low_pct',
    'ue_improvement_high_pct',
    'ue_improvement_n',
    'ue_improvement_method',
    'ue_improvement_high_clipped',
    'ue_improvement_not_distinguishable',
    'ue_improvement_not_distinguishable_reason',
    'total_improvement_pct',
    'total_improvement_low_pct',
    'total_improvement_high_pct',
    'total_improvement_n',
    'total_improvement_method',
    'total_improvement_high_clipped',
    'total_improvement_not_distinguishable',
    'total_improvement_not_distinguishable_reason',
    'improvement_base_ms',
    'improvement_base',
    'full_ue_ms',
    'estimate_error_ue_ms',
    'estimate_error_ue_pct',
    'estimate_error_server_ms',
    'estimate_error_server_pct',
    'flags',
    'note',
    'head_tail_check',
] as const;

// true when the low bound is the t-interval's clipped at 0 (a time cannot be negative), false when it is the bound
// itself, empty without an interval: the number stays for scripts, the flag says how far to trust it
const clippedField = (s: MetricStat | undefined): string =>
    s === undefined || s.interval === 'none' ? '' : String(s.lowClipped === true);

// value, low, high (empty without an interval: n = 1, or a base whose interval reaches 0), n, method (paired or
// delta; docs/statistics.md), then true/false: the high bound was capped at 100 (empty without an interval); the data
// cannot tell the split from all on UE (empty for n = 1), and why: the interval contains 0 or the base's reaches 0
const improvementFields = (s: ImprovementStat | undefined): string[] => {
    const t = s?.interval === 't' ? s : undefined;
    const why = s === undefined || s.interval === 'none' ? undefined : notDistinguishableReason(s);
    return [
        csvField(s?.valuePct),
        csvField(t?.lowPct),
        csvField(t?.highPct),
        csvField(s?.n),
        csvField(s?.method),
        t === undefined ? '' : String(t.highClipped === true),
        why === undefined ? '' : String(why !== null),
        csvField(why ?? undefined),
    ];
};

export const renderCsv = (input: ReportInput): string => {
    const profiles = [...new Set(input.analyses.flatMap((a) => a.networks.map((n) => n.profile.name)))];
    const header = [
        ...BASE,
        ...profiles.flatMap((p) => [`transfer_ms[${p}]`, `e2e_ms[${p}]`, `breakeven_uplink_mbps[${p}]`]),
    ];
    const lines: string[] = [header.map(csvField).join(',')];
    const checkText = (sha256: string, split: number): string => {
        const c = splitCheckOf(input.splitChecks, sha256, split);
        return c === undefined ? '' : splitCheckText(c);
    };
    const line = (
        a: SplitAnalysis,
        r: SplitRow,
        method: 'estimated' | 'measured',
        t: SplitTimes | null,
        note: string,
    ): void => {
        const net = profiles.flatMap((p) => {
            const i = a.networks.findIndex((n) => n.profile.name === p);
            const x = i < 0 ? undefined : r.network[i];
            // Network columns follow the row's primary times; they are left empty on the other method's line.
            if (x === undefined || r.primary !== method) return ['', '', ''];
            const b = x.breakEvenUplinkMbps;
            return [csvField(x.transferMs), csvField(x.endToEndMs), b === 'unknown' ? '' : csvField(b)];
        });
        const cells = [
            csvField(input.run.id),
            csvField(a.model.name),
            csvField(a.model.sha256),
            csvField(a.ueDevice),
            csvField(a.serverDevice),
            csvField(r.splitAfter),
            csvField(r.layerNumber),
            csvField(r.layerName),
            csvField(r.layerType),
            csvField(r.cut.bytes),
            csvField(r.layerOutputBytes),
            csvField(r.cut.tensors.length),
            csvField(r.cut.tensors.map(tensorSummary).join('; ')),
            method,
            csvField(t?.ue.valueMs),
            csvField(lowOf(t?.ue)),
            csvField(highOf(t?.ue)),
            clippedField(t?.ue),
            csvField(t?.ue.interval),
            csvField(t?.ue.n),
            csvField(t?.ue.perRep),
            csvField(t?.server.valueMs),
            csvField(lowOf(t?.server)),
            csvField(highOf(t?.server)),
            clippedField(t?.server),
            csvField(t?.server.interval),
            csvField(t?.server.n),
            csvField(t?.server.perRep),
            csvField(t?.totalMs),
            csvField(lowOf(t?.total)),
            csvField(highOf(t?.total)),
            clippedField(t?.total),
            ...improvementFields(t?.improvement?.ue),
            ...improvementFields(t?.improvement?.total),
            csvField(t?.improvementBase?.ms),
            csvField(t?.improvementBase?.source),
            csvField(a.fullUe?.valueMs),
            csvField(method === 'measured' ? r.estimateError?.ue.ms : null),
            csvField(method === 'measured' ? r.estimateError?.ue.pct : null),
            csvField(method === 'measured' ? r.estimateError?.server.ms : null),
            csvField(method === 'measured' ? r.estimateError?.server.pct : null),
            csvField(method === 'measured' ? rowFlags(r) : ''),
            csvField(note),
            // the verdict concerns the cut files, which only measured lines used
            csvField(method === 'measured' ? checkText(a.model.sha256, r.splitAfter) : ''),
            ...net,
        ];
        lines.push(cells.join(','));
    };
    for (const a of input.analyses)
        for (const r of a.rows) {
            if (r.estimated !== null || r.notEstimable !== undefined)
                line(
                    a,
                    r,
                    'estimated',
                    r.estimated,
                    r.notEstimable !== undefined ? `not estimable: ${r.notEstimable.hint}` : '',
                );
            if (r.measured !== null) line(a, r, 'measured', r.measured, '');
            if (r.estimated === null && r.measured === null && r.notEstimable === undefined)
                line(a, r, 'estimated', null, 'no times');
        }
    return `${lines.join('\r\n')}\r\n`;
};
