// Per-node timing for the built-in runtime through a "wrapping delegate": a delegate whose Prepare replaces every
// node's registration->invoke with one timed JS trampoline (the C API of TF 2.9 has no profiler). Added after
// XNNPACK, it sees the post-delegation plan: one row per delegate partition, as benchmark_model shows. Times are µs.
import { performance } from 'node:perf_hooks';
import { CUSTOM_CODE, builtinName } from '../model/builtin-ops.js';
import {
    allocDelegate,
    callGetExecutionPlan,
    callGetNodeAndRegistration,
    CTX_GET_EXECUTION_PLAN,
    CTX_GET_NODE_AND_REGISTRATION,
    CTX_TENSORS,
    freeDelegate,
    invokeFunction,
    NODE_OUTPUTS,
    readCString,
    readI32,
    readIntArray,
    readPtr,
    REG_BUILTIN_CODE,
    REG_CUSTOM_NAME,
    REG_INVOKE,
    registerInvoke,
    registerPrepare,
    TENSOR_NAME,
    TENSOR_SIZE,
    writePtr,
    type Ptr,
} from './native-binding.js';
import type { NodeTiming } from './types.js';

// BuiltinOperator_DELEGATE: the kernel node a delegate puts in place of a partition; custom_name names the delegate.
const DELEGATE_CODE = 51;

interface Slot {
    subgraph: number;
    nodeIndex: number;
    type: string;
    outputs: string[];
    orig: (ctx: Ptr, node: Ptr) => number;
    /** Time (µs) and calls within the current invoke. */
    accUs: number;
    calls: number;
    samplesUs: number[];
    timesCalled: number;
}

interface ProfilerState {
    /** context pointer → subgraph ordinal, in the order the runtime prepared them (primary first). */
    subgraphs: Map<Ptr, number>;
    /** node pointer → slot; one trampoline serves every node, so the node pointer tells which original to call. */
    slots: Map<Ptr, Slot>;
    /** Registration pointer → original invoke, so a re-Prepare (after undo/redo of delegates) never wraps a wrapper. */
    origInvoke: Map<Ptr, Ptr>;
    error?: string | undefined;
}

/** delegate->data_ holds this id; Prepare looks up the interpreter's profiler by it. */
const profilers = new Map<number, ProfilerState>();
let nextProfilerId = 1;

/** Registered once, module-level, so they are never collected while the library is loaded. */
let callbacks: { prepare: Ptr; invoke: Ptr } | undefined;
const registeredCallbacks = (): { prepare: Ptr; invoke: Ptr } =>
    (callbacks ??= { prepare: registerPrepare(onDelegatePrepare), invoke: registerInvoke(onNodeInvoke) });

function onDelegatePrepare(ctx: Ptr, delegate: Ptr): number {
    const id = Number(readPtr(delegate, 0) ?? 0n);
    const state = profilers.get(id);
    if (callbacks === undefined || state === undefined) return 0;
    const invokeCb = callbacks.invoke;
    try {
        let subgraph = state.subgraphs.get(ctx);
        if (subgraph === undefined) {
            subgraph = state.subgraphs.size;
            state.subgraphs.set(ctx, subgraph);
        }
        for (const [k, s] of state.slots) if (s.subgraph === subgraph) state.slots.delete(k);
        const getPlan = readPtr(ctx, CTX_GET_EXECUTION_PLAN);
        const getNode = readPtr(ctx, CTX_GET_NODE_AND_REGISTRATION);
        const tensors = readPtr(ctx, CTX_TENSORS);
        if (getPlan === null || getNode === null || tensors === null) throw new Error('context without function table');
        const plan = callGetExecutionPlan(getPlan, ctx);
        if (plan === undefined) throw new Error('GetExecutionPlan failed');
        for (const nodeIndex of plan) {
            const got = callGetNodeAndRegistration(getNode, ctx, nodeIndex);
            if (got === undefined) throw new Error(`GetNodeAndRegistration(${nodeIndex}) failed`);
            const { node, reg } = got;
            if (node === null || reg === null) throw new Error(`node ${nodeIndex} has no registration`);
            const code = readI32(reg, REG_BUILTIN_CODE);
            const custom = readCString(reg, REG_CUSTOM_NAME);
            const type =
                (code === CUSTOM_CODE || code === DELEGATE_CODE) && custom !== null && custom !== ''
                    ? custom
                    : builtinName(code);
            const outputs = readIntArray(readPtr(node, NODE_OUTPUTS)).map((t) =>
                t < 0 ? 'Unknown' : (readCString(tensors + BigInt(t * TENSOR_SIZE), TENSOR_NAME) ?? 'Unknown'),
            );
            let orig = state.origInvoke.get(reg);
            const current = readPtr(reg, REG_INVOKE);
            if (orig === undefined || current !== invokeCb) {
                if (current === null) continue; // nothing to time (no invoke function)
                if (current !== invokeCb) orig = current;
                if (orig === undefined) continue;
                state.origInvoke.set(reg, orig);
            }
            state.slots.set(node, {
                subgraph,
                nodeIndex,
                type,
                outputs,
                orig: invokeFunction(orig),
                accUs: 0,
                calls: 0,
                samplesUs: [],
                timesCalled: 0,
            });
            writePtr(reg, REG_INVOKE, invokeCb);
        }
        return 0;
    } catch (e) {
        state.error = e instanceof Error ? e.message : String(e);
        return 1;
    }
}

/** Set by invoke() to the profiler of the interpreter currently running. */
let activeSlots: Map<Ptr, Slot> | undefined;

function onNodeInvoke(ctx: Ptr, node: Ptr): number {
    const slot = activeSlots?.get(node);
    if (slot === undefined) return 1; // cannot happen unless a foreign interpreter reached our trampoline
    const t0 = performance.now();
    const status = slot.orig(ctx, node);
    slot.accUs += (performance.now() - t0) * 1000;
    slot.calls++;
    return status;
}

/** One interpreter's profiler: add `delegate` to its options last, then run every invoke through `invoke`. */
export interface NodeProfiler {
    /** The TfLiteDelegate to add to the interpreter options. */
    readonly delegate: Ptr;
    /** Why the profiler could not wrap the graph, if it could not (Prepare failed). */
    error(): string | undefined;
    /** Runs one interpreter invoke with the trampoline timing this interpreter's nodes; returns its status. */
    invoke(run: () => number): number;
    /** One row per timed node, subgraphs grouped, in execution-plan order; samples in µs, one per invoke. */
    timings(): NodeTiming[];
    reset(): void;
    /** Frees the delegate; call after the interpreter is deleted. */
    release(): void;
}

/** A profiler for one interpreter (loads the library: the delegate's callbacks are native). */
export const createNodeProfiler = (): NodeProfiler => {
    const id = nextProfilerId++;
    const state: ProfilerState = { subgraphs: new Map(), slots: new Map(), origInvoke: new Map() };
    profilers.set(id, state);
    const delegate = allocDelegate(id, registeredCallbacks().prepare);
    const slots = state.slots;
    return {
        delegate,
        error: () => state.error,
        invoke(run) {
            activeSlots = slots;
            let status: number;
            try {
                status = run();
            } finally {
                activeSlots = undefined;
            }
            for (const s of slots.values()) {
                s.samplesUs.push(s.accUs);
                s.timesCalled += s.calls;
                s.accUs = 0;
                s.calls = 0;
            }
            return status;
        },
        timings() {
            const rows: NodeTiming[] = [...slots.values()].map((s) => ({
                nodeIndex: s.nodeIndex,
                subgraphIndex: s.subgraph,
                type: s.type,
                outputs: [...s.outputs],
                samplesUs: [...s.samplesUs],
                timesCalled: s.timesCalled,
            }));
            // Map iteration is insertion order = execution-plan order per subgraph; keep subgraphs grouped.
            return rows.sort((a, c) => (a.subgraphIndex ?? 0) - (c.subgraphIndex ?? 0));
        },
        reset() {
            for (const s of slots.values()) {
                s.samplesUs = [];
                s.timesCalled = 0;
            }
        },
        release() {
            freeDelegate(delegate);
            profilers.delete(id);
        },
    };
};
