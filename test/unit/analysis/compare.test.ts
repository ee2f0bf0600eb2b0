// Comparison verdicts on constructed runs. Expected t, df and p were computed independently with
// scipy.stats.ttest_ind(log(a), log(b), equal_var=False) on the per-repetition values written in each test.
import { describe, expect, it } from 'vitest';
import { compareRuns, usedValues } from '../../../src/analysis/compare.js';
import { history, noMatchMessage } from '../../../src/analysis/history.js';
import { deviceSettings, diffSettings } from '../../../src/analysis/settings-facts.js';
import { RoleSettingsSchema } from '../../../src/config/schema.js';
import type { SplitAnalysisInput } from '../../../src/analysis/types.js';
import { renderComparison } from '../../../src/report/compare-render.js';
import { asRun, fiveReps, loadedHead, measuredHead } from '../../support/compare-fixtures.js';
import { smallInput } from '../../support/report-fixtures.js';

describe('compareRuns', () => {
    it('A/A: the same distribution drawn again is no regression, with every metric tested', () => {
        const b = fiveReps(1);
        // B's head repetitions: 3020 2980 3090 2910 3000 µs, mean 3000 as in A: scipy on the logs p = 0.99550
        b.measured.head = new Map([[1, [3020, 2980, 3090, 2910, 3000].map((avgUs) => ({ avgUs }))]]);
        const c = compareRuns(asRun('a', fiveReps(1)), asRun('b', b));
        expect(c.verdict).toBe('no regression');
        expect(c.hasRegression).toBe(false);
        // full UE + full server, 4 splits × 3 estimated metrics, split 1 × 3 measured metrics
        expect(c.changes).toHaveLength(2 + 12 + 3);
        expect(c.insufficient).toEqual([]);
        expect(measuredHead(c)?.p).toBeCloseTo(0.99550365, 6);
        expect(c.changes.every((x) => x.verdict === 'unchanged')).toBe(true);
        const text = renderComparison(c);
        expect(text).toContain('no regression');
        expect(text).toContain('17 metrics compared, 17 unchanged (hidden; --all prints them)');
        // --all prints every metric
        const all = renderComparison(c, 'text', { all: true });
        expect(all.split('\n').filter((l) => l.startsWith('UNCHANGED'))).toHaveLength(17);
    });

    it('flags a 20 % slower head with 5 repetitions a side as a regression, Holm-corrected, with device facts', () => {
        const c = compareRuns(asRun('night-1', fiveReps(1), 'B1'), asRun('night-2', fiveReps(1.2), 'B2'));
        expect(c.correction).toBe('holm');
        expect(c.verdict).toBe('regression');
        const head = measuredHead(c);
        expect(head).toMatchObject({ verdict: 'regression', test: 'welch', scale: 'log', nA: 5, nB: 5 });
        expect(head?.aValueMs).toBeCloseTo(3.0, 10);
        expect(head?.bValueMs).toBeCloseTo(3.6, 10);
        expect(head?.changeMs).toBeCloseTo(0.6, 10);
        expect(head?.changePct).toBeCloseTo(20, 8);
        // on the logs B − A is ln 1.2 in every repetition, equal variances: scipy t = 10.935316493, df = 8,
        // p = 4.3377697e-6
        expect(head?.t).toBeCloseTo(10.935316493, 6);
        expect(head?.df).toBeCloseTo(8, 6);
        expect(head?.p).toBeCloseTo(4.3377697e-6, 11);
        // Holm: the smallest of 17 p-values is multiplied by 17
        expect(head?.pAdjusted).toBeCloseTo(17 * 4.3377697e-6, 10);
        // the measured total: (head + tail) per repetition, +10.714 % (0.6 / 5.6), scipy p = 7.366542e-5, 2nd smallest
        const total = c.changes.find((x) => x.metric === 'totalMs' && x.mode === 'measured');
        expect(total?.changePct).toBeCloseTo((100 * 0.6) / 5.6, 8);
        expect(total?.p).toBeCloseTo(7.366542e-5, 10);
        expect(total?.pAdjusted).toBeCloseTo(16 * 7.366542e-5, 9);
        expect(total?.verdict).toBe('regression');
        expect(c.probeChanges).toEqual([{ device: 'a01', fact: 'android build', a: 'B1', b: 'B2' }]);
        const text = renderComparison(c, 'text');
        expect(text).toContain('REGRESSION (2 metric(s))');
        expect(text).toMatch(
            /REGRESSION +tiny\.tflite a01\/pc measured split 1 ueMs: 3\.000 → 3\.600 ms \(\+0\.600 ms, \+20\.0 %, p=4\.3e-6, p_adj=7\.4e-5, welch \(log\), reps 5\/5\) {2}\[a01 android build: B1 → B2\]/,
        );
        expect(renderComparison(c, 'md')).toContain('| a01 | android build | B1 | B2 |');
    });

    it('with 2 repetitions against 2 says "insufficient repetitions", never an all-clear', () => {
        const two = (f: number) => {
            const input = smallInput();
            input.measured.head = new Map([[1, [{ avgUs: 3000 * f }, { avgUs: 3100 * f }]]]);
            return input;
        };
        const c = compareRuns(asRun('a', two(1)), asRun('b', two(1.5)));
        expect(c.verdict).toBe('insufficient repetitions');
        expect(c.hasRegression).toBe(false);
        const head = measuredHead(c);
        expect(head).toMatchObject({ verdict: 'insufficient', test: 'none', nA: 2, nB: 2 });
        const text = renderComparison(c);
        expect(text).toContain('INSUFFICIENT REPETITIONS');
        expect(text).toContain('not tested, reps 2/2');
        // a lower minimum lets the same data be tested
        expect(measuredHead(compareRuns(asRun('a', two(1)), asRun('b', two(1.5)), { minReps: 2 }))?.test).toBe('welch');
    });

    it('needs the absolute floor too: 0.026 → 0.028 ms is significant but only "changed"', () => {
        // tail repetitions 26.0 26.2 25.8 26.1 25.9 µs against +2 µs: scipy on the logs p = 4.40994e-8
        const tail = [26, 26.2, 25.8, 26.1, 25.9];
        const c = compareRuns(
            asRun('a', fiveReps(1, tail)),
            asRun(
                'b',
                fiveReps(
                    1,
                    tail.map((v) => v + 2),
                ),
            ),
            { thresholdPct: 5 },
        );
        const srv = c.changes.find((x) => x.metric === 'serverMs' && x.mode === 'measured');
        expect(srv?.changePct).toBeCloseTo((100 * 2) / 26, 6);
        expect(srv?.p).toBeCloseTo(4.40994e-8, 12);
        expect(srv?.verdict).toBe('changed');
        expect(c.hasRegression).toBe(false);
        // with the floor lowered below 0.002 ms the same change is a regression
        const low = compareRuns(
            asRun('a', fiveReps(1, tail)),
            asRun(
                'b',
                fiveReps(
                    1,
                    tail.map((v) => v + 2),
                ),
            ),
            { thresholdPct: 5, floorMs: 0.001 },
        );
        expect(low.regressions.map((x) => x.metric)).toContain('serverMs');
    });

    it('calls a large move the test cannot confirm "not significant", shows it by default, and does not fail on it', () => {
        const b = fiveReps(1);
        // B's head: 3000 9000 3100 9100 2900 µs, mean 5420 (+80.7 %); scipy ttest_ind(log(A), log(B), equal_var=False)
        // t = -1.62983361, p = 0.17820130
        b.measured.head = new Map([[1, [3000, 9000, 3100, 9100, 2900].map((avgUs) => ({ avgUs }))]]);
        const c = compareRuns(asRun('a', fiveReps(1)), asRun('b', b));
        const head = measuredHead(c);
        expect(head?.p).toBeCloseTo(0.1782013, 6);
        expect(head?.changePct).toBeCloseTo(80.6666667, 5);
        expect(head?.verdict).toBe('not significant');
        expect(c.verdict).toBe('no regression');
        expect(c.hasRegression).toBe(false);
        const text = renderComparison(c);
        expect(text).toMatch(
            /^NOT SIGNIFICANT +tiny\.tflite a01\/pc measured split 1 ueMs: 3\.000 → 5\.420 ms .*p=0\.1782, p_adj=1\.0000/m,
        );
        expect(text).toContain('moved past the threshold without significance ("not significant"');
        expect(renderComparison(c, 'md')).toMatch(/\| Metric \| A \(ms\) \| B \(ms\) \| Change \| p \| p adj\. \|/);
    });

    it('calls a speed-up an improvement and can test without the Holm correction', () => {
        const faster = compareRuns(asRun('a', fiveReps(1)), asRun('b', fiveReps(0.5)));
        expect(faster.improvements.map((x) => x.metric).sort()).toEqual(['totalMs', 'ueMs']);
        expect(faster.verdict).toBe('no regression');
        // scipy for 3.0.. vs 3.09.. (logs): p = 0.114183 — above alpha with or without correction
        const three = compareRuns(asRun('a', fiveReps(1)), asRun('b', fiveReps(1.03)), { correction: 'none' });
        expect(measuredHead(three)?.p).toBeCloseTo(0.11418312, 6);
        expect(measuredHead(three)?.pAdjusted).toBe(measuredHead(three)?.p);
        expect(measuredHead(three)?.verdict).toBe('unchanged');
    });
});

describe('compareRuns with load-flagged repetitions', () => {
    it('leaves them out of the test and the point value, and says how many per side', () => {
        // A's head repetitions 1 and 3 (3100, 3050 µs) are loaded: clean 3000 2900 2950, mean 2950 µs.
        // scipy ttest_ind(log([3000,2900,2950]), log([3600,3720,3480,3660,3540]), equal_var=False): p = 1.5512234e-5;
        // the measured total (head + tail per repetition, the loaded head's repetitions left out too):
        // log([5500,5500,5600]) vs log([6100,6420,6080,6210,6190]): p = 6.3422024e-5
        const c = compareRuns(asRun('a', loadedHead(1, [1, 3])), asRun('b', fiveReps(1.2)));
        expect(c.includeLoaded).toBe(false);
        const head = measuredHead(c);
        expect(head).toMatchObject({ verdict: 'regression', nA: 3, nB: 5, repsA: 5, repsB: 5, loadedA: 2, loadedB: 0 });
        expect(head?.aValueMs).toBeCloseTo(2.95, 10);
        expect(head?.changePct).toBeCloseTo((100 * (3.6 - 2.95)) / 2.95, 8);
        expect(head?.p).toBeCloseTo(1.5512234e-5, 11);
        expect(head?.pAdjusted).toBeCloseTo(17 * 1.5512234e-5, 10);
        const total = c.changes.find((x) => x.metric === 'totalMs' && x.mode === 'measured');
        expect(total).toMatchObject({ nA: 3, loadedA: 2, verdict: 'regression' });
        expect(total?.aValueMs).toBeCloseTo(5533.333333 / 1000, 6);
        expect(total?.p).toBeCloseTo(6.3422024e-5, 10);
        // the tail ran without load: all five repetitions tested
        expect(c.changes.find((x) => x.metric === 'serverMs' && x.mode === 'measured')).toMatchObject({
            nA: 5,
            loadedA: 0,
        });
        const text = renderComparison(c);
        expect(text).toContain('reps 3/5; A: 2 of 5 repetitions left out: loaded)');
        expect(text).toContain('load-flagged repetitions left out of 2 metric(s)');
        expect(renderComparison(c, 'md')).toContain('| A: 2 of 5 repetitions left out: loaded |');
    });

    it('with too few clean repetitions gives the verdict "loaded", never an all-clear; --include-loaded tests them', () => {
        // 4 of A's 5 head repetitions loaded: 1 clean < 3; B is the same distribution
        const c = compareRuns(asRun('a', loadedHead(1, [0, 1, 2, 3])), asRun('b', fiveReps(1)));
        expect(c.verdict).toBe('loaded');
        expect(c.hasRegression).toBe(false);
        expect(c.loaded.map((x) => x.metric).sort()).toEqual(['totalMs', 'ueMs']);
        expect(c.insufficient).toEqual([]);
        expect(measuredHead(c)).toMatchObject({ verdict: 'loaded', test: 'none', nA: 1, repsA: 5, loadedA: 4 });
        // the one clean repetition is the value shown: 2950 µs
        expect(measuredHead(c)?.aValueMs).toBeCloseTo(2.95, 10);
        const text = renderComparison(c);
        expect(text).toContain('LOADED (2 metric(s) with fewer than 3 repetitions measured without load on a side');
        expect(text).toMatch(/^LOADED \(TOO FEW CLEAN REPETITIONS\) tiny\.tflite a01\/pc measured split 1 ueMs/m);
        // Holm runs over the 15 metrics tested
        expect(text).toContain('Holm over 15 tested metrics');

        const kept = compareRuns(asRun('a', loadedHead(1, [0, 1, 2, 3])), asRun('b', fiveReps(1)), {
            includeLoaded: true,
        });
        expect(kept.verdict).toBe('no regression');
        expect(measuredHead(kept)).toMatchObject({ verdict: 'unchanged', nA: 5, loadedA: 4 });
        expect(measuredHead(kept)?.aValueMs).toBeCloseTo(3.0, 10);
        expect(renderComparison(kept, 'text', { all: true })).toContain('A: 4 of 5 repetitions loaded, kept');
    });

    it('marks estimated metrics by the profiled repetition they come from: UE profile 0 loaded → UE and total', () => {
        const input = fiveReps(1);
        input.estimate.ue = input.estimate.ue.map((p, i) => (i === 0 ? { ...p, loaded: true } : p));
        const c = compareRuns(asRun('a', input), asRun('b', fiveReps(1)));
        const est = (metric: string) =>
            c.changes.filter((x) => x.mode === 'estimated' && x.metric === metric).map((x) => x.loadedA);
        // 4 split points; the estimated full UE (profile total) is the UE's, the measured full server is not
        expect(est('ueMs')).toEqual([1, 1, 1, 1]);
        expect(est('totalMs')).toEqual([1, 1, 1, 1]);
        expect(est('serverMs')).toEqual([0, 0, 0, 0]);
        expect(c.changes.filter((x) => x.mode === 'estimated' && x.metric === 'ueMs').every((x) => x.nA === 4)).toBe(
            true,
        );
    });

    it('fewer repetitions than the minimum at all stays "insufficient repetitions", loaded or not', () => {
        const two = (loaded: boolean) => {
            const input = smallInput();
            input.measured.head = new Map([[1, [{ avgUs: 3000, loaded }, { avgUs: 3100 }]]]);
            return input;
        };
        const c = compareRuns(asRun('a', two(true)), asRun('b', two(false)));
        expect(c.verdict).toBe('insufficient repetitions');
        expect(measuredHead(c)?.verdict).toBe('insufficient');
    });
});

describe('where a value comes from, and what changed besides the numbers', () => {
    it('a side with every repetition loaded is the mean of those, marked "loaded"; with one clean, of that one', () => {
        const m = { valueMs: 5, repValuesMs: [4, 6], loadedReps: [true, true] };
        expect(usedValues(m, false)).toEqual({ values: [], valueMs: 5, loaded: 2, from: 'loaded' });
        expect(usedValues({ ...m, loadedReps: [true, false] }, false)).toEqual({
            values: [6],
            valueMs: 6,
            loaded: 1,
            from: 'used',
        });
        expect(usedValues(m, true).from).toBe('used');
    });

    it('settings per device: resolved identity over configured values, repetitions counted, differences listed', () => {
        const one = RoleSettingsSchema.parse({ runs: 5 });
        const ten = RoleSettingsSchema.parse({ runs: 10, threads: 'all', cpuAffinity: 'big' });
        const identity = {
            runtime: { kind: 'builtin', splitbench: '0.1.0', tflite: '2.9.0' },
            deviceBuild: 'b',
            threads: 8,
            cpuMask: 'f0',
            useXnnpack: false,
        } as const;
        const a = deviceSettings([0, 1, 2].map((repetition) => ({ device: 'a01', repetition, settings: one })));
        const b = deviceSettings([
            { device: 'a01', repetition: 0, settings: ten, identity },
            { device: 'a01', repetition: 1, settings: ten, identity },
            { device: 'pc', repetition: 0, settings: one },
        ]);
        expect(a['a01']).toMatchObject({ runtime: 'builtin', threads: '1', 'cpu mask': 'big', XNNPACK: 'off' });
        expect(diffSettings(a, b)).toEqual([
            { device: 'a01', fact: 'runtime', a: 'builtin', b: 'built-in runner (splitbench 0.1.0, TFLite 2.9.0)' },
            { device: 'a01', fact: 'threads', a: '1', b: '8' },
            { device: 'a01', fact: 'cpu mask', a: 'big', b: 'f0' },
            { device: 'a01', fact: 'runs', a: '5', b: '10' },
            { device: 'a01', fact: 'repetitions', a: '3', b: '2' },
        ]);
        // unknown on a side (fixtures, old stores): nothing to compare
        expect(diffSettings(a, undefined)).toEqual([]);
    });

    it('compareRuns lists settings and campaign changes; equal ones give nothing', () => {
        const ra = { ...asRun('a', fiveReps(1)), deviceSettings: { a01: { threads: '1', runs: '5' } } };
        const rb = { ...asRun('b', fiveReps(1)), deviceSettings: { a01: { threads: '2', runs: '5' } } };
        rb.run = { ...rb.run, campaign: 'r2' };
        const c = compareRuns(ra, rb);
        expect(c.settingsChanges).toEqual([{ device: 'a01', fact: 'threads', a: '1', b: '2' }]);
        expect(c.campaignChange).toEqual({ a: ra.run.campaign, b: 'r2' });
        expect(renderComparison(c)).toContain('Measurement settings that changed:\n  a01 threads: 1 → 2');
        const same = compareRuns(ra, { ...ra, run: { ...ra.run, id: 'a2' } });
        expect(same.settingsChanges).toEqual([]);
        expect(same.campaignChange).toBeNull();
        // the same campaign name from an edited file: the change names both files
        const fa = { ...ra, run: { ...ra.run, campaignFile: '/c/mnv1.yaml (sha256 91f066a56679)' } };
        const fb = { ...ra, run: { ...ra.run, id: 'a3', campaignFile: '/c/mnv1b.yaml (sha256 b1a5e90faedc)' } };
        expect(compareRuns(fa, fb).campaignChange).toEqual({
            a: `${ra.run.campaign} (/c/mnv1.yaml (sha256 91f066a56679))`,
            b: `${ra.run.campaign} (/c/mnv1b.yaml (sha256 b1a5e90faedc))`,
        });
        expect(renderComparison(compareRuns(fa, fb))).toContain(
            `campaign changed: ${ra.run.campaign} (/c/mnv1.yaml (sha256 91f066a56679)) → ${ra.run.campaign} (/c/mnv1b.yaml (sha256 b1a5e90faedc))`,
        );
        expect(compareRuns(fa, { ...fa, run: { ...fa.run, id: 'a4' } }).campaignChange).toBeNull();
    });

    it('history of one run has no CV; a filter matching nothing is named with what exists', () => {
        const p = { runId: 'r1', valueMs: 3, lowMs: 2, highMs: 4, valuesMs: [2.9, 3.1] };
        expect(history([p]).cvPct).toBeNull();
        const runs = [asRun('n1', fiveReps(1))];
        // a01 is the UE: fullUeMs (measured), ueMs and totalMs at splits 0-3 estimated, at split 1 measured too
        const there = 'there: splits 0, 1, 2, 3, full; metrics fullUeMs, ueMs, totalMs; modes measured, estimated';
        expect(noMatchMessage(runs, { model: 'tiny.tflite', device: 'a01', splitAfter: 7 })).toBe(
            `model tiny.tflite on a01: --split 7 matched nothing; ${there}`,
        );
        expect(noMatchMessage(runs, { model: 'tiny.tflite', device: 'a01', splitAfter: 2, mode: 'measured' })).toBe(
            `model tiny.tflite on a01: --split 2 with --mode measured match nothing together; ${there}`,
        );
        expect(noMatchMessage(runs, { model: 'other', device: 'a01' })).toBe(
            'no runs measured model other on a01; the 1 run(s) selected measured model(s) tiny.tflite',
        );
        // a01 measured the head, pc the tail: both named for a device that measured nothing
        expect(noMatchMessage(runs, { model: 'tiny.tflite', device: 'b02' })).toBe(
            'no runs measured model tiny.tflite on b02; model tiny.tflite was measured on a01, pc',
        );
        expect(noMatchMessage([], { model: 'tiny.tflite', device: 'a01' })).toBe(
            'no runs measured model tiny.tflite on a01; the 0 run(s) selected measured no model',
        );
    });
});

describe('compare across two files of one model id', () => {
    /** A run of `input` whose model file has another sha256 than asRun's (same model id, same op count). */
    const otherFile = (id: string, input: SplitAnalysisInput) => {
        const r = asRun(id, input);
        r.analyses = r.analyses.map((a) => ({ ...a, model: { ...a.model, sha256: 'e9'.repeat(32) } }));
        return r;
    };

    it('marks every split metric "different cut", warns under the title, and counts only full-model metrics', () => {
        const c = compareRuns(asRun('a', fiveReps(1)), otherFile('b', fiveReps(1.2)));
        // 4 splits × 3 estimated + split 1 × 3 measured are split metrics; full UE and full server are not
        expect(c.changes.filter((x) => x.differentCut === true)).toHaveLength(15);
        expect(c.changes.filter((x) => x.splitAfter === null).every((x) => x.differentCut === undefined)).toBe(true);
        // the 20 % slower head and its total are still tested as in the same-file case (scipy p = 4.3377697e-6,
        // Holm × 17: the family is every tested metric, split ones included)
        const head = measuredHead(c);
        expect(head).toMatchObject({ verdict: 'regression', differentCut: true });
        expect(head?.pAdjusted).toBeCloseTo(17 * 4.3377697e-6, 10);
        expect(c.differentCutRegressions.map((x) => x.metric).sort()).toEqual(['totalMs', 'ueMs']);
        // ...but a different cut is not the same work slower: not a regression of the run
        expect(c.regressions).toEqual([]);
        expect(c.verdict).toBe('no regression');
        const warning =
            `warning: model tiny.tflite is a different file in B (${'ab'.repeat(6)} → ${'e9'.repeat(6)}): split points ` +
            'are op indices of one file, so its split metrics compare different cuts (marked, not counted in the ' +
            'verdict); its full-model metrics compare as usual';
        const text = renderComparison(c).split('\n');
        expect(text[0]).toBe(
            'compare a → b: no regression (and 2 split regression(s) at a different cut, not counted)',
        );
        expect(text[1]).toBe(warning);
        expect(text.find((l) => l.includes('measured split 1 ueMs'))).toMatch(
            /^REGRESSION +tiny\.tflite a01\/pc measured split 1 ueMs: 3\.000 → 3\.600 ms \(.*\) {2}\[different cut: model file changed, not counted in the verdict\]$/,
        );
        const md = renderComparison(c, 'md');
        expect(md).toContain(`\n\n**${warning}**\n\n`);
        expect(md).toContain('| regression (different cut: model file changed, not counted in the verdict) |');
    });

    it('a full-model regression of the changed model still counts', () => {
        const slower = fiveReps(1.2);
        slower.measured.fullUe = [6000, 6400, 6200, 6100, 6300].map((v) => ({ avgUs: v * 1.2 }));
        const c = compareRuns(asRun('a', fiveReps(1)), otherFile('b', slower));
        // scipy on the logs: p = 3.3846127e-6, the smallest of 17: Holm × 17
        const full = c.changes.find((x) => x.metric === 'fullUeMs');
        expect(full?.p).toBeCloseTo(3.3846127e-6, 11);
        expect(full).toMatchObject({ verdict: 'regression' });
        expect(full?.differentCut).toBeUndefined();
        expect(c.regressions.map((x) => x.metric)).toEqual(['fullUeMs']);
        expect(c.verdict).toBe('regression');
        expect(renderComparison(c).split('\n')[0]).toBe(
            'compare a → b: REGRESSION (1 metric(s)) (and 2 split regression(s) at a different cut, not counted)',
        );
    });
});
