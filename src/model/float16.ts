// float32 → IEEE 754 half precision bits, round to nearest even (fp16 weights, float16 inputs).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export const toFloat16 = (v: number): number => {
    f32[0] = v;
    const x = u32[0] ?? 0;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
    const e = exp - 127 + 15;
    if (e >= 31) return sign | 0x7c00;
    if (e <= 0) {
        if (e < -10) return sign;
        mant |= 0x800000;
        const shift = 14 - e;
        const half = mant >> shift;
        const rem = mant & ((1 << shift) - 1);
        const mid = 1 << (shift - 1);
        return sign | (half + (rem > mid || (rem === mid && (half & 1) === 1) ? 1 : 0));
    }
    const half = (e << 10) | (mant >> 13);
    const rem = mant & 0x1fff;
    return sign | (half + (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1) ? 1 : 0));
};
