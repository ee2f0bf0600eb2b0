// Head/tail sub-model files for the measured split points, made once per model on this host.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SplitbenchError } from '../errors.js';
import type { Logger } from '../log.js';
import { loadModel } from '../model/load.js';
import { modelBaseName, splitFileNames, writeSplits } from '../model/split-files.js';
import type { TfliteModel } from '../model/types.js';
import { verifySplitFiles } from '../model/verify.js';
import type { Job } from '../plan/types.js';

/**
 * Head/tail files for every measured split, written once per model into results/submodels/<sha>/ and checked
 * there: head→tail must give the full model's outputs on this host's runtime before any device measures them.
 */
export const prepareSubModels = (
    jobs: readonly Job[],
    models: Map<string, TfliteModel>,
    root: string,
    log: Logger,
    say: (line: string) => void,
): Map<string, string> => {
    const paths = new Map<string, string>();
    const wanted = new Map<string, Set<number>>();
    for (const j of jobs) {
        if (j.split === null) continue;
        const set = wanted.get(j.modelPath) ?? new Set<number>();
        set.add(j.split);
        wanted.set(j.modelPath, set);
    }
    for (const [modelPath, ks] of wanted) {
        const job = jobs.find((j) => j.modelPath === modelPath);
        if (job === undefined) continue;
        const outDir = join(root, job.modelSha256.slice(0, 16));
        const name = modelBaseName(modelPath);
        const missing = [...ks].filter((k) => {
            const f = splitFileNames(outDir, name, k);
            return !existsSync(f.head) || !existsSync(f.tail);
        });
        if (missing.length > 0) {
            const model = models.get(modelPath) ?? loadModel(modelPath);
            const written = writeSplits(
                model,
                missing.sort((a, b) => a - b),
                { outDir, modelName: name },
            );
            const verdicts = written.map((w) =>
                verifySplitFiles(modelPath, w.k, { head: w.head.path, tail: w.tail.path }, { model }),
            );
            const count = (st: string): number => verdicts.filter((v) => v.status === st).length;
            say(
                `sub-models of ${job.modelId}: ${written.length} split(s) written to ${outDir}; ` +
                    `head→tail vs full model: ${count('pass')} pass, ${count('fail')} FAIL, ${count('cannot-verify')} cannot verify`,
            );
            for (const v of verdicts)
                if (v.status !== 'pass')
                    say(`  split ${v.k}: ${v.status === 'fail' ? 'FAIL' : 'cannot verify'}: ${v.reason ?? ''}`);
            log.info(
                { model: modelPath, outDir, verdicts: verdicts.map((v) => [v.k, v.status, v.reason]) },
                'sub-models written',
            );
        }
        for (const k of ks) {
            const f = splitFileNames(outDir, name, k);
            paths.set(`${modelPath}#${k}#head`, f.head);
            paths.set(`${modelPath}#${k}#tail`, f.tail);
        }
    }
    return paths;
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
