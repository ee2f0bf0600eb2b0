// What splitbench knows about a .tflite file after reading it. Plain data: the writer goes back to the source
// bytes (through `pos`) for the parts it copies unchanged.
import type { DType } from './dtype.js';
import type { OptionsDataRef } from './external-data.js';

export interface Quantization {
    scale: number[];
    zeroPoint: number[];
    quantizedDimension: number;
    min?: number[] | undefined;
    max?: number[] | undefined;
    /** A QuantizationDetails union (custom quantization) is present: scale/zero_point do not apply. */
    custom?: boolean | undefined;
}

export interface TensorInfo {
    index: number;
    /** The tensor's name, or `#<index>` when the file leaves it unnamed. */
    name: string;
    /** The name exactly as stored ('' when absent). */
    rawName: string;
    shape: number[];
    /** Shape with -1 for dynamic dims, when the file records one. */
    shapeSignature?: number[] | undefined;
    dtype: DType;
    typeCode: number;
    /** Index into the model's buffers (0 = none). */
    buffer: number;
    /** Holds data in the file (a weight or other constant). */
    constant: boolean;
    variable: boolean;
    isInput: boolean;
    isOutput: boolean;
    quantization?: Quantization | undefined;
    sparse: boolean;
    /** Byte size from shape × dtype bits; undefined when it cannot be known from the file. */
    bytes: number | undefined;
    /** Why `bytes` is undefined. */
    bytesUnknown?: string | undefined;
    /** Position of the Tensor table in the file. */
    pos: number;
}

export interface OperatorInfo {
    index: number;
    opcodeIndex: number;
    /** Builtin name (`CONV_2D`) or `CUSTOM:<name>`. */
    type: string;
    builtinCode: number;
    /** Tensor indices; -1 marks an omitted optional input. */
    inputs: number[];
    outputs: number[];
    intermediates: number[];
    /** Subgraphs this op runs (WHILE cond/body, IF branches, CALL_ONCE init, CALL). */
    subgraphRefs: number[];
    builtinOptionsType: number;
    builtinOptions2Type: number;
    /** custom_options bytes (a view into the file), when the op has them inline. */
    customOptions?: Uint8Array | undefined;
    /** Custom options stored after the flatbuffer (large_custom_options_offset/size: the >2 GB layout), bytes. */
    largeCustomOptions?: { offset: number; size: number } | undefined;
    /** File data the op's custom options point at (`bytecode_offset`/`bytecode_size` of LiteRT's DISPATCH_OP). */
    externalData?: OptionsDataRef[] | undefined;
    /** Position of the Operator table in the file. */
    pos: number;
}

export interface SubgraphInfo {
    index: number;
    name: string;
    tensors: TensorInfo[];
    inputs: number[];
    outputs: number[];
    operators: OperatorInfo[];
    pos: number;
}

export interface OperatorCodeInfo {
    index: number;
    builtinCode: number;
    customCode?: string | undefined;
    version: number;
    /** `CONV_2D` or `CUSTOM:<name>`. */
    name: string;
}

export interface BufferInfo {
    index: number;
    /** The bytes (a view into the file, never a copy). Empty for buffer 0 and activations. */
    data: Uint8Array;
    /** Data lives outside the flatbuffer at this file offset (the >2 GB layout). */
    external: boolean;
}

export interface SignatureInfo {
    key: string;
    subgraphIndex: number;
    inputs: { name: string; tensorIndex: number }[];
    outputs: { name: string; tensorIndex: number }[];
}

export interface MetadataInfo {
    name: string;
    buffer: number;
}

export interface TfliteModel {
    /** File path or label used in messages. */
    label: string;
    bytes: Uint8Array;
    version: number;
    description?: string | undefined;
    operatorCodes: OperatorCodeInfo[];
    subgraphs: SubgraphInfo[];
    buffers: BufferInfo[];
    metadata: MetadataInfo[];
    signatures: SignatureInfo[];
}
