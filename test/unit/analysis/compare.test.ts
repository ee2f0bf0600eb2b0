import { describe, expect, it } from 'vitest';
import { compareRuns, historyFromRuns } from '../../../src/analysis/compare.js';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import { renderComparison, renderHistory } from '../../../src/report/compare-render.js';
import { probe, reportInput, smallInput } from '../../support/report-fixtures.js';

const HEAD_US = [3000, 3100, 2900, 3050, 2950];

/** A run whose split-1 head is `factor` times slower (what fewer threads does to the UE half). */
const run = (id: string, factor: number, build: string) => {
    const input = smallInput();
    input.measured.head = new Map([[1, [{ avgUs: 3000 * factor, samplesUs: HEAD_US.map((v) => v * factor) }]]]);
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

describe('compareRuns', () => {
    it('flags a made-up 20 % slowdown of the UE half as a regression, with the device facts that changed', () => {
        const c = compareRuns(run('night-1', 1, 'B1'), run('night-2', 1.2, 'B2'), { thresholdPct: 5, alpha: 0.05 });
        expect(c.hasRegression).toBe(true);
        expect(c.regressions).toHaveLength(1);
        const r = c.regressions[0];
        expect(r).toMatchObject({
            model: 'tiny.tflite',
            mode: 'measured',
            splitAfter: 1,
            metric: 'ueMs',
            on: 'samples',
            test: 'exact',
            nA: 5,
            nB: 5,
        });
        expect(r?.aMedianMs).toBeCloseTo(3.0, 10);
        expect(r?.bMedianMs).toBeCloseTo(3.6, 10);
        expect(r?.changePct).toBeCloseTo(20, 8);
        // complete separation of 5 vs 5: two of C(10,5) = 252 arrangements are as extreme → p = 2/252
        expect(r?.p).toBeCloseTo(2 / 252, 12);
        // the total pairs 1 head rep with 2 tail reps → 1 value each side: cannot be significant
        const total = c.changes.find((x) => x.metric === 'totalMs' && x.mode === 'measured');
        expect(total?.verdict).toBe('unchanged');
        expect(c.probeChanges).toEqual([{ device: 'a01', fact: 'android build', a: 'B1', b: 'B2' }]);
        const text = renderComparison(c, 'text');
        expect(text).toContain('REGRESSION (1 metric(s))');
        expect(text).toMatch(
            /REGRESSION +tiny\.tflite a01\/pc measured split 1 ueMs: 3\.000 → 3\.600 ms \(\+20\.0 %, p=0\.0079, exact, samples 5\/5\) {2}\[a01 android build: B1 → B2\]/,
        );
        expect(renderComparison(c, 'md')).toContain('| a01 | android build | B1 | B2 |');
    });

    it('does not flag identical runs', () => {
        const c = compareRuns(run('a', 1, 'B1'), run('b', 1, 'B1'));
        expect(c.hasRegression).toBe(false);
        // full UE + full server, 4 splits × 3 estimated metrics, split 1 × 3 measured metrics
        expect(c.changes).toHaveLength(2 + 12 + 3);
        expect(c.changes.every((x) => x.p === 1 && x.verdict === 'unchanged')).toBe(true);
        expect(c.probeChanges).toEqual([]);
        expect(renderComparison(c)).toContain('no regression');
    });

    it('does not flag a slowdown below the threshold, and calls a speed-up an improvement', () => {
        // +3 %: A 2900..3100 vs B 2987 3038 3090 3141.5 3193 → U_a = 1 + 2 + 3 = 6; P(U <= 6) = 28/252 for 5 vs 5
        // (partition counts 1 1 2 3 5 7 9) → p = 56/252, and 3 % < 5 % anyway
        const small = compareRuns(run('a', 1, 'B1'), run('b', 1.03, 'B1'), { thresholdPct: 5 });
        expect(small.hasRegression).toBe(false);
        const ue = small.changes.find((x) => x.metric === 'ueMs' && x.mode === 'measured');
        expect(ue?.u).toBe(6);
        expect(ue?.p).toBeCloseTo(56 / 252, 12);
        expect(ue?.verdict).toBe('unchanged');
        const faster = compareRuns(run('a', 1, 'B1'), run('b', 0.5, 'B1'));
        expect(faster.improvements.map((x) => x.metric)).toEqual(['ueMs']);
        expect(faster.hasRegression).toBe(false);
    });

    it('with 4+ repetitions a side, tests repetition values: a run-wide shift of the samples is not significant', () => {
        // Each repetition's samples are tight around its own mean, and the means overlap between the runs:
        // pooled samples (n = 20 a side) would call B's +8 % a significant regression; the repetitions do not.
        const reps = (means: number[]) =>
            means.map((m) => ({ avgUs: m, samplesUs: [m - 10, m - 5, m, m + 5, m + 10] }));
        const withReps = (id: string, means: number[]) => {
            const input = smallInput();
            input.measured.head = new Map([[1, reps(means)]]);
            const r = reportInput([analyzeSplits(input)]);
            r.run = { ...r.run, id };
            return r;
        };
        const a = withReps('a', [3000, 3400, 2900, 3300]);
        const b = withReps('b', [3300, 3500, 3100, 3450]);
        const c = compareRuns(a, b, { thresholdPct: 5, alpha: 0.05 });
        const head = c.changes.find((x) => x.metric === 'ueMs' && x.mode === 'measured' && x.splitAfter === 1);
        expect(head).toMatchObject({ on: 'repetitions', nA: 4, nB: 4 });
        // ranks of B among all 8: 3300 ties A's 3300 → U_A = 3.5; exact two-sided p > 0.05
        expect(head?.p).toBeGreaterThan(0.05);
        expect(c.hasRegression).toBe(false);
        // the same numbers with only 3 repetitions fall back to pooled samples
        const a3 = withReps('a3', [3000, 3400, 2900]);
        const b3 = withReps('b3', [3300, 3500, 3100]);
        const head3 = compareRuns(a3, b3).changes.find(
            (x) => x.metric === 'ueMs' && x.mode === 'measured' && x.splitAfter === 1,
        );
        expect(head3).toMatchObject({ on: 'samples', nA: 15, nB: 15 });
    });

    it('applies the Holm correction when asked', () => {
        // 2/252 = 0.0079 times the number of tests (> 7) exceeds 0.05
        const c = compareRuns(run('a', 1, 'B1'), run('b', 1.2, 'B1'), { correction: 'holm' });
        expect(c.changes.length).toBeGreaterThan(7);
        expect(c.hasRegression).toBe(false);
    });
});

describe('history', () => {
    it('summarises a metric over runs and finds the step with the facts that changed', () => {
        const runs = [run('n1', 1, 'B1'), run('n2', 1, 'B1'), run('n3', 1.2, 'B2')];
        const series = historyFromRuns(runs, { model: 'tiny.tflite', device: 'a01', metric: 'ueMs', mode: 'measured' });
        expect(series).toHaveLength(1);
        const s = series[0]?.summary;
        expect(s?.n).toBe(3);
        expect(s?.firstMs).toBeCloseTo(3.0, 10);
        expect(s?.latestMs).toBeCloseTo(3.6, 10);
        expect(s?.latestVsPreviousPct).toBeCloseTo(20, 8);
        expect(s?.latestVsMedianPct).toBeCloseTo(20, 8);
        expect(s?.steps).toHaveLength(1);
        expect(s?.steps[0]).toMatchObject({
            fromRunId: 'n2',
            toRunId: 'n3',
            factChanges: [{ fact: 'android build', a: 'B1', b: 'B2' }],
        });
        // medians 3.0 3.0 3.6: mean 3.2, sd = sqrt((0.04+0.04+0.16)/2) = 0.34641 → CV 10.825 %
        expect(s?.cvPct).toBeCloseTo(10.8253175, 5);
        const text = renderHistory(series);
        expect(text).toContain('n2→n3 +20.0 % (android build: B1→B2)');
        // UE-side full-model series exist for the device too
        expect(
            historyFromRuns(runs, { model: 'tiny.tflite', device: 'a01', splitAfter: 'full' }).map((x) => x.key.metric),
        ).toEqual(['fullUeMs']);
    });
});
