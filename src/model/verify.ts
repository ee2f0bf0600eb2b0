// Verification of split points on the native TFLite runtime: the full model, and head then tail, run on the same
// seeded random inputs; the final outputs are compared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSplitbenchError, messageOf, SplitbenchError } from '../errors.js';
import { randomTensorData } from '../tflite/benchmark.js';
import { openInterpreter } from '../tflite/native.js';
import type { Interpreter, InterpreterOptions } from '../tflite/types.js';
import { compareOutput, type OutputComparison } from './compare.js';
import { loadModel } from './load.js';
import { planSplit, type SplitPlan } from './split.js';
import { splitFileNames, writeAtomically } from './split-files.js';
import { graphFacts, type GraphFacts } from './split-points.js';
import { mainSubgraph } from './read.js';
import type { SubgraphInfo, TfliteModel } from './types.js';
import { buildSubModel, SubModelWriter } from './write.js';
import { mulberry32 } from '../random.js';

export interface VerifyOptions {
    /** Apply XNNPACK to all three runs (default false: then outputs must be bit-identical). */
    xnnpack?: boolean | undefined;
    threads?: number | undefined;
    /** Seed of the random inputs (default 1). */
    seed?: number | undefined;
    /**
     * Data for the model's inputs, in model order, each exactly the input's byte size, instead of seeded random data
     * (for models whose random inputs give empty outputs, such as dynamic shapes sized by an input's value).
     */
    inputs?: readonly Uint8Array[] | undefined;
    /** With XNNPACK, float outputs pass when |a-b| <= atol + rtol*|ref| (defaults 1e-5, 1e-4). */
    atol?: number | undefined;
    rtol?: number | undefined;
    /** Already-parsed model (saves re-reading the file). */
    model?: TfliteModel | undefined;
    facts?: GraphFacts | undefined;
    /** Folder for the temporary head/tail files (default: a new folder in the OS temp dir, removed after). */
    workDir?: string | undefined;
}

export type { OutputComparison };

export type VerifyStatus = 'pass' | 'fail' | 'cannot-verify';

export interface VerifyResult {
    k: number;
    status: VerifyStatus;
    /** For fail / cannot-verify: what went wrong, one line. */
    reason?: string | undefined;
    outputs: OutputComparison[];
    headBytes?: number | undefined;
    tailBytes?: number | undefined;
}

const rng = mulberry32;

/** Output bytes with the shape the invoke gave them (dynamic dims are known only after invoke). */
interface Produced {
    name: string;
    data: Uint8Array;
    shape: number[];
    /** The invoke gave it another size than the allocation did (a dynamic-shape output). */
    resized: boolean;
}

const runShaped = (interp: Interpreter, inputs: readonly Uint8Array[]): Produced[] => {
    inputs.forEach((data, i) => interp.setInput(i, data));
    interp.invoke();
    return interp.outputs.map((allocated, i) => {
        const data = interp.output(i);
        const now = interp.outputInfo(i);
        return { name: now.name, data, shape: now.shape, resized: data.length !== allocated.bytes };
    });
};

const run = (interp: Interpreter, inputs: readonly Uint8Array[]): Uint8Array[] =>
    runShaped(interp, inputs).map((p) => p.data);

const withInterpreter = <T>(path: string, opts: InterpreterOptions, fn: (i: Interpreter) => T): T => {
    const interp = openInterpreter(path, opts);
    try {
        return fn(interp);
    } finally {
        interp.close();
    }
};

/** Inputs the runtime cannot take random data for: a reason, or undefined. */
const unverifiableInput = (model: TfliteModel): string | undefined => {
    const sg = model.subgraphs[0];
    for (const t of sg?.inputs ?? []) {
        const info = sg?.tensors[t];
        if (info === undefined) continue;
        if (info.dtype === 'string' || info.dtype === 'resource' || info.dtype === 'variant') {
            return `input ${info.name} is a ${info.dtype} tensor (no random data for it)`;
        }
    }
    return undefined;
};

interface Reference {
    sg: SubgraphInfo;
    iopts: InterpreterOptions;
    tol: { atol: number; rtol: number } | undefined;
    inputByTensor: Map<number, Uint8Array>;
    outputByTensor: Map<number, Uint8Array>;
}

/** Runs the full model once on seeded inputs; a string when the runtime cannot (the reason, naming the op). */
const runReference = (modelPath: string, model: TfliteModel, opts: VerifyOptions): Reference | string => {
    const bad = unverifiableInput(model);
    if (bad !== undefined) return bad;
    const xnnpack = opts.xnnpack === true;
    const iopts: InterpreterOptions = { threads: opts.threads ?? 1, xnnpack, allowUnsizedInputs: true };
    const seed = opts.seed ?? 1;
    let inputs: readonly Uint8Array[];
    let outputs: Produced[];
    try {
        ({ inputs, outputs } = withInterpreter(modelPath, iopts, (interp) => {
            const data = opts.inputs ?? interp.inputs.map((t, i) => randomTensorData(t, rng(seed * 7919 + i)));
            return { inputs: data, outputs: runShaped(interp, data) };
        }));
    } catch (e) {
        if (isSplitbenchError(e, 'RUNTIME_FAILED') || isSplitbenchError(e, 'UNSUPPORTED')) return e.message;
        throw e;
    }
    // Dynamic shapes sized by an input's value can come out empty: equal empty outputs would prove nothing.
    if (outputs.length > 0 && outputs.every((o) => o.data.length === 0)) {
        const shapes = outputs.map((o) => `${o.name} [${o.shape.join(',')}]`).join(', ');
        return `the full model's outputs are empty on these inputs (${shapes}): nothing to compare; verify with other inputs`;
    }
    const sg = mainSubgraph(model);
    const byTensor = (tensors: readonly number[], data: readonly Uint8Array[]): Map<number, Uint8Array> =>
        new Map(tensors.flatMap((t, i) => (data[i] === undefined ? [] : [[t, data[i]] as [number, Uint8Array]])));
    return {
        sg,
        iopts,
        tol: xnnpack ? { atol: opts.atol ?? 1e-5, rtol: opts.rtol ?? 1e-4 } : undefined,
        inputByTensor: byTensor(sg.inputs, inputs),
        outputByTensor: byTensor(
            sg.outputs,
            outputs.map((o) => o.data),
        ),
    };
};

/** Runs head then tail files of `plan` on the reference inputs and compares with the reference outputs. */
const runPipeline = (
    ref: Reference,
    k: number,
    plan: SplitPlan,
    files: { head: string; tail: string },
): Omit<VerifyResult, 'headBytes' | 'tailBytes'> => {
    const { sg } = ref;
    try {
        const fromHead = new Map<number, Produced>();
        withInterpreter(files.head, ref.iopts, (interp) => {
            const data = plan.head.inputs.map((t) => ref.inputByTensor.get(t) ?? new Uint8Array(0));
            runShaped(interp, data).forEach((p, i) => fromHead.set(plan.head.outputs[i] ?? -1, p));
        });
        const produced = new Map<number, Uint8Array>([...fromHead].map(([t, p]) => [t, p.data]));
        const tailData = plan.tail.inputs.map((t, i) => {
            const d = produced.get(t) ?? ref.inputByTensor.get(t);
            if (d === undefined) throw new SplitbenchError('INTERNAL', `tail input ${i} has no data`);
            return d;
        });
        // A cut tensor of dynamic shape has, at run time, the size the head's invoke gave it: size the tail's input
        // (which bears the tensor's name) so.
        const resized = [...fromHead]
            .filter(([t, p]) => p.resized && p.name !== '' && plan.tail.inputs.includes(t))
            .map(([, p]) => p);
        const inputShapes = resized.length > 0 ? Object.fromEntries(resized.map((p) => [p.name, p.shape])) : undefined;
        withInterpreter(files.tail, { ...ref.iopts, inputShapes }, (interp) => {
            tailData.forEach((d, i) => {
                const want = interp.inputs[i]?.bytes;
                if (d.length !== want) {
                    const name = interp.inputs[i]?.name ?? String(i);
                    throw new SplitbenchError(
                        'UNSUPPORTED',
                        `cut tensor ${name} has ${d.length} bytes at run time, the tail expects ${want ?? '?'} (dynamic shape)`,
                    );
                }
            });
            run(interp, tailData).forEach((d, i) => produced.set(plan.tail.outputs[i] ?? -1, d));
        });
        const outputs: (OutputComparison & { ok: boolean })[] = [];
        for (const t of sg.outputs) {
            const want = ref.outputByTensor.get(t);
            const info = sg.tensors[t];
            if (want === undefined || info === undefined) continue;
            const got = produced.get(t);
            if (got === undefined) {
                return { k, status: 'fail', reason: `output ${info.name} produced by neither sub-model`, outputs: [] };
            }
            outputs.push(compareOutput(want, got, { tensor: t, name: info.name, dtype: info.dtype }, ref.tol));
        }
        const clean = outputs.map(({ ok: _ok, ...o }) => o);
        const failed = outputs.filter((o) => !o.ok);
        if (failed.length === 0) return { k, status: 'pass', outputs: clean };
        const reason = failed
            .map((o) =>
                o.maxAbsError !== undefined
                    ? `${o.name}: max abs error ${o.maxAbsError.toPrecision(3)}, max rel error ${(o.maxRelError ?? 0).toPrecision(3)}`
                    : `${o.name}: ${o.mismatches} ${o.dtype} elements differ`,
            )
            .join('; ');
        return { k, status: 'fail', reason, outputs: clean };
    } catch (e) {
        if (isSplitbenchError(e, 'UNSUPPORTED')) return { k, status: 'cannot-verify', reason: e.message, outputs: [] };
        // The full model ran, so a sub-model the runtime refuses is a failure of the split, not of the runtime.
        return { k, status: 'fail', reason: messageOf(e), outputs: [] };
    }
};

/**
 * Verifies split points `ks` of the model at `modelPath`. The full model runs once; each split point writes its
 * head and tail to a temporary folder and runs them in turn. Never throws for a model the runtime cannot run:
 * those come back as 'cannot-verify' with the runtime's reason (naming the op).
 */
export const verifySplits = (modelPath: string, ks: readonly number[], opts: VerifyOptions = {}): VerifyResult[] => {
    const model = opts.model ?? loadModel(modelPath);
    const facts = opts.facts ?? graphFacts(model);
    const ref = runReference(modelPath, model, opts);
    if (typeof ref === 'string') return ks.map((k) => ({ k, status: 'cannot-verify', reason: ref, outputs: [] }));
    const dir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'splitbench-verify-'));
    const writer = new SubModelWriter();
    try {
        return ks.map((k): VerifyResult => {
            let plan: SplitPlan;
            try {
                plan = planSplit(model, k, facts);
            } catch (e) {
                if (isSplitbenchError(e, 'UNSUPPORTED'))
                    return { k, status: 'cannot-verify', reason: e.message, outputs: [] };
                throw e;
            }
            const files = splitFileNames(dir, 'model', k);
            try {
                const head = buildSubModel(model, plan.head, writer);
                writeAtomically(files.head, head);
                const tail = buildSubModel(model, plan.tail, writer);
                writeAtomically(files.tail, tail);
                return { ...runPipeline(ref, k, plan, files), headBytes: head.length, tailBytes: tail.length };
            } finally {
                rmSync(files.head, { force: true });
                rmSync(files.tail, { force: true });
            }
        });
    } finally {
        if (opts.workDir === undefined) rmSync(dir, { recursive: true, force: true });
    }
};

/**
 * Verifies given head/tail files against the full model at split point k (for sub-models made elsewhere, e.g.
 * pulled back from a device). The files must have the inputs and outputs `planSplit(model, k)` describes.
 */
export const verifySplitFiles = (
    modelPath: string,
    k: number,
    files: { head: string; tail: string },
    opts: VerifyOptions = {},
): VerifyResult => {
    const model = opts.model ?? loadModel(modelPath);
    const plan = planSplit(model, k, opts.facts ?? graphFacts(model));
    const ref = runReference(modelPath, model, opts);
    if (typeof ref === 'string') return { k, status: 'cannot-verify', reason: ref, outputs: [] };
    return runPipeline(ref, k, plan, files);
};

/** Verifies one split point (see verifySplits). */
export const verifySplit = (modelPath: string, k: number, opts: VerifyOptions = {}): VerifyResult => {
    const [r] = verifySplits(modelPath, [k], opts);
    if (r === undefined) throw new SplitbenchError('INTERNAL', 'no verify result');
    return r;
};
