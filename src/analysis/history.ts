// One metric over many runs: the run values, their spread, and the steps between consecutive runs (Welch's test on
// log repetition values with the compare threshold and floor, docs/statistics.md), with the device facts that changed.
// Like compare, it leaves load-flagged repetitions out by default (docs/measurement-conditions.md).
import {
    DEFAULT_FLOOR_MS,
    DEFAULT_THRESHOLD_PCT,
    extractMetrics,
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
    /** Device facts of that run, to show what changed at a step. */
    facts?: Record<string, string> | undefined;
}

export interface HistoryStep {
    fromRunId: string;
    toRunId: string;
    changePct: number;
    p: number;
    /** Device facts that changed between the two runs. */
    factChanges: { fact: string; a: string | null; b: string | null }[];
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
    /** Coefficient of variation of the run values (%): a high value marks an unstable benchmark. */
    cvPct: number | null;
    /** Consecutive runs that differ beyond the threshold and the floor with Welch p < alpha (no correction). */
    steps: HistoryStep[];
}

/**
 * Summary of one metric over runs (points in run order, oldest first). Points with no repetition to use (every one
 * load-flagged) are kept in `points` and named in `allLoadedRuns`, but left out of the figures and the steps: a step
 * then spans the runs on either side of them.
 */
export const history = (allPoints: readonly HistoryPoint[], opts: CompareOptions = {}): HistorySummary => {
    const thresholdPct = opts.thresholdPct ?? DEFAULT_THRESHOLD_PCT;
    const floorMs = opts.floorMs ?? DEFAULT_FLOOR_MS;
    const alpha = opts.alpha ?? 0.05;
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
            steps: [],
        };
    const latest = meds[n - 1] as number;
    const prev = n > 1 ? (meds[n - 2] as number) : null;
    const earlier = sortedCopy(meds.slice(0, -1));
    const earlierMed = earlier.length > 0 ? quantileSorted(earlier, 0.5) : null;
    const mean = meds.reduce((s, v) => s + v, 0) / n;
    const sd = n > 1 ? Math.sqrt(meds.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
    const steps: HistoryStep[] = [];
    for (let i = 1; i < n; i++) {
        const x = points[i - 1] as HistoryPoint;
        const y = points[i] as HistoryPoint;
        const changePct = (100 * (y.valueMs - x.valueMs)) / x.valueMs;
        if (Math.abs(changePct) <= thresholdPct || Math.abs(y.valueMs - x.valueMs) <= floorMs) continue;
        const t = welchTTest(...testValues(x.valuesMs, y.valuesMs, onLogScale(x.valuesMs, y.valuesMs)));
        if (t.method === 'degenerate' && t.p === 1) continue;
        if (t.p >= alpha) continue;
        const fa = x.facts ?? {};
        const fb = y.facts ?? {};
        const factChanges = [...new Set([...Object.keys(fa), ...Object.keys(fb)])]
            .filter((f) => fa[f] !== fb[f])
            .map((f) => ({ fact: f, a: fa[f] ?? null, b: fb[f] ?? null }));
        steps.push({ fromRunId: x.runId, toRunId: y.runId, changePct, p: t.p, factChanges });
    }
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
        cvPct: mean > 0 ? (100 * sd) / mean : null,
        steps,
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

/** Series for every metric of runs (oldest first) matching the selector. */
export const historyFromRuns = (
    runs: readonly RunData[],
    sel: HistorySelector,
    opts: CompareOptions = {},
): HistorySeries[] => {
    const byKey = new Map<string, { key: MetricKey; points: HistoryPoint[] }>();
    for (const run of runs) {
        const metrics = extractMetrics(run.analyses.filter((a) => a.model.name === sel.model));
        for (const m of metrics) {
            if (!metricDevices(m).includes(sel.device)) continue;
            if (sel.metric !== undefined && m.metric !== sel.metric) continue;
            if (sel.mode !== undefined && m.mode !== sel.mode) continue;
            if (sel.splitAfter === 'full' && m.splitAfter !== null) continue;
            if (typeof sel.splitAfter === 'number' && m.splitAfter !== sel.splitAfter) continue;
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
                valuesMs: used.values,
                repetitions: m.repValuesMs.length,
                loaded: used.loaded,
                facts: probeFacts(run.devices.find((d) => d.name === sel.device)?.probe),
            });
        }
    }
    return [...byKey.values()].map((e) => ({ key: e.key, summary: history(e.points, opts) }));
};
