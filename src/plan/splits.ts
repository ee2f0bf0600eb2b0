// Turns a campaign's split specification into concrete split indices for one model. Pure.
import type { SplitSpec } from '../config/schema.js';

/** What the loader and planner need to know about a model file (the model toolkit provides it). */
export interface ModelFacts {
    /** Operators in subgraph 0. */
    opCount: number;
    /**
     * Valid split points in ascending order, when the model toolkit knows better than 0..opCount-2 (ops that
     * only feed constants never create a cut, so some indices may be missing).
     */
    splitPoints?: readonly number[] | undefined;
    /** Tensor name → index of the op that produces it (execution order of subgraph 0). */
    tensorProducers?: ReadonlyMap<string, number> | undefined;
}

export interface SplitProblem {
    /** Index into the spec's list (`splits[i]` or `tensors[i]`); undefined for problems with the spec as a whole. */
    index?: number | undefined;
    message: string;
}

export interface ResolvedSplits {
    splits: number[];
    problems: SplitProblem[];
}

/** Split k = ops 0..k on the UE, k+1..N-1 on the server, so both sides are non-empty for k in 0..N-2. */
export const validSplitPoints = (facts: ModelFacts): number[] => {
    if (facts.splitPoints !== undefined) return [...facts.splitPoints].sort((a, b) => a - b);
    return Array.from({ length: Math.max(facts.opCount - 1, 0) }, (_, k) => k);
};

const rangeText = (facts: ModelFacts): string =>
    facts.opCount < 2
        ? `${facts.opCount} op(s): no split point`
        : `${facts.opCount} ops: valid 0..${facts.opCount - 2}`;

/**
 * Resolves a spec against a model. `every: N` takes every Nth entry of the valid list (the Nth, 2Nth, …), so
 * the count is predictable even when some indices are not valid cuts. Results are sorted and de-duplicated.
 */
export const resolveSplits = (spec: SplitSpec, facts: ModelFacts, modelLabel: string): ResolvedSplits => {
    const valid = validSplitPoints(facts);
    const validSet = new Set(valid);
    const problems: SplitProblem[] = [];
    let out: number[] = [];
    if (spec === 'all') {
        out = valid;
    } else if (Array.isArray(spec)) {
        spec.forEach((k, index) => {
            if (k > facts.opCount - 2) {
                problems.push({
                    index,
                    message: `split point ${k} is beyond model ${modelLabel} (${rangeText(facts)})`,
                });
            } else if (!validSet.has(k)) {
                problems.push({
                    index,
                    message: `split point ${k} is not a cut of model ${modelLabel} (op ${k} only feeds constants of later ops)`,
                });
            } else {
                out.push(k);
            }
        });
    } else if ('every' in spec) {
        out = valid.filter((_, i) => (i + 1) % spec.every === 0);
        if (out.length === 0)
            problems.push({
                message: `every: ${spec.every} selects no split point of model ${modelLabel} (${rangeText(facts)})`,
            });
    } else {
        spec.tensors.forEach((name, index) => {
            const producer = facts.tensorProducers?.get(name);
            if (facts.tensorProducers === undefined) {
                problems.push({
                    index,
                    message: `cannot resolve tensor "${name}": tensor names of ${modelLabel} unknown`,
                });
            } else if (producer === undefined) {
                problems.push({ index, message: `model ${modelLabel} has no tensor "${name}" produced by an op` });
            } else if (!validSet.has(producer)) {
                problems.push({
                    index,
                    message: `tensor "${name}" is produced by op ${producer}, which is not a split point of ${modelLabel} (${rangeText(facts)})`,
                });
            } else {
                out.push(producer);
            }
        });
    }
    return { splits: [...new Set(out)].sort((a, b) => a - b), problems };
};
