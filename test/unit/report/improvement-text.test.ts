// Small improvements keep a readable half-width: "± 0.0" reads as "touches 0" or "no uncertainty".
import { describe, expect, it } from 'vitest';
import type { ImprovementStat } from '../../../src/analysis/types.js';
import { improvementText } from '../../../src/report/improvement-text.js';

const stat = (valuePct: number, lowPct: number, highPct: number): ImprovementStat => ({
    valuePct,
    lowPct,
    highPct,
    interval: 't',
    method: 'paired',
    n: 5,
    df: 4,
});

describe('improvementText precision', () => {
    it('keeps one decimal while the half-width shows at one decimal', () => {
        expect(improvementText(stat(42.13, 39.1, 45.16))).toBe('42.1 ± 3.0');
        // half 0.05 rounds to 0.1 (0.05 is stored just above): still one decimal
        expect(improvementText(stat(1.25, 1.2, 1.3))).toBe('1.3 ± 0.1');
    });

    it('uses two decimals when the half-width rounds to 0.0, three when it rounds to 0.00', () => {
        // the review's case: 0.048 [0.024–0.071], half 0.024
        expect(improvementText(stat(0.048, 0.024, 0.072))).toBe('0.05 ± 0.02');
        // -0.08 ± 0.03: was "-0.1 ± 0.0"
        expect(improvementText(stat(-0.08, -0.11, -0.05))).toBe('-0.08 ± 0.03');
        // half 0.004 → 0.00 at two decimals
        expect(improvementText(stat(0.0123, 0.0083, 0.0163))).toBe('0.012 ± 0.004');
    });

    it('says "not distinguishable" around the finer figures when the interval contains 0', () => {
        expect(improvementText(stat(0.01, -0.02, 0.04), true)).toBe('≈ all on UE (0.01 ± 0.03)');
    });
});
