// Text and Markdown for `splitbench compare` and `splitbench history`. Device facts that changed are printed next to
// the metrics measured on that device, so a slowdown and a new Android build or a hot phone are seen together.
import type { Comparison, HistorySeries, MetricChange, MetricKey, ProbeChange } from '../analysis/compare.js';
import { metricDevices } from '../analysis/compare.js';
import { escapeMd, fmtMs } from './format.js';

export type TextFormat = 'text' | 'md';

const metricLabel = (k: MetricKey): string =>
    `${k.model} ${k.ueDevice}/${k.serverDevice} ${k.mode} ${k.splitAfter === null ? 'full' : `split ${k.splitAfter}`} ${k.metric}`;

const fmtP = (p: number): string => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`;

const factsFor = (c: MetricChange, probes: readonly ProbeChange[]): string =>
    probes
        .filter((p) => metricDevices(c).includes(p.device))
        .map((p) => `${p.device} ${p.fact}: ${p.a ?? '—'} → ${p.b ?? '—'}`)
        .join('; ');

const changeCells = (c: MetricChange, probes: readonly ProbeChange[]): string[] => [
    metricLabel(c),
    fmtMs(c.aMedianMs),
    fmtMs(c.bMedianMs),
    signed(c.changePct),
    fmtP(c.pAdjusted),
    `${c.test}, ${c.on} ${c.nA}/${c.nB}`,
    c.verdict,
    factsFor(c, probes),
];

const HEAD = ['Metric', 'A (ms)', 'B (ms)', 'Change', 'p', 'Test', 'Verdict', 'Device facts changed'];

const mdTable = (rows: readonly (readonly string[])[]): string[] => [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`),
];

export const renderComparison = (c: Comparison, format: TextFormat = 'text'): string => {
    const shown = [...c.regressions, ...c.improvements, ...c.changes.filter((x) => x.verdict === 'changed')];
    const unchanged = c.changes.length - shown.length;
    const title = `compare ${c.a.id} → ${c.b.id}: ${c.hasRegression ? `REGRESSION (${c.regressions.length} metric(s))` : 'no regression'}`;
    const settings = `threshold ${c.thresholdPct} %, alpha ${c.alpha}${c.correction === 'holm' ? ' (Holm-corrected)' : ''}; Mann-Whitney U, two-sided; ${c.changes.length} metrics compared, ${unchanged} unchanged`;
    const out: string[] = [];
    if (format === 'md') {
        out.push(`# ${escapeMd(title)}`, '', settings, '');
        if (shown.length > 0) out.push(...mdTable(shown.map((x) => changeCells(x, c.probeChanges))), '');
        if (c.probeChanges.length > 0) {
            out.push('## Device facts that changed', '', '| Device | Fact | A | B |', '|---|---|---|---|');
            out.push(
                ...c.probeChanges.map(
                    (p) =>
                        `| ${escapeMd(p.device)} | ${escapeMd(p.fact)} | ${escapeMd(p.a ?? '—')} | ${escapeMd(p.b ?? '—')} |`,
                ),
                '',
            );
        }
    } else {
        out.push(title, settings, '');
        for (const x of shown) {
            const cells = changeCells(x, c.probeChanges);
            out.push(
                `${x.verdict.toUpperCase().padEnd(11)} ${cells[0]}: ${cells[1]} → ${cells[2]} ms (${cells[3]}, p=${cells[4]}, ${cells[5]})${cells[7] !== '' ? `  [${cells[7]}]` : ''}`,
            );
        }
        if (c.probeChanges.length > 0) {
            out.push('', 'Device facts that changed:');
            out.push(...c.probeChanges.map((p) => `  ${p.device} ${p.fact}: ${p.a ?? '—'} → ${p.b ?? '—'}`));
        }
    }
    for (const m of c.modelChanges)
        out.push(
            `${format === 'md' ? '- ' : ''}model ${m.model} changed: ${m.aSha256.slice(0, 12)} → ${m.bSha256.slice(0, 12)}`,
        );
    if (c.onlyInA.length > 0) out.push(`${format === 'md' ? '- ' : ''}${c.onlyInA.length} metric(s) only in ${c.a.id}`);
    if (c.onlyInB.length > 0) out.push(`${format === 'md' ? '- ' : ''}${c.onlyInB.length} metric(s) only in ${c.b.id}`);
    return `${out.join('\n')}\n`;
};

export const renderHistory = (series: readonly HistorySeries[], format: TextFormat = 'text'): string => {
    const out: string[] = [];
    const head = [
        'Metric',
        'Runs',
        'First (ms)',
        'Latest (ms)',
        'Min',
        'Max',
        'Median',
        'vs previous',
        'vs earlier median',
        'CV',
        'Steps',
    ];
    const rows = series.map(({ key, summary: s }) => [
        metricLabel(key),
        String(s.n),
        fmtMs(s.firstMs),
        fmtMs(s.latestMs),
        fmtMs(s.minMs),
        fmtMs(s.maxMs),
        fmtMs(s.medianOfMediansMs),
        s.latestVsPreviousPct === null ? '' : signed(s.latestVsPreviousPct),
        s.latestVsMedianPct === null ? '' : signed(s.latestVsMedianPct),
        s.cvPct === null ? '' : `${s.cvPct.toFixed(1)} %`,
        s.steps
            .map(
                (st) =>
                    `${st.fromRunId}→${st.toRunId} ${signed(st.changePct)}${st.factChanges.length > 0 ? ` (${st.factChanges.map((f) => `${f.fact}: ${f.a ?? '—'}→${f.b ?? '—'}`).join(', ')})` : ''}`,
            )
            .join('; '),
    ]);
    if (format === 'md') {
        out.push(
            `| ${head.join(' | ')} |`,
            `|${head.map(() => '---').join('|')}|`,
            ...rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`),
        );
    } else {
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
        const line = (r: readonly string[]): string =>
            r
                .map((c, i) => c.padEnd(widths[i] ?? 0))
                .join('  ')
                .trimEnd();
        out.push(line(head), ...rows.map(line));
    }
    return `${out.join('\n')}\n`;
};
