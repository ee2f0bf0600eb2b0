// Constructed runs for the compare and history tests: smallInput (report-fixtures.ts) with five repetitions of
// everything, so every metric can be tested, and helpers to vary the measured head.
import type { compareRuns } from '../../src/analysis/compare.js';
import { analyzeSplits } from '../../src/analysis/split-table.js';
import type { SplitAnalysisInput } from '../../src/analysis/types.js';
import { probe, reportInput, smallInput } from './report-fixtures.js';

export const HEAD_US = [3000, 3100, 2900, 3050, 2950];
export const TAIL_US = [2500, 2700, 2600, 2550, 2650];

/** smallInput with 5 repetitions of everything (profiles repeated), so every metric can be tested. */
export const fiveReps = (headFactor: number, tailUs: readonly number[] = TAIL_US): SplitAnalysisInput => {
    const input = smallInput();
    const [u0, u1] = input.estimate.ue;
    const [s0, s1] = input.estimate.server;
    input.estimate = {
        ue: [u0, u1, u0, u1, u0].map((p) => p as NonNullable<typeof p>),
        server: [s0, s1, s0, s1, s0].map((p) => p as NonNullable<typeof p>),
    };
    input.measured.fullUe = [6000, 6400, 6200, 6100, 6300].map((avgUs) => ({ avgUs }));
    input.measured.fullServer = [3000, 3400, 3200, 3100, 3300].map((avgUs) => ({ avgUs }));
    input.measured.head = new Map([[1, HEAD_US.map((v) => ({ avgUs: v * headFactor }))]]);
    input.measured.tail = new Map([[1, tailUs.map((avgUs) => ({ avgUs }))]]);
    return input;
};

export const asRun = (id: string, input: SplitAnalysisInput, build = 'B1') => {
    const r = reportInput([analyzeSplits(input)]);
    r.run = { ...r.run, id };
    r.devices = [
        {
            name: 'a01',
            role: 'ue',
            probe: probe({
                android: { model: 'SM-A015F', manufacturer: 'samsung', release: '12', sdk: 31, build, rooted: false },
            }),
        },
    ];
    return r;
};

export const measuredHead = (c: ReturnType<typeof compareRuns>) =>
    c.changes.find((x) => x.metric === 'ueMs' && x.mode === 'measured' && x.splitAfter === 1);

/** fiveReps with the measured head's repetitions at `loaded` indices load-flagged. */
export const loadedHead = (headFactor: number, loaded: readonly number[]): SplitAnalysisInput => {
    const input = fiveReps(headFactor);
    input.measured.head = new Map([
        [1, HEAD_US.map((v, i) => ({ avgUs: v * headFactor, ...(loaded.includes(i) ? { loaded: true } : {}) }))],
    ]);
    return input;
};
