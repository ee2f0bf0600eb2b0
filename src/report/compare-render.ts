// Text, Markdown and JSON for `splitbench compare` (history's are in history-render.ts). Device facts and measurement
// settings that changed are printed next to the metrics measured on that device, so a slowdown and a new Android
// build, a hot phone or another thread count are seen together.
import type { Comparison, MetricChange, MetricKey, ValueFrom } from '../analysis/compare.js';
import type { ProbeChange } from '../analysis/probe-facts.js';
import { metricDevices } from '../analysis/compare.js';
import { escapeMd, fmtMs } from './format.js';

export type TextFormat = 'text' | 'md';

export const metricLabel = (k: MetricKey): string =>
    `${k.model} ${k.ueDevice}/${k.serverDevice} ${k.mode} ${k.splitAfter === null ? 'full' : `split ${k.splitAfter}`} ${k.metric}`;

const fmtP = (p: number): string => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
export const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`;

/** Device facts and settings that changed on the devices a metric was measured on: "a01 threads: 1 → 2; …". */
const factsFor = (c: MetricChange, changes: readonly ProbeChange[]): string =>
    changes
        .filter((p) => metricDevices(c).includes(p.device))
        .map((p) => `${p.device} ${p.fact}: ${p.a ?? '—'} → ${p.b ?? '—'}`)
        .join('; ');

/** A side's value; "6.200 (loaded)" when it is the mean of load-flagged repetitions, none of which was used. */
const sideValue = (v: number, from: ValueFrom): string => `${fmtMs(v)}${from === 'loaded' ? ' (loaded)' : ''}`;

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

/** The mark of a split metric whose model file changed between the runs (MetricChange.differentCut). */
const DIFFERENT_CUT = 'different cut: model file changed, not counted in the verdict';

/**
 * One warning per model whose file changed between the runs (split metrics of it compare different cuts), for the
 * line under compare's title and JSON `warnings`; empty when none did.
 */
const compareWarnings = (c: Comparison): string[] =>
    c.modelChanges.map(
        (m) =>
            `warning: model ${m.model} is a different file in B (${m.aSha256.slice(0, 12)} → ${m.bSha256.slice(0, 12)}): ` +
            'split points are op indices of one file, so its split metrics compare different cuts (marked, not counted ' +
            'in the verdict); its full-model metrics compare as usual',
    );

const changeCells = (c: MetricChange, changes: readonly ProbeChange[], includeLoaded: boolean): string[] => [
    metricLabel(c),
    sideValue(c.aValueMs, c.aValueFrom),
    sideValue(c.bValueMs, c.bValueFrom),
    `${signedMs(c.changeMs)}, ${signed(c.changePct)}`,
    c.test === 'none' ? '–' : fmtP(c.p),
    c.test === 'none' ? '–' : fmtP(c.pAdjusted),
    c.test === 'none'
        ? `not tested, reps ${c.nA}/${c.nB}`
        : `${c.test}${c.scale === 'log' ? ' (log)' : ''}, reps ${c.nA}/${c.nB}`,
    `${VERDICT_TEXT[c.verdict]}${c.differentCut === true ? ` (${DIFFERENT_CUT})` : ''}`,
    loadNote(c, includeLoaded),
    factsFor(c, changes),
];

const HEAD = [
    'Metric',
    'A (ms)',
    'B (ms)',
    'Change',
    'p',
    'p adj.',
    'Test',
    'Verdict',
    'Load',
    'Device facts and settings changed',
];

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

/** "threads: 1 → 2"-style sections: device facts, then measurement settings, as a Markdown table or indented lines. */
const changeSection = (title: string, changes: readonly ProbeChange[], format: TextFormat): string[] => {
    if (changes.length === 0) return [];
    if (format === 'md')
        return [
            `## ${title}`,
            '',
            '| Device | Fact | A | B |',
            '|---|---|---|---|',
            ...changes.map(
                (p) =>
                    `| ${escapeMd(p.device)} | ${escapeMd(p.fact)} | ${escapeMd(p.a ?? '—')} | ${escapeMd(p.b ?? '—')} |`,
            ),
            '',
        ];
    return [`${title}:`, ...changes.map((p) => `  ${p.device} ${p.fact}: ${p.a ?? '—'} → ${p.b ?? '—'}`), ''];
};

/**
 * The comparison as text or Markdown: the verdict first, a warning per model whose file changed (its split metrics
 * are marked "different cut"), the settings it was reached with, then the metrics (all
 * with `all`, else every one whose verdict is not 'unchanged'), regressions first; then the device facts and
 * measurement settings that changed, a changed campaign or model file, and the metrics only one run has. Ends with
 * one newline, no blank line.
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
    const otherCuts = c.differentCutRegressions.length;
    const title =
        `compare ${c.a.id} → ${c.b.id}: ${verdict}` +
        (otherCuts > 0 ? ` (and ${otherCuts} split regression(s) at a different cut, not counted)` : '');
    const tested = c.changes.filter((x) => x.test !== 'none').length;
    const withLoad = c.changes.filter((x) => x.loadedA + x.loadedB > 0).length;
    const loadSentence =
        withLoad === 0
            ? 'no repetition was load-flagged'
            : c.includeLoaded
              ? `load-flagged repetitions kept in ${withLoad} metric(s) (--include-loaded)`
              : `load-flagged repetitions left out of ${withLoad} metric(s) (docs/measurement-conditions.md; --include-loaded keeps them)`;
    const counted =
        tested === 0
            ? `${c.changes.length} metrics compared, none tested`
            : `${c.changes.length} metrics compared${tested < c.changes.length ? `, ${tested} tested` : ''}, ${unchanged} unchanged` +
              (unchanged > 0 && opts.all !== true ? ' (hidden; --all prints them)' : '');
    const settings =
        `Welch t-test on log per-repetition values (≥ ${c.minReps} repetitions per side), two-sided, alpha ${c.alpha}` +
        `${c.correction === 'holm' ? (tested === 0 ? ' family-wise (Holm; no metric was tested)' : ` family-wise (Holm over ${tested} tested metrics: p is a metric's own, p_adj the corrected one that decides)`) : ' per metric (no correction)'}; ` +
        `a regression also needs > ${c.thresholdPct} % and > ${c.floorMs} ms slower; ${loadSentence}; ${counted}` +
        (notSignificant > 0
            ? `; ${notSignificant} moved past the threshold without significance ("not significant": the data cannot tell them from noise, neither a regression nor unchanged)`
            : '');
    const changed = [...c.probeChanges, ...c.settingsChanges];
    const out: string[] = [];
    // A regression hides a 'loaded' run verdict; say that some metrics could not be tested either.
    const alsoLoaded = c.verdict !== 'loaded' && c.loaded.length > 0 ? [`also: ${loadedText}`] : [];
    const li = format === 'md' ? '- ' : '';
    const notes = [
        ...(c.campaignChange !== null ? [`campaign changed: ${c.campaignChange.a} → ${c.campaignChange.b}`] : []),
        ...c.modelChanges.map((m) => `model ${m.model} changed: ${m.aSha256.slice(0, 12)} → ${m.bSha256.slice(0, 12)}`),
        ...(c.onlyInA.length > 0 ? [`${c.onlyInA.length} metric(s) only in ${c.a.id}`] : []),
        ...(c.onlyInB.length > 0 ? [`${c.onlyInB.length} metric(s) only in ${c.b.id}`] : []),
    ].map((n) => `${li}${format === 'md' ? escapeMd(n) : n}`);
    if (format === 'md') {
        out.push(
            `# ${escapeMd(title)}`,
            '',
            ...compareWarnings(c).flatMap((w) => [`**${escapeMd(w)}**`, '']),
            settings,
            '',
            ...alsoLoaded.flatMap((l) => [escapeMd(l), '']),
        );
        if (shown.length > 0) out.push(...mdTable(shown.map((x) => changeCells(x, changed, c.includeLoaded))), '');
    } else {
        out.push(title, ...compareWarnings(c), settings, ...alsoLoaded, '');
        for (const x of shown) {
            const [label, a, b, change, p, pAdj, test, , load, facts] = changeCells(x, changed, c.includeLoaded);
            const cut = x.differentCut === true ? `  [${DIFFERENT_CUT}]` : '';
            // Holm's adjusted p decides; the raw p beside it says how strong the metric's own evidence was.
            const ps = x.test === 'none' ? 'p=–' : c.correction === 'holm' ? `p=${p}, p_adj=${pAdj}` : `p=${p}`;
            out.push(
                `${VERDICT_TEXT[x.verdict].toUpperCase().padEnd(15)} ${label}: ${a} → ${b} ms (${change}, ${ps}, ${test}${load !== '' ? `; ${load}` : ''})${cut}${facts !== '' && facts !== undefined ? `  [${facts}]` : ''}`,
            );
        }
        if (shown.length > 0) out.push('');
    }
    out.push(
        ...changeSection('Device facts that changed', c.probeChanges, format),
        ...changeSection('Measurement settings that changed', c.settingsChanges, format),
        ...notes,
    );
    while (out.at(-1) === '') out.pop();
    return `${out.join('\n')}\n`;
};

/**
 * `compare --format json`: the verdict, the settings, counts, every metric with its repetition counts (used, all,
 * load-flagged per side) and where each side's value comes from (aValueFrom/bValueFrom 'used' or 'loaded'), the
 * device facts and measurement settings that changed, a changed campaign, `warnings` (a changed model file) and
 * `differentCut: true` on split metrics of that model (not counted in `counts.regression`). Infinite changes (from a zero baseline)
 * become null, as JSON has no Infinity; an untested metric (test 'none') has t, df, p and pAdjusted null.
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
        /** Split metrics of a changed model file (differentCut), and of them the regressions not counted. */
        differentCut: c.changes.filter((x) => x.differentCut === true).length,
        differentCutRegression: c.differentCutRegressions.length,
    },
    warnings: compareWarnings(c),
    metrics: [...c.changes]
        .sort((x, y) => ORDER[x.verdict] - ORDER[y.verdict])
        .map((x) => ({
            ...x,
            changePct: Number.isFinite(x.changePct) ? x.changePct : null,
            // an untested metric has no test statistic: a p of 1 would read as "tested, no change"
            ...(x.test === 'none' ? { t: null, df: null, p: null, pAdjusted: null } : {}),
            loadNote: loadNote(x, c.includeLoaded),
        })),
    probeChanges: c.probeChanges,
    settingsChanges: c.settingsChanges,
    campaignChange: c.campaignChange,
    modelChanges: c.modelChanges,
    onlyInA: c.onlyInA,
    onlyInB: c.onlyInB,
});
