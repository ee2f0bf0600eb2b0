// One self-contained HTML file: inline CSS and SVG only (a CSP forbids every external load), so it works offline and
// can be mailed or archived as is.
import type { SplitAnalysis, SplitRow } from '../analysis/types.js';
import { serializationMs } from '../analysis/network.js';
import { FORMULAS } from './formulas.js';
import { conditionsHtml } from './measurement-conditions.js';
import { provenanceHtml } from './provenance.js';
import { splitChecksHtml } from './split-checks.js';
import { escapeXml, flattenSettings, fmtBreakEven, fmtMs, fmtStat, withCaveat } from './format.js';
import { COLORS, logBarChart, logLogLineChart, logSpace, stackedBarChart } from './svg-charts.js';
import type { LineSeries } from './svg-charts.js';
import {
    repetitionCaveat,
    analysisTitle,
    bestText,
    cellText,
    detailColumns,
    networkColumns,
    statisticsLegend,
    studyColumns,
    textColumns,
} from './table.js';
import type { Column } from './table.js';
import { summarySentences } from './summary.js';
import type { ReportInput } from './types.js';

// Layout for 1400 px: headers wrap, long layer names are clipped (full name on hover) so every numeric column of the
// split table fits without horizontal scrolling; charts scale to the page width.
const CSS = `body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:16px 24px;color:#222}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:36px}h3{font-size:15px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 5px;text-align:right}
th{background:#f3f3f3;position:sticky;top:0;white-space:normal;vertical-align:bottom;max-width:9em;font-weight:600}
td{white-space:nowrap}td.ci{white-space:normal;min-width:7.5em;max-width:11em}td.t,th.t{text-align:left}td.wrap{white-space:normal;min-width:16em}
.prov td.t{overflow-wrap:anywhere;max-width:26em}.clip{max-width:16em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.scroll{overflow-x:auto;max-height:560px}
.note,.caution{color:#a33}.meta{color:#555;font-size:13px}.legend-text{color:#444;font-size:12px;margin:2px 0 12px;max-width:110em}
.legend-text li{margin:1px 0}svg.chart{display:block;margin:8px 0;background:#fff;width:100%;max-width:1400px;height:auto}
code{font-size:12px}`;

const UPLINK_RATES = logSpace(-1, 4, 5);

const primary = (r: SplitRow) => (r.primary === 'measured' ? r.measured : r.estimated);

// Layer names (fused ops get very long ones) are clipped; the full text stays in the title for hover and copy.
const CLIPPED = new Set(['Layer name']);
// Free text that should wrap rather than widen the table.
const WRAPPED = new Set(['Flags', 'Cut tensors', 'Note']);

const cell = (c: Column, r: SplitRow): string => {
    const text = escapeXml(cellText(c, r));
    if (CLIPPED.has(c.header)) return `<td class="t"><div class="clip" title="${text}">${text}</div></td>`;
    if (WRAPPED.has(c.header)) return `<td class="t wrap">${text}</td>`;
    // an improvement with its interval, or words when that interval contains 0: wraps inside a narrow cell
    if (c.text !== undefined) return `<td class="ci">${text}</td>`;
    return `<td class="${c.kind === 'text' ? 't' : ''}">${text}</td>`;
};

const table = (all: readonly Column[], rows: readonly SplitRow[], cls: string): string => {
    const cols = textColumns(all);
    const head = cols
        .map((c) => `<th class="${c.kind === 'text' ? 't' : ''}" data-kind="${c.kind}">${escapeXml(c.header)}</th>`)
        .join('');
    const body = rows.map((r) => `<tr>${cols.map((c) => cell(c, r)).join('')}</tr>`).join('');
    return `<div class="scroll"><table class="${cls}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
};

const legendList = (lines: readonly string[]): string =>
    `<ul class="legend-text">${lines.map((l) => `<li>${escapeXml(l)}</li>`).join('')}</ul>`;

const kvTable = (rows: readonly [string, string][], cls: string): string =>
    `<table class="${cls}"><tbody>${rows.map(([k, v]) => `<tr><th class="t">${escapeXml(k)}</th><td class="t">${escapeXml(v)}</td></tr>`).join('')}</tbody></table>`;

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#edc948', '#76b7b2', '#ff9da7', '#9c755f'];
// Splits that are never the fastest at any rate.
const OTHER_SPLITS = '#c8c8c8';

const e2eChart = (a: SplitAnalysis): string => {
    const net = a.networks[0];
    const ul = net?.profile.uplinkMbps ?? 1;
    // Fixed cost (RTT + return) of the first profile, recovered from a row's transfer time.
    const withTx = a.rows.find(
        (r) => r.network[0]?.transferMs !== null && r.network[0] !== undefined && r.cut.bytes !== null,
    );
    const fixedMs =
        withTx === undefined
            ? (net?.profile.rttMs ?? 0)
            : (withTx.network[0]?.transferMs ?? 0) - serializationMs(withTx.cut.bytes ?? 0, ul);
    const lines: { split: number; values: number[] }[] = [];
    for (const r of a.rows) {
        const t = primary(r);
        if (t === null || r.cut.bytes === null) continue;
        const bytes = r.cut.bytes;
        lines.push({
            split: r.splitAfter,
            values: UPLINK_RATES.map((R) => t.ue.valueMs + serializationMs(bytes, R) + fixedMs + t.server.valueMs),
        });
    }
    // Splits that are the fastest split at some rate get colour; the rest stay grey.
    const best = new Set<number>();
    UPLINK_RATES.forEach((_, i) => {
        let b: { split: number; v: number } | null = null;
        for (const l of lines)
            if (b === null || (l.values[i] as number) < b.v) b = { split: l.split, v: l.values[i] as number };
        if (b !== null) best.add(b.split);
    });
    const bestList = [...best].sort((x, y) => x - y);
    const colorOf = (split: number): string => PALETTE[bestList.indexOf(split) % PALETTE.length] as string;
    const series: LineSeries[] = lines
        .filter((l) => !best.has(l.split))
        .map((l) => ({ name: `split after ${l.split}`, color: OTHER_SPLITS, values: l.values }));
    series.push(
        ...lines
            .filter((l) => best.has(l.split))
            .map((l) => ({ name: `split after ${l.split}`, color: colorOf(l.split), values: l.values, width: 2 })),
    );
    const legendItems: { name: string; color: string; dash?: boolean }[] = [];
    if (a.fullUe !== null) {
        series.push({
            name: 'all on UE',
            color: COLORS.allOnUe,
            values: UPLINK_RATES.map(() => a.fullUe?.valueMs ?? 0),
            width: 2,
            dash: true,
        });
        legendItems.push({ name: 'all on UE', color: COLORS.allOnUe, dash: true });
    }
    const aos = net?.allOnServer ?? null;
    if (aos !== null && net !== undefined) {
        const inBytes = ((aos.transferMs - fixedMs) * ul * 1000) / 8;
        series.push({
            name: 'all on server',
            color: COLORS.allOnServer,
            values: UPLINK_RATES.map((R) => serializationMs(inBytes, R) + fixedMs + aos.serverMs),
            width: 2,
            dash: true,
        });
        legendItems.push({ name: 'all on server', color: COLORS.allOnServer, dash: true });
    }
    legendItems.push(...bestList.slice(0, PALETTE.length).map((s) => ({ name: `split ${s}`, color: colorOf(s) })));
    if (lines.length > best.size)
        legendItems.push({ name: `other splits (${lines.length - best.size})`, color: OTHER_SPLITS });
    return logLogLineChart({
        title: `End-to-end time vs uplink rate (RTT and return of ${net?.profile.name ?? 'no profile: RTT 0'})`,
        xs: UPLINK_RATES,
        series,
        legendItems,
        xLabel: 'uplink rate (Mbit/s, log)',
        yLabel: 'end-to-end (ms, log)',
    });
};

const analysisSection = (a: SplitAnalysis, idx: number): string => {
    const cats = a.rows.map((r) => String(r.splitAfter));
    const prof = a.networks[0]?.profile.name;
    const out: string[] = [`<section class="analysis" id="a${idx}"><h2>${escapeXml(analysisTitle(a))}</h2>`];
    const meta: [string, string][] = [
        ['Model sha256', a.model.sha256],
        ['Ops', String(a.model.opCount)],
        [
            'T_UE(full)',
            a.fullUe === null
                ? 'unknown'
                : `${fmtStat(a.fullUe)} ms (${a.fullUe.source}, n=${a.fullUe.n}${withCaveat(a.fullUe)})`,
        ],
        ...(a.estimatedFullUe !== null
            ? [
                  ['UE profile total (base of estimated improvements)', `${fmtStat(a.estimatedFullUe)} ms`] as [
                      string,
                      string,
                  ],
              ]
            : []),
        [
            'T_srv(full)',
            a.fullServer === null
                ? 'unknown'
                : `${fmtStat(a.fullServer)} ms (${a.fullServer.source}, n=${a.fullServer.n}${withCaveat(a.fullServer)})`,
        ],
        ...a.networks.map((n, i): [string, string] => [`Best for ${n.profile.name}`, bestText(a, i)]),
    ];
    const reps = repetitionCaveat(a);
    if (reps !== undefined)
        out.push(`<p class="caution"><strong>Caution: ${escapeXml(reps)}; run 3 or more repetitions.</strong></p>`);
    out.push(kvTable(meta, 'meta-table'));
    out.push(...summarySentences(a).map((l) => `<p class="summary"><strong>${escapeXml(l)}</strong></p>`));
    out.push(
        stackedBarChart({
            title: `UE / transfer${prof !== undefined ? ` (${prof})` : ''} / server time per split point`,
            categories: cats,
            series: [
                { name: 'UE', color: COLORS.ue, values: a.rows.map((r) => primary(r)?.ue.valueMs ?? null) },
                {
                    name: `transfer${prof !== undefined ? '' : ' (no profile)'}`,
                    color: COLORS.transfer,
                    values: a.rows.map((r) => (primary(r) === null ? null : (r.network[0]?.transferMs ?? null))),
                },
                {
                    name: 'server',
                    color: COLORS.server,
                    values: a.rows.map((r) => primary(r)?.server.valueMs ?? null),
                },
            ],
            yLabel: 'time (ms)',
            xLabel: 'split after op',
        }),
    );
    out.push(
        logBarChart({
            title: 'Intermediate data size per split point',
            categories: cats,
            values: a.rows.map((r) => r.cut.bytes),
            yLabel: 'bytes (log)',
            xLabel: 'split after op',
            color: COLORS.size,
        }),
    );
    out.push(e2eChart(a));
    const legend = legendList(statisticsLegend(a));
    out.push('<h3>Split table</h3>', table(studyColumns, a.rows, 'split-table'), legend);
    out.push(
        '<h3>Estimated vs measured</h3>',
        table(detailColumns, a.rows, 'detail-table'),
        legendList([
            'Error = estimated − measured, in ms and in % of the measured value. "outside the measured interval": the estimate lies outside the measurement\'s own 95 % interval (never flagged when the measurement has one repetition).',
            'Flags also mark measured heads or tails slower, beyond both intervals, than the full model or than a head or tail that runs more ops (never when either has one repetition: no interval).',
        ]),
    );
    if (a.networks.length > 0)
        out.push(
            '<h3>Network</h3>',
            table(
                [studyColumns[0] as Column, studyColumns[3] as Column, ...networkColumns(a)],
                a.rows,
                'network-table',
            ),
        );
    const ne = a.rows.filter((r) => r.notEstimable !== undefined);
    if (ne.length > 0)
        out.push(
            `<p class="note">Not estimable at ${ne.map((r) => r.splitAfter).join(', ')}: ${escapeXml(ne[0]?.notEstimable?.reason ?? '')}. ${escapeXml(ne[0]?.notEstimable?.hint ?? '')}.</p>`,
        );
    if (a.matching !== null && a.matching.unmatchedRows.length > 0)
        out.push(
            '<h3>Unmatched rows</h3>',
            `<table class="unmatched"><thead><tr><th class="t">Device</th><th>Node</th><th class="t">Type</th><th class="t">Name</th><th>Avg (ms)</th><th class="t">Reason</th></tr></thead><tbody>${a.matching.unmatchedRows
                .map(
                    (u) =>
                        `<tr><td class="t">${escapeXml(u.device)}</td><td>${u.nodeIndex ?? ''}</td><td class="t">${escapeXml(u.type)}</td><td class="t">${escapeXml(u.name)}</td><td>${fmtMs(u.avgMs)}</td><td class="t">${escapeXml(u.reason)}</td></tr>`,
                )
                .join('')}</tbody></table>`,
        );
    if (a.warnings.length > 0)
        out.push(`<ul class="warnings">${a.warnings.map((w) => `<li>${escapeXml(w)}</li>`).join('')}</ul>`);
    out.push('</section>');
    return out.join('\n');
};

export const renderHtml = (input: ReportInput): string => {
    const r = input.run;
    const title = `splitbench report: run ${r.id}`;
    const parts: string[] = [
        '<!doctype html>',
        '<html lang="en"><head><meta charset="utf-8">',
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        `<title>${escapeXml(title)}</title><style>${CSS}</style></head><body>`,
        `<h1>${escapeXml(title)}</h1>`,
        kvTable(
            [
                ['Campaign', r.campaign],
                ['Started', r.startedAt],
                ...(r.finishedAt !== undefined ? [['Finished', r.finishedAt] as [string, string]] : []),
                ...(r.status !== undefined ? [['Status', r.status] as [string, string]] : []),
                ['splitbench', r.splitbenchVersion],
                ['Git commit', r.gitCommit ?? 'unknown'],
            ],
            'run-table',
        ),
        `<nav><ul>${input.analyses.map((a, i) => `<li><a href="#a${i}">${escapeXml(analysisTitle(a))}</a></li>`).join('')}</ul></nav>`,
        input.provenance === undefined ? '' : provenanceHtml(input.provenance),
        splitChecksHtml(input.splitChecks ?? []),
        ...input.analyses.map(analysisSection),
        ...(input.measurement !== undefined ? [conditionsHtml(input.measurement)] : []),
        '<h2>Devices</h2>',
        ...input.devices.map(
            (d) =>
                `<h3>${escapeXml(d.name)}${d.role !== undefined ? ` (${d.role})` : ''}</h3>${d.probe === null ? '<p>No probe recorded.</p>' : kvTable(flattenSettings(d.probe), 'probe-table')}`,
        ),
        '<h2>Settings</h2>',
        kvTable(flattenSettings(input.settings), 'settings-table'),
        '<h2>Formulas</h2>',
        `<dl class="formulas">${FORMULAS.map((f) => `<dt><b>${escapeXml(f.name)}</b></dt><dd>${escapeXml(f.text)}</dd>`).join('')}</dl>`,
        `<p class="meta">Break-even rates are in Mbit/s; "${fmtBreakEven('never')}" means the split never beats running all on the UE.</p>`,
        '</body></html>',
    ];
    return parts.join('\n');
};
