// history on constructed runs (test/support/compare-fixtures.ts). Expected p-values were computed independently
// with scipy.stats.ttest_ind(log(a), log(b), equal_var=False) on the per-repetition values written in each test.
import { describe, expect, it } from 'vitest';
import { historyFromRuns } from '../../../src/analysis/history.js';
import { renderHistory } from '../../../src/report/history-render.js';
import { asRun, fiveReps, HEAD_US, loadedHead } from '../../support/compare-fixtures.js';

describe('history', () => {
    it('summarises a metric over runs and finds the step with the facts that changed', () => {
        const runs = [asRun('n1', fiveReps(1), 'B1'), asRun('n2', fiveReps(1), 'B1'), asRun('n3', fiveReps(1.2), 'B2')];
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
        expect(s?.steps[0]?.p).toBeCloseTo(4.3377697e-6, 11);
        // run values 3.0 3.0 3.6: mean 3.2, sd = sqrt((0.04+0.04+0.16)/2) = 0.34641 → CV 10.825 %
        expect(s?.cvPct).toBeCloseTo(10.8253175, 5);
        const text = renderHistory(series);
        expect(text).toContain('n2→n3 +20.0 % (android build: B1→B2)');
        // UE-side full-model series exist for the device too
        expect(
            historyFromRuns(runs, { model: 'tiny.tflite', device: 'a01', splitAfter: 'full' }).map((x) => x.key.metric),
        ).toEqual(['fullUeMs']);
    });

    it('corrects the steps with Holm over every step tested, and --no-holm tests each at alpha', () => {
        // n2's measured head is A's × 1.15 1.0 1.3 1.1 1.2 (+14.8 %): scipy p = 0.010394756 on the logs. The selection
        // (a01, ueMs) has 5 series — estimated at 4 splits, measured at split 1 — so 5 step tests; Holm makes the
        // smallest 5 × 0.0104 = 0.052 ≥ 0.05: no step. Each at alpha, it is one.
        const b = fiveReps(1);
        const f = [1.15, 1.0, 1.3, 1.1, 1.2];
        b.measured.head = new Map([[1, HEAD_US.map((v, i) => ({ avgUs: v * (f[i] as number) }))]]);
        const runs = [asRun('n1', fiveReps(1)), asRun('n2', b)];
        const sel = { model: 'tiny.tflite', device: 'a01', metric: 'ueMs' } as const;
        const series = historyFromRuns(runs, sel);
        expect(series).toHaveLength(5);
        expect(series.reduce((n, x) => n + x.summary.stepTests.length, 0)).toBe(5);
        const head = series.find((x) => x.key.mode === 'measured')?.summary;
        expect(head?.stepTests[0]?.p).toBeCloseTo(0.010394756, 8);
        expect(head?.stepTests[0]?.pAdjusted).toBeCloseTo(5 * 0.010394756, 7);
        expect(head?.steps).toEqual([]);
        expect(renderHistory(series)).toContain(
            '5 step(s) tested over 5 metric(s); a step needs Holm-adjusted p < 0.05',
        );
        const none = historyFromRuns(runs, sel, { correction: 'none' });
        const headNone = none.find((x) => x.key.mode === 'measured')?.summary;
        expect(headNone?.steps.map((x) => `${x.fromRunId}→${x.toRunId}`)).toEqual(['n1→n2']);
        expect(renderHistory(none, 'text', { correction: 'none' })).toContain('p < 0.05 per step (no correction)');
    });

    it('leaves loaded repetitions out of the values and steps; a run with every one loaded is named, not summarised', () => {
        const sel = { model: 'tiny.tflite', device: 'a01', metric: 'ueMs', mode: 'measured' } as const;
        const runs = [
            asRun('n1', loadedHead(1, [1, 3])),
            asRun('n2', loadedHead(5, [0, 1, 2, 3, 4])),
            asRun('n3', fiveReps(1.2)),
        ];
        const s = historyFromRuns(runs, sel)[0]?.summary;
        // n1: clean 3000 2900 2950 µs → 2.95 ms; n2 (5× slower, all loaded) takes no part; n3: 3.6 ms
        expect(s?.n).toBe(2);
        expect(s?.allLoadedRuns).toEqual(['n2']);
        expect(s?.leftOut).toBe(2 + 5);
        expect(s?.repetitions).toBe(15);
        expect(s?.firstMs).toBeCloseTo(2.95, 10);
        expect(s?.maxMs).toBeCloseTo(3.6, 10);
        // the step spans n1 → n3, on the same clean values as compare (scipy p = 1.5512234e-5)
        expect(s?.steps).toHaveLength(1);
        expect(s?.steps[0]).toMatchObject({ fromRunId: 'n1', toRunId: 'n3' });
        expect(s?.steps[0]?.p).toBeCloseTo(1.5512234e-5, 11);
        expect(renderHistory(historyFromRuns(runs, sel))).toContain('7 of 15 repetitions (all loaded: n2)');
        // --include-loaded: n2's 15 ms head is a run like the others, with steps n1 → n2 → n3
        const kept = historyFromRuns(runs, sel, { includeLoaded: true })[0]?.summary;
        expect(kept?.n).toBe(3);
        expect(kept?.leftOut).toBe(0);
        expect(kept?.maxMs).toBeCloseTo(15.0, 10);
        expect(kept?.steps.map((x) => `${x.fromRunId}→${x.toRunId}`)).toEqual(['n1→n2', 'n2→n3']);
    });
});
