// Metrics over many runs: per metric, the run values, their spread, and the steps between consecutive runs (Welch's test on
// log repetition values, Holm-corrected over every step tested, with the compare threshold and floor,
// docs/statistics.md), with the device facts that changed.
// Like compare, it leaves load-flagged repetitions out by default (docs/measurement-conditions.md).
import {
    DEFAULT_FLOOR_MS,
    DEFAULT_THRESHOLD_PCT,
    extractMetrics,
    holm,
    keyOf,
    metricDevices,
    metricKeyString,
    onLogScale,
    testValues,
    usedValues,
    type CompareOptions,
    type MetricKey,
    type MetricMode,
    type MetricName,
    type RunData,
} from './compare.js';
import { probeFacts } from './probe-facts.js';
import { quantileSorted, sortedCopy, statFromValues } from './stats.js';
import { welchTTest } from './student-t.js';

export interface HistoryPoint {
    runId: string;
    startedAt?: string | undefined;
    /** The run's point value: mean of the repetition values the steps use (see valuesMs). */
    valueMs: number;
    /** 95 % Student-t interval of valueMs, over the same repetitions. */
    lowMs: number;
    highMs: number;
    /**
     * Repetition values the step test runs on: those not load-flagged (all with includeLoaded). Empty when every
     * repetition was loaded: the run is listed, but takes no part in the summary or the steps.
     */
    valuesMs: number[];
    /** All repetitions of the run, and how many of them were load-flagged (left out unless includeLoaded). */
    repetitions?: number | undefined;
    loaded?: number | undefined;
    /** Set when lowMs is a lower bound clipped at 0 (the interval reached below 0 ms). */
    lowClipped?: true | undefined;
    /** sha256 of the model file the run measured (a model id may name different files over time). */
    modelSha256?: string | undefined;
    /**
     * Facts of that run, to show what changed at a step: the device's probe facts, its measurement settings, the
     * campaign, and the model file ('model sha256', 12 hex digits).
     */
    facts?: Record<string, string> | undefined;
}

export interface HistoryStep {
    fromRunId: string;
    toRunId: string;
    changePct: number;
    /** B − A of the run values (ms). */
    changeMs: number;
    /** Welch's p of this step on its own. */
    p: number;
    /** p after Holm over every step tested in the family (the series, or all series of one history call). */
    pAdjusted: number;
    /** Facts that changed between the two runs (device, settings, campaign, model file; see HistoryPoint.facts). */
    factChanges: FactChange[];
}

export interface HistorySummary {
    /** Runs in the summary (those with at least one repetition used). */
    n: number;
    points: HistoryPoint[];
    /** Load-flagged repetitions left out over all points (0 with includeLoaded), of `repetitions` in all. */
    leftOut: number;
    repetitions: number;
    /** Runs whose every repetition was load-flagged: listed, not summarised, not in any step. */
    allLoadedRuns: string[];
    firstMs: number | null;
    latestMs: number | null;
    minMs: number | null;
    maxMs: number | null;
    medianOfRunsMs: number | null;
    /** 100·(latest − previous)/previous. */
    latestVsPreviousPct: number | null;
    /** 100·(latest − median of earlier runs)/median of earlier runs. */
    latestVsMedianPct: number | null;
    /** Coefficient of variation of the run values (%): a high value marks an unstable benchmark; null under 2 runs. */
    cvPct: number | null;
    /**
     * Every pair of consecutive runs that could be tested (two or more repetition values each side), whatever its
     * size: the family Holm's correction counts.
     */
    stepTests: HistoryStep[];
    /** Of stepTests, those beyond the threshold and the floor with Holm-adjusted p < alpha. */
    steps: HistoryStep[];
}

/** A fact that differs between two runs: its name and each run's value (null: the run did not record it). */
export interface FactChange {
    fact: string;
    a: string | null;
    b: string | null;
}

/** Every fact (HistoryPoint.facts) whose value differs between two runs, in the order the facts were recorded. */
export const diffFacts = (
    a: Readonly<Record<string, string>> | undefined,
    b: Readonly<Record<string, string>> | undefined,
): FactChange[] => {
    const fa = a ?? {};
    const fb = b ?? {};
    return [...new Set([...Object.keys(fa), ...Object.keys(fb)])]
        .filter((f) => fa[f] !== fb[f])
        .map((f) => ({ fact: f, a: fa[f] ?? null, b: fb[f] ?? null }));
};

/** Options of history: compare's, where `correction` defaults to Holm over all step tests. */
export type HistoryOptions = CompareOptions;

/** The steps that count: past the threshold and the floor, adjusted p < alpha. */
const countingSteps = (tests: readonly HistoryStep[], opts: HistoryOptions): HistoryStep[] => {
    const thresholdPct = opts.thresholdPct ?? DEFAULT_THRESHOLD_PCT;
    const floorMs = opts.floorMs ?? DEFAULT_FLOOR_MS;
    const alpha = opts.alpha ?? 0.05;
    return tests.filter(
        (t) => Math.abs(t.changePct) > thresholdPct && Math.abs(t.changeMs) > floorMs && t.pAdjusted < alpha,
    );
};

/** Sets pAdjusted of every test (Holm over all of them, or p with correction 'none'), in place. */
const adjustSteps = (tests: readonly HistoryStep[], opts: HistoryOptions): void => {
    const adj = opts.correction === 'none' ? tests.map((t) => t.p) : holm(tests.map((t) => t.p));
    tests.forEach((t, i) => {
        t.pAdjusted = adj[i] as number;
    });
};

/**
 * Summary of one metric over runs (points in run order, oldest first). Points with no repetition to use (every one
 * load-flagged) are kept in `points` and named in `allLoadedRuns`, but left out of the figures and the steps: a step
 * then spans the runs on either side of them. Steps are Holm-corrected over this series' step tests; see
 * historyFromRuns for a family over many series.
 */
export const history = (allPoints: readonly HistoryPoint[], opts: HistoryOptions = {}): HistorySummary => {
    const points = allPoints.filter((p) => p.valuesMs.length > 0);
    const loadFacts = {
        leftOut: opts.includeLoaded === true ? 0 : allPoints.reduce((s, p) => s + (p.loaded ?? 0), 0),
        repetitions: allPoints.reduce((s, p) => s + (p.repetitions ?? p.valuesMs.length), 0),
        allLoadedRuns: allPoints.filter((p) => p.valuesMs.length === 0).map((p) => p.runId),
    };
    const meds = points.map((p) => p.valueMs);
    const n = points.length;
    if (n === 0)
        return {
            n,
            points: [...allPoints],
            ...loadFacts,
            firstMs: null,
            latestMs: null,
            minMs: null,
            maxMs: null,
            medianOfRunsMs: null,
            latestVsPreviousPct: null,
            latestVsMedianPct: null,
            cvPct: null,
            stepTests: [],
            steps: [],
        };
    const latest = meds[n - 1] as number;
    const prev = n > 1 ? (meds[n - 2] as number) : null;
    const earlier = sortedCopy(meds.slice(0, -1));
    const earlierMed = earlier.length > 0 ? quantileSorted(earlier, 0.5) : null;
    const mean = meds.reduce((s, v) => s + v, 0) / n;
    const sd = n > 1 ? Math.sqrt(meds.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
    const stepTests: HistoryStep[] = [];
    for (let i = 1; i < n; i++) {
        const x = points[i - 1] as HistoryPoint;
        const y = points[i] as HistoryPoint;
        if (x.valuesMs.length < 2 || y.valuesMs.length < 2) continue;
        const t = welchTTest(...testValues(x.valuesMs, y.valuesMs, onLogScale(x.valuesMs, y.valuesMs)));
        const factChanges = diffFacts(x.facts, y.facts);
        stepTests.push({
            fromRunId: x.runId,
            toRunId: y.runId,
            changePct: (100 * (y.valueMs - x.valueMs)) / x.valueMs,
            changeMs: y.valueMs - x.valueMs,
            p: t.p,
            pAdjusted: t.p,
            factChanges,
        });
    }
    adjustSteps(stepTests, opts);
    return {
        n,
        points: [...allPoints],
        ...loadFacts,
        firstMs: meds[0] as number,
        latestMs: latest,
        minMs: Math.min(...meds),
        maxMs: Math.max(...meds),
        medianOfRunsMs: quantileSorted(sortedCopy(meds), 0.5),
        latestVsPreviousPct: prev === null ? null : (100 * (latest - prev)) / prev,
        latestVsMedianPct: earlierMed === null ? null : (100 * (latest - earlierMed)) / earlierMed,
        cvPct: n > 1 && mean > 0 ? (100 * sd) / mean : null,
        stepTests,
        steps: countingSteps(stepTests, opts),
    };
};

export interface HistorySelector {
    model: string;
    /** Matches the UE or the server device of an analysis. */
    device: string;
    metric?: MetricName | undefined;
    mode?: MetricMode | undefined;
    /** A split point, or 'full' for full-model metrics only. */
    splitAfter?: number | 'full' | undefined;
}

export interface HistorySeries {
    key: MetricKey;
    summary: HistorySummary;
}

/**
 * Series for every metric of runs (oldest first) matching the selector. Holm's correction (unless correction
 * 'none') runs over every step test of every series returned, so a steps column is read family-wise.
 */
export const historyFromRuns = (
    runs: readonly RunData[],
    sel: HistorySelector,
    opts: HistoryOptions = {},
): HistorySeries[] => {
    const byKey = new Map<string, { key: MetricKey; points: HistoryPoint[] }>();
    for (const run of runs) {
        // the model file first (set per analysis below), then what the run was: campaign, device, settings
        const runFacts = {
            ...(run.run.campaign !== undefined ? { campaign: run.run.campaign } : {}),
            ...(run.run.campaignFile !== undefined ? { 'campaign file': run.run.campaignFile } : {}),
            ...probeFacts(run.devices.find((d) => d.name === sel.device)?.probe),
            ...(run.deviceSettings?.[sel.device] ?? {}),
        };
        for (const a of run.analyses.filter((x) => x.model.name === sel.model))
            for (const m of extractMetrics([a])) {
                if (!matches(m, sel)) continue;
                const ks = metricKeyString(m);
                let e = byKey.get(ks);
                if (e === undefined) {
                    e = { key: keyOf(m), points: [] };
                    byKey.set(ks, e);
                }
                const used = usedValues(m, opts.includeLoaded === true);
                // with repetitions left out, the interval is that of the ones used (the report's covers them all)
                const leftOut = used.values.length < m.repValuesMs.length && used.values.length > 0;
                const stat = leftOut ? statFromValues(used.values) : m;
                e.points.push({
                    runId: run.run.id,
                    startedAt: run.run.startedAt,
                    valueMs: used.valueMs,
                    lowMs: stat.lowMs,
                    highMs: stat.highMs,
                    ...(stat.lowClipped === true ? { lowClipped: true as const } : {}),
                    valuesMs: used.values,
                    repetitions: m.repValuesMs.length,
                    loaded: used.loaded,
                    modelSha256: a.model.sha256,
                    facts: { 'model sha256': a.model.sha256.slice(0, 12), ...runFacts },
                });
            }
    }
    const series = [...byKey.values()].map((e) => ({ key: e.key, summary: history(e.points, opts) }));
    // One family over every series shown: a history of 30 metrics × 10 runs makes 270 tests, and at alpha 0.05 each
    // an unchanged campaign would show a dozen "steps".
    const all = series.flatMap((s) => s.summary.stepTests);
    adjustSteps(all, opts);
    for (const s of series) s.summary.steps = countingSteps(s.summary.stepTests, opts);
    return series;
};

const matches = (m: MetricKey, sel: Partial<HistorySelector> & { device: string }): boolean =>
    metricDevices(m).includes(sel.device) &&
    (sel.metric === undefined || m.metric === sel.metric) &&
    (sel.mode === undefined || m.mode === sel.mode) &&
    (sel.splitAfter === undefined ||
        (sel.splitAfter === 'full' ? m.splitAfter === null : m.splitAfter === sel.splitAfter));

/** What the runs measured instead: the devices of the model when some run measured it, else the models, sorted. */
const whatWasMeasured = (runs: readonly RunData[], sel: HistorySelector): string => {
    const all = runs.flatMap((r) => extractMetrics(r.analyses));
    const sorted = (xs: readonly string[]): string => [...new Set(xs)].sort().join(', ');
    const ofModel = all.filter((m) => m.model === sel.model);
    if (ofModel.length > 0) return `model ${sel.model} was measured on ${sorted(ofModel.flatMap(metricDevices))}`;
    if (all.length === 0) return `the ${runs.length} run(s) selected measured no model`;
    return `the ${runs.length} run(s) selected measured model(s) ${sorted(all.map((m) => m.model))}`;
};

/**
 * Why a selection matched no metric, in one line: the model measured on the device by no run (with the devices
 * the model was measured on, or the models the runs measured), or (when it was) the
 * filter (--split, --metric, --mode) that matched nothing, or that they match nothing together, and what exists for
 * that model and device (splits, metrics, modes). For the CLI's NOT_FOUND message.
 */
export const noMatchMessage = (runs: readonly RunData[], sel: HistorySelector): string => {
    const base = { device: sel.device };
    const there = runs.flatMap((r) =>
        extractMetrics(r.analyses.filter((a) => a.model.name === sel.model)).filter((m) => matches(m, base)),
    );
    if (there.length === 0)
        return `no runs measured model ${sel.model} on ${sel.device}; ${whatWasMeasured(runs, sel)}`;
    const given = [
        sel.splitAfter !== undefined ? { flag: `--split ${sel.splitAfter}`, f: { splitAfter: sel.splitAfter } } : null,
        sel.metric !== undefined ? { flag: `--metric ${sel.metric}`, f: { metric: sel.metric } } : null,
        sel.mode !== undefined ? { flag: `--mode ${sel.mode}`, f: { mode: sel.mode } } : null,
    ].filter((x) => x !== null);
    const alone = given.filter((g) => !there.some((m) => matches(m, { ...base, ...g.f })));
    const what =
        alone.length > 0
            ? `${alone.map((g) => g.flag).join(' and ')} matched nothing`
            : `${given.map((g) => g.flag).join(' with ')} match nothing together`;
    const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
    const splits = uniq(there.flatMap((m) => (m.splitAfter === null ? [] : [m.splitAfter]))).sort((x, y) => x - y);
    const hasFull = there.some((m) => m.splitAfter === null);
    return (
        `model ${sel.model} on ${sel.device}: ${what}; there: splits ${[...splits, ...(hasFull ? ['full'] : [])].join(', ')}; ` +
        `metrics ${uniq(there.map((m) => m.metric)).join(', ')}; modes ${uniq(there.map((m) => m.mode)).join(', ')}`
    );
};
