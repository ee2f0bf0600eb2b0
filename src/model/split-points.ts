// Split points of subgraph 0 (pure: model data in, cut descriptions out).
//
// Split point k: ops 0..k (execution order) run on the UE ("head"), ops k+1..N-1 on the server ("tail").
//
// Constant folding: an op whose inputs are all constants, or outputs of such ops, computes a constant (for example
// the DEQUANTIZE of fp16 weights in MediaPipe models). Its outputs are not activations: the op travels with the
// ops that consume its result, in both sub-models when both sides consume it, and never makes a cut. Split point
// numbers stay op indices; a k that names a constant-folding op cuts exactly where the previous real op does,
// so `splitPoints()` lists only k at real ops (and only while a real op remains for the tail).
//
// The cut at k is every tensor the tail consumes that is
//   - produced by a real head op, or
//   - a model input (the input is captured on the UE, so it crosses the link; the head does not re-emit it:
//     it is simply a tail input).
// Model outputs the head produces are listed separately as `outputsAlreadyProduced`: they are results, not
// activations, unless the tail consumes them too (then they are in both lists).
import type { DType } from './dtype.js';
import { mainSubgraph } from './read.js';
import type { SubgraphInfo, TensorInfo, TfliteModel } from './types.js';

export interface TensorRef {
    index: number;
    name: string;
    shape: number[];
    shapeSignature?: number[] | undefined;
    dtype: DType;
    /** null when the size cannot be known from the file (see bytesUnknown). */
    bytes: number | null;
    bytesUnknown?: string | undefined;
}

export interface CutTensor extends TensorRef {
    source: 'model-input' | 'head';
}

export interface SplitPoint {
    /** k: ops 0..k on the UE. */
    after: number;
    cut: CutTensor[];
    /** Number of tensors crossing the cut (TR 26.847's "branches"). */
    count: number;
    /** Total bytes crossing; null when any cut tensor's size is unknown. */
    bytes: number | null;
    bytesUnknown?: string | undefined;
    /** Model outputs already computed on the UE. */
    outputsAlreadyProduced: TensorRef[];
    /** Ops in each sub-model, counting the constant-folding ops each one needs. */
    headOpCount: number;
    tailOpCount: number;
    /** Why this point cannot be cut into two working sub-models (state or resource handles would cross). */
    unsupported?: string | undefined;
}

/** Ops that hold or touch interpreter state: they must all run in the same sub-model. */
const STATEFUL_OPS = new Set([
    'CALL_ONCE',
    'VAR_HANDLE',
    'READ_VARIABLE',
    'ASSIGN_VARIABLE',
    'HASHTABLE',
    'HASHTABLE_FIND',
    'HASHTABLE_IMPORT',
    'HASHTABLE_SIZE',
    'RANDOM_STANDARD_NORMAL',
    'RANDOM_UNIFORM',
    'MULTINOMIAL',
]);

/** Per-model facts every split point needs, computed once. */
export interface GraphFacts {
    sg: SubgraphInfo;
    /** op index → is a constant-folding op. */
    constOp: boolean[];
    /** tensor index → produced by a constant-folding op (so itself a constant). */
    constDerived: boolean[];
    /** tensor index → producing op, -1 for none. */
    producer: number[];
    /** For constant-folding ops: smallest / largest real op that (transitively) consumes the result; -1 if none. */
    constMinConsumer: number[];
    constMaxConsumer: number[];
    /** tensor index → largest real op index consuming it, -1 if none. */
    lastRealConsumer: number[];
    firstRealConsumer: number[];
    /** Indices of real (not constant-folding) ops, ascending. */
    realOps: number[];
    constOps: number[];
    /** Ops holding interpreter state, ascending. */
    statefulOps: number[];
    /** Variable tensors no op produces (RNN/LSTM state). */
    stateTensors: number[];
    cutRefs: (CutTensor | undefined)[];
}

export const graphFacts = (model: TfliteModel): GraphFacts => {
    const sg = mainSubgraph(model);
    const nT = sg.tensors.length;
    const nO = sg.operators.length;
    const producer = new Array<number>(nT).fill(-1);
    const constDerived = new Array<boolean>(nT).fill(false);
    const constOp = new Array<boolean>(nO).fill(false);
    const outputs = new Set(sg.outputs);
    for (const op of sg.operators) {
        for (const t of op.outputs) if (producer[t] === -1) producer[t] = op.index;
        const present = op.inputs.filter((t) => t >= 0);
        const foldable =
            present.length > 0 &&
            op.outputs.length > 0 &&
            op.subgraphRefs.length === 0 &&
            !STATEFUL_OPS.has(op.type) &&
            !op.type.startsWith('CUSTOM:') &&
            present.every((t) => {
                const info = sg.tensors[t];
                return info !== undefined && !info.variable && (info.constant || constDerived[t] === true);
            }) &&
            op.outputs.every((t) => !outputs.has(t) && sg.tensors[t]?.variable !== true);
        if (foldable) {
            constOp[op.index] = true;
            for (const t of op.outputs) constDerived[t] = true;
        }
    }
    // Consumers, walking backwards so a constant op's consumers are settled before the op itself.
    const lastRealConsumer = new Array<number>(nT).fill(-1);
    const firstRealConsumer = new Array<number>(nT).fill(-1);
    const constMin = new Array<number>(nO).fill(-1);
    const constMax = new Array<number>(nO).fill(-1);
    const tensorMin = new Array<number>(nT).fill(-1);
    const tensorMax = new Array<number>(nT).fill(-1);
    for (let i = nO - 1; i >= 0; i--) {
        const op = sg.operators[i];
        if (op === undefined) continue;
        if (constOp[i] === true) {
            let lo = -1;
            let hi = -1;
            for (const t of op.outputs) {
                const a = tensorMin[t] ?? -1;
                const b = tensorMax[t] ?? -1;
                if (a >= 0 && (lo < 0 || a < lo)) lo = a;
                if (b > hi) hi = b;
            }
            constMin[i] = lo;
            constMax[i] = hi;
        }
        const lo = constOp[i] === true ? (constMin[i] ?? -1) : i;
        const hi = constOp[i] === true ? (constMax[i] ?? -1) : i;
        if (lo < 0) continue;
        for (const t of op.inputs) {
            if (t < 0) continue;
            if (constOp[i] !== true) {
                if ((lastRealConsumer[t] ?? -1) < i) lastRealConsumer[t] = i;
                firstRealConsumer[t] = i;
            }
            const a = tensorMin[t] ?? -1;
            if (a < 0 || lo < a) tensorMin[t] = lo;
            if (hi > (tensorMax[t] ?? -1)) tensorMax[t] = hi;
        }
    }
    const realOps: number[] = [];
    const constOps: number[] = [];
    for (let i = 0; i < nO; i++) (constOp[i] === true ? constOps : realOps).push(i);
    const statefulOps = realOps.filter((i) => STATEFUL_OPS.has(sg.operators[i]?.type ?? ''));
    const stateTensors = sg.tensors.filter((t) => t.variable && producer[t.index] === -1).map((t) => t.index);
    return {
        sg,
        constOp,
        constDerived,
        producer,
        constMinConsumer: constMin,
        constMaxConsumer: constMax,
        lastRealConsumer,
        firstRealConsumer,
        realOps,
        constOps,
        statefulOps,
        stateTensors,
        cutRefs: [],
    };
};

export const tensorRef = (t: TensorInfo): TensorRef => {
    // Built field by field: conditional object spreads are ~50x slower and this runs for every cut tensor.
    const ref: TensorRef = { index: t.index, name: t.name, shape: t.shape, dtype: t.dtype, bytes: t.bytes ?? null };
    if (t.shapeSignature !== undefined) ref.shapeSignature = t.shapeSignature;
    if (t.bytesUnknown !== undefined) ref.bytesUnknown = t.bytesUnknown;
    return ref;
};

/** Cut entries are shared between split points (treat them as read-only). */
const cutRef = (facts: GraphFacts, t: TensorInfo, source: CutTensor['source']): CutTensor => {
    let ref = facts.cutRefs[t.index];
    if (ref === undefined) {
        ref = Object.assign(tensorRef(t), { source });
        facts.cutRefs[t.index] = ref;
    }
    return ref;
};

/** Which ops go to each side at split point k (ascending op indices, constant-folding ops included). */
export const partition = (facts: GraphFacts, k: number): { head: number[]; tail: number[] } => {
    const head: number[] = [];
    const tail: number[] = [];
    const n = facts.constOp.length;
    for (let i = 0; i < n; i++) {
        if (facts.constOp[i] === true) {
            const lo = facts.constMinConsumer[i] ?? -1;
            const hi = facts.constMaxConsumer[i] ?? -1;
            if (lo >= 0 && lo <= k) head.push(i);
            if (hi > k) tail.push(i);
        } else if (i <= k) head.push(i);
        else tail.push(i);
    }
    return { head, tail };
};

const stateProblem = (facts: GraphFacts, k: number): string | undefined => {
    const { sg } = facts;
    const h = facts.statefulOps.find((i) => i <= k);
    const t = facts.statefulOps.find((i) => i > k);
    if (h !== undefined && t !== undefined) {
        const name = (i: number): string => `${sg.operators[i]?.type ?? '?'} (op ${i})`;
        return `stateful ops on both sides: ${name(h)} on the UE, ${name(t)} on the server share resource state`;
    }
    // Variable tensors (RNN/LSTM state) are nobody's output: both sides using one would split the state.
    for (const v of facts.stateTensors) {
        const first = facts.firstRealConsumer[v] ?? -1;
        const last = facts.lastRealConsumer[v] ?? -1;
        if (first >= 0 && first <= k && last > k) {
            const name = sg.tensors[v]?.name ?? `#${v}`;
            return `variable tensor ${name} is state used on both sides (ops ${first} and ${last})`;
        }
    }
    return undefined;
};

const opCounts = (facts: GraphFacts, k: number): { headOpCount: number; tailOpCount: number } => {
    let realHead = 0;
    for (const i of facts.realOps) if (i <= k) realHead++;
    let head = realHead;
    let tail = facts.realOps.length - realHead;
    for (const c of facts.constOps) {
        const lo = facts.constMinConsumer[c] ?? -1;
        if (lo >= 0 && lo <= k) head++;
        if ((facts.constMaxConsumer[c] ?? -1) > k) tail++;
    }
    return { headOpCount: head, tailOpCount: tail };
};

/** The cut at split point k (any k in 0..N-2; see the file comment for constant-folding ops). */
export const splitAt = (facts: GraphFacts, k: number): SplitPoint => {
    const { sg } = facts;
    const cut: CutTensor[] = [];
    const inputs = new Set(sg.inputs);
    // Model inputs first (in model input order), then head tensors in the order they are produced.
    for (const t of sg.inputs) {
        if ((facts.lastRealConsumer[t] ?? -1) > k && !cut.some((c) => c.index === t)) {
            const info = sg.tensors[t];
            if (info !== undefined) cut.push(cutRef(facts, info, 'model-input'));
        }
    }
    for (const i of facts.realOps) {
        if (i > k) break;
        for (const t of sg.operators[i]?.outputs ?? []) {
            const info = sg.tensors[t];
            if (info === undefined || info.constant || inputs.has(t) || facts.producer[t] !== i) continue;
            if ((facts.lastRealConsumer[t] ?? -1) > k) cut.push(cutRef(facts, info, 'head'));
        }
    }
    const produced: TensorRef[] = [];
    for (const t of sg.outputs) {
        const p = facts.producer[t] ?? -1;
        const info = sg.tensors[t];
        if (info !== undefined && p >= 0 && p <= k && facts.constOp[p] !== true) produced.push(tensorRef(info));
    }
    const unknown = cut.find((c) => c.bytes === null);
    let unsupported = stateProblem(facts, k);
    const handle = cut.find((c) => c.dtype === 'resource' || c.dtype === 'variant');
    if (handle !== undefined) unsupported ??= `${handle.dtype} tensor ${handle.name} would cross the cut`;
    return {
        after: k,
        cut,
        count: cut.length,
        bytes: unknown !== undefined ? null : cut.reduce((s, c) => s + (c.bytes ?? 0), 0),
        ...(unknown !== undefined ? { bytesUnknown: `${unknown.name}: ${unknown.bytesUnknown ?? 'unknown'}` } : {}),
        outputsAlreadyProduced: produced,
        ...opCounts(facts, k),
        ...(unsupported !== undefined ? { unsupported } : {}),
    };
};

/** The k values that are distinct split points: a real op with at least one real op after it. */
export const splitPointIndices = (facts: GraphFacts): number[] => facts.realOps.slice(0, -1);

/** Every distinct split point of subgraph 0. */
export const splitPoints = (model: TfliteModel, facts: GraphFacts = graphFacts(model)): SplitPoint[] =>
    splitPointIndices(facts).map((k) => splitAt(facts, k));
