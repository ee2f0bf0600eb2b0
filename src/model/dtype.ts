// TFLite TensorType codes (schema.fbs enum TensorType) and their element sizes.

export const DTYPES = [
    'float32', // 0
    'float16', // 1
    'int32', // 2
    'uint8', // 3
    'int64', // 4
    'string', // 5
    'bool', // 6
    'int16', // 7
    'complex64', // 8
    'int8', // 9
    'float64', // 10
    'complex128', // 11
    'uint64', // 12
    'resource', // 13
    'variant', // 14
    'uint32', // 15
    'uint16', // 16
    'int4', // 17
    'bfloat16', // 18
] as const;
export type DType = (typeof DTYPES)[number] | `unknown(${number})`;

export const dtypeFromCode = (code: number): DType => DTYPES[code] ?? `unknown(${code})`;
export const dtypeCode = (d: DType): number => {
    const i = (DTYPES as readonly string[]).indexOf(d);
    if (i < 0) throw new RangeError(`no TensorType code for ${d}`);
    return i;
};

/** Bits per element; undefined where the size is not a function of the shape (string, resource, variant). */
export const dtypeBits = (d: DType): number | undefined => {
    switch (d) {
        case 'float32':
        case 'int32':
        case 'uint32':
            return 32;
        case 'float16':
        case 'int16':
        case 'uint16':
            return 16;
        case 'uint8':
        case 'int8':
        case 'bool':
            return 8;
        case 'int64':
        case 'uint64':
        case 'float64':
        case 'complex64':
            return 64;
        case 'complex128':
            return 128;
        case 'int4':
            return 4;
        case 'bfloat16':
            return 16;
        case 'string':
        case 'resource':
        case 'variant':
            return undefined;
        default:
            return undefined;
    }
};
