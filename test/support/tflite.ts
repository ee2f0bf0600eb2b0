// Real models for the built-in runtime's tests: the npm-shipped MediaPipe model always, ../shared/models when present.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const POSE_LITE = fileURLToPath(
    new URL('../../node_modules/@mediapipe/pose/pose_landmark_lite.tflite', import.meta.url),
);
export const SHARED = fileURLToPath(new URL('../../../shared', import.meta.url));
export const SHARED_MODELS = `${SHARED}/models`;
export const hasShared = existsSync(SHARED_MODELS);
export const sharedModel = (file: string): string => `${SHARED_MODELS}/${file}`;
export const BENCH_BIN = fileURLToPath(new URL('../../bin/splitbench-benchmark-model.js', import.meta.url));
export const BENCH_DIST = fileURLToPath(new URL('../../dist/tflite/bench-cli.js', import.meta.url));

/** Phase limits that keep a benchmark to a handful of invokes. */
export const QUICK = { numRuns: 3, minSecs: 0, warmupRuns: 1, warmupMinSecs: 0 } as const;
export const QUICK_FLAGS = ['--num_runs=3', '--min_secs=0', '--warmup_runs=1', '--warmup_min_secs=0'];
