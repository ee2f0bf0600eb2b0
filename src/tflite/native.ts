// The built-in runtime's interpreter: TFLite 2.9's C API (native-binding.ts, the only koffi importer) behind the
// Interpreter interface, with XNNPACK on request, inputs resized to given shapes, outputs read at their size after
// invoke, and per-node timing from the wrapping-delegate profiler (node-profiler.ts).
import { basename } from 'node:path';
import { SplitbenchError } from '../errors.js';
import type { DType } from '../model/dtype.js';
import { type Binding, drainReported, loadBinding, type Ptr, tensorSignature } from './native-binding.js';
import { createNodeProfiler, type NodeProfiler } from './node-profiler.js';
import { checkModelFile, runtimeError, xnnpackRefused } from './runtime-errors.js';
import type { Interpreter, InterpreterOptions, RuntimeTensor } from './types.js';

// TfLiteXNNPackDelegateOptions.flags of TF 2.9.
const XNN_FLAG_QS8 = 1;
const XNN_FLAG_QU8 = 2;

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

/**
 * Opens `modelPath` on the native runtime. Throws NOT_FOUND / MODEL_INVALID for a missing or non-TFLite file, USAGE
 * for bad threads or input shapes, UNSUPPORTED for a dynamic input nobody sized, RUNTIME_FAILED with the runtime's
 * own messages when it refuses the model. Close the interpreter to free the native memory.
 */
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
    let profiler: NodeProfiler | undefined;
    let interp: Ptr | null = null;
    let closed = false;
    const release = (): void => {
        if (closed) return;
        closed = true;
        if (interp !== null) b.interpreterDelete(interp);
        if (xnn !== null) b.xnnDelete(xnn);
        if (options !== null) b.optionsDelete(options);
        if (model !== null) b.modelDelete(model);
        profiler?.release();
        profiler = undefined;
        interp = xnn = options = model = null;
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
        if (opts.profile === true) {
            profiler = createNodeProfiler();
            // Added last, so it sees the post-XNNPACK plan: one row per delegate partition, as benchmark_model shows.
            b.optionsAddDelegate(options, profiler.delegate);
        }
        const prof = profiler;
        interp = b.interpreterCreate(model, options);
        if (interp === null) {
            const msgs = drainReported();
            const profError = prof?.error();
            if (profError !== undefined) msgs.push(`profiler: ${profError}`);
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
            const sig = tensorSignature(t);
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
            const profError = prof?.error();
            if (profError !== undefined) msgs.push(`profiler: ${profError}`);
            throw runtimeError(name, 'tensor allocation failed', msgs);
        }
        const profError = prof?.error();
        if (profError !== undefined) throw runtimeError(name, 'profiler setup failed', [profError]);

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
                const status = prof === undefined ? b.invoke(p) : prof.invoke(() => b.invoke(p));
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
            nodeTimings: () => prof?.timings() ?? [],
            resetTimings: () => prof?.reset(),
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
