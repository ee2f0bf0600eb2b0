// Text and Markdown for `splitbench compare` and `splitbench history`. Device facts that changed are printed next to
// the metrics measured on that device, so a slowdown and a new Android build or a hot phone are seen together.
import type { Comparison, MetricChange, MetricKey } from '../analysis/compare.js';
import type { ProbeChange } from '../analysis/probe-facts.js';
import type { HistorySeries } from '../analysis/history.js';
import { DEFAULT_FLOOR_MS, DEFAULT_THRESHOLD_PCT, metricDevices } from '../analysis/compare.js';
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

const signedMs = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(3)} ms`;

/**
 * Load-flagged repetitions of a metric, per side that has any: "A: 2 of 5 repetitions left out: loaded", or with
 * includeLoaded "A: 2 of 5 repetitions loaded, kept". Empty when neither side has one.
 */
export const loadNote = (c: MetricChange, includeLoaded: boolean): string =>
    (
        [
            ['A', c.loadedA, c.repsA],
            ['B', c.loadedB, c.repsB],
        ] as const
    )
        .filter(([, loaded]) => loaded > 0)
        .map(
            ([side, loaded, reps]) =>
                `${side}: ${loaded} of ${reps} repetitions ${includeLoaded ? 'loaded, kept' : 'left out: loaded'}`,
        )
        .join('; ');

const VERDICT_TEXT: Record<MetricChange['verdict'], string> = {
    regression: 'regression',
    insufficient: 'insufficient repetitions',
    loaded: 'loaded (too few clean repetitions)',
    improvement: 'improvement',
    changed: 'changed',
    'not significant': 'not significant',
    unchanged: 'unchanged',
};

const changeCells = (c: MetricChange, probes: readonly ProbeChange[], includeLoaded: boolean): string[] => [
    metricLabel(c),
    fmtMs(c.aValueMs),
    fmtMs(c.bValueMs),
    `${signedMs(c.changeMs)}, ${signed(c.changePct)}`,
    c.test === 'none' ? '–' : fmtP(c.p),
    c.test === 'none' ? '–' : fmtP(c.pAdjusted),
    c.test === 'none'
        ? `not tested, reps ${c.nA}/${c.nB}`
        : `${c.test}${c.scale === 'log' ? ' (log)' : ''}, reps ${c.nA}/${c.nB}`,
    VERDICT_TEXT[c.verdict],
    loadNote(c, includeLoaded),
    factsFor(c, probes),
];

const HEAD = ['Metric', 'A (ms)', 'B (ms)', 'Change', 'p', 'p adj.', 'Test', 'Verdict', 'Load', 'Device facts changed'];

const ORDER: Record<MetricChange['verdict'], number> = {
    regression: 0,
    insufficient: 1,
    loaded: 2,
    improvement: 3,
    'not significant': 4,
    changed: 5,
    unchanged: 6,
};

/** Options of a text rendering. */
export interface ComparisonRenderOptions {
    /** Print every metric, unchanged ones too (default: only those with another verdict). */
    all?: boolean | undefined;
}

const mdTable = (rows: readonly (readonly string[])[]): string[] => [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`),
];

/**
 * The comparison as text or Markdown: the verdict first, the settings it was reached with, then the metrics (all
 * with `all`, else every one whose verdict is not 'unchanged'), regressions first.
 */
export const renderComparison = (
    c: Comparison,
    format: TextFormat = 'text',
    opts: ComparisonRenderOptions = {},
): string => {
    const sorted = [...c.changes].sort((x, y) => ORDER[x.verdict] - ORDER[y.verdict]);
    const shown = opts.all === true ? sorted : sorted.filter((x) => x.verdict !== 'unchanged');
    const unchanged = c.changes.filter((x) => x.verdict === 'unchanged').length;
    const notSignificant = c.changes.filter((x) => x.verdict === 'not significant').length;
    const loadedText = `${c.loaded.length} metric(s) with fewer than ${c.minReps} repetitions measured without load on a side: not tested, not an all-clear; --include-loaded tests them anyway`;
    const verdict =
        c.verdict === 'regression'
            ? `REGRESSION (${c.regressions.length} metric(s))`
            : c.verdict === 'insufficient repetitions'
              ? `INSUFFICIENT REPETITIONS (${c.insufficient.length} metric(s) with fewer than ${c.minReps} repetitions on a side: not tested, not an all-clear)`
              : c.verdict === 'loaded'
                ? `LOADED (${loadedText})`
                : 'no regression';
    const title = `compare ${c.a.id} → ${c.b.id}: ${verdict}`;
    const tested = c.changes.length - c.insufficient.length - c.loaded.length;
    const withLoad = c.changes.filter((x) => x.loadedA + x.loadedB > 0).length;
    const loadSentence =
        withLoad === 0
            ? 'no repetition was load-flagged'
            : c.includeLoaded
              ? `load-flagged repetitions kept in ${withLoad} metric(s) (--include-loaded)`
              : `load-flagged repetitions left out of ${withLoad} metric(s) (docs/measurement-conditions.md; --include-loaded keeps them)`;
    const settings =
        `Welch t-test on log per-repetition values (≥ ${c.minReps} repetitions per side), two-sided, alpha ${c.alpha}` +
        `${c.correction === 'holm' ? ` family-wise (Holm over ${tested} tested metrics: p is a metric's own, p_adj the corrected one that decides)` : ' per metric (no correction)'}; ` +
        `a regression also needs > ${c.thresholdPct} % and > ${c.floorMs} ms slower; ${loadSentence}; ` +
        `${c.changes.length} metrics compared, ${unchanged} unchanged${opts.all === true ? '' : ' (hidden; --all prints them)'}` +
        (notSignificant > 0
            ? `; ${notSignificant} moved past the threshold without significance ("not significant": the data cannot tell them from noise, neither a regression nor unchanged)`
            : '');
    const out: string[] = [];
    // A regression hides a 'loaded' run verdict; say that some metrics could not be tested either.
    const alsoLoaded = c.verdict !== 'loaded' && c.loaded.length > 0 ? [`also: ${loadedText}`] : [];
    if (format === 'md') {
        out.push(`# ${escapeMd(title)}`, '', settings, '', ...alsoLoaded.flatMap((l) => [escapeMd(l), '']));
        if (shown.length > 0)
            out.push(...mdTable(shown.map((x) => changeCells(x, c.probeChanges, c.includeLoaded))), '');
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
        out.push(title, settings, ...alsoLoaded, '');
        for (const x of shown) {
            const [label, a, b, change, p, pAdj, test, verdict, load, facts] = changeCells(
                x,
                c.probeChanges,
                c.includeLoaded,
            );
            // Holm's adjusted p decides; the raw p beside it says how strong the metric's own evidence was.
            const ps = x.test === 'none' ? 'p=–' : c.correction === 'holm' ? `p=${p}, p_adj=${pAdj}` : `p=${p}`;
            out.push(
                `${(verdict ?? '').toUpperCase().padEnd(15)} ${label}: ${a} → ${b} ms (${change}, ${ps}, ${test}${load !== '' ? `; ${load}` : ''})${facts !== '' && facts !== undefined ? `  [${facts}]` : ''}`,
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

/**
 * `compare --format json`: the verdict, the settings, counts, and every metric with its repetition counts (used,
 * all, load-flagged per side). Infinite changes (from a zero baseline) become null, as JSON has no Infinity.
 */
export const comparisonJson = (c: Comparison): Record<string, unknown> => ({
    a: c.a,
    b: c.b,
    verdict: c.verdict,
    hasRegression: c.hasRegression,
    settings: {
        thresholdPct: c.thresholdPct,
        floorMs: c.floorMs,
        alpha: c.alpha,
        correction: c.correction,
        minReps: c.minReps,
        includeLoaded: c.includeLoaded,
    },
    counts: {
        metrics: c.changes.length,
        regression: c.regressions.length,
        insufficient: c.insufficient.length,
        loaded: c.loaded.length,
        improvement: c.improvements.length,
        changed: c.changes.filter((x) => x.verdict === 'changed').length,
        notSignificant: c.changes.filter((x) => x.verdict === 'not significant').length,
        unchanged: c.changes.filter((x) => x.verdict === 'unchanged').length,
        /** Metrics with a load-flagged repetition on either side. */
        metricsWithLoadedReps: c.changes.filter((x) => x.loadedA + x.loadedB > 0).length,
    },
    metrics: [...c.changes]
        .sort((x, y) => ORDER[x.verdict] - ORDER[y.verdict])
        .map((x) => ({
            ...x,
            changePct: Number.isFinite(x.changePct) ? x.changePct : null,
            loadNote: loadNote(x, c.includeLoaded),
        })),
    probeChanges: c.probeChanges,
    modelChanges: c.modelChanges,
    onlyInA: c.onlyInA,
    onlyInB: c.onlyInB,
});

/** "3 of 15 repetitions (run r2 all loaded)", "" when nothing was left out. */
const historyLoadCell = (s: HistorySeries['summary']): string =>
    s.leftOut === 0
        ? ''
        : `${s.leftOut} of ${s.repetitions} repetitions${s.allLoadedRuns.length > 0 ? ` (all loaded: ${s.allLoadedRuns.join(', ')})` : ''}`;

/** The settings a history's steps were found with, for the line under its table (defaults as compare's). */
export interface HistorySettings {
    thresholdPct?: number | undefined;
    floorMs?: number | undefined;
    alpha?: number | undefined;
    correction?: 'none' | 'holm' | undefined;
    includeLoaded?: boolean | undefined;
}

/**
 * `history --format json`: the settings, how many step tests Holm counted, and every series (metric key, summary
 * with its points, every step test with p and pAdjusted, and the steps that count). Times in ms.
 */
export const historyJson = (series: readonly HistorySeries[], s: HistorySettings): Record<string, unknown> => ({
    settings: {
        thresholdPct: s.thresholdPct ?? DEFAULT_THRESHOLD_PCT,
        floorMs: s.floorMs ?? DEFAULT_FLOOR_MS,
        alpha: s.alpha ?? 0.05,
        correction: s.correction ?? 'holm',
        includeLoaded: s.includeLoaded === true,
    },
    stepTests: series.reduce((n, x) => n + x.summary.stepTests.length, 0),
    series: series.map((x) => ({ key: x.key, ...x.summary })),
});

/** How the steps column was reached: the test, the family Holm counted, the thresholds. */
const historyStepsNote = (series: readonly HistorySeries[], s: HistorySettings): string => {
    const tests = series.reduce((n, x) => n + x.summary.stepTests.length, 0);
    const holm = s.correction !== 'none';
    return (
        `Steps: Welch t-test on log repetition values of consecutive runs, ${tests} step(s) tested over ${series.length} metric(s); ` +
        `a step needs ${holm ? `Holm-adjusted p < ${s.alpha ?? 0.05} (family: every step tested)` : `p < ${s.alpha ?? 0.05} per step (no correction)`}, ` +
        `> ${s.thresholdPct ?? DEFAULT_THRESHOLD_PCT} % and > ${s.floorMs ?? DEFAULT_FLOOR_MS} ms.`
    );
};

/**
 * One line per metric: its runs' values, their spread and the steps between consecutive runs; the "Loaded left out"
 * column counts the load-flagged repetitions the figures and steps do not use (docs/statistics.md, history).
 */
export const renderHistory = (
    series: readonly HistorySeries[],
    format: TextFormat = 'text',
    settings: HistorySettings = {},
): string => {
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
        'Loaded left out',
    ];
    const rows = series.map(({ key, summary: s }) => [
        metricLabel(key),
        String(s.n),
        fmtMs(s.firstMs),
        fmtMs(s.latestMs),
        fmtMs(s.minMs),
        fmtMs(s.maxMs),
        fmtMs(s.medianOfRunsMs),
        s.latestVsPreviousPct === null ? '' : signed(s.latestVsPreviousPct),
        s.latestVsMedianPct === null ? '' : signed(s.latestVsMedianPct),
        s.cvPct === null ? '' : `${s.cvPct.toFixed(1)} %`,
        s.steps
            .map(
                (st) =>
                    `${st.fromRunId}→${st.toRunId} ${signed(st.changePct)}${st.factChanges.length > 0 ? ` (${st.factChanges.map((f) => `${f.fact}: ${f.a ?? '—'}→${f.b ?? '—'}`).join(', ')})` : ''}`,
            )
            .join('; '),
        historyLoadCell(s),
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
    out.push('', format === 'md' ? escapeMd(historyStepsNote(series, settings)) : historyStepsNote(series, settings));
    return `${out.join('\n')}\n`;
};
