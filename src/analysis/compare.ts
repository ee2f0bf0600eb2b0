// Night-over-night comparison: every metric of run A against run B with Welch's t-test on log per-repetition values,
// Holm's correction, a relative threshold and an absolute floor, and the device facts that changed
// (docs/statistics.md). Repetitions measured under load (docs/measurement-conditions.md) are left out by default.
import { welchTTest } from './student-t.js';
import { diffProbes, type ProbeChange } from './probe-facts.js';
import { diffSettings, type DeviceSettings } from './settings-facts.js';
import type { MetricStat, ProbeInfo, SplitAnalysis } from './types.js';

/** The parts of a run the comparison needs (ReportInput satisfies it). */
export interface RunData {
    run: {
        id: string;
        startedAt?: string | undefined;
        campaign?: string | undefined;
        /** Path and sha256 prefix of the campaign file (ReportRun.campaignFile). */
        campaignFile?: string | undefined;
    };
    analyses: readonly SplitAnalysis[];
    devices: readonly { name: string; probe?: ProbeInfo | null | undefined }[];
    /** Measurement settings per device name (src/analysis/settings-facts.ts); absent: not known, nothing compared. */
    deviceSettings?: DeviceSettings | undefined;
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
    /** Mean of the repetition values (the report's point value). */
    valueMs: number;
    lowMs: number;
    highMs: number;
    /** Set when lowMs is a lower bound clipped at 0 (MetricStat.lowClipped). */
    lowClipped?: true | undefined;
    /** One value per repetition (ms): what the test runs on. */
    repValuesMs: number[];
    /** Beside repValuesMs: true for a repetition whose result was load-flagged. Absent when none was. */
    loadedReps?: boolean[] | undefined;
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
    valueMs: s.valueMs,
    lowMs: s.lowMs,
    highMs: s.highMs,
    ...(s.lowClipped === true ? { lowClipped: true as const } : {}),
    repValuesMs: s.repValuesMs,
    ...(s.loadedReps !== undefined ? { loadedReps: s.loadedReps } : {}),
});

/**
 * Every comparable metric of a set of analyses. A total's repetition values pair UE and server repetitions by index
 * (both halves of one repetition of the campaign).
 */
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
                out.push(fromStat({ ...k, metric: 'totalMs' }, t.total));
            }
        }
    }
    return out;
};

/**
 * 'insufficient' = fewer repetitions than the minimum on a side: the test cannot speak, which is never an all-clear.
 * 'loaded' = enough repetitions, but fewer than the minimum measured without load on a side (the rest are
 * load-flagged and left out): not tested either, and not an all-clear.
 * 'changed' = significant but inside the relative threshold or the absolute floor.
 * 'not significant' = past the threshold and the floor, but the test cannot tell it from noise (adjusted p ≥ alpha):
 * not a regression, and not "unchanged" either — shown by default, so a large unconfirmed move is seen.
 * 'unchanged' = neither significant nor past the threshold and the floor.
 */
export type Verdict =
    'regression' | 'improvement' | 'changed' | 'not significant' | 'unchanged' | 'insufficient' | 'loaded';

export interface MetricChange extends MetricKey {
    /**
     * Mean of the repetition values the test used (loaded ones left out unless includeLoaded); of the load-flagged
     * ones when a side has no clean repetition (aValueFrom / bValueFrom 'loaded').
     */
    aValueMs: number;
    bValueMs: number;
    /** Where each side's value comes from: 'used' = the repetitions counted in nA/nB; 'loaded' = the left-out ones. */
    aValueFrom: ValueFrom;
    bValueFrom: ValueFrom;
    /** B − A (ms): positive = slower in B. */
    changeMs: number;
    /** 100·(B − A)/A: positive = slower in B. */
    changePct: number;
    /** Welch's t of (B − A); t, df, p and pAdjusted are 0, 0, 1, 1 for an untested metric (test 'none'). */
    t: number;
    df: number;
    p: number;
    /** p after the multiple-comparison correction (equals p with correction 'none'). */
    pAdjusted: number;
    test: 'welch' | 'degenerate' | 'none';
    /** Values the test ran on: logarithms of the repetition values, or the values (when one is <= 0). */
    scale: 'log' | 'linear';
    /** Repetitions the test used on each side (clean ones, or all with includeLoaded). */
    nA: number;
    nB: number;
    /** All repetitions on each side. */
    repsA: number;
    repsB: number;
    /** Load-flagged repetitions on each side: left out of nA/nB unless includeLoaded. */
    loadedA: number;
    loadedB: number;
    verdict: Verdict;
    /**
     * Set on a split metric of a model whose file changed between the runs: split points are op indices of one file,
     * so A and B measured different cuts. Tested and shown, but left out of the run's verdict (docs/statistics.md).
     */
    differentCut?: true | undefined;
}

/** Default minimum repetitions per side (docs/statistics.md: why 3). */
export const DEFAULT_MIN_REPS = 3;
/** Default relative threshold (%) a slowdown must pass to be a regression. */
export const DEFAULT_THRESHOLD_PCT = 10;
/** Default absolute floor (ms) a slowdown must pass to be a regression: timer and scheduling noise. */
export const DEFAULT_FLOOR_MS = 0.1;

export interface CompareOptions {
    /** Minimum relative slowdown (%) that counts as a regression. Default {@link DEFAULT_THRESHOLD_PCT}. */
    thresholdPct?: number | undefined;
    /** Minimum absolute slowdown (ms) that counts as a regression. Default {@link DEFAULT_FLOOR_MS}. */
    floorMs?: number | undefined;
    /** Significance level (family-wise with Holm). Default 0.05. */
    alpha?: number | undefined;
    /** Multiple-comparison correction over all compared metrics. Default 'holm'. */
    correction?: 'none' | 'holm' | undefined;
    /** Repetitions needed on each side for a test. Default {@link DEFAULT_MIN_REPS}; at least 2. */
    minReps?: number | undefined;
    /**
     * Test load-flagged repetitions too (docs/measurement-conditions.md). Default false: they are left out, and a
     * metric with fewer than minReps clean repetitions on a side gets the verdict 'loaded'.
     */
    includeLoaded?: boolean | undefined;
}

export interface Comparison {
    a: { id: string; startedAt?: string | undefined };
    b: { id: string; startedAt?: string | undefined };
    thresholdPct: number;
    floorMs: number;
    alpha: number;
    correction: 'none' | 'holm';
    minReps: number;
    includeLoaded: boolean;
    changes: MetricChange[];
    regressions: MetricChange[];
    improvements: MetricChange[];
    /** Metrics with too few repetitions on a side to be tested (split metrics of a changed model file not counted). */
    insufficient: MetricChange[];
    /** Metrics with enough repetitions but too few clean (not load-flagged) ones on a side to be tested. */
    loaded: MetricChange[];
    onlyInA: MetricKey[];
    onlyInB: MetricKey[];
    probeChanges: ProbeChange[];
    /** Measurement settings that differ per device (threads, runs, repetitions…), as probe facts are given. */
    settingsChanges: ProbeChange[];
    /**
     * The two runs' campaigns when their names or campaign files differ, each as "name (path (sha256 …))" when the
     * file is known (null when equal or not known): an edited campaign file can change what "the same metric" is.
     */
    campaignChange: { a: string; b: string } | null;
    modelChanges: { model: string; aSha256: string; bSha256: string }[];
    /** Split metrics of a changed model file that regressed: shown, not counted in `regressions` or the verdict. */
    differentCutRegressions: MetricChange[];
    hasRegression: boolean;
    /**
     * The overall verdict: 'regression' when any metric regressed; else 'insufficient repetitions' when any metric
     * had too few repetitions; else 'loaded' when any had too few clean ones; else 'no regression'.
     */
    verdict: 'regression' | 'insufficient repetitions' | 'loaded' | 'no regression';
}

/**
 * Holm's step-down adjusted p-values (Holm 1979, "A simple sequentially rejective multiple test procedure"), in the
 * order given: the i-th smallest p times (m − i + 1), made monotone, capped at 1. Rejecting where adjusted p < alpha
 * keeps the family-wise error rate at alpha.
 */
export const holm = (ps: readonly number[]): number[] => {
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

/**
 * Timing noise is multiplicative (load and frequency scale a run's times), and one slow repetition inflates the
 * variance of raw values far more than that of their logarithms; the test therefore compares log values, i.e. the
 * ratio of geometric means. Zero times (an empty estimated tail) have no logarithm: those metrics stay linear.
 */
export const onLogScale = (a: readonly number[], b: readonly number[]): 'log' | 'linear' =>
    a.every((v) => v > 0) && b.every((v) => v > 0) ? 'log' : 'linear';

export const testValues = (
    a: readonly number[],
    b: readonly number[],
    scale: 'log' | 'linear',
): [readonly number[], readonly number[]] => (scale === 'log' ? [a.map(Math.log), b.map(Math.log)] : [a, b]);

const meanOf = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;

/** 'used' = a value from the repetitions a test uses; 'loaded' = from load-flagged ones left out (none used). */
export type ValueFrom = 'used' | 'loaded';

/**
 * The repetition values a test uses: all with includeLoaded, else those whose result was not load-flagged. The
 * point value is their mean (the report's value when nothing is left out); with no clean value at all, the mean of
 * every value, all loaded (`from: 'loaded'`: shown so, never tested).
 */
export const usedValues = (
    m: { valueMs: number; repValuesMs: readonly number[]; loadedReps?: readonly boolean[] | undefined },
    includeLoaded: boolean,
): { values: number[]; valueMs: number; loaded: number; from: ValueFrom } => {
    const flags = m.loadedReps ?? [];
    const loaded = m.repValuesMs.filter((_, i) => flags[i] === true).length;
    if (includeLoaded || loaded === 0) return { values: [...m.repValuesMs], valueMs: m.valueMs, loaded, from: 'used' };
    const values = m.repValuesMs.filter((_, i) => flags[i] !== true);
    return values.length > 0
        ? { values, valueMs: meanOf(values), loaded, from: 'used' }
        : { values, valueMs: m.valueMs, loaded, from: 'loaded' };
};

/**
 * Compares every metric two runs share: Welch's t-test on the logarithms of the per-repetition values (docs/statistics.md), Holm's
 * correction over all tested metrics by default, and a regression only when B is slower with adjusted p < alpha AND
 * by more than `thresholdPct` % AND by more than `floorMs` ms. Repetitions whose result was load-flagged are left out
 * unless `includeLoaded` (docs/measurement-conditions.md). Split metrics of a model whose file differs between the
 * runs are tested but marked `differentCut` and left out of the verdict (another file's op k is another cut).
 * Throws nothing; the CLI maps the verdict to an exit code.
 */
export const compareRuns = (a: RunData, b: RunData, opts: CompareOptions = {}): Comparison => {
    const thresholdPct = opts.thresholdPct ?? DEFAULT_THRESHOLD_PCT;
    const floorMs = opts.floorMs ?? DEFAULT_FLOOR_MS;
    const alpha = opts.alpha ?? 0.05;
    const correction = opts.correction ?? 'holm';
    const minReps = Math.max(2, opts.minReps ?? DEFAULT_MIN_REPS);
    const includeLoaded = opts.includeLoaded === true;
    const ma = new Map(extractMetrics(a.analyses).map((m) => [metricKeyString(m), m]));
    const mb = new Map(extractMetrics(b.analyses).map((m) => [metricKeyString(m), m]));
    const raw: (Omit<MetricChange, 'pAdjusted' | 'verdict'> & { tooFewClean: boolean })[] = [];
    const onlyInA: MetricKey[] = [];
    for (const [key, x] of ma) {
        const y = mb.get(key);
        if (y === undefined) {
            onlyInA.push(keyOf(x));
            continue;
        }
        const ua = usedValues(x, includeLoaded);
        const ub = usedValues(y, includeLoaded);
        const repsA = x.repValuesMs.length;
        const repsB = y.repValuesMs.length;
        const enoughReps = repsA >= minReps && repsB >= minReps;
        const enough = ua.values.length >= minReps && ub.values.length >= minReps;
        const scale = onLogScale(ua.values, ub.values);
        const t = enough ? welchTTest(...testValues(ua.values, ub.values, scale)) : null;
        const changeMs = ub.valueMs - ua.valueMs;
        raw.push({
            ...keyOf(x),
            aValueMs: ua.valueMs,
            bValueMs: ub.valueMs,
            aValueFrom: ua.from,
            bValueFrom: ub.from,
            changeMs,
            changePct:
                ua.valueMs === 0 ? (changeMs === 0 ? 0 : Number.POSITIVE_INFINITY) : (100 * changeMs) / ua.valueMs,
            t: t?.t ?? 0,
            df: t?.df ?? 0,
            p: t?.p ?? 1,
            test: t?.method ?? 'none',
            scale,
            nA: ua.values.length,
            nB: ub.values.length,
            repsA,
            repsB,
            loadedA: ua.loaded,
            loadedB: ub.loaded,
            tooFewClean: enoughReps && !enough,
        });
    }
    const onlyInB = [...mb.entries()].filter(([k]) => !ma.has(k)).map(([, v]) => keyOf(v));
    // Holm runs over the metrics actually tested; untested ones neither count in m nor get a p-value.
    const testedIdx = raw.flatMap((r, i) => (r.test === 'none' ? [] : [i]));
    const adjusted = raw.map((r) => r.p);
    if (correction === 'holm') {
        const adj = holm(testedIdx.map((i) => (raw[i] as { p: number }).p));
        testedIdx.forEach((i, j) => {
            adjusted[i] = adj[j] as number;
        });
    }
    const modelChanges: Comparison['modelChanges'] = [];
    for (const x of a.analyses) {
        const y = b.analyses.find((z) => z.model.name === x.model.name);
        if (y !== undefined && y.model.sha256 !== x.model.sha256 && !modelChanges.some((c) => c.model === x.model.name))
            modelChanges.push({ model: x.model.name, aSha256: x.model.sha256, bSha256: y.model.sha256 });
    }
    const changes: MetricChange[] = raw.map(({ tooFewClean, ...r }, i) => {
        const pAdjusted = adjusted[i] as number;
        const significant = pAdjusted < alpha;
        const big = Math.abs(r.changePct) > thresholdPct && Math.abs(r.changeMs) > floorMs;
        const verdict: Verdict =
            r.test === 'none'
                ? tooFewClean
                    ? 'loaded'
                    : 'insufficient'
                : !significant
                  ? big
                      ? 'not significant'
                      : 'unchanged'
                  : !big
                    ? 'changed'
                    : r.changeMs > 0
                      ? 'regression'
                      : 'improvement';
        const differentCut = r.splitAfter !== null && modelChanges.some((m) => m.model === r.model);
        return { ...r, pAdjusted, verdict, ...(differentCut ? { differentCut: true as const } : {}) };
    });
    // A different cut says nothing about the same work getting slower (or going untested): it does not decide the run.
    const counted = changes.filter((c) => c.differentCut !== true);
    const regressions = counted.filter((c) => c.verdict === 'regression');
    const insufficient = counted.filter((c) => c.verdict === 'insufficient');
    const loaded = counted.filter((c) => c.verdict === 'loaded');
    return {
        a: a.run,
        b: b.run,
        thresholdPct,
        floorMs,
        alpha,
        correction,
        minReps,
        includeLoaded,
        changes,
        regressions,
        improvements: counted.filter((c) => c.verdict === 'improvement'),
        insufficient,
        loaded,
        onlyInA,
        onlyInB,
        probeChanges: diffProbes(a, b),
        settingsChanges: diffSettings(a.deviceSettings, b.deviceSettings),
        campaignChange: campaignChangeOf(a.run, b.run),
        modelChanges,
        differentCutRegressions: changes.filter((c) => c.differentCut === true && c.verdict === 'regression'),
        hasRegression: regressions.length > 0,
        verdict:
            regressions.length > 0
                ? 'regression'
                : insufficient.length > 0
                  ? 'insufficient repetitions'
                  : loaded.length > 0
                    ? 'loaded'
                    : 'no regression',
    };
};

const campaignChangeOf = (a: RunData['run'], b: RunData['run']): { a: string; b: string } | null => {
    if (a.campaign === undefined || b.campaign === undefined) return null;
    const fileChanged =
        a.campaignFile !== undefined && b.campaignFile !== undefined && a.campaignFile !== b.campaignFile;
    if (a.campaign === b.campaign && !fileChanged) return null;
    const label = (r: RunData['run']): string =>
        fileChanged && r.campaignFile !== undefined ? `${r.campaign ?? ''} (${r.campaignFile})` : (r.campaign ?? '');
    return { a: label(a), b: label(b) };
};

export const keyOf = (m: MetricKey): MetricKey => ({
    model: m.model,
    ueDevice: m.ueDevice,
    serverDevice: m.serverDevice,
    mode: m.mode,
    splitAfter: m.splitAfter,
    metric: m.metric,
});
