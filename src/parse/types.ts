// Typed result of one benchmark_model run. Produced by the text parser (parse/benchmark-model.ts) from any
// benchmark_model build, and directly by splitbench's built-in runner (its --format=json prints this object),
// so that the two can be compared field by field.

/** One `count=` statistics line. All values in microseconds, as benchmark_model prints them. */
export interface StatLine {
    count: number;
    first?: number | undefined;
    curr?: number | undefined;
    min?: number | undefined;
    max?: number | undefined;
    avg?: number | undefined;
    std?: number | undefined;
    p5?: number | undefined;
    median?: number | undefined;
    p95?: number | undefined;
    /** `(all same)`: every sample equals `curr`. */
    allSame?: boolean | undefined;
}

/** One row of a Run Order (or Top by Computation Time) table. */
export interface OpRow {
    /** Node index from the `[outputs]:N` suffix; null where the build does not print one (TF 1.x) or for init events. */
    nodeIndex: number | null;
    type: string;
    /** Older builds only: average start offset within a run. */
    startMs?: number | undefined;
    firstMs: number;
    avgMs: number;
    pct: number;
    cdfPct: number;
    memKb: number;
    timesCalled: number;
    /** The raw `[Name]` column. */
    name: string;
    /** Output tensor names parsed out of `[a, b]:N`; empty when the name is not of that form. */
    outputs: string[];
    /** Extra statistics the built-in runner knows (benchmark_model's text does not carry them). */
    minMs?: number | undefined;
    maxMs?: number | undefined;
    stdMs?: number | undefined;
    /** Delegate-internal rows (`Delegate/<op>:<i>`): the delegate's own op index, which is NOT a TFLite node index. */
    delegateOpIndex?: number | undefined;
}

export interface NodeTypeRow {
    type: string;
    count: number;
    avgMs: number;
    avgPct: number;
    cdfPct: number;
    memKb: number;
    timesCalled: number;
}

/** The four tables of one profile block (one subgraph, one phase). */
export interface ProfileBlock {
    /** 'primary' for subgraph 0 / unlabelled blocks. */
    subgraphIndex: number;
    subgraphName?: string | undefined;
    runOrder: OpRow[];
    top: OpRow[];
    byType: NodeTypeRow[];
    timings?: StatLine | undefined;
    nodesObserved?: number | undefined;
    /** `Delegate internal:` rows that belong to this block. */
    delegateInternal?: ProfileBlock | undefined;
}

export interface InferenceSummary {
    /** Timed-phase mean (µs): `Inference (avg)`, or the old `no stats:` / `Inference:` forms. */
    avgUs?: number | undefined;
    initUs?: number | undefined;
    firstUs?: number | undefined;
    warmupAvgUs?: number | undefined;
    /** Timed-phase statistics from the second `count=` line. */
    count?: number | undefined;
    minUs?: number | undefined;
    maxUs?: number | undefined;
    stdUs?: number | undefined;
    p5Us?: number | undefined;
    medianUs?: number | undefined;
    p95Us?: number | undefined;
    /** Nearest-rank p90 of the timed phase (built-in runner only; benchmark_model does not print it). */
    p90Us?: number | undefined;
}

export interface MemoryInfo {
    initMb?: number | undefined;
    overallMb?: number | undefined;
    peakMb?: number | undefined;
    vmRssMb?: number | undefined;
    /** `+ RssAnnon` / `+ RssFile + RssShmem` lines of the end-of-run memory status block. */
    rssAnonMb?: number | undefined;
    rssFileMb?: number | undefined;
}

export interface DelegateInfo {
    name: string;
    nodesReplaced?: number | undefined;
    totalNodes?: number | undefined;
    partitions?: number | undefined;
    /** Kernel node type the delegate shows up as in op tables (`TfLiteGpuDelegateV2`, `Vx Delegate`). */
    kernel?: string | undefined;
    /** From `Explicitly applied ...`: whole graph, part of it, or nothing delegated. */
    mode?: 'complete' | 'partial' | 'none' | undefined;
    /** Delegate kernels created (`w/ K delegate kernels`, `Created K GPU delegate kernels`). */
    kernels?: number | undefined;
    /** Ops the delegate refused (`Following operations are not supported by GPU delegate:` list). */
    unsupportedOps?: string[] | undefined;
}

export const FAILURE_KINDS = [
    'model_not_found',
    'not_executable',
    'unsupported_op',
    'custom_op',
    'flex_ops',
    'delegate_failed',
    'invalid_argument',
    'crash',
    'truncated',
    'benchmark_failed',
    'no_output',
    /** Output of full TensorFlow's benchmark_model (TF graphs), not TFLite's: a different tool. */
    'not_tflite',
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export interface Failure {
    kind: FailureKind;
    /** The line that showed the failure, verbatim (trimmed). */
    line: string;
    /** The op, when the failure names one. */
    op?: string | undefined;
    /** `delegate_failed`: the delegate that could not be applied, by canonical name (`NNAPI`, `GPU`, `XNNPACK`). */
    delegate?: string | undefined;
}

/** What the built-in runner (origin 'runner') knows beyond benchmark_model's text. */
export interface RunnerInfo {
    /** e.g. `TFLite 2.9.0 (native, tfjs-tflite-node)`. */
    runtime: string;
    threads: number;
    xnnpack: boolean;
    opProfiling: boolean;
    inputs: { name: string; dtype: string; shape: number[]; bytes: number; source: string }[];
    /** Mean per-run sum of per-op times (µs), over the timed runs (profiling on). */
    opSumAvgUs?: number | undefined;
    /** opSumAvgUs / Inference (avg): how much of the invoke time the per-op rows explain. */
    opSumToInvokeRatio?: number | undefined;
    /** Mean invoke time (µs) of an extra timed phase run without the profiler, when measured. */
    unprofiledAvgUs?: number | undefined;
    /** (profiled avg − unprofiled avg) / unprofiled avg × 100, when measured. */
    profilerOverheadPct?: number | undefined;
    /** Phase limits the run used (benchmark_model's num_runs, min_secs, max_secs, warmup_runs, warmup_min_secs). */
    phases?:
        { warmupRuns: number; warmupMinSecs: number; numRuns: number; minSecs: number; maxSecs: number } | undefined;
}

export interface BenchmarkResult {
    /** Version of the parser (or runner) that produced this object; stored so raw outputs can be re-parsed. */
    parserVersion: string;
    /** 'text' when parsed from console output, 'runner' when produced directly by the built-in runner. */
    origin: 'text' | 'runner';
    /** Echoed parameters, description → value (`Num runs` → `50`). */
    params: Record<string, string>;
    modelPath?: string | undefined;
    modelSizeMb?: number | undefined;
    /** `Initialized session in X ms.` */
    initMs?: number | undefined;
    warmup?: StatLine | undefined;
    timed?: StatLine | undefined;
    inference: InferenceSummary;
    memory: MemoryInfo;
    delegates: DelegateInfo[];
    initProfile: ProfileBlock[];
    /** Regular-run profile blocks, primary graph first. */
    profile: ProfileBlock[];
    /** Regular-run Run Order of the primary graph (== profile[0].runOrder), the rows split tables use. */
    ops: OpRow[];
    /** Raw timed-run samples (µs) when the producer printed them (splitbench's runner does; benchmark_model does not). */
    samplesUs?: number[] | undefined;
    failure?: Failure | undefined;
    /** The output ended before the tool finished; what was parsed is kept. */
    truncated: boolean;
    /** Lines the parser did not recognise (kept for diagnosis, not an error). */
    unknownLines: number;
    /** `Loaded model ...` was printed (the model file was found and read). */
    modelLoaded?: boolean | undefined;
    /** How many benchmark runs (`STARTING!` sections) the text held; the result describes the last one. */
    runsInText?: number | undefined;
    /** Built-in runner details (origin 'runner' only). */
    runner?: RunnerInfo | undefined;
}
