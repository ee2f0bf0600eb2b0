// The native TFLite 2.9 C library shipped inside npm `tfjs-tflite-node`, bound through koffi. This is the ONLY module
// that imports koffi: the C API's functions, the struct layout the profiler reads, the runtime's error reporter, and
// the few raw memory and callback operations the wrapping-delegate profiler needs (node-profiler.ts). Struct offsets
// are the x86-64 / aarch64 LP64 layout of TF 2.9's common.h (checked with offsetof() against the shipped header).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import koffi, { type TypeObject } from 'koffi';
import { SplitbenchError } from '../errors.js';

// --- struct layout (TF 2.9, LP64) ---
export const CTX_GET_EXECUTION_PLAN = 8;
export const CTX_TENSORS = 16;
export const CTX_GET_NODE_AND_REGISTRATION = 56;
export const REG_INVOKE = 24;
export const REG_BUILTIN_CODE = 40;
export const REG_CUSTOM_NAME = 48;
export const NODE_OUTPUTS = 8;
export const TENSOR_SIZE = 112;
export const TENSOR_NAME = 56;
const TENSOR_DIMS_SIGNATURE = 104;
const DELEGATE_SIZE = 48;
const DELEGATE_PREPARE = 8;
const DELEGATE_FLAGS = 40;
const DELEGATE_FLAG_ALLOW_DYNAMIC_TENSORS = 1;

/** An address in the native heap (koffi's representation of `void*`). */
export type Ptr = bigint;

/** TfLiteXNNPackDelegateOptions of TF 2.9. */
export interface XnnOptions {
    num_threads: number;
    flags: number;
    weights_cache: Ptr | null;
}

export interface Binding {
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
    xnnOptionsDefault: () => XnnOptions;
    xnnCreate: (o: XnnOptions) => Ptr | null;
    xnnDelete: (d: Ptr) => void;
    /** The error reporter callback (registered, long-lived: never collected while the library is loaded). */
    reporterCb: Ptr;
}

interface Protos {
    vsnprintf: (buf: Uint8Array, n: number, fmt: Ptr, ap: Ptr) => number;
    prepare: TypeObject;
    invoke: TypeObject;
    getPlan: TypeObject;
    getNode: TypeObject;
}

/** Runtime messages collected by the error reporter since the last drain (all calls are synchronous). */
let reported: string[] = [];
export const drainReported = (): string[] => {
    const out = reported;
    reported = [];
    return out;
};

let binding: Binding | undefined;
let protos: Protos | undefined;

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

/** Loads the library once per process. Throws RUNTIME_FAILED when the package or its .so for this arch is missing. */
export const loadBinding = (): Binding => {
    if (binding !== undefined) return binding;
    const libPath = nativeLibraryPath();
    if (!existsSync(libPath))
        throw new SplitbenchError('RUNTIME_FAILED', `built-in TFLite runtime: ${libPath} is missing`);
    const lib = koffi.load(libPath);
    const libc = koffi.load('libc.so.6');
    const XnnOpts = koffi.struct('SbXnnOpts', { num_threads: 'int32_t', flags: 'uint32_t', weights_cache: 'void*' });
    const reporterProto = koffi.proto('void SbErrorReporter(void* user, const char* fmt, void* ap)');
    const p: Protos = {
        vsnprintf: libc.func('int vsnprintf(_Out_ uint8_t* buf, size_t n, void* fmt, void* ap)'),
        prepare: koffi.proto('int SbDelegatePrepare(void* ctx, void* delegate)'),
        invoke: koffi.proto('int SbNodeInvoke(void* ctx, void* node)'),
        getPlan: koffi.proto('int SbGetExecutionPlan(void* ctx, _Out_ void** plan)'),
        getNode: koffi.proto('int SbGetNodeAndRegistration(void* ctx, int index, _Out_ void** node, _Out_ void** reg)'),
    };
    const b: Omit<Binding, 'reporterCb'> = {
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
    };
    const msgBuf = new Uint8Array(4096);
    const onReport = (_user: unknown, fmt: Ptr, ap: Ptr): void => {
        try {
            const n = p.vsnprintf(msgBuf, msgBuf.length, fmt, ap);
            const text = Buffer.from(msgBuf.buffer, 0, Math.max(0, Math.min(n, msgBuf.length - 1))).toString('utf8');
            reported.push(text);
        } catch (e) {
            reported.push(`(unprintable runtime message: ${String(e)})`);
        }
    };
    protos = p;
    binding = { ...b, reporterCb: koffi.register(onReport, koffi.pointer(reporterProto)) };
    return binding;
};

const loadedProtos = (): Protos => {
    loadBinding();
    return protos as Protos;
};

// --- raw memory -----------------------------------------------------------------------------------------------------

export const readPtr = (base: Ptr, offset: number): Ptr | null => koffi.decode(base, offset, 'void*') as Ptr | null;
export const readI32 = (base: Ptr, offset: number): number => koffi.decode(base, offset, 'int32_t') as number;
/** A TfLiteIntArray: its size, then that many int32 values. */
export const readIntArray = (arr: Ptr | null): number[] => {
    if (arr === null) return [];
    const n = readI32(arr, 0);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(readI32(arr, 4 + 4 * i));
    return out;
};
/** The C string whose pointer is stored at base+offset. */
export const readCString = (base: Ptr, offset: number): string | null =>
    readPtr(base, offset) === null ? null : (koffi.decode(base, offset, 'char*') as string);
export const writePtr = (base: Ptr, offset: number, value: Ptr): void => {
    koffi.encode(base, offset, 'void*', value);
};
/** A tensor's dims_signature: -1 for each dynamic dimension (empty when the model gives none). */
export const tensorSignature = (tensor: Ptr): number[] => readIntArray(readPtr(tensor, TENSOR_DIMS_SIGNATURE));

// --- the wrapping delegate's native side ------------------------------------------------------------------------

/**
 * A zeroed TfLiteDelegate whose data_ is `id` and Prepare is `prepare`, flagged to allow dynamic tensors. Free it with
 * freeDelegate after the interpreter that uses it is deleted.
 */
export const allocDelegate = (id: number, prepare: Ptr): Ptr => {
    const mem = koffi.alloc('uint8_t', DELEGATE_SIZE) as Ptr;
    koffi.encode(mem, 0, 'uint8_t', new Array<number>(DELEGATE_SIZE).fill(0), DELEGATE_SIZE);
    koffi.encode(mem, 0, 'void*', BigInt(id));
    koffi.encode(mem, DELEGATE_PREPARE, 'void*', prepare);
    koffi.encode(mem, DELEGATE_FLAGS, 'int64_t', BigInt(DELEGATE_FLAG_ALLOW_DYNAMIC_TENSORS));
    return mem;
};
export const freeDelegate = (mem: Ptr): void => koffi.free(mem);

/** Registers a JS function as a TfLiteDelegate Prepare callback (long-lived). */
export const registerPrepare = (fn: (ctx: Ptr, delegate: Ptr) => number): Ptr =>
    koffi.register(fn, koffi.pointer(loadedProtos().prepare));
/** Registers a JS function as a TfLiteRegistration invoke callback (long-lived). */
export const registerInvoke = (fn: (ctx: Ptr, node: Ptr) => number): Ptr =>
    koffi.register(fn, koffi.pointer(loadedProtos().invoke));
/** A native TfLiteRegistration invoke function as a JS function. */
export const invokeFunction = (fn: Ptr): ((ctx: Ptr, node: Ptr) => number) =>
    koffi.decode(fn, loadedProtos().invoke) as (ctx: Ptr, node: Ptr) => number;

/** TfLiteContext::GetExecutionPlan through its function pointer; undefined when it fails. */
export const callGetExecutionPlan = (fn: Ptr, ctx: Ptr): number[] | undefined => {
    const planOut: (Ptr | null)[] = [null];
    if (koffi.call(fn, loadedProtos().getPlan, ctx, planOut) !== 0) return undefined;
    return readIntArray(planOut[0] ?? null);
};

/** TfLiteContext::GetNodeAndRegistration through its function pointer; undefined when it fails. */
export const callGetNodeAndRegistration = (
    fn: Ptr,
    ctx: Ptr,
    index: number,
): { node: Ptr | null; reg: Ptr | null } | undefined => {
    const nodeOut: (Ptr | null)[] = [null];
    const regOut: (Ptr | null)[] = [null];
    if (koffi.call(fn, loadedProtos().getNode, ctx, index, nodeOut, regOut) !== 0) return undefined;
    return { node: nodeOut[0] ?? null, reg: regOut[0] ?? null };
};
