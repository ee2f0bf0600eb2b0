// Field ids (declaration order, a union taking two ids: type then value) of the TFLite schema.fbs tables we
// read and write. Looked up in tensorflow/compiler/mlir/lite/schema/schema.fbs; kept here so reader and writer
// cannot disagree.

export const MODEL = {
    version: 0,
    operatorCodes: 1,
    subgraphs: 2,
    description: 3,
    buffers: 4,
    metadataBuffer: 5,
    metadata: 6,
    signatureDefs: 7,
    count: 8,
} as const;

export const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4, count: 5 } as const;

export const TENSOR = {
    shape: 0,
    type: 1,
    buffer: 2,
    name: 3,
    quantization: 4,
    isVariable: 5,
    sparsity: 6,
    shapeSignature: 7,
    hasRank: 8,
    variantTensors: 9,
    count: 10,
} as const;

export const QUANT = {
    min: 0,
    max: 1,
    scale: 2,
    zeroPoint: 3,
    detailsType: 4,
    details: 5,
    quantizedDimension: 6,
    count: 7,
} as const;

export const OPCODE = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3, count: 4 } as const;

export const OPERATOR = {
    opcodeIndex: 0,
    inputs: 1,
    outputs: 2,
    builtinOptionsType: 3,
    builtinOptions: 4,
    customOptions: 5,
    customOptionsFormat: 6,
    mutatingVariableInputs: 7,
    intermediates: 8,
    largeCustomOptionsOffset: 9,
    largeCustomOptionsSize: 10,
    builtinOptions2Type: 11,
    builtinOptions2: 12,
    count: 13,
} as const;

export const BUFFER = { data: 0, offset: 1, size: 2, count: 3 } as const;
export const METADATA = { name: 0, buffer: 1, count: 2 } as const;
export const TENSOR_MAP = { name: 0, tensorIndex: 1, count: 2 } as const;
export const SIGNATURE = {
    inputs: 0,
    outputs: 1,
    signatureKey: 2,
    deprecatedTag: 3,
    subgraphIndex: 4,
    count: 5,
} as const;

/** BuiltinOptions union member numbers (1-based position in the union) that we need by name. */
export const OPTIONS = {
    Conv2DOptions: 1,
    DepthwiseConv2DOptions: 2,
    ConcatEmbeddingsOptions: 3,
    Pool2DOptions: 5,
    FullyConnectedOptions: 8,
    SoftmaxOptions: 9,
    ConcatenationOptions: 10,
    AddOptions: 11,
    CallOptions: 16,
    ReshapeOptions: 17,
    MulOptions: 21,
    SqueezeOptions: 30,
    DequantizeOptions: 38,
    IfOptions: 92,
    WhileOptions: 93,
    CallOnceOptions: 103,
    VarHandleOptions: 111,
    BucketizeOptions: 115,
    /** Last member: the union is frozen (new options go to BuiltinOptions2). */
    last: 126,
} as const;

/** Field ids, inside the options table, that hold subgraph indices, per control-flow options type. */
export const SUBGRAPH_REF_FIELDS: Readonly<Record<number, readonly number[]>> = {
    [OPTIONS.CallOptions]: [0],
    [OPTIONS.IfOptions]: [0, 1],
    [OPTIONS.WhileOptions]: [0, 1],
    [OPTIONS.CallOnceOptions]: [0],
};

/** The identifier at bytes 4..8 of every TFLite flatbuffer. */
export const FILE_IDENTIFIER = 'TFL3';
