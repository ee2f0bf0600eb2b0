import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import { isSplitbenchError } from '../../../src/errors.js';
import { delegateInput, smallInput } from '../../support/report-fixtures.js';

// All expected values below are worked out by hand from smallInput() (see its comment). Each value is the mean over
// repetitions with a 95 % Student-t interval: t(0.975, 1) = 12.7062047, t(0.975, 2) = 4.3026527 (table values).
// T_UE(full) measured = mean(6.0, 6.4, 6.2) = 6.2 ms, s = 0.2, ± 4.3026527·0.2/√3 = 0.4968275.
// Estimate uses ops 0..3 (op 4 has no UE row); profiles carry no raw samples, so their values are averages.
// UE profile total (base of estimated improvements): 6.5 in both reps. Server totals over ops 0..3: .65 and .85.
const FULL = 6.2;
const T1 = 12.70620474;
const BASE = 6.5;
const expected = [
    // k, UE reps → mean, UE half-width (s/√2 · t1), server, total
    { k: 0, bytes: 128, n: 1, ue: 1.1, ueHalf: 0.1 * T1, srv: 0.65, total: 1.75 },
    { k: 1, bytes: 192, n: 2, ue: 3.1, ueHalf: 0.1 * T1, srv: 0.45, total: 3.55 },
    { k: 2, bytes: 256, n: 2, ue: 6.0, ueHalf: 0, srv: 0.05, total: 6.05 },
    { k: 3, bytes: 32, n: 1, ue: 6.5, ueHalf: 0, srv: 0, total: 6.5 },
];

describe('analyzeSplits on a hand-made 5-op model', () => {
    const a = analyzeSplits(smallInput());

    it('takes T_UE(full) from the measured full-model run, as a mean with a t-interval', () => {
        expect(a.fullUe?.source).toBe('measured');
        expect(a.fullUe?.valueMs).toBeCloseTo(FULL, 10);
        expect(a.fullUe?.interval).toBe('t');
        expect(a.fullUe?.n).toBe(3);
        expect(a.fullUe?.perRep).toBe('mean');
        expect(a.fullUe?.lowMs).toBeCloseTo(FULL - 0.4968275, 6);
        expect(a.fullUe?.highMs).toBeCloseTo(FULL + 0.4968275, 6);
        expect(a.fullServer?.valueMs).toBeCloseTo(3.2, 10);
        expect(a.estimatedFullUe?.valueMs).toBeCloseTo(BASE, 10);
    });

    it('gives the exact estimated table, with improvements against the profile total (the study definition)', () => {
        expect(a.rows.map((r) => r.splitAfter)).toEqual([0, 1, 2, 3]);
        for (const e of expected) {
            const r = a.rows.find((x) => x.splitAfter === e.k);
            expect(r?.cut.bytes).toBe(e.bytes);
            expect(r?.cut.tensors.length).toBe(e.n);
            const est = r?.estimated;
            expect(est, `k=${e.k}`).not.toBeNull();
            expect(est?.ue.valueMs).toBeCloseTo(e.ue, 10);
            // a time's interval is clipped at 0 (k0: 1.1 − 1.2706 < 0)
            expect(est?.ue.lowMs).toBeCloseTo(Math.max(0, e.ue - e.ueHalf), 6);
            expect(est?.ue.highMs).toBeCloseTo(e.ue + e.ueHalf, 6);
            expect(est?.ue.n).toBe(2);
            expect(est?.server.valueMs).toBeCloseTo(e.srv, 10);
            expect(est?.totalMs).toBeCloseTo(e.total, 10);
            expect(est?.ueImprovementPct).toBeCloseTo((100 * (BASE - e.ue)) / BASE, 8);
            expect(est?.totalImprovementPct).toBeCloseTo((100 * (BASE - e.total)) / BASE, 8);
            expect(est?.improvementBase).toEqual({ ms: BASE, source: 'profile total' });
        }
        // At the last split the study's definition gives 0 (the head is the whole profiled model), not a
        // negative number from dividing by a different run's time.
        expect(a.rows[3]?.estimated?.ueImprovementPct).toBeCloseTo(0, 10);
        // total at k0: UE 1.0/1.2 and server .55/.75 (s²/n = .01 each) → se √.02, Welch df 2, t = 4.3026527
        expect(a.rows[0]?.estimated?.total.highMs).toBeCloseTo(1.75 + 4.30265273 * Math.sqrt(0.02), 6);
        expect(a.rows[1]?.layerName).toBe('b');
        expect(a.rows[1]?.layerType).toBe('DEPTHWISE_CONV_2D');
    });

    it('measures split 1 from per-repetition medians and reports the estimate error in ms and %', () => {
        const r = a.rows[1];
        // head reps: median(3000 3100 2900) = 3.0, median(3050 2950) = 3.0 → mean 3.0, s = 0
        expect(r?.measured?.ue.repValuesMs).toEqual([3, 3]);
        expect(r?.measured?.ue.valueMs).toBeCloseTo(3.0, 10);
        expect(r?.measured?.ue).toMatchObject({ interval: 't', n: 2, perRep: 'median' });
        expect(r?.measured?.ue.lowMs).toBeCloseTo(3.0, 10);
        expect(r?.measured?.ue.highMs).toBeCloseTo(3.0, 10);
        // tail averages 2.5, 2.7 → 2.6 ± 12.7062·0.1
        expect(r?.measured?.server.valueMs).toBeCloseTo(2.6, 10);
        expect(r?.measured?.server.perRep).toBe('mean');
        expect(r?.measured?.server.lowMs).toBeCloseTo(2.6 - 0.1 * T1, 6);
        expect(r?.measured?.totalMs).toBeCloseTo(5.6, 10);
        // measured improvements against the measured full model (6.2)
        expect(r?.measured?.ueImprovementPct).toBeCloseTo((100 * 3.2) / FULL, 8);
        expect(r?.measured?.totalImprovementPct).toBeCloseTo((100 * 0.6) / FULL, 8);
        expect(r?.measured?.improvementBase).toEqual({ ms: FULL, source: 'measured full model' });
        expect(r?.primary).toBe('measured');
        expect(a.rows[0]?.primary).toBe('estimated');
        // error: UE 3.1 − 3.0 = 0.1 (3.333 %): outside the measured [3.0, 3.0]
        expect(r?.estimateError?.ue.ms).toBeCloseTo(0.1, 10);
        expect(r?.estimateError?.ue.pct).toBeCloseTo(100 / 30, 8);
        expect(r?.estimateError?.ue.beyondInterval).toBe(true);
        // server 0.45 − 2.6 = −2.15 (−82.69 %): outside [1.3294, 3.8706]
        expect(r?.estimateError?.server.ms).toBeCloseTo(-2.15, 10);
        expect(r?.estimateError?.server.pct).toBeCloseTo((-100 * 2.15) / 2.6, 8);
        expect(r?.estimateError?.server.beyondInterval).toBe(true);
        expect(r?.estimateError?.total.pct).toBeCloseTo((-100 * 2.05) / 5.6, 8);
        expect(r?.flags).toEqual([]);
    });

    it('does not flag an estimate inside the measured interval, nor one against a single repetition', () => {
        const input = smallInput();
        // tail reps 0.2 and 0.7 ms: mean 0.45 = the estimate
        input.measured.tail = new Map([[1, [{ avgUs: 200 }, { avgUs: 700 }]]]);
        expect(analyzeSplits(input).rows[1]?.estimateError?.server.beyondInterval).toBe(false);
        input.measured.tail = new Map([[1, [{ avgUs: 9000 }]]]);
        expect(analyzeSplits(input).rows[1]?.estimateError?.server.beyondInterval).toBe(false);
    });

    it('flags a measured head slower than the full model beyond both intervals', () => {
        const input = smallInput();
        // head 9.0 ms in both reps against T_UE(full) 6.2 [5.703, 6.697]
        input.measured.head = new Map([[1, [{ avgUs: 9000 }, { avgUs: 9000 }]]]);
        expect(analyzeSplits(input).rows[1]?.flags).toEqual(['measured head slower than the full model on the UE']);
    });

    it('scales per-op averages to the profiled run median, so estimates use the measurements statistic', () => {
        const input = smallInput();
        // each UE profile: samples 5600 5600 9800 µs → mean 7000 (the inference average), median 5600 → ×0.8
        for (const p of input.estimate.ue) p.samplesUs = [5600, 5600, 9800];
        const b = analyzeSplits(input);
        // k1: 3.0·0.8 = 2.4 and 3.2·0.8 = 2.56 → 2.48; base 6.5·0.8 = 5.2
        const est = b.rows[1]?.estimated;
        expect(est?.ue.valueMs).toBeCloseTo(2.48, 10);
        expect(est?.ue.perRep).toBe('median');
        expect(b.estimatedFullUe?.valueMs).toBeCloseTo(5.2, 10);
        expect(est?.ueImprovementPct).toBeCloseTo((100 * (5.2 - 2.48)) / 5.2, 8);
    });

    it("gives the study's layer numbers and layer output sizes beside ours", () => {
        const input = smallInput();
        // op 1 made a constant-folding op: layers are 1, 1, 2, 3 for k = 0..3
        (input.model.ops[1] as { constant?: boolean }).constant = true;
        const b = analyzeSplits(input);
        expect(b.rows.map((r) => r.layerNumber)).toEqual([1, 1, 2, 3]);
        // split 1: the study counts b (64 B); every crossing tensor is a + b = 192 B
        expect(b.rows[1]?.layerOutputBytes).toBe(64);
        expect(b.rows[1]?.cut.bytes).toBe(192);
        expect(a.rows.map((r) => r.layerNumber)).toEqual([1, 2, 3, 4]);
        const none = smallInput();
        for (const op of none.model.ops) delete op.outputBytes;
        expect(analyzeSplits(none).rows[0]?.layerOutputBytes).toBeNull();
    });

    it('lists unmatched rows and ops missing on one device', () => {
        const m = a.matching;
        expect(m?.ue.method).toBe('nodeIndex');
        expect(m?.server.method).toBe('outputNames');
        expect(m?.estimatedOps).toBe(4);
        expect(m?.missingOps).toEqual([{ index: 4, type: 'SOFTMAX', missingOn: ['a01'] }]);
        expect(m?.unmatchedRows).toEqual([
            {
                device: 'pc',
                nodeIndex: 11,
                type: 'QUANTIZE',
                name: '[q_extra]:11',
                avgMs: 0.02,
                reason: "no model op produces tensor 'q_extra'",
            },
        ]);
        // UE rows sum 6.5 (rep1, rep2) over inference 7.0 ms → coverage 0.92857
        expect(m?.ue.coverage).toBeCloseTo(6.5 / 7, 10);
        expect(a.perOp[4]).toMatchObject({ index: 4, ueMs: null, serverMs: 0.05, included: false });
        expect(a.perOp[2]?.serverMs).toBeCloseTo(0.4, 10);
    });

    it('computes transfer, end-to-end, break-even and the best option per network profile, with ties', () => {
        // lte: 10 Mbit/s, RTT 20 ms. k0: 128·8/10000 = 0.1024 ms + 20 → 20.1024; E = 1.1 + 20.1024 + 0.65
        const k0 = a.rows[0]?.network;
        expect(k0?.[0]?.transferMs).toBeCloseTo(20.1024, 10);
        expect(k0?.[0]?.endToEndMs).toBeCloseTo(21.8524, 10);
        expect(k0?.[0]?.breakEvenUplinkMbps).toBe('never'); // saved = 6.2 − 1.75 − 20 < 0
        // lan: 100 Mbit/s, RTT 1, result 40 B back at 200 Mbit/s = 0.0016 ms → fixed 1.0016
        expect(k0?.[1]?.transferMs).toBeCloseTo(0.01024 + 1.0016, 10);
        expect(k0?.[1]?.endToEndMs).toBeCloseTo(2.76184, 10);
        // saved = 6.2 − 1.1 − 0.65 − 1.0016 = 3.4484 ms → 1024 bit / 3.4484 ms = 0.29694931 Mbit/s
        expect(k0?.[1]?.breakEvenUplinkMbps).toBeCloseTo(1024 / 3448.4, 10);
        // split 1 uses the measured times: 3.0 + 0.01536 + 1.0016 + 2.6 = 6.61696; saved 6.2 − 5.6 − 1.0016 < 0
        expect(a.rows[1]?.network[1]?.endToEndMs).toBeCloseTo(6.61696, 10);
        expect(a.rows[1]?.network[1]?.breakEvenUplinkMbps).toBe('never');
        const [lte, lan] = a.networks;
        // lte: all on UE 6.2 [5.703, 6.697]; runner-up split 0 at 21.8524 ± 0.6085: no overlap, no tie
        expect(lte?.best).toMatchObject({ option: 'allOnUe', endToEndMs: 6.2 });
        expect(lte?.best?.highMs).toBeCloseTo(FULL + 0.4968275, 6);
        expect(lte?.runnerUp).toMatchObject({ option: 'split', splitAfter: 0 });
        expect(lte?.tie).toBe(false);
        // all on server, lte: 64·8/10000 = 0.0512 + 20 + 3.2 = 23.2512
        expect(lte?.allOnServer?.endToEndMs).toBeCloseTo(23.2512, 10);
        // lan: split 0 at 2.76184 [2.1534, 3.3703]; all on server 0.00512 + 1.0016 + 3.2 = 4.20672, whose interval
        // (3.2 ± 12.7062·0.2 = ± 2.5412) reaches down to 1.6655: they overlap → tie
        expect(lan?.allOnServer?.endToEndMs).toBeCloseTo(4.20672, 10);
        expect(lan?.best).toMatchObject({ option: 'split', splitAfter: 0 });
        expect(lan?.best?.endToEndMs).toBeCloseTo(2.76184, 10);
        expect(lan?.best?.lowMs).toBeCloseTo(2.76184 - 4.30265273 * Math.sqrt(0.02), 6);
        expect(lan?.runnerUp).toMatchObject({ option: 'allOnServer' });
        expect(lan?.runnerUp?.lowMs).toBeCloseTo(4.20672 - 0.2 * T1, 6);
        expect(lan?.tie).toBe(true);
    });

    it('falls back to the estimated total when the full model was not measured', () => {
        const input = smallInput();
        input.measured.fullUe = [];
        const b = analyzeSplits(input);
        expect(b.fullUe?.source).toBe('estimated');
        expect(b.fullUe?.valueMs).toBeCloseTo(6.5, 10); // Σ of the 4 matched UE ops, both reps
        expect(b.rows[3]?.estimated?.ueImprovementPct).toBeCloseTo(0, 10);
        // a measurement has no measured base: its improvements stay empty rather than mixing definitions
        expect(b.rows[1]?.measured?.ueImprovementPct).toBeNull();
    });

    it('rejects bad input with a one-line error naming the thing', () => {
        const input = smallInput();
        input.cuts.push({ after: 4, tensors: [], bytes: 0, outputsProduced: [] });
        expect(() => analyzeSplits(input)).toThrow('model tiny.tflite: split point 4 out of range 0..3');
        try {
            analyzeSplits(input);
        } catch (e) {
            expect(isSplitbenchError(e, 'SPLIT_INVALID')).toBe(true);
        }
        const bad = smallInput();
        bad.networks = [{ name: 'x', uplinkMbps: 10, rttMs: 1, includeResultReturn: true, resultBytes: 4 }];
        expect(() => analyzeSplits(bad)).toThrow("network profile 'x': includeResultReturn needs downlinkMbps > 0");
        const nan = smallInput();
        (nan.estimate.ue[0]?.ops[1] as { avgMs: number }).avgMs = Number.NaN;
        expect(() => analyzeSplits(nan)).toThrow('model tiny.tflite: estimate.ue[0].ops[1].avgMs is not a time (NaN)');
    });
});

describe('delegate partitions', () => {
    const a = analyzeSplits(delegateInput());

    it('marks splits inside the partition not estimable, with the use_xnnpack hint', () => {
        expect(a.matching?.ue.delegatedOps).toEqual([1, 2, 3, 4]);
        expect(a.matching?.ue.delegateRows.map((d) => d.type)).toEqual(['TfLiteXNNPackDelegate']);
        for (const k of [1, 2, 3]) {
            const r = a.rows[k];
            expect(r?.estimated).toBeNull();
            expect(r?.notEstimable?.hint).toBe('set use_xnnpack: false to get per-op rows');
            expect(r?.notEstimable?.reason).toContain('ops 1..4 run inside a delegate partition on phone');
        }
        expect(a.warnings.some((w) => w.includes('3 split point(s) not estimable'))).toBe(true);
    });

    it('still estimates the splits outside it, with the partition on the right side', () => {
        // T_UE(full) estimated = 1.0 + 4.0 + 0.5 = 5.5; server total = 6 × 0.1 = 0.6
        expect(a.fullUe?.source).toBe('estimated');
        expect(a.fullUe?.valueMs).toBeCloseTo(5.5, 10);
        const k0 = a.rows[0]?.estimated;
        expect(k0?.ue.valueMs).toBeCloseTo(1.0, 10);
        expect(k0?.server.valueMs).toBeCloseTo(0.5, 10);
        expect(k0?.ueImprovementPct).toBeCloseTo((100 * 4.5) / 5.5, 8);
        expect(k0?.totalImprovementPct).toBeCloseTo((100 * 4.0) / 5.5, 8);
        const k4 = a.rows[4]?.estimated;
        expect(k4?.ue.valueMs).toBeCloseTo(5.0, 10); // op 0 + the whole partition
        expect(k4?.server.valueMs).toBeCloseTo(0.1, 10);
        expect(k4?.totalImprovementPct).toBeCloseTo((100 * 0.4) / 5.5, 8);
    });
});
