// Test models for any area: real .tflite files written by the project's own model builder, plus the paths of the
// models npm dependencies ship and of the shared corpus (present only on the dev machine).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTestModel, chainCnn, residualCnn, twoInTwoOut, type ModelSpec } from '../../src/model/build.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** BlazePose landmark models shipped by @mediapipe/pose (float32 I/O, fp16 weights behind DEQUANTIZE ops). */
export const POSE_LITE = join(REPO_ROOT, 'node_modules/@mediapipe/pose/pose_landmark_lite.tflite');
export const POSE_FULL = join(REPO_ROOT, 'node_modules/@mediapipe/pose/pose_landmark_full.tflite');

/** The shared read-only model corpus (../shared/models); tests using it must `describe.runIf(HAVE_SHARED_MODELS)`. */
export const SHARED_MODELS = join(REPO_ROOT, '../shared/models');
export const HAVE_SHARED_MODELS = existsSync(join(SHARED_MODELS, 'MANIFEST.tsv'));

/** Writes `spec` as `<dir>/<name>.tflite` and returns the path. */
export const writeTestModel = (dir: string, name: string, spec: ModelSpec): string => {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.tflite`);
    writeFileSync(path, buildTestModel(spec));
    return path;
};

export interface TestModelSet {
    dir: string;
    /** Residual CNN, float32 (13 ops; cuts of 1–3 tensors). */
    residual: string;
    residualUint8: string;
    residualInt8: string;
    /** Residual CNN with fp16 weights and DEQUANTIZE ops before each consumer. */
    residualFp16: string;
    /** Two inputs, two outputs; a model input crosses late cuts; one output is produced early. */
    twoInTwoOut: string;
    /** Plain chain: every cut is one tensor. */
    chain: string;
    cleanup: () => void;
}

/** Writes the ready-made test models into a fresh temp folder. Call cleanup() in afterAll. */
export const writeTestModels = (): TestModelSet => {
    const dir = mkdtempSync(join(tmpdir(), 'splitbench-models-'));
    return {
        dir,
        residual: writeTestModel(dir, 'residual', residualCnn()),
        residualUint8: writeTestModel(dir, 'residual_uint8', residualCnn({ quantize: 'uint8' })),
        residualInt8: writeTestModel(dir, 'residual_int8', residualCnn({ quantize: 'int8' })),
        residualFp16: writeTestModel(dir, 'residual_fp16', residualCnn({ fp16Weights: true })),
        twoInTwoOut: writeTestModel(dir, 'two_in_two_out', twoInTwoOut()),
        chain: writeTestModel(dir, 'chain', chainCnn()),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
};
