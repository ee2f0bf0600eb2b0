// Data a .tflite keeps after its flatbuffer and points at by file offset. Two forms are the schema's own (Buffer
// offset/size and Operator large_custom_options_offset/size, the layout for models over 2 GB); the third is an op's
// convention inside its custom options: LiteRT's AOT-compiled DISPATCH_OP stores `bytecode_offset` and
// `bytecode_size` in a FlexBuffers map and the NPU bytecode after the flatbuffer. Pure: bytes in, facts out.

/** One `<name>_offset` / `<name>_size` pair of an op's custom options that points into the file. */
export interface OptionsDataRef {
    /** The pair's common name (`bytecode`). */
    key: string;
    /** File offset and size (bytes) of the data. */
    offset: number;
    size: number;
    /** Where the offset value sits in the custom options bytes, and its stored width (1, 2, 4 or 8 bytes). */
    valuePos: number;
    width: number;
}

interface FlexInt {
    value: number;
    pos: number;
    width: number;
}

const FBT_INT = 1;
const FBT_UINT = 2;
const FBT_MAP = 9;

const readUint = (b: Uint8Array, pos: number, width: number): number => {
    let v = 0;
    for (let i = width - 1; i >= 0; i--) v = v * 256 + (b[pos + i] ?? 0);
    return v;
};

const cString = (b: Uint8Array, pos: number): string | undefined => {
    let end = pos;
    while (end < b.length && b[end] !== 0) end++;
    if (end >= b.length) return undefined;
    let s = '';
    for (let i = pos; i < end; i++) s += String.fromCharCode(b[i] ?? 0);
    return s;
};

/**
 * The integer fields of a FlexBuffers root map, by key, with the position and width of each stored value; undefined
 * when the bytes are not a FlexBuffers map (any other custom options format). Layout after the FlexBuffers spec
 * (flatbuffers/docs/source/flexbuffers.md): the last byte is the root's width, the one before its packed type; a
 * map's elements are preceded by [keys vector offset, keys width, length] and followed by one packed type per value.
 */
export const flexMapInts = (b: Uint8Array): Map<string, FlexInt> | undefined => {
    const n = b.length;
    if (n < 3) return undefined;
    const rootWidth = b[n - 1] ?? 0;
    const packed = b[n - 2] ?? 0;
    if (![1, 2, 4, 8].includes(rootWidth) || packed >> 2 !== FBT_MAP) return undefined;
    const rootPos = n - 2 - rootWidth;
    const w = 1 << (packed & 3);
    const map = rootPos - readUint(b, rootPos, rootWidth);
    if (map - 3 * w < 0 || map >= n) return undefined;
    const len = readUint(b, map - w, w);
    const keysWidth = readUint(b, map - 2 * w, w);
    const keysField = map - 3 * w;
    const keys = keysField - readUint(b, keysField, w);
    if (![1, 2, 4, 8].includes(keysWidth) || keys < 0 || map + len * w + len > n) return undefined;
    const out = new Map<string, FlexInt>();
    for (let i = 0; i < len; i++) {
        const type = (b[map + len * w + i] ?? 0) >> 2;
        if (type !== FBT_INT && type !== FBT_UINT) continue;
        const keyPos = keys + i * keysWidth;
        const key = cString(b, keyPos - readUint(b, keyPos, keysWidth));
        if (key === undefined) return undefined;
        const pos = map + i * w;
        let value = readUint(b, pos, w);
        if (type === FBT_INT && w < 8 && value >= 2 ** (8 * w - 1)) value -= 2 ** (8 * w);
        out.set(key, { value, pos, width: w });
    }
    return out;
};

/**
 * `<name>_offset` / `<name>_size` pairs in an op's custom options whose range lies inside the file (fileBytes long):
 * data the op reads from the file itself. Empty for options that are not a FlexBuffers map or hold no such pair.
 */
export const optionsDataRefs = (options: Uint8Array, fileBytes: number): OptionsDataRef[] => {
    const ints = flexMapInts(options);
    if (ints === undefined) return [];
    const refs: OptionsDataRef[] = [];
    for (const [k, off] of ints) {
        if (!k.endsWith('_offset')) continue;
        const key = k.slice(0, -'_offset'.length);
        const size = ints.get(`${key}_size`);
        if (size === undefined || off.value <= 0 || size.value <= 0 || off.value + size.value > fileBytes) continue;
        refs.push({ key, offset: off.value, size: size.value, valuePos: off.pos, width: off.width });
    }
    return refs;
};

/** Writes `value` little-endian into `width` bytes at `pos`; false when it does not fit. */
export const writeUint = (b: Uint8Array, pos: number, width: number, value: number): boolean => {
    if (value < 0 || value >= 2 ** (8 * width) || !Number.isSafeInteger(value)) return false;
    let v = value;
    for (let i = 0; i < width; i++) {
        b[pos + i] = v % 256;
        v = Math.floor(v / 256);
    }
    return true;
};
