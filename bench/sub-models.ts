// npm run bench:submodels — what the sub-model cache costs a run: preparing the head/tail pairs of 8 split points
// of MediaPipe pose landmark lite and full (npm), first with an empty cache (write both files, check head→tail
// against the full model on the built-in runtime, write the manifest), then with the cache filled (sha256 of both
// files against the manifest, verdict reused). Printed side by side with the ratio. No target: the figure says
// whether hashing on every run is cheap next to the check it replaces.
// Usage: npx tsx bench/sub-models.ts [--rounds 3]
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../src/log.js';
import { loadModel } from '../src/model/load.js';
import { graphFacts, splitPointIndices } from '../src/model/split-points.js';
import type { Job } from '../src/plan/types.js';
import { prepareSubModels } from '../src/runner/sub-models.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(process.argv[i + 1]) : 3;
const SPLITS = 8;
const quiet = { info: () => undefined } as unknown as Logger;

const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? NaN;
};

for (const name of ['pose_landmark_lite', 'pose_landmark_full']) {
    const path = join(ROOT, 'node_modules/@mediapipe/pose', `${name}.tflite`);
    const model = loadModel(path);
    const points = splitPointIndices(graphFacts(model));
    const ks = points.filter((_, n) => n % Math.ceil(points.length / SPLITS) === 0);
    const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
    const jobs = ks.map(
        (k) => ({ kind: 'measure-head', split: k, modelPath: path, modelId: name, modelSha256: sha }) as Job,
    );
    const first: number[] = [];
    const reuse: number[] = [];
    let pairBytes = 0;
    for (let r = 0; r < ROUNDS; r++) {
        const root = mkdtempSync(join(tmpdir(), 'splitbench-bench-sub-'));
        try {
            const prepare = (): number => {
                const t = performance.now();
                const out = prepareSubModels(jobs, new Map([[path, model]]), {
                    root,
                    log: quiet,
                    say: () => undefined,
                    mode: 'gate',
                });
                if (out.checks.some((c) => c.status !== 'pass')) throw new Error(`${name}: a split did not pass`);
                pairBytes = [...out.paths.values()].reduce((s, p) => s + statSync(p).size, 0);
                return performance.now() - t;
            };
            first.push(prepare());
            reuse.push(prepare());
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    }
    const a = median(first);
    const b = median(reuse);
    console.log(
        `${name}: ${ks.length} splits, ${(pairBytes / 1e6).toFixed(1)} MB of head/tail files; ` +
            `empty cache (write + check) ${a.toFixed(0)} ms, filled cache (sha256 + manifest) ${b.toFixed(0)} ms, ` +
            `ratio ${(b / a).toFixed(3)} (median of ${ROUNDS})`,
    );
}
