// Night-over-night comparison: every metric of run A against run B with a Mann-Whitney U test on the raw samples
// (repetition values when samples are missing on either side), a change threshold, and the device facts that changed.
import { mannWhitneyU } from './mann-whitney.js';
import { quantileSorted, sortedCopy } from './stats.js';
import type { MetricStat, ProbeInfo, SplitAnalysis } from './types.js';

/** The parts of a run the comparison needs (ReportInput satisfies it). */
export interface RunData {
    run: { id: string; startedAt?: string | undefined };
    analyses: readonly SplitAnalysis[];
    devices: readonly { name: string; probe?: ProbeInfo | null | undefined }[];
}

export type MetricName = 'ueMs' | 'serverMs' | 'totalMs' | 'fullUeMs' | 'fullServerMs';
export type MetricMode = 'estimated' | 'measured';

export interface MetricKey {
    model: string;
    ueDevice: string;
    serverDevice: string;
    mode: MetricMode;
    /** Null for full-model metrics. */
    splitAfter: number | null;
    metric: MetricName;
}

export interface MetricValues extends MetricKey {
    medianMs: number;
    lowMs: number;
    highMs: number;
    /** Raw samples (ms) when the runtime reported them. */
    samplesMs: number[] | null;
    /** One value per repetition (ms). */
    repValuesMs: number[];
}

export const metricKeyString = (k: MetricKey): string =>
    `${k.model}|${k.ueDevice}|${k.serverDevice}|${k.mode}|${k.splitAfter ?? 'full'}|${k.metric}`;

/** Device a metric was measured on (both for totals). */
export const metricDevices = (k: MetricKey): string[] =>
    k.metric === 'ueMs' || k.metric === 'fullUeMs'
        ? [k.ueDevice]
        : k.metric === 'serverMs' || k.metric === 'fullServerMs'
          ? [k.serverDevice]
          : [k.ueDevice, k.serverDevice];

const fromStat = (key: MetricKey, s: MetricStat): MetricValues => ({
    ...key,
    medianMs: s.medianMs,
    lowMs: s.lowMs,
    highMs: s.highMs,
    samplesMs: s.samplesMs ?? null,
    repValuesMs: s.repValuesMs,
});

/** Every comparable metric of a set of analyses. Totals pair UE and server repetitions by index. */
export const extractMetrics = (analyses: readonly SplitAnalysis[]): MetricValues[] => {
    const out: MetricValues[] = [];
    for (const a of analyses) {
        const base = { model: a.model.name, ueDevice: a.ueDevice, serverDevice: a.serverDevice };
        if (a.fullUe !== null)
            out.push(fromStat({ ...base, mode: a.fullUe.source, splitAfter: null, metric: 'fullUeMs' }, a.fullUe));
        if (a.fullServer !== null)
            out.push(
                fromStat(
                    { ...base, mode: a.fullServer.source, splitAfter: null, metric: 'fullServerMs' },
                    a.fullServer,
                ),
            );
        for (const r of a.rows) {
            for (const mode of ['estimated', 'measured'] as const) {
                const t = r[mode];
                if (t === null) continue;
                const k = { ...base, mode, splitAfter: r.splitAfter };
                out.push(fromStat({ ...k, metric: 'ueMs' }, t.ue));
                out.push(fromStat({ ...k, metric: 'serverMs' }, t.server));
                const n = Math.min(t.ue.repValuesMs.length, t.server.repValuesMs.length);
                const totals = Array.from(
                    { length: n },
                    (_, i) => (t.ue.repValuesMs[i] as number) + (t.server.repValuesMs[i] as number),
                );
                const s = sortedCopy(totals);
                out.push({
                    ...k,
                    metric: 'totalMs',
                    medianMs: t.totalMs,
                    lowMs: n > 1 ? quantileSorted(s, 0.25) : t.totalMs,
                    highMs: n > 1 ? quantileSorted(s, 0.75) : t.totalMs,
                    samplesMs: null,
                    repValuesMs: totals,
                });
            }
        }
    }
    return out;
};

export type Verdict = 'regression' | 'improvement' | 'changed' | 'unchanged';

export interface MetricChange extends MetricKey {
    aMedianMs: number;
    bMedianMs: number;
    /** 100·(B − A)/A: positive = slower in B. */
    changePct: number;
    u: number;
    p: number;
    /** p after the multiple-comparison correction (equals p with correction 'none'). */
    pAdjusted: number;
    test: 'exact' | 'normal' | 'degenerate';
    /** What the test ran on. */
    on: 'samples' | 'repetitions';
    nA: number;
    nB: number;
    verdict: Verdict;
}

export interface ProbeChange {
    device: string;
    fact: string;
    a: string | null;
    b: string | null;
}

/** Repetitions per side from which the comparison tests repetition values rather than pooled samples. */
export const MIN_REPS_FOR_REP_TEST = 4;

export interface CompareOptions {
    /** Minimum slowdown (%) that counts as a regression. Default 5. */
    thresholdPct?: number | undefined;
    /** Significance level. Default 0.05. */
    alpha?: number | undefined;
    /** Multiple-comparison correction over all metrics. Default 'none'. */
    correction?: 'none' | 'holm' | undefined;
}

export interface Comparison {
    a: { id: string; startedAt?: string | undefined };
    b: { id: string; startedAt?: string | undefined };
    thresholdPct: number;
    alpha: number;
    correction: 'none' | 'holm';
    changes: MetricChange[];
    regressions: MetricChange[];
    improvements: MetricChange[];
    onlyInA: MetricKey[];
    onlyInB: MetricKey[];
    probeChanges: ProbeChange[];
    modelChanges: { model: string; aSha256: string; bSha256: string }[];
    hasRegression: boolean;
}

/** Facts that explain a change in timings; compared as strings. */
export const probeFacts = (p: ProbeInfo | null | undefined): Record<string, string> => {
    if (p === null || p === undefined) return {};
    const f: Record<string, string> = {};
    const set = (k: string, v: string | number | undefined): void => {
        if (v !== undefined && v !== '') f[k] = String(v);
    };
    set('os', [p.os, p.osRelease].filter((x) => x !== undefined).join(' '));
    set('kernel', p.kernel);
    set('cpu', p.cpuModel);
    set('cores', p.cores);
    set('big core mask', p.bigCoreMask);
    set('governor', [...new Set(p.governors ?? [])].join(','));
    const temps = Object.values(p.thermalC ?? {});
    if (temps.length > 0) set('max temperature °C', Math.max(...temps).toFixed(1));
    if (p.android !== undefined) {
        set('android build', p.android.build);
        if (p.android.release !== undefined)
            set('android release', `${p.android.release} (SDK ${p.android.sdk ?? '?'})`);
        set('battery temperature °C', p.android.batteryTempC);
        if (p.android.rooted !== undefined) set('rooted', String(p.android.rooted));
    }
    return f;
};

const diffProbes = (a: RunData, b: RunData): ProbeChange[] => {
    const out: ProbeChange[] = [];
    const names = new Set([...a.devices.map((d) => d.name), ...b.devices.map((d) => d.name)]);
    for (const name of names) {
        const fa = probeFacts(a.devices.find((d) => d.name === name)?.probe);
        const fb = probeFacts(b.devices.find((d) => d.name === name)?.probe);
        for (const fact of new Set([...Object.keys(fa), ...Object.keys(fb)])) {
            const va = fa[fact] ?? null;
            const vb = fb[fact] ?? null;
            if (va !== vb) out.push({ device: name, fact, a: va, b: vb });
        }
    }
    return out;
};

const holm = (ps: readonly number[]): number[] => {
    const m = ps.length;
    const order = ps.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
    const adj = new Array<number>(m).fill(1);
    let running = 0;
    for (const [rank, { p, i }] of order.entries()) {
        running = Math.max(running, Math.min(1, (m - rank) * p));
        adj[i] = running;
    }
    return adj;
};

export const compareRuns = (a: RunData, b: RunData, opts: CompareOptions = {}): Comparison => {
    const thresholdPct = opts.thresholdPct ?? 5;
    const alpha = opts.alpha ?? 0.05;
    const correction = opts.correction ?? 'none';
    const ma = new Map(extractMetrics(a.analyses).map((m) => [metricKeyString(m), m]));
    const mb = new Map(extractMetrics(b.analyses).map((m) => [metricKeyString(m), m]));
    const raw: Omit<MetricChange, 'pAdjusted' | 'verdict'>[] = [];
    const onlyInA: MetricKey[] = [];
    for (const [key, x] of ma) {
        const y = mb.get(key);
        if (y === undefined) {
            onlyInA.push(keyOf(x));
            continue;
        }
        // Samples of one run share that run's conditions (load, temperature), so pooling them overstates
        // the evidence; with enough repetitions on both sides the test runs on per-repetition values instead.
        // (Mann-Whitney on 4 against 4 values can reach p < 0.05; on fewer it cannot.)
        const enoughReps =
            x.repValuesMs.length >= MIN_REPS_FOR_REP_TEST && y.repValuesMs.length >= MIN_REPS_FOR_REP_TEST;
        const useSamples = !enoughReps && x.samplesMs !== null && y.samplesMs !== null;
        const va = useSamples ? (x.samplesMs as number[]) : x.repValuesMs;
        const vb = useSamples ? (y.samplesMs as number[]) : y.repValuesMs;
        const t = mannWhitneyU(va, vb);
        raw.push({
            ...keyOf(x),
            aMedianMs: x.medianMs,
            bMedianMs: y.medianMs,
            changePct:
                x.medianMs === 0
                    ? y.medianMs === 0
                        ? 0
                        : Number.POSITIVE_INFINITY
                    : (100 * (y.medianMs - x.medianMs)) / x.medianMs,
            u: t.u,
            p: t.p,
            test: t.method,
            on: useSamples ? 'samples' : 'repetitions',
            nA: va.length,
            nB: vb.length,
        });
    }
    const onlyInB = [...mb.entries()].filter(([k]) => !ma.has(k)).map(([, v]) => keyOf(v));
    const adjusted = correction === 'holm' ? holm(raw.map((r) => r.p)) : raw.map((r) => r.p);
    const changes: MetricChange[] = raw.map((r, i) => {
        const pAdjusted = adjusted[i] as number;
        const significant = pAdjusted < alpha;
        const verdict: Verdict = !significant
            ? 'unchanged'
            : r.changePct > thresholdPct
              ? 'regression'
              : r.changePct < -thresholdPct
                ? 'improvement'
                : 'changed';
        return { ...r, pAdjusted, verdict };
    });
    const modelChanges: Comparison['modelChanges'] = [];
    for (const x of a.analyses) {
        const y = b.analyses.find((z) => z.model.name === x.model.name);
        if (y !== undefined && y.model.sha256 !== x.model.sha256 && !modelChanges.some((c) => c.model === x.model.name))
            modelChanges.push({ model: x.model.name, aSha256: x.model.sha256, bSha256: y.model.sha256 });
    }
    const regressions = changes.filter((c) => c.verdict === 'regression');
    return {
        a: a.run,
        b: b.run,
        thresholdPct,
        alpha,
        correction,
        changes,
        regressions,
        improvements: changes.filter((c) => c.verdict === 'improvement'),
        onlyInA,
        onlyInB,
        probeChanges: diffProbes(a, b),
        modelChanges,
        hasRegression: regressions.length > 0,
    };
};

const keyOf = (m: MetricKey): MetricKey => ({
    model: m.model,
    ueDevice: m.ueDevice,
    serverDevice: m.serverDevice,
    mode: m.mode,
    splitAfter: m.splitAfter,
    metric: m.metric,
});

// ---------------------------------------------------------------------------------------------------------------
// History

export interface HistoryPoint {
    runId: string;
    startedAt?: string | undefined;
    medianMs: number;
    lowMs: number;
    highMs: number;
    /** Values the step test runs on (samples, or repetition values). */
    valuesMs: number[];
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
    n: number;
    points: HistoryPoint[];
    firstMs: number | null;
    latestMs: number | null;
    minMs: number | null;
    maxMs: number | null;
    medianOfMediansMs: number | null;
    /** 100·(latest − previous)/previous. */
    latestVsPreviousPct: number | null;
    /** 100·(latest − median of earlier runs)/median of earlier runs. */
    latestVsMedianPct: number | null;
    /** Coefficient of variation of the run medians (%): a high value marks an unstable benchmark. */
    cvPct: number | null;
    /** Consecutive runs that differ beyond the threshold with p < alpha. */
    steps: HistoryStep[];
}

/** Summary of one metric over runs (points in run order, oldest first). */
export const history = (points: readonly HistoryPoint[], opts: CompareOptions = {}): HistorySummary => {
    const thresholdPct = opts.thresholdPct ?? 5;
    const alpha = opts.alpha ?? 0.05;
    const meds = points.map((p) => p.medianMs);
    const n = points.length;
    if (n === 0)
        return {
            n,
            points: [],
            firstMs: null,
            latestMs: null,
            minMs: null,
            maxMs: null,
            medianOfMediansMs: null,
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
        const changePct = (100 * (y.medianMs - x.medianMs)) / x.medianMs;
        if (Math.abs(changePct) <= thresholdPct) continue;
        const t = mannWhitneyU(x.valuesMs, y.valuesMs);
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
        points: [...points],
        firstMs: meds[0] as number,
        latestMs: latest,
        minMs: Math.min(...meds),
        maxMs: Math.max(...meds),
        medianOfMediansMs: quantileSorted(sortedCopy(meds), 0.5),
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
            e.points.push({
                runId: run.run.id,
                startedAt: run.run.startedAt,
                medianMs: m.medianMs,
                lowMs: m.lowMs,
                highMs: m.highMs,
                valuesMs: m.samplesMs ?? m.repValuesMs,
                facts: probeFacts(run.devices.find((d) => d.name === sel.device)?.probe),
            });
        }
    }
    return [...byKey.values()].map((e) => ({ key: e.key, summary: history(e.points, opts) }));
};
