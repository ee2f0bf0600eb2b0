import { describe, expect, it } from 'vitest';
import { compareOutput } from '../../../src/model/compare.js';

const f32 = (...xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer);
const info = (dtype: 'float32' | 'uint8' | 'int8') => ({ tensor: 1, name: 'out', dtype });

describe('compareOutput', () => {
    it('passes identical outputs', () => {
        expect(compareOutput(f32(1, 2), f32(1, 2), info('float32'), undefined)).toMatchObject({
            identical: true,
            maxAbsError: 0,
            ok: true,
        });
    });
    it('fails a one-ulp float difference without tolerance, and reports the error figures', () => {
        const a = f32(1, 2, 4);
        const b = f32(1, 2, 4.5);
        const r = compareOutput(a, b, info('float32'), undefined);
        expect(r).toMatchObject({ identical: false, ok: false, mismatches: 1, maxAbsError: 0.5, maxRelError: 0.125 });
        expect(compareOutput(a, b, info('float32'), { atol: 0.6, rtol: 0 }).ok).toBe(true);
        expect(compareOutput(a, b, info('float32'), { atol: 0, rtol: 0.1 }).ok).toBe(false);
    });
    it('requires integer outputs to be identical, even with a tolerance', () => {
        const r = compareOutput(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4), info('uint8'), { atol: 10, rtol: 1 });
        expect(r).toMatchObject({ identical: false, ok: false, mismatches: 1 });
        expect(r.maxAbsError).toBeUndefined();
    });
    it('treats NaN in both as equal but NaN in one as a failure', () => {
        expect(compareOutput(f32(NaN), f32(NaN), info('float32'), undefined).ok).toBe(true);
        const r = compareOutput(f32(1), f32(NaN), info('float32'), { atol: 1, rtol: 1 });
        expect(r.ok).toBe(false);
        expect(r.maxAbsError).toBe(Infinity);
    });
    it('fails on a length mismatch', () => {
        expect(compareOutput(f32(1, 2), f32(1), info('float32'), { atol: 1, rtol: 1 }).ok).toBe(false);
    });
});
