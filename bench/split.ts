// Writes every head/tail pair of the largest models at hand and compares with copying the model file once per pair.
// Targets (issue 2): a 3.6 MB, 100-op model in < 2 s total, < 3x the copy time, peak RSS < 300 MB.
//   npx tsx bench/split.ts [model.tflite ...]
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/model/load.js';
import { writeSplits } from '../src/model/split-files.js';
import { graphFacts, splitPointIndices } from '../src/model/split-points.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const defaults = [
    join(root, '../shared/models/cls_mobilenet_v2_100_224_uint8.tflite'),
    join(root, 'node_modules/@mediapipe/pose/pose_landmark_full.tflite'),
    join(root, 'node_modules/@mediapipe/pose/pose_landmark_lite.tflite'),
];
const models = (process.argv.length > 2 ? process.argv.slice(2) : defaults).filter((p) => {
    if (!existsSync(p)) process.stderr.write(`skipping ${p}: not present\n`);
    return existsSync(p);
});

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

const copyOncePerPair = (path: string, pairs: number, dir: string): number => {
    const t0 = performance.now();
    for (let i = 0; i < pairs; i++) copyFileSync(path, join(dir, `copy${i}.tflite`));
    const ms = performance.now() - t0;
    for (let i = 0; i < pairs; i++) rmSync(join(dir, `copy${i}.tflite`));
    return ms;
};

for (const path of models) {
    const dir = mkdtempSync(join(tmpdir(), 'splitbench-bench-split-'));
    try {
        const t0 = performance.now();
        const model = loadModel(path);
        const facts = graphFacts(model);
        const ks = splitPointIndices(facts);
        const readMs = performance.now() - t0;
        const copyBefore = copyOncePerPair(path, ks.length, dir);
        const t1 = performance.now();
        const written = writeSplits(model, ks, { outDir: dir, facts });
        const splitMs = performance.now() - t1;
        const copyAfter = copyOncePerPair(path, ks.length, dir);
        const copyMs = (copyBefore + copyAfter) / 2;
        const bytes = written.reduce((s, w) => s + w.head.bytes + w.tail.bytes, 0);
        const ops = facts.sg.operators.length;
        process.stdout.write(
            [
                `${basename(path)} (${mb(model.bytes.length)}, ${ops} ops, ${facts.constOps.length} constant-folding)`,
                `  split points:          ${ks.length}`,
                `  read + analyse:        ${readMs.toFixed(0)} ms`,
                `  write all pairs:       ${splitMs.toFixed(0)} ms (${(splitMs / ks.length).toFixed(1)} ms per pair)`,
                `  bytes written:         ${mb(bytes)} (${mb(bytes / ks.length)} per pair)`,
                `  copy file once/pair:   ${copyMs.toFixed(0)} ms (before ${copyBefore.toFixed(0)}, after ${copyAfter.toFixed(0)})`,
                `  ratio to copy:         ${(splitMs / copyMs).toFixed(2)}x  (target < 3x)`,
                `  peak RSS so far:       ${mb(peakRss())}  (target < 300 MB)`,
                '',
            ].join('\n'),
        );
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
