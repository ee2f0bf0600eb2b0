// Head/tail sub-model files for the measured split points, made once per model on this host, each pair with a
// manifest (sub-model-cache.ts) so a cached pair is reused only when its files are exactly what was written.
import { join } from 'node:path';
import { SplitbenchError } from '../errors.js';
import type { Logger } from '../log.js';
import { loadModel } from '../model/load.js';
import { modelBaseName, splitFileNames, writeSplits } from '../model/split-files.js';
import type { TfliteModel } from '../model/types.js';
import { verifySplitFiles } from '../model/verify.js';
import type { Job } from '../plan/types.js';
import { splitCheckText, type SplitCheck, type SplitCheckRecord } from '../report/split-checks.js';
import { checkCachedPair, removeCachedPair, writeManifest, type Expected } from './sub-model-cache.js';
import { splitCheckOf, type VerifyMode } from './split-check.js';

export interface SubModels {
    /** `<modelPath>#<k>#head|tail` → file. */
    paths: Map<string, string>;
    /** The head→tail verdict of every split measured, by model and split point. */
    checks: SplitCheckRecord[];
}

/**
 * Head/tail files for every measured split, in `opts.root`/<sha16>/ (root: results/submodels). A pair is reused
 * when its manifest matches (this splitbench, this model's sha256, the files' sha256 and size); a missing, truncated
 * or stale pair is rewritten and checked again, saying so in one line through `opts.say`. The check: head then tail
 * must give the full model's outputs on this host's runtime (model/verify.ts, bit-identical with XNNPACK off); its
 * verdict is kept in the manifest, so a reused pair is not checked again. `opts.mode` off: no check ("not checked").
 * Throws MODEL_INVALID / SPLIT_INVALID when the model cannot be cut, INTERNAL when the folder is not writable.
 */
export const prepareSubModels = (
    jobs: readonly Job[],
    models: Map<string, TfliteModel>,
    opts: {
        /** results/submodels */
        root: string;
        log: Logger;
        /** One line for the user (the run's stderr). */
        say: (line: string) => void;
        mode: VerifyMode;
    },
): SubModels => {
    const { root, log, say, mode } = opts;
    const paths = new Map<string, string>();
    const checks: SplitCheckRecord[] = [];
    const wanted = new Map<string, { job: Job; ks: Set<number> }>();
    for (const j of jobs) {
        if (j.split === null) continue;
        const w = wanted.get(j.modelPath) ?? { job: j, ks: new Set<number>() };
        w.ks.add(j.split);
        wanted.set(j.modelPath, w);
    }
    for (const [modelPath, { job, ks }] of wanted) {
        const outDir = join(root, job.modelSha256.slice(0, 16));
        const name = modelBaseName(modelPath);
        let model: TfliteModel | undefined = models.get(modelPath);
        const modelOnce = (): TfliteModel => (model ??= loadModel(modelPath));
        const expected = (k: number): Expected => ({
            modelId: job.modelId,
            modelSha256: job.modelSha256,
            k,
            ...splitFileNames(outDir, name, k),
        });
        const check = (e: Expected): SplitCheck =>
            mode === 'off'
                ? { status: 'not-checked' }
                : splitCheckOf(
                      verifySplitFiles(modelPath, e.k, { head: e.head, tail: e.tail }, { model: modelOnce() }),
                  );
        const verdicts = new Map<number, SplitCheck>();
        const toWrite: number[] = [];
        let reused = 0;
        for (const k of [...ks].sort((a, b) => a - b)) {
            const e = expected(k);
            const cached = checkCachedPair(e);
            if (typeof cached === 'string') {
                if (cached !== 'not written yet')
                    say(`sub-models of ${job.modelId} split ${k}: ${cached}; rewriting and checking it again`);
                removeCachedPair(e);
                toWrite.push(k);
                continue;
            }
            reused++;
            if (cached.check !== undefined || mode === 'off') {
                verdicts.set(k, cached.check ?? { status: 'not-checked' });
                continue;
            }
            // written with verify: off: check it now and keep the verdict
            const c = check(e);
            writeManifest(e, c);
            verdicts.set(k, c);
        }
        if (toWrite.length > 0) {
            for (const w of writeSplits(modelOnce(), toWrite, { outDir, modelName: name })) {
                const e = expected(w.k);
                const c = check(e);
                writeManifest(e, mode === 'off' ? undefined : c);
                verdicts.set(w.k, c);
            }
        }
        const all = [...verdicts].sort(([a], [b]) => a - b);
        const count = (st: SplitCheck['status']): number => all.filter(([, c]) => c.status === st).length;
        say(
            `sub-models of ${job.modelId}: ${toWrite.length} split(s) written, ${reused} reused (sha256 checked) in ${outDir}; ` +
                (mode === 'off'
                    ? 'head→tail check off (verify: off)'
                    : `head→tail vs full model: ${count('pass')} pass, ${count('fail')} FAIL, ${count('cannot-verify')} cannot verify`),
        );
        for (const [k, c] of all)
            if (c.status === 'fail' || c.status === 'cannot-verify')
                say(
                    `  split ${k}: ${splitCheckText(c)}${c.status === 'fail' ? (mode === 'gate' ? ' (not measured)' : ' (measured anyway: verify: warn)') : ''}`,
                );
        log.info(
            {
                model: modelPath,
                outDir,
                written: toWrite,
                reused,
                verdicts: all.map(([k, c]) => [k, c.status, c.detail]),
            },
            'sub-models ready',
        );
        for (const [k, c] of all) {
            const e = expected(k);
            paths.set(`${modelPath}#${k}#head`, e.head);
            paths.set(`${modelPath}#${k}#tail`, e.tail);
            checks.push({ modelId: job.modelId, modelSha256: job.modelSha256, split: k, ...c });
        }
    }
    return { paths, checks };
};

export const localModelFor = (job: Job, subModels: Map<string, string>): string => {
    if (job.kind === 'measure-head' || job.kind === 'measure-tail') {
        const side = job.kind === 'measure-head' ? 'head' : 'tail';
        const p = subModels.get(`${job.modelPath}#${job.split ?? -1}#${side}`);
        if (p === undefined) throw new SplitbenchError('INTERNAL', `no ${side} sub-model for ${job.label}`);
        return p;
    }
    return job.modelPath;
};
