// Explicit inputs for `splitbench model verify --input NAME=FILE`: one file per model input, raw bytes or a NumPy
// .npy array, checked against the input's dtype and byte size before the runtime sees them.
import { readFileSync } from 'node:fs';
import { SplitbenchError } from '../errors.js';
import type { DType } from './dtype.js';
import { mainSubgraph } from './read.js';
import type { TensorInfo, TfliteModel } from './types.js';

// NumPy's little-endian (or byte-order-free) dtype strings for TFLite's fixed-size types (numpy/lib/format.py).
const NPY_DTYPES: Readonly<Record<string, DType>> = {
    '<f4': 'float32',
    '<f2': 'float16',
    '<f8': 'float64',
    '<i4': 'int32',
    '<i8': 'int64',
    '<i2': 'int16',
    '<u2': 'uint16',
    '<u4': 'uint32',
    '<u8': 'uint64',
    '|u1': 'uint8',
    '|i1': 'int8',
    '|b1': 'bool',
    '<c8': 'complex64',
    '<c16': 'complex128',
};

const NPY_MAGIC = '\x93NUMPY';

/**
 * A .npy file's array: its dtype (TFLite's name) and its data bytes, C order. Format: magic, version byte pair,
 * header length (uint16 in v1, uint32 in v2/v3), then a Python dict literal with descr, fortran_order and shape
 * (numpy/lib/format.py). Throws USAGE naming the file for anything else (big-endian, Fortran order, object arrays).
 */
export const parseNpy = (buf: Uint8Array, file: string): { dtype: DType; shape: number[]; data: Uint8Array } => {
    const bad = (why: string): SplitbenchError => new SplitbenchError('USAGE', `input file ${file}: ${why}`);
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (b.length < 10 || b.toString('latin1', 0, 6) !== NPY_MAGIC) throw bad('not a .npy file (no \\x93NUMPY magic)');
    const major = b[6] ?? 0;
    const lenBytes = major === 1 ? 2 : 4;
    const headerLen = lenBytes === 2 ? b.readUInt16LE(8) : b.readUInt32LE(8);
    const start = 8 + lenBytes + headerLen;
    if (start > b.length) throw bad('.npy header runs past the end of the file');
    const header = b.toString(major >= 3 ? 'utf8' : 'latin1', 8 + lenBytes, start);
    const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
    const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
    if (descr === undefined || fortran === undefined || shapeText === undefined)
        throw bad(`.npy header ${header.trim()}`);
    const dtype = NPY_DTYPES[descr.replace(/^=/, '<')];
    if (dtype === undefined) throw bad(`.npy dtype '${descr}' is not a little-endian TFLite type`);
    if (fortran === 'True') throw bad('.npy array in Fortran order; save it in C order (np.ascontiguousarray)');
    const shape = shapeText
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map(Number);
    // A copy: a Buffer's subarray would keep the whole file (or a pooled slab) alive and starts at an odd offset.
    return { dtype, shape, data: new Uint8Array(buf.subarray(start)) };
};

const readInput = (file: string, t: TensorInfo): Uint8Array => {
    let raw: Uint8Array;
    try {
        raw = readFileSync(file);
    } catch (e) {
        throw new SplitbenchError('NOT_FOUND', `input file ${file} for '${t.name}': cannot read`, { cause: e });
    }
    let data = raw;
    if (file.toLowerCase().endsWith('.npy')) {
        const npy = parseNpy(raw, file);
        if (npy.dtype !== t.dtype) {
            throw new SplitbenchError(
                'USAGE',
                `input file ${file} for '${t.name}': ${npy.dtype} [${npy.shape.join(',')}], the input is ${t.dtype} [${t.shape.join(',')}]`,
            );
        }
        data = npy.data;
    }
    // Dynamic inputs (a -1 in the signature) are checked by the runtime at the size it allocates.
    if (t.bytes !== undefined && t.shapeSignature?.includes(-1) !== true && data.byteLength !== t.bytes) {
        throw new SplitbenchError(
            'USAGE',
            `input file ${file} for '${t.name}': ${data.byteLength} bytes of data, the input needs ${t.bytes} (${t.dtype} [${t.shape.join(',')}])`,
        );
    }
    return data;
};

/**
 * Data for every input of the model's main subgraph, in model order, from `NAME=FILE` specs (a bare FILE when the
 * model has one input). FILE holds the tensor's raw bytes (little-endian, C order) or is a .npy array of the same
 * dtype. Throws USAGE for a malformed spec, an unknown or repeated name, an input left without data, or data of the
 * wrong dtype or size; NOT_FOUND for an unreadable file.
 */
export const readVerifyInputs = (model: TfliteModel, specs: readonly string[]): Uint8Array[] => {
    const sg = mainSubgraph(model);
    const inputs = sg.inputs.map((i) => sg.tensors[i]).filter((t): t is TensorInfo => t !== undefined);
    const names = inputs.map((t) => `'${t.name}'`).join(', ');
    const files = new Map<string, string>();
    for (const spec of specs) {
        const eq = spec.indexOf('=');
        let name: string;
        let file: string;
        if (eq < 0 && inputs.length === 1) [name, file] = [inputs[0]?.name ?? '', spec];
        else if (eq > 0 && eq < spec.length - 1) [name, file] = [spec.slice(0, eq), spec.slice(eq + 1)];
        else
            throw new SplitbenchError(
                'USAGE',
                `--input ${JSON.stringify(spec)}: expected NAME=FILE (inputs: ${names})`,
            );
        if (!inputs.some((t) => t.name === name))
            throw new SplitbenchError('USAGE', `--input ${spec}: the model has no input '${name}' (inputs: ${names})`);
        if (files.has(name)) throw new SplitbenchError('USAGE', `--input ${spec}: input '${name}' given twice`);
        files.set(name, file);
    }
    const missing = inputs.filter((t) => !files.has(t.name)).map((t) => `'${t.name}'`);
    if (missing.length > 0) {
        throw new SplitbenchError('USAGE', `--input: no data for ${missing.join(', ')} (give every input: ${names})`);
    }
    return inputs.map((t) => readInput(files.get(t.name) as string, t));
};
