// XLSX workbook: one sheet per model × device pair in the reference study's layout, one sheet of per-op times per
// device, one sheet of run facts, device probes, settings and formulas. Built in memory (no file I/O) with exceljs'
// streaming writer: rows are serialised as they are committed, which is ~10× faster than the document model for
// 10^4-row workbooks and keeps memory flat.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { SplitAnalysis } from '../analysis/types.js';
import { FORMULAS } from './formulas.js';
import { provenanceRows } from './provenance.js';
import { splitChecksRows, type SplitCheckRecord } from './split-checks.js';
import { flattenSettings, highOf, lowOf, statCaveat } from './format.js';
import { unclippedLowMs } from '../analysis/stats.js';
import { conditionsRows } from './measurement-conditions.js';
import { bestText, detailColumns, networkColumns, statisticsLegend, studyColumns } from './table.js';
import type { Column } from './table.js';
import { summarySentences } from './summary.js';
import type { ReportInput } from './types.js';

export const PER_OP_SHEET = 'Per-op times';
export const DEVICES_SHEET = 'Devices & settings';
export const SPLIT_CHECKS_SHEET = 'Head-tail check';

type Wb = ExcelJS.stream.xlsx.WorkbookWriter;

const NUM_FMT: Record<string, string> = { ms: '0.000', pct: '0.0', mbps: '0.00', int: '0' };

/** Excel sheet names: at most 31 characters, none of : \ / ? * [ ], unique ignoring case. */
export const sheetName = (raw: string, taken: Set<string>): string => {
    const base =
        raw
            .replace(/[:\\/?*[\]]/g, '_')
            .replace(/^'+|'+$/g, '')
            .slice(0, 31) || 'Sheet';
    let name = base;
    for (let i = 2; taken.has(name.toLowerCase()); i++) {
        const suffix = ` (${i})`;
        name = base.slice(0, 31 - suffix.length) + suffix;
    }
    taken.add(name.toLowerCase());
    return name;
};

const addSplitSheet = (wb: Wb, a: SplitAnalysis, name: string): void => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    const cols: Column[] = [...studyColumns, ...detailColumns, ...networkColumns(a)];
    ws.columns = cols.map((c) => {
        const numFmt = NUM_FMT[c.kind];
        return {
            header: c.header,
            width: c.kind === 'text' ? 28 : Math.max(12, Math.min(24, c.header.length + 2)),
            ...(numFmt !== undefined ? { style: { numFmt } } : {}),
        };
    });
    ws.getRow(1).font = { bold: true };
    for (const r of a.rows) ws.addRow(cols.map((c) => c.get(r)));
    ws.addRow([]);
    // Footer cells sit in columns formatted for the table above (ms: 0.000); each gets its own format so counts
    // show as integers and text stays text.
    const footer = (cells: readonly (readonly [string | number | null, string])[]): void => {
        const row = ws.addRow(cells.map(([v]) => v));
        cells.forEach(([, fmt], i) => {
            row.getCell(i + 1).numFmt = fmt;
        });
    };
    const txt = (v: string): readonly [string, string] => [v, 'General'] as const;
    const ms = (v: number | null): readonly [number | null, string] => [v, '0.000'] as const;
    footer([txt('Model'), txt(a.model.name), txt('sha256'), txt(a.model.sha256), txt('ops'), [a.model.opCount, '0']]);
    for (const [label, st] of [
        ['T_UE(full) (ms)', a.fullUe],
        ['T_srv(full) (ms)', a.fullServer],
    ] as const)
        footer([
            txt(label),
            ms(st?.valueMs ?? null),
            txt(st?.source ?? 'unknown'),
            txt('95 % interval (ms)'),
            ms(lowOf(st)),
            ms(highOf(st)),
            txt('n'),
            [st?.n ?? null, '0'],
            ...(st?.lowClipped === true
                ? [txt(`lower bound clipped at 0 (95 % t-interval reached ${unclippedLowMs(st).toFixed(3)} ms)`)]
                : []),
            ...(st !== null && st.interval !== 'none' && statCaveat(st) !== undefined
                ? [txt(statCaveat(st) ?? '')]
                : []),
        ]);
    if (a.estimatedFullUe !== null)
        footer([txt('UE profile total (ms)'), ms(a.estimatedFullUe.valueMs), txt('base of estimated improvements')]);
    for (const [i, n] of a.networks.entries()) footer([txt(`Best for ${n.profile.name}`), txt(bestText(a, i))]);
    for (const line of summarySentences(a)) footer([txt('Summary'), txt(line)]);
    for (const line of statisticsLegend(a, 'sheet')) footer([txt('Legend'), txt(line)]);
    for (const w of a.warnings) footer([txt('Warning'), txt(w)]);
    ws.commit();
};

/** Why the cumulative columns here differ from the split sheets' estimates (docs/statistics.md, estimated T_UE(k)). */
const PER_OP_LEGEND =
    "Per-op times are the profiler's raw per-op averages, not scaled; the split sheets' estimated UE and server " +
    "times scale these sums by each profile's median/mean inference time, so they differ from the cumulative columns.";

const addPerOpSheet = (wb: Wb, analyses: readonly SplitAnalysis[]): void => {
    const ws = wb.addWorksheet(PER_OP_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = [
        { header: 'Model', width: 24 },
        { header: 'UE device', width: 16 },
        { header: 'Server device', width: 16 },
        { header: 'Op index', width: 9, style: { numFmt: '0' } },
        { header: 'Op type', width: 20 },
        { header: 'Output tensor', width: 36 },
        { header: 'UE time (ms)', width: 13, style: { numFmt: '0.000' } },
        { header: 'UE cumulative (ms)', width: 18, style: { numFmt: '0.000' } },
        { header: 'Server time (ms)', width: 16, style: { numFmt: '0.000' } },
        { header: 'Server cumulative (ms)', width: 21, style: { numFmt: '0.000' } },
        { header: 'In estimate', width: 11 },
        { header: 'Delegated on', width: 16 },
    ];
    ws.getRow(1).font = { bold: true };
    for (const a of analyses) {
        let ueCum = 0;
        let srvCum = 0;
        for (const op of a.perOp) {
            if (op.included) {
                ueCum += op.ueMs ?? 0;
                srvCum += op.serverMs ?? 0;
            }
            const delegated = [op.ueDelegated ? a.ueDevice : null, op.serverDelegated ? a.serverDevice : null].filter(
                (x) => x !== null,
            );
            ws.addRow([
                a.model.name,
                a.ueDevice,
                a.serverDevice,
                op.index,
                op.type,
                op.output,
                op.ueMs,
                op.ueMs === null ? null : ueCum,
                op.serverMs,
                op.serverMs === null ? null : srvCum,
                op.included ? 'yes' : 'no',
                delegated.join(', '),
            ]);
        }
        for (const side of a.matching === null ? [] : [a.matching.ue, a.matching.server])
            for (const d of side.delegateRows)
                ws.addRow([
                    a.model.name,
                    a.ueDevice,
                    a.serverDevice,
                    d.nodeIndex,
                    d.type,
                    d.name,
                    side === a.matching?.ue ? d.avgMs : null,
                    null,
                    side === a.matching?.server ? d.avgMs : null,
                    null,
                    'delegate partition',
                    side.device,
                ]);
    }
    ws.addRow([]);
    ws.addRow(['Legend', PER_OP_LEGEND]);
    ws.commit();
};

const addDevicesSheet = (wb: Wb, input: ReportInput): void => {
    const ws = wb.addWorksheet(DEVICES_SHEET);
    ws.columns = [{ width: 26 }, { width: 14 }, { width: 30 }, { width: 60 }];
    const bold = (row: ExcelJS.Row): void => {
        row.font = { bold: true };
    };
    bold(ws.addRow(['Run']));
    const r = input.run;
    for (const [k, v] of [
        ['Run id', r.id],
        ['Campaign', r.campaign],
        ['Started', r.startedAt],
        ['Finished', r.finishedAt ?? '—'],
        ['Status', r.status ?? '—'],
        ['splitbench version', r.splitbenchVersion],
        ['Git commit', r.gitCommit ?? '—'],
    ] as const)
        ws.addRow([k, v]);
    ws.addRow([]);
    if (input.provenance !== undefined) for (const row of [...provenanceRows(input.provenance), []]) ws.addRow(row);
    bold(ws.addRow(['Device', 'Role', 'Fact', 'Value']));
    for (const d of input.devices) {
        if (d.probe === null) ws.addRow([d.name, d.role ?? '', '(no probe recorded)']);
        else for (const [k, v] of flattenSettings(d.probe)) ws.addRow([d.name, d.role ?? '', k, v]);
    }
    ws.addRow([]);
    for (const [i, row] of (input.measurement === undefined ? [] : conditionsRows(input.measurement)).entries()) {
        const added = ws.addRow(row);
        if (i === 0) bold(added);
    }
    ws.addRow([]);
    bold(ws.addRow(['Setting', 'Value']));
    for (const [k, v] of flattenSettings(input.settings)) ws.addRow([k, v]);
    ws.addRow([]);
    bold(ws.addRow(['Formula', 'Definition']));
    for (const f of FORMULAS) ws.addRow([f.name, f.text]);
    ws.commit();
};

const addSplitChecksSheet = (wb: Wb, checks: readonly SplitCheckRecord[]): void => {
    const ws = wb.addWorksheet(SPLIT_CHECKS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = [{ width: 24 }, { width: 66 }, { width: 14 }, { width: 24 }, { width: 90 }];
    for (const [i, row] of splitChecksRows(checks).entries()) {
        const added = ws.addRow(row);
        if (i === 0) added.font = { bold: true };
    }
    ws.commit();
};

export const splitSheetNames = (analyses: readonly SplitAnalysis[]): string[] => {
    const taken = new Set<string>([
        PER_OP_SHEET.toLowerCase(),
        DEVICES_SHEET.toLowerCase(),
        SPLIT_CHECKS_SHEET.toLowerCase(),
    ]);
    return analyses.map((a) => sheetName(`${a.model.name} ${a.ueDevice}-${a.serverDevice}`, taken));
};

export const renderXlsx = async (input: ReportInput): Promise<Buffer> => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve, reject) => {
        sink.on('end', resolve);
        sink.on('error', reject);
    });
    const started = new Date(input.run.startedAt);
    // A fixed date keeps the file a function of the input only.
    const created = Number.isNaN(started.getTime()) ? new Date(0) : started;
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: sink,
        useStyles: true,
        useSharedStrings: false,
        zip: { zlib: { level: 1 } },
    });
    wb.creator = `splitbench ${input.run.splitbenchVersion}`;
    wb.created = created;
    wb.modified = created;
    const names = splitSheetNames(input.analyses);
    for (const [i, a] of input.analyses.entries()) addSplitSheet(wb, a, names[i] as string);
    addPerOpSheet(wb, input.analyses);
    addDevicesSheet(wb, input);
    if (input.splitChecks !== undefined && input.splitChecks.length > 0) addSplitChecksSheet(wb, input.splitChecks);
    await wb.commit();
    await done;
    return Buffer.concat(chunks);
};
