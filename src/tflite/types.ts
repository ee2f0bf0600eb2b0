// What the rest of splitbench sees of the native TFLite runtime. Only src/tflite/native-binding.ts imports koffi.
import type { DType } from '../model/dtype.js';

export interface RuntimeTensor {
    name: string;
    dtype: DType;
    shape: number[];
    bytes: number;
}

export interface InterpreterOptions {
    threads?: number | undefined;
    /** Apply the XNNPACK delegate (benchmark_model's --use_xnnpack). Default false. */
    xnnpack?: boolean | undefined;
    /** Resize inputs before allocation: input name → shape (for dynamic dims). */
    inputShapes?: Readonly<Record<string, readonly number[]>> | undefined;
    /** Accept inputs with dynamic dims that inputShapes does not size (they keep the model's placeholder size). */
    allowUnsizedInputs?: boolean | undefined;
    /** Install the per-node timing wrapper. */
    profile?: boolean | undefined;
}

/** Per-node timings accumulated by the profiler since the last reset. */
export interface NodeTiming {
    nodeIndex: number;
    /** Subgraph ordinal in the order the runtime prepared them (0 = primary). */
    subgraphIndex?: number | undefined;
    type: string;
    outputs: string[];
    /** One entry per invoke, in microseconds (sum of calls within that invoke). */
    samplesUs: number[];
    timesCalled: number;
}

export interface Interpreter {
    readonly inputs: readonly RuntimeTensor[];
    /** Outputs as allocated, before any invoke (dynamic dims have a placeholder size until invoke; see outputInfo). */
    readonly outputs: readonly RuntimeTensor[];
    setInput(index: number, data: Uint8Array): void;
    invoke(): void;
    /**
     * Copy of output `index`'s bytes as they are now: after invoke, with the size the invoke gave it (dynamic outputs
     * such as [8,-1,1024] differ from `outputs[index].bytes`, which is the size at allocation).
     */
    output(index: number): Uint8Array;
    /** Output `index`'s shape and byte size as they are now (after invoke: the actual ones). */
    outputInfo(index: number): RuntimeTensor;
    /** Per-node timings (empty when profiling is off). */
    nodeTimings(): NodeTiming[];
    resetTimings(): void;
    close(): void;
}
