// From stored job results to split-analysis inputs: one input per model × UE device × server device.
// Pure: the caller reads the store and the model files and passes plain data in.
import type { JobResultRecord } from '../store/types.js';
import type { CutInput, ModelInfo, NetworkProfile, Rep, RepetitionProfile, SplitAnalysisInput } from './types.js';

/** What the model toolkit knows of one model file, in analysis terms. */
export interface ModelFacts {
    info: ModelInfo;
    /** Every valid split point's cut. */
    cuts: CutInput[];
}

const usable = (r: JobResultRecord): boolean =>
    r.state === 'done' && r.summary.failureKind === null && r.summary.avgUs !== null;

/** Load-flagged results are marked (not dropped): reports show every repetition, compare leaves these out. */
const loadedOf = (r: JobResultRecord): { loaded?: true } => (r.load?.flag !== undefined ? { loaded: true } : {});

const rep = (r: JobResultRecord): Rep => ({
    avgUs: r.summary.avgUs ?? 0,
    ...(r.samplesUs.length > 0 ? { samplesUs: r.samplesUs } : {}),
    ...loadedOf(r),
});

const distinct = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

export interface AssembleOptions {
    networks: readonly NetworkProfile[];
    /** Split points to report per model sha256 (the campaign's); default: the measured ones, else every split point. */
    splits?: ReadonlyMap<string, readonly number[]> | undefined;
}

export const assembleAnalysisInputs = (
    results: readonly JobResultRecord[],
    models: ReadonlyMap<string, ModelFacts>,
    opts: AssembleOptions,
): SplitAnalysisInput[] => {
    const inputs: SplitAnalysisInput[] = [];
    const ok = results.filter(usable);
    for (const [sha, facts] of models) {
        const mine = ok.filter((r) => r.modelSha256 === sha);
        const ues = distinct(mine.filter((r) => r.role === 'ue').map((r) => r.device));
        const servers = distinct(mine.filter((r) => r.role === 'server').map((r) => r.device));
        const on = (device: string, kind: JobResultRecord['kind']): JobResultRecord[] =>
            mine.filter((r) => r.device === device && r.kind === kind).sort((a, b) => a.repetition - b.repetition);
        const profiles = (device: string): RepetitionProfile[] =>
            on(device, 'estimate')
                .filter((r) => r.ops.length > 0)
                .map((r) => ({
                    ops: r.ops,
                    inferenceAvgUs: r.summary.avgUs ?? 0,
                    ...(r.samplesUs.length > 0 ? { samplesUs: r.samplesUs } : {}),
                    // estimate jobs run the reference file itself, so node indices line up
                    sameModelFile: r.modelSha256 === sha,
                    ...loadedOf(r),
                }));
        const bySplit = (device: string, kind: 'measure-head' | 'measure-tail'): Map<number, Rep[]> => {
            const m = new Map<number, Rep[]>();
            for (const r of on(device, kind)) {
                if (r.split === null) continue;
                const list = m.get(r.split) ?? [];
                list.push(rep(r));
                m.set(r.split, list);
            }
            return m;
        };
        for (const ue of ues) {
            for (const server of servers) {
                const head = bySplit(ue, 'measure-head');
                const tail = bySplit(server, 'measure-tail');
                const wanted = opts.splits?.get(sha);
                const measuredSplits = new Set([...head.keys(), ...tail.keys()]);
                const keep = (c: CutInput): boolean =>
                    wanted !== undefined
                        ? wanted.includes(c.after)
                        : measuredSplits.size === 0 || measuredSplits.has(c.after);
                inputs.push({
                    model: facts.info,
                    cuts: facts.cuts.filter(keep),
                    ueDevice: ue,
                    serverDevice: server,
                    estimate: { ue: profiles(ue), server: profiles(server) },
                    measured: {
                        fullUe: on(ue, 'baseline').map(rep),
                        fullServer: on(server, 'baseline').map(rep),
                        head,
                        tail,
                    },
                    networks: [...opts.networks],
                });
            }
        }
    }
    return inputs;
};
