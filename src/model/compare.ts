// Comparing a split pipeline's outputs with the full model's (pure).
import type { DType } from './dtype.js';

export interface OutputComparison {
    /** Tensor index in the original model's subgraph 0. */
    tensor: number;
    name: string;
    dtype: DType;
    /** Bytes of the full model's output on these inputs (dynamic shapes: the size the invoke gave it). */
    bytes: number;
    identical: boolean;
    /** Float outputs only. */
    maxAbsError?: number | undefined;
    maxRelError?: number | undefined;
    /** Elements that differ. */
    mismatches: number;
}

const FLOATS = new Set<DType>(['float32', 'float16', 'float64']);

const halfToFloat = (h: number): number => {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) return s * m * 2 ** -24;
    if (e === 31) return m === 0 ? s * Infinity : NaN;
    return s * (1 + m / 1024) * 2 ** (e - 15);
};

const floatsOf = (dtype: DType, bytes: Uint8Array): Float64Array => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = dtype === 'float64' ? 8 : dtype === 'float16' ? 2 : 4;
    const out = new Float64Array(Math.floor(bytes.length / size));
    for (let i = 0; i < out.length; i++) {
        if (dtype === 'float64') out[i] = dv.getFloat64(i * 8, true);
        else if (dtype === 'float16') out[i] = halfToFloat(dv.getUint16(i * 2, true));
        else out[i] = dv.getFloat32(i * 4, true);
    }
    return out;
};

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
};

/** Compares one output; `tolerant` applies atol/rtol to floats (XNNPACK runs). */
export const compareOutput = (
    ref: Uint8Array,
    got: Uint8Array,
    info: { tensor: number; name: string; dtype: DType },
    tol: { atol: number; rtol: number } | undefined,
): OutputComparison & { ok: boolean } => {
    const identical = sameBytes(ref, got);
    if (!FLOATS.has(info.dtype)) {
        let mismatches = 0;
        if (!identical) {
            const n = Math.max(ref.length, got.length);
            for (let i = 0; i < n; i++) if (ref[i] !== got[i]) mismatches++;
        }
        return { ...info, bytes: ref.length, identical, mismatches, ok: identical };
    }
    const a = floatsOf(info.dtype, ref);
    const b = floatsOf(info.dtype, got);
    let maxAbs = 0;
    let maxRel = 0;
    let mismatches = 0;
    let withinTol = a.length === b.length;
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const x = a[i] ?? 0;
        const y = b[i] ?? 0;
        if (Number.isNaN(x) && Number.isNaN(y)) continue;
        const d = Math.abs(x - y);
        if (d > 0 || Number.isNaN(d)) mismatches++;
        const dd = Number.isNaN(d) ? Infinity : d;
        if (dd > maxAbs) maxAbs = dd;
        const rel = dd === 0 ? 0 : dd / Math.max(Math.abs(x), Number.MIN_VALUE);
        if (rel > maxRel) maxRel = rel;
        if (tol !== undefined && dd > tol.atol + tol.rtol * Math.abs(x)) withinTol = false;
    }
    if (a.length !== b.length) mismatches += Math.abs(a.length - b.length);
    return {
        ...info,
        bytes: ref.length,
        identical,
        maxAbsError: maxAbs,
        maxRelError: maxRel,
        mismatches,
        ok: identical || (tol !== undefined && withinTol),
    };
};
