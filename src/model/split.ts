// Head/tail planning for a split point, and writing the pair of sub-models.
import { SplitbenchError } from '../errors.js';
import { graphFacts, partition, splitAt, type GraphFacts, type SplitPoint } from './split-points.js';
import type { TfliteModel } from './types.js';
import { buildSubModel, joinSegments, SubModelWriter, type SubModelPlan } from './write.js';

export interface SplitPlan {
    point: SplitPoint;
    /** Head: model inputs it consumes → the cut tensors it produces, plus the model outputs it produced. */
    head: SubModelPlan;
    /** Tail: every cut tensor → the model outputs it produces. */
    tail: SubModelPlan;
}

/** Largest valid k (ops 0..k on the UE leave at least one op for the server). */
export const lastSplitIndex = (model: TfliteModel): number => (model.subgraphs[0]?.operators.length ?? 0) - 2;

export const checkSplitIndex = (model: TfliteModel, k: number): void => {
    const n = model.subgraphs[0]?.operators.length ?? 0;
    if (!Number.isInteger(k) || k < 0 || k > n - 2) {
        const range = n < 2 ? `the model has ${n} op(s), so no split points` : `valid: 0..${n - 2}`;
        throw new SplitbenchError('SPLIT_INVALID', `model ${model.label}: split point ${k} out of range (${range})`);
    }
};

/** Plans the head and tail of split point k; throws UNSUPPORTED when they cannot work apart. */
export const planSplit = (model: TfliteModel, k: number, facts: GraphFacts = graphFacts(model)): SplitPlan => {
    checkSplitIndex(model, k);
    const point = splitAt(facts, k);
    if (point.unsupported !== undefined) {
        throw new SplitbenchError('UNSUPPORTED', `model ${model.label}: split point ${k}: ${point.unsupported}`);
    }
    const { sg } = facts;
    const side = partition(facts, k);
    const headOps = new Set(side.head);
    const consumedBy = (ops: Set<number>, t: number): boolean =>
        sg.operators.some((o) => ops.has(o.index) && o.inputs.includes(t));
    const headInputs = sg.inputs.filter((t) => consumedBy(headOps, t));
    const headOutputs = point.cut.filter((c) => c.source === 'head').map((c) => c.index);
    for (const o of point.outputsAlreadyProduced) if (!headOutputs.includes(o.index)) headOutputs.push(o.index);
    const tailOutputs = sg.outputs.filter((t) => {
        const p = facts.producer[t] ?? -1;
        return p > k && facts.constOp[p] !== true;
    });
    if (headOutputs.length === 0) {
        throw new SplitbenchError(
            'UNSUPPORTED',
            `model ${model.label}: split point ${k}: the head produces nothing the tail or the user needs`,
        );
    }
    return {
        point,
        head: { ops: side.head, inputs: headInputs, outputs: headOutputs, description: `splitbench head: ops 0..${k}` },
        tail: {
            ops: side.tail,
            inputs: point.cut.map((c) => c.index),
            outputs: tailOutputs,
            description: `splitbench tail: ops ${k + 1}..${sg.operators.length - 1}`,
        },
    };
};

export interface SplitBytes {
    plan: SplitPlan;
    head: Uint8Array;
    tail: Uint8Array;
}

/** Builds head and tail bytes (owned copies) for split point k. */
export const buildSplit = (model: TfliteModel, k: number, facts?: GraphFacts): SplitBytes => {
    const plan = planSplit(model, k, facts);
    const writer = new SubModelWriter();
    const head = joinSegments(buildSubModel(model, plan.head, writer));
    const tail = joinSegments(buildSubModel(model, plan.tail, writer));
    return { plan, head, tail };
};
