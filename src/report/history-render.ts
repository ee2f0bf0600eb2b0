// Text, Markdown and JSON for `splitbench history`: one line per metric over runs, the rule the steps passed, a
// warning when the series span different model files, and the runs they are made of.
import { DEFAULT_FLOOR_MS, DEFAULT_THRESHOLD_PCT } from '../analysis/compare.js';
import { diffFacts, type FactChange, type HistoryPoint, type HistorySeries } from '../analysis/history.js';
import { metricLabel, signed, type TextFormat } from './compare-render.js';
import { CLIPPED_LOW, escapeMd, fmtMs } from './format.js';

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

/** A run of the history: every series' point of it share its id, start, model file and facts. */
interface HistoryRun {
    runId: string;
    startedAt?: string | undefined;
    modelSha256?: string | undefined;
    facts?: Record<string, string> | undefined;
}

/** The runs behind the series, oldest first (by start time, then as first seen). */
const runsOf = (series: readonly HistorySeries[]): HistoryRun[] => {
    const runs = new Map<string, HistoryRun>();
    for (const s of series)
        for (const p of s.summary.points)
            if (!runs.has(p.runId))
                runs.set(p.runId, {
                    runId: p.runId,
                    startedAt: p.startedAt,
                    modelSha256: p.modelSha256,
                    facts: p.facts,
                });
    return [...runs.values()].sort((x, y) => (x.startedAt ?? '').localeCompare(y.startedAt ?? ''));
};

/** Each model file (sha256) the runs measured, with its runs, in order of first use. */
const modelFilesOf = (runs: readonly HistoryRun[]): { sha256: string; runs: string[] }[] => {
    const files = new Map<string, string[]>();
    for (const r of runs) {
        if (r.modelSha256 === undefined) continue;
        files.set(r.modelSha256, [...(files.get(r.modelSha256) ?? []), r.runId]);
    }
    return [...files].map(([sha256, ids]) => ({ sha256, runs: ids }));
};

/**
 * Warnings about the series as a whole: a model id that named different files over the runs (a split is an op
 * index of one file, so a split's series across files compares different cuts). Empty when there is nothing to say.
 */
const historyWarnings = (series: readonly HistorySeries[], runs: readonly HistoryRun[]): string[] => {
    const files = modelFilesOf(runs);
    if (files.length < 2) return [];
    const model = series[0]?.key.model ?? '?';
    const splits = series.some((s) => s.key.splitAfter !== null);
    return [
        `warning: the series span ${files.length} different model files of model ${model}: ` +
            files.map((f) => `${f.sha256.slice(0, 12)} (${f.runs.join(', ')})`).join(', ') +
            (splits
                ? '; split points are op indices of one file, so a split series across them compares different cuts'
                : ''),
    ];
};

/**
 * `history --format json`: the settings, how many step tests Holm counted, warnings (different model files), the
 * model files with their runs, and every series (metric key, summary with its points, every step test with p and
 * pAdjusted, and the steps that count). Times in ms.
 */
export const historyJson = (series: readonly HistorySeries[], s: HistorySettings): Record<string, unknown> => {
    const runs = runsOf(series);
    return {
        settings: {
            thresholdPct: s.thresholdPct ?? DEFAULT_THRESHOLD_PCT,
            floorMs: s.floorMs ?? DEFAULT_FLOOR_MS,
            alpha: s.alpha ?? 0.05,
            correction: s.correction ?? 'holm',
            includeLoaded: s.includeLoaded === true,
        },
        stepTests: series.reduce((n, x) => n + x.summary.stepTests.length, 0),
        warnings: historyWarnings(series, runs),
        modelFiles: modelFilesOf(runs),
        series: series.map((x) => ({ key: x.key, ...x.summary })),
    };
};

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

/** A run's value with its interval: "n=1, no interval" for one repetition, "0 (clipped)" for a bound clipped at 0. */
const pointValue = (p: HistoryPoint): string =>
    p.valuesMs.length === 0
        ? 'every repetition loaded: left out'
        : p.valuesMs.length === 1
          ? `${fmtMs(p.valueMs)} ms (n=1, no interval)`
          : `${fmtMs(p.valueMs)} ms [${p.lowClipped === true ? CLIPPED_LOW : fmtMs(p.lowMs)}–${fmtMs(p.highMs)}]`;

/** "campaign: demo→r2, threads: 1→2" (sep ': ') or "campaign demo→r2, threads 1→2" (sep ' '); '—' for no value. */
const factChangesText = (changes: readonly FactChange[], sep: ': ' | ' '): string =>
    changes.map((f) => `${f.fact}${sep}${f.a ?? '—'}→${f.b ?? '—'}`).join(', ');

/**
 * The runs the series are made of, oldest first: the table above says how a metric moved, this says which runs it
 * moved across. With a single series the run's value is given, with the load-flagged repetitions left out of it;
 * the model file of each run when more than one appears; and what changed since the run before it (model file,
 * campaign, the device's facts and settings), whether or not a step was found there. Markdown: a table.
 */
const historyRuns = (
    series: readonly HistorySeries[],
    runs: readonly HistoryRun[],
    format: TextFormat,
    includeLoaded: boolean,
): string[] => {
    const single = series.length === 1 ? series[0] : undefined;
    const manyFiles = modelFilesOf(runs).length > 1;
    const changed = runs.map((r, i) => (i === 0 ? '' : factChangesText(diffFacts(runs[i - 1]?.facts, r.facts), ' ')));
    const anyChange = changed.some((c) => c !== '');
    const rows = runs.map((r, i) => {
        const n = series.filter((s) => s.summary.points.some((p) => p.runId === r.runId)).length;
        const p = single?.summary.points.find((x) => x.runId === r.runId);
        const loaded = p?.loaded ?? 0;
        return [
            r.runId,
            r.startedAt ?? '',
            p === undefined ? `${n} metric(s)` : pointValue(p),
            loaded === 0
                ? ''
                : `${loaded} of ${p?.repetitions ?? loaded} repetitions ${includeLoaded ? 'loaded, kept' : 'left out: loaded'}`,
            ...(manyFiles ? [`${format === 'md' ? '' : 'model '}${(r.modelSha256 ?? '?').slice(0, 12)}`] : []),
            ...(anyChange ? [changed[i] ?? ''] : []),
        ];
    });
    const title = `Runs (${rows.length}, oldest first):`;
    if (format === 'md') {
        const head = [
            'Run',
            'Started',
            single === undefined ? 'Metrics' : 'Value',
            'Loaded',
            ...(manyFiles ? ['Model file'] : []),
            ...(anyChange ? ['Changed since previous run'] : []),
        ];
        return [
            title,
            '',
            `| ${head.join(' | ')} |`,
            `|${head.map(() => '---').join('|')}|`,
            ...rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`),
        ];
    }
    return [
        title,
        ...rows.map((row, i) => {
            const [id, at, value, note] = row;
            const file = manyFiles ? row[4] : undefined;
            const change = changed[i] ?? '';
            return `${id}  ${at}  ${value}${note !== '' ? `  (${note})` : ''}${file !== undefined ? `  ${file}` : ''}${change !== '' ? `  changed: ${change}` : ''}`.trimEnd();
        }),
    ];
};

const stepCell = (s: HistorySeries['summary']): string =>
    s.steps
        .map(
            (st) =>
                `${st.fromRunId}→${st.toRunId} ${signed(st.changePct)}${st.factChanges.length > 0 ? ` (${factChangesText(st.factChanges, ': ')})` : ''}`,
        )
        .join('; ');

/**
 * One line per metric: its runs' values, their spread and the steps between consecutive runs (with the facts,
 * settings, campaign or model file that changed at each); the "Loaded left out" column counts the load-flagged
 * repetitions the figures and steps do not use (docs/statistics.md, history). Then the rule the steps passed, a
 * warning when the runs measured different model files, and the runs, oldest first, each with what changed since the
 * run before it (significant step or not).
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
        stepCell(s),
        historyLoadCell(s),
    ]);
    const runs = runsOf(series);
    const warnings = historyWarnings(series, runs);
    const runLines = historyRuns(series, runs, format, settings.includeLoaded === true);
    if (format === 'md') {
        out.push(
            `| ${head.join(' | ')} |`,
            `|${head.map(() => '---').join('|')}|`,
            ...rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`),
            '',
            escapeMd(historyStepsNote(series, settings)),
            '',
            ...warnings.flatMap((w) => [`**${escapeMd(w)}**`, '']),
            ...runLines,
        );
    } else {
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
        const line = (r: readonly string[]): string =>
            r
                .map((c, i) => c.padEnd(widths[i] ?? 0))
                .join('  ')
                .trimEnd();
        out.push(line(head), ...rows.map(line), '', historyStepsNote(series, settings), ...warnings, '', ...runLines);
    }
    return `${out.join('\n')}\n`;
};
