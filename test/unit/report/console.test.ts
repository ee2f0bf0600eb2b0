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

    it("prints the best split's improvements with their intervals", () => {
        // measured split 1 (the only measured row): total 9.677 ± 7.834 → 1.8 to 17.5 %; UE 51.613 ± 3.877 → 47.7
        // to 55.5 % (test/unit/analysis/improvement.test.ts works them out)
        const text = renderConsoleTable(analyzeSplits(smallInput()));
        expect(text).toContain(
            'best split on compute (measured, no network): split 1 (layer 2): total improvement 9.7 % (95 % interval 1.8 to 17.5 %, n=2); UE improvement 51.6 % (95 % interval 47.7 to 55.5 %, n=2)',
        );
        expect(text).toMatch(/ 9\.7 ± 7\.8 /);
    });

    it('says in words when the total improvement interval contains 0', () => {
        const input = smallInput();
        // tail 2.5 and 4.5 ms: −4.8 ± 193.0 % (test/unit/report/text-renderers.test.ts)
        input.measured.tail = new Map([[1, [{ avgUs: 2500 }, { avgUs: 4500 }]]]);
        const text = renderConsoleTable(analyzeSplits(input));
        expect(text).toContain('≈ all on UE (-4.8 ± 193.0)');
        expect(text).toContain(
            "≈ all on UE: the improvement's 95 % interval contains 0, not distinguishable from running everything on the UE",
        );
        expect(text).toContain(
            'total improvement not distinguishable from running everything on the UE (-4.8 %, 95 % interval -197.8 to 188.2 %, n=2)',
        );
    });
});
