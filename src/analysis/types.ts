// Input and output types of split-point analysis. Inputs are plain data (the lead's store adapter fills them);
// outputs are plain data too, so every renderer and the nightly comparison work from the same objects.
import type { OpRow } from '../parse/types.js';

/** One operator of the reference model (the file that was cut), in execution order of subgraph 0. */
export interface ModelOp {
    index: number;
    type: string;
    outputs: string[];
    /** Bytes of the op's own outputs (the study's "output of layer x"); null when a size is unknown. */
    outputBytes?: number | null | undefined;
    /** Constant-folding op (all inputs constant, e.g. DEQUANTIZE of fp16 weights): not a layer of the study. */
    constant?: boolean | undefined;
}

export interface ModelInfo {
    name: string;
    sha256: string;
    opCount: number;
    ops: ModelOp[];
    /** Bytes of all model inputs: what "all on server" must send. Null/absent: that option is not evaluated. */
    inputBytes?: number | null | undefined;
    /** Bytes of all model outputs: the default result size for networks that return the result. */
    outputBytes?: number | null | undefined;
}

export interface CutTensor {
    name: string;
    shape: number[];
    dtype: string;
    /** Null when the size is not a function of the shape (dynamic dims, strings). */
    bytes: number | null;
}

/** The cut of split point `after`: ops 0..after on the UE, after+1..N-1 on the server. */
export interface CutInput {
    after: number;
    tensors: CutTensor[];
    /** Sum of tensor bytes; null when any tensor size is unknown. */
    bytes: number | null;
    /** Model outputs the head already produced. */
    outputsProduced: string[];
}

/** One full-model run with op profiling on one device (one repetition). */
export interface RepetitionProfile {
    /** Regular-run Run Order rows (BenchmarkResult.ops). */
    ops: OpRow[];
    /** Mean inference time of that run (µs), profiler included. */
    inferenceAvgUs: number;
    samplesUs?: number[] | undefined;
    /** True when the device ran the reference model file itself (same sha256): rows are matched by node index. */
    sameModelFile: boolean;
    /** The result was load-flagged: measured while other work used the device (docs/measurement-conditions.md). */
    loaded?: boolean | undefined;
}

/** One repetition of a timed run without profiling. */
export interface Rep {
    avgUs: number;
    /** Raw per-inference samples (µs) when the runtime reported them. */
    samplesUs?: number[] | undefined;
    /** The result was load-flagged: measured while other work used the device (docs/measurement-conditions.md). */
    loaded?: boolean | undefined;
}

export interface NetworkProfile {
    name: string;
    uplinkMbps: number;
    downlinkMbps?: number | undefined;
    rttMs: number;
    /** Add the time to send the result back over the downlink. */
    includeResultReturn?: boolean | undefined;
    /** Result size; defaults to model.outputBytes. */
    resultBytes?: number | undefined;
}

export interface SplitAnalysisInput {
    model: ModelInfo;
    cuts: CutInput[];
    ueDevice: string;
    serverDevice: string;
    estimate: { ue: RepetitionProfile[]; server: RepetitionProfile[] };
    measured: {
        /** Full model on the UE without profiling: T_UE(full). */
        fullUe: Rep[];
        /** Full model on the server without profiling (for the "all on server" option). */
        fullServer?: Rep[] | undefined;
        head: ReadonlyMap<number, Rep[]>;
        tail: ReadonlyMap<number, Rep[]>;
    };
    networks: NetworkProfile[];
}

export interface AnalysisOptions {
    /** Coverage of the Student-t intervals over repetitions (default 0.95). */
    confidence?: number | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs

/**
 * Point value and interval of one quantity, from one value per repetition (docs/statistics.md).
 * valueMs = mean of the repetition values; interval 't' = two-sided Student-t interval of that mean at the analysis'
 * confidence (default 95 %); 'none' = fewer than two repetitions (low = high = value).
 */
export interface MetricStat {
    valueMs: number;
    /** Lower bound (ms); 0 with `lowClipped` when the t-interval reached below 0 (a time cannot). */
    lowMs: number;
    highMs: number;
    /**
     * Set when the interval's lower bound fell below 0 and was clipped to 0 (docs/statistics.md "Clipped lower
     * bounds"); the unclipped bound is 2·valueMs − highMs (the interval is symmetric before the clip).
     */
    lowClipped?: true | undefined;
    interval: 't' | 'none';
    /** Number of repetitions behind the value. */
    n: number;
    /**
     * What each repetition's value is: 'median' = median of that repetition's raw samples (for estimates: the
     * per-op averages scaled to the profiled run's median, see docs/statistics.md); 'mean' = the benchmark's reported
     * average (no raw samples); 'mixed' = some of each.
     */
    perRep: 'median' | 'mean' | 'mixed';
    /** One value per repetition (ms). */
    repValuesMs: number[];
    /**
     * Beside repValuesMs, index by index: true when a result behind that repetition value was load-flagged (either
     * half for a total). Absent when none was. compare and history leave those repetitions out by default.
     */
    loadedReps?: boolean[] | undefined;
}

export interface SplitTimes {
    ue: MetricStat;
    server: MetricStat;
    /** UE + server: values add, variances add (Welch–Satterthwaite df). */
    total: MetricStat;
    totalMs: number;
    /**
     * 100·(base − T_UE(k))/base. The base is the study's for each method: estimated rows use the same profile's total
     * Σ_i t_UE(i); measured rows use the measured full model T_UE(full). Null when that base is unknown.
     */
    ueImprovementPct: number | null;
    totalImprovementPct: number | null;
    /** Base of the improvements (ms) and where it came from. */
    improvementBase: { ms: number; source: 'profile total' | 'measured full model' } | null;
    /**
     * The two improvements with their intervals (docs/statistics.md "Improvements"); their values are
     * ueImprovementPct and totalImprovementPct. Null when the base is unknown.
     */
    improvement: { ue: ImprovementStat; total: ImprovementStat } | null;
}

/**
 * An improvement against running the whole model on the UE, in percent, with its interval at the analysis'
 * confidence (docs/statistics.md "Improvements").
 * - method 'paired': time and base come from the same repetitions (an estimate: the profile's own total); value =
 *   mean of the per-repetition improvements 100·(B_r − T_r)/B_r, interval = Student-t over them (df = n − 1).
 * - method 'delta': time and base come from separate, independent jobs (a measurement); value = 100·(1 − T̄/B̄),
 *   interval from the delta method's standard error of the ratio with Welch–Satterthwaite df.
 * interval 'none' (low = high = value, df null) when a side has fewer than two repetitions; 'unbounded' (low = high =
 * value, `g` and `reason` set) for a delta-method ratio whose base's own interval reaches 0 (Fieller's g ≥ 1): the
 * data cannot bound the improvement, so it is not distinguishable from running everything on the UE.
 */
export interface ImprovementStat {
    valuePct: number;
    lowPct: number;
    highPct: number;
    /**
     * Set when the interval reached above 100 % and its upper bound was capped at 100: T ≥ 0, so no improvement can
     * pass 100 % (docs/statistics.md "Clipped lower bounds"); the uncapped bound is 2·valuePct − lowPct.
     */
    highClipped?: true | undefined;
    interval: 't' | 'none' | 'unbounded';
    method: 'paired' | 'delta';
    /** interval 'unbounded' only: Fieller's g = t²·v_B/B̄² (≥ 1) of the base. */
    g?: number | undefined;
    /** interval 'unbounded' only: why there is no interval, in words ("the baseline T_UE(full)'s 95 % …"). */
    reason?: string | undefined;
    /** Repetitions behind the value: the pairs, or the smaller side's count. */
    n: number;
    df: number | null;
}

/** One part's estimate error; `beyondInterval` = the estimate lies outside the measurement's own interval. */
export interface PartError {
    /** estimated − measured (ms). */
    ms: number;
    /** 100·(estimated − measured)/measured. */
    pct: number;
    beyondInterval: boolean;
}

export interface EstimateError {
    ue: PartError;
    server: PartError;
    total: PartError;
}

export type BreakEven = number | 'never' | 'unknown';

export interface SplitNetwork {
    profile: string;
    transferMs: number | null;
    endToEndMs: number | null;
    /** Uplink rate (Mbit/s) above which this split beats all-on-UE; 'never' when it cannot; 'unknown' without bytes. */
    breakEvenUplinkMbps: BreakEven;
}

export interface SplitRow {
    splitAfter: number;
    layerType: string;
    /** First output tensor name of op `splitAfter` (the study's "layer name"). */
    layerName: string;
    /** The study's layer number: 1-based count of ops on activations (constant-folding ops excluded) in 0..k. */
    layerNumber: number;
    /** Bytes of op k's own outputs: the study's "intermediate data size" (ours, every crossing tensor, is cut.bytes). */
    layerOutputBytes: number | null;
    cut: CutInput;
    estimated: SplitTimes | null;
    /** Why `estimated` is null. */
    notEstimable?: { reason: string; hint: string } | undefined;
    measured: SplitTimes | null;
    estimateError: EstimateError | null;
    /** Which times the network columns use: measured when both head and tail were measured. */
    primary: 'measured' | 'estimated' | null;
    network: SplitNetwork[];
    /** Sanity flags on the measurements, each beyond noise (intervals do not overlap). */
    flags: string[];
}

export interface UnmatchedRow {
    device: string;
    nodeIndex: number | null;
    type: string;
    name: string;
    avgMs: number;
    reason: string;
}

export interface DeviceMatch {
    device: string;
    method: 'nodeIndex' | 'outputNames' | 'mixed' | 'none';
    /** Model op indices with a row on this device (in every repetition). */
    matchedOps: number;
    /** Rows that are delegate partitions. */
    delegateRows: { nodeIndex: number | null; type: string; name: string; avgMs: number }[];
    /** Model op indices assumed to run inside a delegate partition on this device. */
    delegatedOps: number[];
    /** Σ per-op avg / inference avg (median over repetitions): how much of the run the rows account for. */
    coverage: number | null;
}

export interface MatchSummary {
    ue: DeviceMatch;
    server: DeviceMatch;
    /** Ops counted in the estimate (matched or delegated on both devices). */
    estimatedOps: number;
    /** Model ops left out of the estimate, with the device that lacks them. */
    missingOps: { index: number; type: string; missingOn: string[] }[];
    unmatchedRows: UnmatchedRow[];
}

/** One way to run the model over a link, with the interval of its end-to-end time (ms). */
export type NetworkOption =
    | { option: 'split'; splitAfter: number; endToEndMs: number; lowMs: number; highMs: number; lowClipped?: true }
    | { option: 'allOnUe' | 'allOnServer'; endToEndMs: number; lowMs: number; highMs: number; lowClipped?: true };

export interface NetworkSummary {
    profile: NetworkProfile;
    allOnUeMs: number | null;
    allOnServer: { transferMs: number; serverMs: number; endToEndMs: number } | null;
    /** Smallest end-to-end point value. */
    best: NetworkOption | null;
    /** Second smallest (whether tied or not). */
    runnerUp: NetworkOption | null;
    /**
     * Every other option whose interval overlaps the best's, in rank order (smallest point value first): the data
     * cannot tell any of them from the best. Empty when none does.
     */
    tiedWith: NetworkOption[];
    /** True when tiedWith is not empty. */
    tie: boolean;
}

/** Mean per-op time (over repetitions) on each device, for per-op tables. */
export interface PerOpRow {
    index: number;
    type: string;
    output: string;
    ueMs: number | null;
    serverMs: number | null;
    /** Counted in the estimate. */
    included: boolean;
    /** Assumed to run inside a delegate partition on the UE / server. */
    ueDelegated: boolean;
    serverDelegated: boolean;
}

export interface SplitAnalysis {
    model: { name: string; sha256: string; opCount: number };
    ueDevice: string;
    serverDevice: string;
    /** The UE profile's own total Σ_i t_UE(i) (base of the estimated improvements); null without a UE profile. */
    estimatedFullUe: MetricStat | null;
    /** T_UE(full) and where it came from. */
    fullUe: (MetricStat & { source: 'measured' | 'estimated' }) | null;
    fullServer: (MetricStat & { source: 'measured' | 'estimated' }) | null;
    rows: SplitRow[];
    matching: MatchSummary | null;
    /** Empty when there is no estimate (no profiles on both devices). */
    perOp: PerOpRow[];
    networks: NetworkSummary[];
    warnings: string[];
}

/**
 * The device facts analysis and reports read: structurally a subset of DeviceProbe (src/drivers/types.ts), which the
 * pure layers may not import. A DeviceProbe can be passed as is; reports show every field it has.
 */
export interface ProbeInfo {
    os?: string | undefined;
    osRelease?: string | undefined;
    kernel?: string | undefined;
    cpuModel?: string | undefined;
    cores?: number | undefined;
    bigCoreMask?: string | undefined;
    governors?: readonly string[] | undefined;
    thermalC?: Readonly<Record<string, number>> | undefined;
    android?:
        | {
              build?: string | undefined;
              release?: string | undefined;
              sdk?: number | undefined;
              batteryTempC?: number | undefined;
              rooted?: boolean | undefined;
          }
        | undefined;
}
