// The terminal split table: T_UE(full) with its interval, and a caution when that base of the measured improvements
// is too uncertain to read the improvement columns as more than a sign. Values are set by hand on a real analysis.
import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import type { SplitAnalysis } from '../../../src/analysis/types.js';
import { renderConsoleTable } from '../../../src/report/console.js';
import { smallInput } from '../../support/report-fixtures.js';

const withBase = (lowMs: number, highMs: number): SplitAnalysis => {
    const a = analyzeSplits(smallInput());
    if (a.fullUe === null) throw new Error('fixture has no T_UE(full)');
    return { ...a, fullUe: { ...a.fullUe, valueMs: 100, lowMs, highMs, interval: 't', n: 3 } };
};

describe('console split table', () => {
    it('shows T_UE(full) with its interval and n', () => {
        expect(renderConsoleTable(withBase(95, 105))).toContain(
            'T_UE(full) = 100.000 [95.000–105.000] ms (measured, n=3)',
        );
    });

    it('cautions when the improvement base varies by more than ±10 %', () => {
        // half-width (160 − 40) / 2 = 60 ms = 60 % of 100 ms
        expect(renderConsoleTable(withBase(40, 160))).toContain(
            'caution: T_UE(full), the base of the measured improvements, varies by ±60.0 % (95 % interval, n=3)',
        );
        // ±5 %: no caution
        expect(renderConsoleTable(withBase(95, 105))).not.toContain('caution:');
    });
});
