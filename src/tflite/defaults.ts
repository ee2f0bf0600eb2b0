// benchmark_model's default phase limits (DefaultParams in benchmark_model.cc).
export const BENCHMARK_DEFAULTS = {
    numThreads: -1,
    numRuns: 50,
    minSecs: 1,
    maxSecs: 150,
    warmupRuns: 1,
    warmupMinSecs: 0.5,
    runDelay: -1,
} as const;
