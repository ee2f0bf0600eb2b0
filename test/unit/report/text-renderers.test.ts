import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import { csvField, renderCsv } from '../../../src/report/csv.js';
import { renderJson } from '../../../src/report/json.js';
import type { JsonReportRow } from '../../../src/report/json.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { delegateInput, reportInput, smallInput } from '../../support/report-fixtures.js';

const input = () => reportInput([analyzeSplits(smallInput()), analyzeSplits(delegateInput())]);

describe('Markdown report', () => {
    const md = renderMarkdown(input());

    it("has the study table with hand-computed rows and the study's columns beside ours", () => {
        // columns: split, layer #, name, cut bytes (all crossing), layer output bytes (study), # tensors, UE, server,
        // total, UE impr., total impr., n, method.
        // split 0 estimated: 1.1 + 0.65 = 1.75; base = UE profile total 6.5: 100·5.4/6.5 = 83.08; 100·4.75/6.5 = 73.08
        // each improvement's 95 % interval over the 2 paired repetitions: UE 1.0/1.2 ms vs 6.5 → 84.62, 81.54 %:
        // ± 12.7062·3.0769/2 = 19.5 → [63.5, 102.6]; total 1.55/1.95 → 76.15, 70.0 %: ± 12.7062·6.1538/2 = 39.1 →
        // [34.0, 112.2]. No improvement passes 100 %: both upper bounds are capped and shown as such
        expect(md).toContain(
            '| 0 | 1 | a | 128 | 128 | 1 | 1.100 | 0.650 | 1.750 | 83.1 [63.5 to 100 (clipped)] | 73.1 [34.0 to 100 (clipped)] | 2 | estimated |',
        );
        expect(md).toContain(
            "- 100 (clipped): the improvement's 95 % interval reached above 100 % and its upper bound is shown as 100",
        );
        // split 1 measured: 3.0 + 2.6 = 5.6; base = measured full 6.2: 100·3.2/6.2 = 51.61; 100·0.6/6.2 = 9.68;
        // the study's data size is b alone (64 B), ours a + b (192 B)
        // delta-method half-widths 3.88 and 7.83 (worked out in test/unit/analysis/improvement.test.ts)
        expect(md).toContain(
            '| 1 | 2 | b | 192 | 64 | 2 | 3.000 | 2.600 | 5.600 | 51.6 ± 3.9 | 9.7 ± 7.8 | 2 | measured |',
        );
        // split 3: the whole profiled model on the UE → the study's 0 %, not a negative number; its interval [0, 0]
        // contains 0, so words say so
        const nd = 'not distinguishable from running everything on the UE (0.0 ± 0.0)';
        expect(md).toContain(`| 3 | 4 | d | 32 | 32 | 1 | 6.500 | 0.000 | 6.500 | ${nd} | ${nd} | 2 | estimated |`);
        // one repetition: the value with its n, no interval to show; xnn split 0: 100·4.5/5.5 = 81.8, 100·4.0/5.5 = 72.7
        expect(md).toContain(
            '| 0 | 1 | t0 | 40 |  | 1 | 1.000 | 0.500 | 1.500 | 81.8 (n=1) | 72.7 (n=1) | 1 | estimated |',
        );
        expect(md).toContain('| 1 | 2 | t1 | 40 |  | 1 |  |  |  |  |  |  | not estimable |');
    });

    it('has the estimated-vs-measured table with the split column, errors in ms and %, and flags', () => {
        // split 1: est. UE 3.1, meas. 3.0 [3.0–3.0], error +0.1 ms (3.3 %); est. server 0.45, meas. 2.6
        // ± 12.7062·0.1 → [1.329, 3.871], error −2.15 ms (−82.7 %); improvements est. 100·3.4/6.5 = 52.3 (reps 53.85,
        // 50.77 → ± 19.5), meas. 51.6 ± 3.9; total est. 100·2.95/6.5 = 45.4 (reps 3.35, 3.75 ms → ± 39.1), meas.
        // 9.7 ± 7.8; n 2 / 2
        expect(md).toContain(
            '| 1 | 3.100 | 3.000 | 3.000 | 3.000 | 0.100 | 3.3 | 0.450 | 2.600 | 1.329 | 3.871 | -2.150 | -82.7 | 52.3 ± 19.5 | 51.6 ± 3.9 | 45.4 ± 39.1 | 9.7 ± 7.8 | 2 / 2 | UE estimate outside the measured interval; server estimate outside the measured interval |',
        );
        expect(md).toContain('mean over n repetitions of one value per repetition');
        expect(md).toContain("Measured: each repetition's value is the median of its raw samples where it has them");
    });

    it('documents formulas, devices, settings, network choices and unmatched ops', () => {
        expect(md).toContain('%tot(k) = 100·(B − T_total(k)) / B');
        expect(md).toContain('T_tx(k) = S(k)·8 / R_UL + RTT');
        expect(md).toContain('| android.build | A015FXXU5CWA1 |');
        expect(md).toContain('| ue.use_xnnpack | false |');
        // lan: split 0 (2.762 ± 4.3027·√0.02 = ± 0.6085) and all on server (4.207 ± 12.7062·0.2 = ± 2.5412) overlap
        expect(md).toContain(
            '| lan | 100 | 200 | 1 | yes | 6.200 | 4.207 | tie: split after op 0 (2.762 ms [2.153–3.370]) or all on server (4.207 ms [1.665–6.748]) |',
        );
        expect(md).toContain('| 0 | 128 | 20.102 | 21.852 | never | 1.012 | 2.762 | 0.30 |');
        expect(md).toContain("| pc | 11 | QUANTIZE | [q_extra]:11 | 0.020 | no model op produces tensor 'q_extra' |");
        expect(md).toContain('| 4 | SOFTMAX | a01 |');
        expect(md).toContain('Hint: set use_xnnpack: false to get per-op rows.');
    });

    it('says in words when the total improvement cannot be told from running everything on the UE', () => {
        const i = smallInput();
        // tail 2.5 and 4.5 ms: T = 3.0 + 3.5 = 6.5 against B = 6.2 → −4.8 %, delta-method half-width 193.0 (df 1.03):
        // python3 -c "from scipy.stats import t; import numpy as np; T=6.5; B=6.2; R=T/B;
        //   cT=np.var([2.5,4.5],ddof=1)/2/T**2; cB=np.var([6.0,6.4,6.2],ddof=1)/3/B**2; r=cT+cB;
        //   df=r**2/(cT**2+cB**2/2); print(100*t.ppf(.975,df)*R*np.sqrt(r))"  → 193.0047
        // → [−197.8, 188.2]: the upper bound is capped at 100
        i.measured.tail = new Map([[1, [{ avgUs: 2500 }, { avgUs: 4500 }]]]);
        const text = renderMarkdown(reportInput([analyzeSplits(i)]));
        expect(text).toContain(
            '| 6.500 | 51.6 ± 3.9 | not distinguishable from running everything on the UE (-4.8 [-197.8 to 100 (clipped)]) | 2 | measured |',
        );
    });

    it('escapes pipes in names', () => {
        const i = input();
        (i.analyses[0] as { model: { name: string } }).model.name = 'a|b';
        expect(renderMarkdown(i)).toContain('## a\\|b — UE a01 / server pc');
    });
});

describe('CSV report', () => {
    const lines = renderCsv(input()).trimEnd().split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    const col = (line: string | undefined, name: string): string => {
        // fields in these lines contain no quoted commas except cut_tensor_list, which has none here
        const cells = line?.split(',') ?? [];
        return cells[header.indexOf(name)] ?? 'MISSING';
    };

    it('has one line per split and method', () => {
        // tiny: 4 estimated + 1 measured; xnn: 5 estimated (3 not estimable)
        expect(lines).toHaveLength(1 + 5 + 5);
        const measured = lines.find((l) => l.includes(',measured,'));
        expect(col(measured, 'split_after')).toBe('1');
        expect(col(measured, 'ue_ms')).toBe('3');
        expect(col(measured, 'ue_interval')).toBe('t');
        expect(col(measured, 'ue_per_rep')).toBe('median');
        expect(col(measured, 'server_per_rep')).toBe('mean');
        expect(col(measured, 'ue_n')).toBe('2');
        expect(col(measured, 'layer_number_study')).toBe('2');
        expect(col(measured, 'cut_bytes')).toBe('192');
        expect(col(measured, 'layer_output_bytes')).toBe('64');
        expect(col(measured, 'total_ms')).toBe('5.6');
        expect(col(measured, 'improvement_base')).toBe('measured full model');
        expect(col(measured, 'estimate_error_ue_ms')).toBe('0.1');
        expect(col(measured, 'estimate_error_server_pct')).toBe('-82.6923076923'); // −2.15/2.6
        expect(col(lines[1], 'improvement_base')).toBe('profile total');
        expect(col(lines[1], 'improvement_base_ms')).toBe('6.5');
        expect(col(measured, 'e2e_ms[lan]')).toBe('6.61696');
        const first = lines[1];
        expect(col(first, 'server_ms')).toBe('0.65');
        expect(col(first, 'breakeven_uplink_mbps[lan]')).toBe('0.296949309825'); // 1024/3448.4
        expect(col(first, 'breakeven_uplink_mbps[lte]')).toBe('never');
        expect(col(lines[7], 'note')).toBe('not estimable: set use_xnnpack: false to get per-op rows');
        // n = 1: no interval, so no bounds (a zero-width interval would read as certainty)
        const single = lines.find((l) => col(l, 'ue_interval') === 'none');
        expect(col(single, 'ue_n')).toBe('1');
        expect(col(single, 'ue_low_ms')).toBe('');
        expect(col(single, 'ue_high_ms')).toBe('');
    });

    it('gives each improvement its interval bounds, n and method', () => {
        const measured = lines.find((l) => l.includes(',measured,'));
        // measured split 1: 9.6774 ± 7.8338 (delta method), UE 51.6129 ± 3.8774 (test/unit/analysis/improvement.test.ts)
        expect(Number(col(measured, 'total_improvement_low_pct'))).toBeCloseTo(9.67741935 - 7.83375561, 6);
        expect(Number(col(measured, 'total_improvement_high_pct'))).toBeCloseTo(9.67741935 + 7.83375561, 6);
        expect(Number(col(measured, 'ue_improvement_high_pct'))).toBeCloseTo(51.6129032 + 3.8774262, 6);
        expect(col(measured, 'total_improvement_n')).toBe('2');
        expect(col(measured, 'total_improvement_method')).toBe('delta');
        // estimated split 0: paired, 83.0769 ± 19.5480
        expect(Number(col(lines[1], 'ue_improvement_low_pct'))).toBeCloseTo(83.0769231 - 19.5480073, 6);
        expect(col(lines[1], 'ue_improvement_method')).toBe('paired');
        // one repetition (xnn split 0): the value, no bounds
        const single = lines.find((l) => col(l, 'ue_interval') === 'none');
        expect(Number(col(single, 'ue_improvement_pct'))).toBeCloseTo((100 * 4.5) / 5.5, 8);
        expect(col(single, 'ue_improvement_low_pct')).toBe('');
        expect(col(single, 'ue_improvement_n')).toBe('1');
    });

    it('flags a capped upper bound and an interval containing 0, per improvement', () => {
        // estimated split 0: UE 83.0769 ± 19.5480 → [63.5289, 102.6249], capped at 100; does not contain 0
        expect(col(lines[1], 'ue_improvement_high_pct')).toBe('100');
        expect(col(lines[1], 'ue_improvement_high_clipped')).toBe('true');
        expect(col(lines[1], 'ue_improvement_not_distinguishable')).toBe('false');
        // estimated split 3: the whole profile on the UE, 0 % with an interval [0, 0] that contains 0
        const split3 = lines.find((l) => col(l, 'split_after') === '3' && col(l, 'model') === 'tiny.tflite');
        expect(col(split3, 'total_improvement_not_distinguishable')).toBe('true');
        expect(col(split3, 'total_improvement_high_clipped')).toBe('false');
        // measured split 1 total: 9.6774 ± 7.8338 → [1.8, 17.5]: neither
        const measured = lines.find((l) => l.includes(',measured,'));
        expect(col(measured, 'total_improvement_high_clipped')).toBe('false');
        expect(col(measured, 'total_improvement_not_distinguishable')).toBe('false');
        // one repetition: no interval, so neither flag can be said
        const single = lines.find((l) => col(l, 'ue_interval') === 'none');
        expect(col(single, 'ue_improvement_high_clipped')).toBe('');
        expect(col(single, 'ue_improvement_not_distinguishable')).toBe('');
    });

    it('quotes fields and defuses formulas', () => {
        expect(csvField('a,b')).toBe('"a,b"');
        expect(csvField('say "hi"')).toBe('"say ""hi"""');
        expect(csvField('=cmd()')).toBe("'=cmd()");
        expect(csvField(0.1 + 0.2)).toBe('0.3');
        expect(csvField(Number.NaN)).toBe('');
    });
});

describe('JSON report', () => {
    const json = JSON.parse(renderJson(input())) as {
        schema: string;
        rows: JsonReportRow[];
        analyses: { rows: { measured: { ue: Record<string, unknown> } | null }[] }[];
    };

    it('has the flat rows machines read', () => {
        expect(json.schema).toBe('splitbench-report/2');
        const tiny = json.rows.filter((r) => r.model === 'tiny.tflite');
        expect(tiny.map((r) => [r.splitAfter, r.method, r.cutBytes, r.cutTensors])).toEqual([
            [0, 'estimated', 128, 1],
            [1, 'estimated', 192, 2],
            [1, 'measured', 192, 2],
            [2, 'estimated', 256, 2],
            [3, 'estimated', 32, 1],
        ]);
        const m = tiny[2];
        expect(m?.ueMs).toBeCloseTo(3.0, 10);
        expect(m?.serverMs).toBeCloseTo(2.6, 10);
        expect(m?.totalMs).toBeCloseTo(5.6, 10);
        expect(m?.ueImprovementPct).toBeCloseTo((100 * 3.2) / 6.2, 8);
        expect(m?.totalImprovementPct).toBeCloseTo((100 * 0.6) / 6.2, 8);
        expect(m?.layerNumber).toBe(2);
        expect(m?.layerOutputBytes).toBe(64);
        expect(tiny[4]?.totalImprovementPct).toBeCloseTo(0, 8);
        // the improvements with their intervals (values worked out in test/unit/analysis/improvement.test.ts)
        expect(m?.totalImprovement).toMatchObject({ interval: 't', method: 'delta', n: 2 });
        expect(m?.totalImprovement?.lowPct).toBeCloseTo(9.67741935 - 7.83375561, 6);
        expect(tiny[0]?.ueImprovement).toMatchObject({ method: 'paired', n: 2, df: 1 });
        // 83.0769 ± 19.5480: the upper bound 102.6 is capped at 100 and flagged; the interval does not contain 0
        expect(tiny[0]?.ueImprovement).toMatchObject({ highPct: 100, highClipped: true, notDistinguishable: false });
        expect(tiny[0]?.ueImprovement?.lowPct).toBeCloseTo(83.0769231 - 19.5480073, 6);
        // split 3 estimated: [0, 0] contains 0; measured split 1 total: 9.7 ± 7.8 does not, and is not capped
        expect(tiny[4]?.totalImprovement).toMatchObject({ notDistinguishable: true, highClipped: false });
        expect(m?.totalImprovement).toMatchObject({ notDistinguishable: false, highClipped: false });
        const ne = json.rows.find((r) => r.model === 'xnn.tflite' && r.splitAfter === 2);
        expect(ne).toMatchObject({ method: 'estimated', ueMs: null, totalMs: null });
        expect(ne?.notEstimable).toContain('use_xnnpack: false');
    });

    it('leaves raw samples out of the analyses', () => {
        const ue = json.analyses[0]?.rows[1]?.measured?.ue;
        expect(ue).toMatchObject({ valueMs: 3, interval: 't', n: 2, perRep: 'median' });
        expect(ue).not.toHaveProperty('repValuesMs');
    });
});
