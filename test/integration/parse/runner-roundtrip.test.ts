// The built-in runner's console text (benchmark_model format) parses back to the numbers of its own result object.
// Uses the real native TFLite runtime on a real model from ../shared/models; runs only when that folder exists.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchmarkOutput } from '../../../src/parse/benchmark-model.js';
import { runBenchmark } from '../../../src/tflite/benchmark.js';
import { formatBenchmarkText } from '../../../src/tflite/text-format.js';
import { SHARED } from '../../support/parse-snippets.js';

const MODEL = join(SHARED, 'models/cls_mobilenet_v1_025_128_uint8.tflite');

describe.runIf(existsSync(MODEL))('runner text round trip', () => {
    it('parses to the runner result', () => {
        const r = runBenchmark({
            graph: MODEL,
            numRuns: 5,
            minSecs: 0,
            warmupRuns: 2,
            warmupMinSecs: 0,
            enableOpProfiling: true,
            useXnnpack: false,
            numThreads: 1,
        });
        const p = parseBenchmarkOutput(formatBenchmarkText(r));
        expect(p.failure).toBeUndefined();
        expect(p.truncated).toBe(false);
        // p90 is runner-only: benchmark_model's text has no p90.
        const inference = { ...r.inference };
        delete inference.p90Us;
        expect(p.inference).toEqual(inference);
        expect(p.warmup).toEqual(r.warmup);
        expect(p.timed).toEqual(r.timed);
        expect(p.samplesUs).toEqual(r.samplesUs);
        expect(p.initMs).toBe(r.initMs);
        expect(p.modelPath).toBe(r.modelPath);
        expect(p.modelSizeMb).toBe(r.modelSizeMb);
        expect(p.memory).toEqual(r.memory);
        expect(p.ops).toHaveLength(r.ops.length);
        expect(p.ops.length).toBeGreaterThan(0);
        const key = ({
            nodeIndex,
            type,
            firstMs,
            avgMs,
            pct,
            cdfPct,
            memKb,
            timesCalled,
            name,
            outputs,
        }: (typeof r.ops)[number]) => ({
            nodeIndex,
            type,
            firstMs,
            avgMs,
            pct,
            cdfPct,
            memKb,
            timesCalled,
            name,
            outputs,
        });
        expect(p.ops.map(key)).toEqual(r.ops.map(key));
        expect(p.profile[0]?.timings).toEqual(r.profile[0]?.timings);
        expect(p.profile[0]?.byType).toEqual(r.profile[0]?.byType);
    });
});
