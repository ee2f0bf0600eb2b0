// Split-point selection strings: `K[,K...]`, `all`, `every:N`, `tensor:NAME`.
import { SplitbenchError } from '../errors.js';
import { graphFacts, splitPointIndices, type GraphFacts } from './split-points.js';
import type { TfliteModel } from './types.js';

export const SPLIT_SPEC_HELP =
    'K[,K...] (ops 0..K on the UE), all (every split point), every:N (every N-th split point, from the first), ' +
    'tensor:NAME (right after the op producing tensor NAME, or #INDEX)';

const invalid = (model: TfliteModel, msg: string): never => {
    throw new SplitbenchError('SPLIT_INVALID', `model ${model.label}: ${msg}`);
};

/** `0..11` for a dense run, `0, 3, 6, …` otherwise; long lists are cut and point at `model inspect`. */
const pointsText = (points: readonly number[]): string => {
    const parts: string[] = [];
    for (let i = 0; i < points.length;) {
        let j = i;
        while (j + 1 < points.length && points[j + 1] === (points[j] ?? 0) + 1) j++;
        if (j - i >= 2) parts.push(`${points[i]}..${points[j]}`);
        else parts.push(...points.slice(i, j + 1).map(String));
        i = j + 1;
    }
    const MAX = 12;
    if (parts.length <= MAX) return parts.join(', ');
    return `${parts.slice(0, MAX).join(', ')}, … (${points.length} in all; 'splitbench model inspect' lists them)`;
};

/**
 * Throws SPLIT_INVALID unless k is a split point. A constant-folding op is refused with the wording of the campaign
 * check (src/plan/splits.ts) so both paths read alike; both messages list the valid points.
 */
const checkCut = (model: TfliteModel, facts: GraphFacts, points: readonly number[], k: number): void => {
    if (points.includes(k)) return;
    const valid = points.length === 0 ? 'the model has no split points' : `valid: ${pointsText(points)}`;
    if (facts.constOp[k] === true) {
        throw new SplitbenchError(
            'SPLIT_INVALID',
            `split point ${k} is not a cut of model ${model.label} (op ${k} only feeds constants of later ops; ${valid})`,
        );
    }
    invalid(model, `split point ${k} out of range (${valid})`);
};

/**
 * Resolves a split-point selection to ascending, distinct split indices k (ops 0..k on the UE).
 * `all` and `every:N` walk the distinct split points (constant-folding ops never start one); an explicit K or
 * tensor must be one of them. Throws SPLIT_INVALID naming the model and the problem.
 */
export const parseSplitSpec = (spec: string, model: TfliteModel, facts: GraphFacts = graphFacts(model)): number[] => {
    const s = spec.trim();
    const points = splitPointIndices(facts);
    if (s === 'all') {
        if (points.length === 0) invalid(model, 'the model has no split points (fewer than two ops)');
        return points;
    }
    if (s.startsWith('every:')) {
        const n = Number(s.slice('every:'.length));
        if (!Number.isInteger(n) || n < 1) invalid(model, `split spec '${spec}': every:N needs a whole N >= 1`);
        if (points.length === 0) invalid(model, 'the model has no split points (fewer than two ops)');
        return points.filter((_, i) => i % n === 0);
    }
    if (s.startsWith('tensor:')) {
        const name = s.slice('tensor:'.length);
        const { sg } = facts;
        let t = sg.tensors.find((x) => x.name === name);
        if (t === undefined && /^#\d+$/.test(name)) t = sg.tensors[Number(name.slice(1))];
        if (t === undefined) return invalid(model, `no tensor named '${name}' in subgraph 0`);
        const p = facts.producer[t.index] ?? -1;
        if (p < 0)
            invalid(model, `tensor '${name}' is not produced by an op (${t.isInput ? 'a model input' : 'a constant'})`);
        if (facts.constOp[p] === true)
            invalid(model, `tensor '${name}' is a constant (made by ${sg.operators[p]?.type} op ${p})`);
        checkCut(model, facts, points, p);
        return [p];
    }
    const parts = s.split(',').map((x) => x.trim());
    const ks = parts.map((x) => {
        if (!/^\d+$/.test(x)) {
            invalid(model, `split spec '${spec}': '${x}' is not a split point (expected ${SPLIT_SPEC_HELP})`);
        }
        const k = Number(x);
        checkCut(model, facts, points, k);
        return k;
    });
    return [...new Set(ks)].sort((a, b) => a - b);
};
