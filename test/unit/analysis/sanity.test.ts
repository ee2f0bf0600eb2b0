// Sanity flags fire only beyond noise, i.e. when both sides have a 95 % interval and the two do not overlap. With one
// repetition there is no interval, so no flag (the review saw "head slower than a longer head" at n = 1).
import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import type { Rep } from '../../../src/analysis/types.js';
import { smallInput } from '../../support/report-fixtures.js';

// Measured heads at splits 1 and 2 where the shorter head (split 1) is slower than the longer one (split 2).
const input = (head1: number[], head2: number[]) => {
    const i = smallInput();
    const reps = (us: number[]): Rep[] => us.map((avgUs) => ({ avgUs }));
    const n = head1.length;
    i.measured = {
        fullUe: reps(Array.from({ length: n }, (_, k) => 6000 + 10 * k)),
        fullServer: reps(Array.from({ length: n }, (_, k) => 3000 + 10 * k)),
        head: new Map([
            [1, reps(head1)],
            [2, reps(head2)],
        ]),
        tail: new Map([
            [1, reps(Array.from({ length: n }, (_, k) => 2500 + 10 * k))],
            [2, reps(Array.from({ length: n }, (_, k) => 1000 + 10 * k))],
        ]),
    };
    return i;
};

const flagsOf = (a: ReturnType<typeof analyzeSplits>, split: number): string[] =>
    a.rows.find((r) => r.splitAfter === split)?.flags ?? [];

describe('sanity flags', () => {
    it('do not fire with one repetition: 5 ms vs 4 ms without intervals is not beyond noise', () => {
        const a = analyzeSplits(input([5000], [4000]));
        expect(a.rows.find((r) => r.splitAfter === 1)?.measured?.ue.interval).toBe('none');
        expect(flagsOf(a, 1)).toEqual([]);
        expect(flagsOf(a, 2)).toEqual([]);
    });

    it('fire when both intervals exist and do not overlap', () => {
        // head 1: 5.000, 5.010 → 5.005 ± 12.7062·0.005 = [4.9415, 5.0685]; head 2: 4.000, 4.010 → [3.9415, 4.0685]
        const a = analyzeSplits(input([5000, 5010], [4000, 4010]));
        expect(flagsOf(a, 1)).toEqual(['measured head slower than the longer head of split 2']);
        // overlapping intervals (head 2: 4.900, 5.000 → 4.95 ± 0.635): no flag
        expect(flagsOf(analyzeSplits(input([5000, 5010], [4900, 5000])), 1)).toEqual([]);
    });
});
