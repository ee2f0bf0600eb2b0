// The terminal split table: T_UE(full) with its interval, and a caution when that base of the measured improvements
// is too uncertain to read the improvement columns as more than a sign. Values are set by hand on a real analysis.
import { describe, expect, it } from 'vitest';
import { summarizeNetwork } from '../../../src/analysis/network.js';
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
        // tail 2.5 and 4.5 ms: −4.8 ± 193.0 % (test/unit/report/text-renderers.test.ts): [−197.8, 188.2], the
        // upper bound past 100 → capped
        input.measured.tail = new Map([[1, [{ avgUs: 2500 }, { avgUs: 4500 }]]]);
        const text = renderConsoleTable(analyzeSplits(input));
        expect(text).toContain('≈ all on UE (-4.8 [-197.8 to 100 (clipped)])');
        expect(text).toContain(
            "≈ all on UE: the improvement's 95 % interval contains 0, not distinguishable from running everything on the UE",
        );
        expect(text).toContain(
            'total improvement not distinguishable from running everything on the UE (-4.8 %, 95 % interval -197.8 to 100 (clipped) %, n=2)',
        );
    });

    it('prints end-to-end bounds that never fall below the network time, and no tie where they do not overlap', () => {
        const a = analyzeSplits(smallInput());
        // the review's n=2 run: all on UE 47.311 [45.710, 48.912]; all on server T_srv(full) 47.587 (high 276.432,
        // t low −181.258) + 786432·8/50000 + 20 = 145.82912 ms → 193.41612 [145.829 (clipped), 422.26112]
        const g5 = summarizeNetwork(
            { name: '5G-uplink', uplinkMbps: 50, rttMs: 20 },
            20,
            [],
            { valueMs: 47.311, lowMs: 45.71, highMs: 48.912 },
            { inputBytes: 786_432, serverFull: { valueMs: 47.587, lowMs: 0, highMs: 276.432 } },
        );
        // a tie whose runner-up's compute bound was clipped: total 144.653 [t low −30.320, high 319.625] + 100 ms
        // transfer → 244.653 [100 (clipped), 419.625]; all on UE the same total, [0 (clipped), 319.625]
        const total = { valueMs: 144.653, lowMs: 0, highMs: 319.625 };
        const tied = summarizeNetwork(
            { name: 'slow', uplinkMbps: 10, rttMs: 0 },
            0,
            [
                {
                    splitAfter: 3,
                    net: { profile: 'slow', transferMs: 100, endToEndMs: 244.653, breakEvenUplinkMbps: 1 },
                    total,
                },
            ],
            total,
            { inputBytes: null, serverFull: null },
        );
        const text = renderConsoleTable({ ...a, networks: [g5, tied] });
        expect(text).toContain(
            'best for 5G-uplink (50 Mbit/s up, RTT 20 ms): all on UE (47.311 ms [45.710–48.912]) end to end',
        );
        expect(text).toContain(
            'best for slow (10 Mbit/s up, RTT 0 ms): tie: all on UE (144.653 ms [0 (clipped)–319.625]) or split after op 3 (244.653 ms [100.000 (clipped)–419.625]) end to end',
        );
        expect(text).toContain('so it never falls below the network time');
    });
});
