// The native TFLite 2.9 C library shipped inside npm `tfjs-tflite-node`, driven through koffi. This is the ONLY module
// that imports koffi. Per-node timing uses a "wrapping delegate": a delegate whose Prepare replaces every node's
// registration->invoke with a timed JS trampoline (the C API of 2.9 has no profiler). Struct offsets are the x86-64 /
// aarch64 LP64 layout of TF 2.9's common.h (checked with offsetof() against the shipped header).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import koffi, { type TypeObject } from 'koffi';
import { SplitbenchError } from '../errors.js';
import type { DType } from '../model/dtype.js';
import { CUSTOM_CODE, builtinName } from '../model/builtin-ops.js';
import { checkModelFile, runtimeError, xnnpackRefused } from './runtime-errors.js';
import type { Interpreter, InterpreterOptions, NodeTiming, RuntimeTensor } from './types.js';

// --- struct layout (TF 2.9, LP64) ---
const CTX_GET_EXECUTION_PLAN = 8;
const CTX_TENSORS = 16;
const CTX_GET_NODE_AND_REGISTRATION = 56;
const REG_INVOKE = 24;
const REG_BUILTIN_CODE = 40;
const REG_CUSTOM_NAME = 48;
const NODE_OUTPUTS = 8;
const TENSOR_SIZE = 112;
const TENSOR_NAME = 56;
const TENSOR_DIMS_SIGNATURE = 104;
const DELEGATE_SIZE = 48;
const DELEGATE_PREPARE = 8;
const DELEGATE_FLAGS = 40;
const DELEGATE_FLAG_ALLOW_DYNAMIC_TENSORS = 1;
const XNN_FLAG_QS8 = 1;
const XNN_FLAG_QU8 = 2;
// BuiltinOperator_DELEGATE: the kernel node a delegate puts in place of a partition; custom_name names the delegate.
const DELEGATE_CODE = 51;

type Ptr = bigint;

interface Binding {
    version: string;
    libPath: string;
    modelCreateFromFile: (path: string) => Ptr | null;
    modelDelete: (m: Ptr) => void;
    optionsCreate: () => Ptr | null;
    optionsDelete: (o: Ptr) => void;
    optionsSetNumThreads: (o: Ptr, n: number) => void;
    optionsAddDelegate: (o: Ptr, d: Ptr) => void;
    optionsSetErrorReporter: (o: Ptr, cb: Ptr, user: Ptr | null) => void;
    interpreterCreate: (m: Ptr, o: Ptr) => Ptr | null;
    interpreterDelete: (i: Ptr) => void;
    inputCount: (i: Ptr) => number;
    inputTensor: (i: Ptr, k: number) => Ptr | null;
    outputCount: (i: Ptr) => number;
    outputTensor: (i: Ptr, k: number) => Ptr | null;
    resizeInput: (i: Ptr, k: number, dims: Int32Array, n: number) => number;
    allocate: (i: Ptr) => number;
    invoke: (i: Ptr) => number;
    tensorType: (t: Ptr) => number;
    tensorNumDims: (t: Ptr) => number;
    tensorDim: (t: Ptr, k: number) => number;
    tensorByteSize: (t: Ptr) => number | bigint;
    tensorName: (t: Ptr) => string | null;
    copyFromBuffer: (t: Ptr, data: Uint8Array, n: number) => number;
    copyToBuffer: (t: Ptr, data: Uint8Array, n: number) => number;
    xnnOptionsDefault: () => { num_threads: number; flags: number; weights_cache: Ptr | null };
    xnnCreate: (o: { num_threads: number; flags: number; weights_cache: Ptr | null }) => Ptr | null;
    xnnDelete: (d: Ptr) => void;
    vsnprintf: (buf: Uint8Array, n: number, fmt: Ptr, ap: Ptr) => number;
    invokeProto: TypeObject;
    getPlanProto: TypeObject;
    getNodeProto: TypeObject;
    /** Registered (long-lived) callbacks; module-level so they are never collected while the library is loaded. */
    reporterCb: Ptr;
    prepareCb: Ptr;
    invokeCb: Ptr;
}

/** Runtime messages collected by the error reporter since the last drain (all calls are synchronous). */
let reported: string[] = [];
const drainReported = (): string[] => {
    const out = reported;
    reported = [];
    return out;
};

let binding: Binding | undefined;

/** Directory of the .so for this process's architecture. */
const libDirFor = (arch: string): string => {
    switch (arch) {
        case 'x64':
            return 'linux_amd64';
        case 'arm64':
            return 'linux_arm64';
        default:
            throw new SplitbenchError(
                'RUNTIME_FAILED',
                `built-in TFLite runtime: no libtensorflowlite_c.so for ${process.platform}/${arch} (only linux x64 and arm64)`,
            );
    }
};

export const nativeLibraryPath = (): string => {
    if (process.platform !== 'linux') libDirFor('unsupported');
    const require = createRequire(import.meta.url);
    let pkgDir: string;
    try {
        pkgDir = dirname(require.resolve('tfjs-tflite-node/package.json'));
    } catch (e) {
        throw new SplitbenchError(
            'RUNTIME_FAILED',
            'built-in TFLite runtime: npm package tfjs-tflite-node is not installed',
            {
                cause: e,
            },
        );
    }
    return join(pkgDir, 'cc_deps', libDirFor(process.arch), 'libtensorflowlite_c.so');
};

const loadBinding = (): Binding => {
    if (binding !== undefined) return binding;
    const libPath = nativeLibraryPath();
    if (!existsSync(libPath))
        throw new SplitbenchError('RUNTIME_FAILED', `built-in TFLite runtime: ${libPath} is missing`);
    const lib = koffi.load(libPath);
    const libc = koffi.load('libc.so.6');
    const XnnOpts = koffi.struct('SbXnnOpts', { num_threads: 'int32_t', flags: 'uint32_t', weights_cache: 'void*' });
    const reporterProto = koffi.proto('void SbErrorReporter(void* user, const char* fmt, void* ap)');
    const prepareProto = koffi.proto('int SbDelegatePrepare(void* ctx, void* delegate)');
    const invokeProto = koffi.proto('int SbNodeInvoke(void* ctx, void* node)');
    const getPlanProto = koffi.proto('int SbGetExecutionPlan(void* ctx, _Out_ void** plan)');
    const getNodeProto = koffi.proto(
        'int SbGetNodeAndRegistration(void* ctx, int index, _Out_ void** node, _Out_ void** reg)',
    );
    const vsnprintf = libc.func('int vsnprintf(_Out_ uint8_t* buf, size_t n, void* fmt, void* ap)');
    const b: Omit<Binding, 'reporterCb' | 'prepareCb' | 'invokeCb'> = {
        version: lib.func('const char* TfLiteVersion()')() as string,
        libPath,
        modelCreateFromFile: lib.func('void* TfLiteModelCreateFromFile(const char*)'),
        modelDelete: lib.func('void TfLiteModelDelete(void*)'),
        optionsCreate: lib.func('void* TfLiteInterpreterOptionsCreate()'),
        optionsDelete: lib.func('void TfLiteInterpreterOptionsDelete(void*)'),
        optionsSetNumThreads: lib.func('void TfLiteInterpreterOptionsSetNumThreads(void*, int32_t)'),
        optionsAddDelegate: lib.func('void TfLiteInterpreterOptionsAddDelegate(void*, void*)'),
        optionsSetErrorReporter: lib.func('void TfLiteInterpreterOptionsSetErrorReporter(void*, void*, void*)'),
        interpreterCreate: lib.func('void* TfLiteInterpreterCreate(void*, void*)'),
        interpreterDelete: lib.func('void TfLiteInterpreterDelete(void*)'),
        inputCount: lib.func('int32_t TfLiteInterpreterGetInputTensorCount(void*)'),
        inputTensor: lib.func('void* TfLiteInterpreterGetInputTensor(void*, int32_t)'),
        outputCount: lib.func('int32_t TfLiteInterpreterGetOutputTensorCount(void*)'),
        outputTensor: lib.func('void* TfLiteInterpreterGetOutputTensor(void*, int32_t)'),
        resizeInput: lib.func('int TfLiteInterpreterResizeInputTensor(void*, int32_t, const int32_t*, int32_t)'),
        allocate: lib.func('int TfLiteInterpreterAllocateTensors(void*)'),
        invoke: lib.func('int TfLiteInterpreterInvoke(void*)'),
        tensorType: lib.func('int TfLiteTensorType(void*)'),
        tensorNumDims: lib.func('int32_t TfLiteTensorNumDims(void*)'),
        tensorDim: lib.func('int32_t TfLiteTensorDim(void*, int32_t)'),
        tensorByteSize: lib.func('size_t TfLiteTensorByteSize(void*)'),
        tensorName: lib.func('const char* TfLiteTensorName(void*)'),
        copyFromBuffer: lib.func('int TfLiteTensorCopyFromBuffer(void*, const uint8_t*, size_t)'),
        copyToBuffer: lib.func('int TfLiteTensorCopyToBuffer(void*, _Out_ uint8_t*, size_t)'),
        xnnOptionsDefault: lib.func('TfLiteXNNPackDelegateOptionsDefault', XnnOpts, []),
        xnnCreate: lib.func('TfLiteXNNPackDelegateCreate', 'void*', [koffi.pointer(XnnOpts)]),
        xnnDelete: lib.func('void TfLiteXNNPackDelegateDelete(void*)'),
        vsnprintf,
        invokeProto,
        getPlanProto,
        getNodeProto,
    };
    const msgBuf = new Uint8Array(4096);
    const onReport = (_user: unknown, fmt: Ptr, ap: Ptr): void => {
        try {
            const n = b.vsnprintf(msgBuf, msgBuf.length, fmt, ap);
            const text = Buffer.from(msgBuf.buffer, 0, Math.max(0, Math.min(n, msgBuf.length - 1))).toString('utf8');
            reported.push(text);
        } catch (e) {
            reported.push(`(unprintable runtime message: ${String(e)})`);
        }
    };
    binding = {
        ...b,
        reporterCb: koffi.register(onReport, koffi.pointer(reporterProto)),
        prepareCb: koffi.register(onDelegatePrepare, koffi.pointer(prepareProto)),
        invokeCb: koffi.register(onNodeInvoke, koffi.pointer(invokeProto)),
    };
    return binding;
};

// --- profiler state -----------------------------------------------------------------------------------------------

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

const readPtr = (base: Ptr, offset: number): Ptr | null => koffi.decode(base, offset, 'void*') as Ptr | null;
const readI32 = (base: Ptr, offset: number): number => koffi.decode(base, offset, 'int32_t') as number;
const readIntArray = (arr: Ptr | null): number[] => {
    if (arr === null) return [];
    const n = readI32(arr, 0);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(readI32(arr, 4 + 4 * i));
    return out;
};
/** The C string whose pointer is stored at base+offset. */
const readCString = (base: Ptr, offset: number): string | null =>
    readPtr(base, offset) === null ? null : (koffi.decode(base, offset, 'char*') as string);

function onDelegatePrepare(ctx: Ptr, delegate: Ptr): number {
    const b = binding;
    const id = Number(readPtr(delegate, 0) ?? 0n);
    const state = profilers.get(id);
    if (b === undefined || state === undefined) return 0;
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
        const planOut: (Ptr | null)[] = [null];
        if (koffi.call(getPlan, b.getPlanProto, ctx, planOut) !== 0) throw new Error('GetExecutionPlan failed');
        const plan = readIntArray(planOut[0] ?? null);
        for (const nodeIndex of plan) {
            const nodeOut: (Ptr | null)[] = [null];
            const regOut: (Ptr | null)[] = [null];
            if (koffi.call(getNode, b.getNodeProto, ctx, nodeIndex, nodeOut, regOut) !== 0) {
                throw new Error(`GetNodeAndRegistration(${nodeIndex}) failed`);
            }
            const node = nodeOut[0] ?? null;
            const reg = regOut[0] ?? null;
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
            if (orig === undefined || current !== b.invokeCb) {
                if (current === null) continue; // nothing to time (no invoke function)
                if (current !== b.invokeCb) orig = current;
                if (orig === undefined) continue;
                state.origInvoke.set(reg, orig);
            }
            state.slots.set(node, {
                subgraph,
                nodeIndex,
                type,
                outputs,
                orig: koffi.decode(orig, b.invokeProto) as (ctx: Ptr, node: Ptr) => number,
                accUs: 0,
                calls: 0,
                samplesUs: [],
                timesCalled: 0,
            });
            koffi.encode(reg, REG_INVOKE, 'void*', b.invokeCb);
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

/** The C API's TfLiteType numbering differs from schema.fbs TensorType (it has kTfLiteNoType = 0). */
const TFLITE_TYPES: readonly DType[] = [
    'unknown(-1)',
    'float32',
    'int32',
    'uint8',
    'int64',
    'string',
    'bool',
    'int16',
    'complex64',
    'int8',
    'float16',
    'float64',
    'complex128',
    'uint64',
    'resource',
    'variant',
    'uint32',
    'uint16',
];
export const dtypeFromTfLiteType = (code: number): DType => TFLITE_TYPES[code] ?? `unknown(${code})`;

export const validateThreads = (threads: number): void => {
    if (!Number.isInteger(threads) || threads === 0 || threads < -1 || threads > 1024) {
        throw new SplitbenchError(
            'USAGE',
            `invalid thread count ${threads} (use -1 for the runtime default, or 1..1024)`,
        );
    }
};

// --- interpreter --------------------------------------------------------------------------------------------------

/** Version string of the native runtime (loads it). */
export const runtimeVersion = (): string => loadBinding().version;

export const openInterpreter = (modelPath: string, opts: InterpreterOptions = {}): Interpreter => {
    const threads = opts.threads ?? -1;
    validateThreads(threads);
    checkModelFile(modelPath);
    const b = loadBinding();
    const name = basename(modelPath);
    drainReported();

    let model: Ptr | null = null;
    let options: Ptr | null = null;
    let xnn: Ptr | null = null;
    let delegateMem: Ptr | null = null;
    let interp: Ptr | null = null;
    let profilerId = 0;
    let closed = false;
    const release = (): void => {
        if (closed) return;
        closed = true;
        if (interp !== null) b.interpreterDelete(interp);
        if (xnn !== null) b.xnnDelete(xnn);
        if (options !== null) b.optionsDelete(options);
        if (model !== null) b.modelDelete(model);
        if (delegateMem !== null) koffi.free(delegateMem);
        profilers.delete(profilerId);
        interp = xnn = options = model = delegateMem = null;
    };

    try {
        model = b.modelCreateFromFile(modelPath);
        if (model === null) throw runtimeError(name, 'not a valid TFLite model', drainReported());
        options = b.optionsCreate();
        if (options === null) throw new SplitbenchError('RUNTIME_FAILED', `model ${name}: cannot create options`);
        b.optionsSetErrorReporter(options, b.reporterCb, null);
        b.optionsSetNumThreads(options, threads);
        if (opts.xnnpack === true) {
            const xo = b.xnnOptionsDefault();
            xo.num_threads = threads > 0 ? threads : 1;
            // QU8 delegation fails to prepare on uint8 models in TF 2.9; leave uint8 ops on builtin kernels.
            xo.flags = ((xo.flags & ~XNN_FLAG_QU8) | XNN_FLAG_QS8) >>> 0;
            xnn = b.xnnCreate(xo);
            if (xnn === null)
                throw new SplitbenchError('RUNTIME_FAILED', `model ${name}: cannot create XNNPACK delegate`);
            b.optionsAddDelegate(options, xnn);
        }
        let state: ProfilerState | undefined;
        if (opts.profile === true) {
            profilerId = nextProfilerId++;
            state = { subgraphs: new Map(), slots: new Map(), origInvoke: new Map() };
            profilers.set(profilerId, state);
            delegateMem = koffi.alloc('uint8_t', DELEGATE_SIZE) as Ptr;
            koffi.encode(delegateMem, 0, 'uint8_t', new Array<number>(DELEGATE_SIZE).fill(0), DELEGATE_SIZE);
            koffi.encode(delegateMem, 0, 'void*', BigInt(profilerId));
            koffi.encode(delegateMem, DELEGATE_PREPARE, 'void*', b.prepareCb);
            koffi.encode(delegateMem, DELEGATE_FLAGS, 'int64_t', BigInt(DELEGATE_FLAG_ALLOW_DYNAMIC_TENSORS));
            // Added last, so it sees the post-XNNPACK plan: one row per delegate partition, as benchmark_model shows.
            b.optionsAddDelegate(options, delegateMem);
        }
        interp = b.interpreterCreate(model, options);
        if (interp === null) {
            const msgs = drainReported();
            if (state?.error !== undefined) msgs.push(`profiler: ${state.error}`);
            if (xnn !== null && msgs.length === 0 && loadsWithoutDelegates(b, model, threads)) {
                throw xnnpackRefused(name, modelPath);
            }
            throw runtimeError(name, 'interpreter creation failed', msgs);
        }
        const ip: Ptr = interp;

        // Inputs: resize what was asked, and refuse dynamic dims nobody sized.
        const inputCount = b.inputCount(ip);
        const inputNames: string[] = [];
        for (let i = 0; i < inputCount; i++) inputNames.push(b.tensorName(tensorOrThrow(b.inputTensor(ip, i))) ?? '');
        const shapes = opts.inputShapes ?? {};
        for (const key of Object.keys(shapes)) {
            if (!inputNames.includes(key)) {
                throw new SplitbenchError(
                    'USAGE',
                    `model ${name}: no input named '${key}' (inputs: ${inputNames.map((n) => `'${n}'`).join(', ')})`,
                );
            }
        }
        for (let i = 0; i < inputCount; i++) {
            const t = tensorOrThrow(b.inputTensor(ip, i));
            const inName = inputNames[i] ?? '';
            const sig = readIntArray(readPtr(t, TENSOR_DIMS_SIGNATURE));
            const wanted = shapes[inName];
            if (wanted !== undefined) {
                const rank = b.tensorNumDims(t);
                if (wanted.length !== rank) {
                    throw new SplitbenchError(
                        'USAGE',
                        `model ${name}: input '${inName}' has rank ${rank}, shape [${wanted.join(',')}] given`,
                    );
                }
                // 0 is a real size: a dynamic cut tensor can be empty at run time (an empty slice).
                if (wanted.some((d) => !Number.isInteger(d) || d < 0)) {
                    throw new SplitbenchError(
                        'USAGE',
                        `model ${name}: input '${inName}': invalid shape [${wanted.join(',')}]`,
                    );
                }
                if (b.resizeInput(ip, i, Int32Array.from(wanted), wanted.length) !== 0) {
                    throw runtimeError(
                        name,
                        `cannot resize input '${inName}' to [${wanted.join(',')}]`,
                        drainReported(),
                    );
                }
            } else if (sig.includes(-1) && opts.allowUnsizedInputs !== true) {
                throw new SplitbenchError(
                    'UNSUPPORTED',
                    `model ${name}: input '${inName}' has dynamic shape [${sig.join(',')}]; give its shape (--input_layer_shape)`,
                );
            }
        }
        if (b.allocate(ip) !== 0) {
            const msgs = drainReported();
            if (state?.error !== undefined) msgs.push(`profiler: ${state.error}`);
            throw runtimeError(name, 'tensor allocation failed', msgs);
        }
        if (state?.error !== undefined) throw runtimeError(name, 'profiler setup failed', [state.error]);

        const describe = (t: Ptr): RuntimeTensor => {
            const shape: number[] = [];
            const rank = b.tensorNumDims(t);
            for (let d = 0; d < rank; d++) shape.push(b.tensorDim(t, d));
            return {
                name: b.tensorName(t) ?? '',
                dtype: dtypeFromTfLiteType(b.tensorType(t)),
                shape,
                bytes: Number(b.tensorByteSize(t)),
            };
        };
        const inPtrs: Ptr[] = [];
        for (let i = 0; i < inputCount; i++) inPtrs.push(tensorOrThrow(b.inputTensor(ip, i)));
        const outPtrs: Ptr[] = [];
        const outputCount = b.outputCount(ip);
        for (let i = 0; i < outputCount; i++) outPtrs.push(tensorOrThrow(b.outputTensor(ip, i)));
        const inputs = inPtrs.map(describe);
        const outputs = outPtrs.map(describe);
        const slots = state?.slots;

        const alive = (): Ptr => {
            if (closed || interp === null)
                throw new SplitbenchError('INTERNAL', `model ${name}: interpreter is closed`);
            return interp;
        };
        const interpreter: Interpreter = {
            inputs,
            outputs,
            setInput(index, data) {
                alive();
                const t = inPtrs[index];
                const info = inputs[index];
                if (t === undefined || info === undefined) {
                    throw new SplitbenchError('USAGE', `model ${name}: no input #${index} (has ${inputs.length})`);
                }
                if (data.byteLength !== info.bytes) {
                    throw new SplitbenchError(
                        'USAGE',
                        `model ${name}: input '${info.name}' needs ${info.bytes} bytes, got ${data.byteLength}`,
                    );
                }
                if (b.copyFromBuffer(t, data, data.byteLength) !== 0) {
                    throw runtimeError(name, `cannot set input '${info.name}'`, drainReported());
                }
            },
            invoke() {
                const p = alive();
                if (slots === undefined) {
                    if (b.invoke(p) !== 0) throw runtimeError(name, 'invoke failed', drainReported());
                    return;
                }
                activeSlots = slots;
                let status: number;
                try {
                    status = b.invoke(p);
                } finally {
                    activeSlots = undefined;
                }
                for (const s of slots.values()) {
                    s.samplesUs.push(s.accUs);
                    s.timesCalled += s.calls;
                    s.accUs = 0;
                    s.calls = 0;
                }
                if (status !== 0) throw runtimeError(name, 'invoke failed', drainReported());
            },
            output(index) {
                alive();
                const t = outPtrs[index];
                const info = outputs[index];
                if (t === undefined || info === undefined) {
                    throw new SplitbenchError('USAGE', `model ${name}: no output #${index} (has ${outputs.length})`);
                }
                // Read the size now, not at allocation: a dynamic output ([8,-1,1024]) gets its size during invoke.
                const out = new Uint8Array(Number(b.tensorByteSize(t)));
                if (b.copyToBuffer(t, out, out.byteLength) !== 0) {
                    throw runtimeError(name, `cannot read output '${info.name}'`, drainReported());
                }
                return out;
            },
            outputInfo(index) {
                alive();
                const t = outPtrs[index];
                if (t === undefined) {
                    throw new SplitbenchError('USAGE', `model ${name}: no output #${index} (has ${outputs.length})`);
                }
                return describe(t);
            },
            nodeTimings() {
                if (slots === undefined) return [];
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
            resetTimings() {
                if (slots === undefined) return;
                for (const s of slots.values()) {
                    s.samplesUs = [];
                    s.timesCalled = 0;
                }
            },
            close: release,
        };
        return interpreter;
    } catch (e) {
        release();
        throw e;
    }
};

/** Whether the model builds an interpreter with no delegate at all (a probe after a delegate made creation fail). */
const loadsWithoutDelegates = (b: Binding, model: Ptr, threads: number): boolean => {
    const options = b.optionsCreate();
    if (options === null) return false;
    try {
        b.optionsSetErrorReporter(options, b.reporterCb, null);
        b.optionsSetNumThreads(options, threads);
        const interp = b.interpreterCreate(model, options);
        drainReported();
        if (interp === null) return false;
        b.interpreterDelete(interp);
        return true;
    } finally {
        b.optionsDelete(options);
    }
};

const tensorOrThrow = (t: Ptr | null): Ptr => {
    if (t === null) throw new SplitbenchError('RUNTIME_FAILED', 'runtime returned no tensor');
    return t;
};
