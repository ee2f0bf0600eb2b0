// Split-point selection strings: `K[,K...]`, `all`, `every:N`, `tensor:NAME`.
import { SplitbenchError } from '../errors.js';
import { checkSplitIndex } from './split.js';
import { graphFacts, splitPointIndices, type GraphFacts } from './split-points.js';
import type { TfliteModel } from './types.js';

export const SPLIT_SPEC_HELP =
    'K[,K...] (ops 0..K on the UE), all (every split point), every:N (every N-th split point, from the first), ' +
    'tensor:NAME (right after the op producing tensor NAME, or #INDEX)';

const invalid = (model: TfliteModel, msg: string): never => {
    throw new SplitbenchError('SPLIT_INVALID', `model ${model.label}: ${msg}`);
};

/**
 * Resolves a split-point selection to ascending, distinct split indices k (ops 0..k on the UE).
 * `all` and `every:N` walk the distinct split points (constant-folding ops never start one); explicit K accepts
 * any 0..N-2. Throws SPLIT_INVALID naming the model and the problem.
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
        checkSplitIndex(model, p);
        return [p];
    }
    const parts = s.split(',').map((x) => x.trim());
    const ks = parts.map((x) => {
        if (!/^\d+$/.test(x)) {
            invalid(model, `split spec '${spec}': '${x}' is not a split point (expected ${SPLIT_SPEC_HELP})`);
        }
        const k = Number(x);
        checkSplitIndex(model, k);
        return k;
    });
    return [...new Set(ks)].sort((a, b) => a - b);
};
