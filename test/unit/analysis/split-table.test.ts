import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import { isSplitbenchError } from '../../../src/errors.js';
import { delegateInput, smallInput } from '../../support/report-fixtures.js';

// All expected values below are worked out by hand from smallInput() (see its comment).
// T_UE(full) = median(6.0, 6.4, 6.2) = 6.2 ms (measured), IQR 6.1..6.3.
// Estimate uses ops 0..3 (op 4 has no UE row). Server totals over ops 0..3: rep1 .1+.2+.3+.05 = .65, rep2 .85.
const FULL = 6.2;
const expected = [
    // k, UE reps, server reps → medians
    {
        k: 0,
        bytes: 128,
        n: 1,
        ue: 1.1,
        ueLo: 1.05,
        ueHi: 1.15,
        srv: 0.65,
        total: 1.75,
        ueImp: (100 * 5.1) / 6.2,
        totImp: (100 * 4.45) / 6.2,
    },
    {
        k: 1,
        bytes: 192,
        n: 2,
        ue: 3.1,
        ueLo: 3.05,
        ueHi: 3.15,
        srv: 0.45,
        total: 3.55,
        ueImp: 50,
        totImp: (100 * 2.65) / 6.2,
    },
    {
        k: 2,
        bytes: 256,
        n: 2,
        ue: 6.0,
        ueLo: 6.0,
        ueHi: 6.0,
        srv: 0.05,
        total: 6.05,
        ueImp: (100 * 0.2) / 6.2,
        totImp: (100 * 0.15) / 6.2,
    },
    {
        k: 3,
        bytes: 32,
        n: 1,
        ue: 6.5,
        ueLo: 6.5,
        ueHi: 6.5,
        srv: 0,
        total: 6.5,
        ueImp: (100 * -0.3) / 6.2,
        totImp: (100 * -0.3) / 6.2,
    },
];

describe('analyzeSplits on a hand-made 5-op model', () => {
    const a = analyzeSplits(smallInput());

    it('takes T_UE(full) from the measured full-model run', () => {
        expect(a.fullUe?.source).toBe('measured');
        expect(a.fullUe?.medianMs).toBeCloseTo(FULL, 10);
        expect(a.fullUe?.interval).toBe('iqr');
        expect(a.fullUe?.lowMs).toBeCloseTo(6.1, 10);
        expect(a.fullUe?.highMs).toBeCloseTo(6.3, 10);
        expect(a.fullServer?.medianMs).toBeCloseTo(3.2, 10);
    });

    it('gives the exact estimated table, including multi-tensor cuts and negative improvements', () => {
        expect(a.rows.map((r) => r.splitAfter)).toEqual([0, 1, 2, 3]);
        for (const e of expected) {
            const r = a.rows.find((x) => x.splitAfter === e.k);
            expect(r?.cut.bytes).toBe(e.bytes);
            expect(r?.cut.tensors.length).toBe(e.n);
            const est = r?.estimated;
            expect(est, `k=${e.k}`).not.toBeNull();
            expect(est?.ue.medianMs).toBeCloseTo(e.ue, 10);
            expect(est?.ue.lowMs).toBeCloseTo(e.ueLo, 10);
            expect(est?.ue.highMs).toBeCloseTo(e.ueHi, 10);
            expect(est?.server.medianMs).toBeCloseTo(e.srv, 10);
            expect(est?.totalMs).toBeCloseTo(e.total, 10);
            expect(est?.ueImprovementPct).toBeCloseTo(e.ueImp, 8);
            expect(est?.totalImprovementPct).toBeCloseTo(e.totImp, 8);
        }
        // Split 3 runs longer than the whole model on the UE: both improvements are −4.8387 %.
        expect(a.rows[3]?.estimated?.ueImprovementPct).toBeCloseTo(-4.83870968, 6);
        expect(a.rows[1]?.layerName).toBe('b');
        expect(a.rows[1]?.layerType).toBe('DEPTHWISE_CONV_2D');
    });

    it('measures split 1 from head samples (bootstrap) and tail repetitions (IQR) and reports the estimate error', () => {
        const r = a.rows[1];
        // head pooled samples 2.9 2.95 3.0 3.05 3.1 ms → median 3.0; exact bootstrap 95 % CI = [2.9, 3.1]
        expect(r?.measured?.ue.medianMs).toBeCloseTo(3.0, 10);
        expect(r?.measured?.ue.interval).toBe('bootstrap');
        expect(r?.measured?.ue.n).toBe(5);
        expect(r?.measured?.ue.lowMs).toBeCloseTo(2.9, 10);
        expect(r?.measured?.ue.highMs).toBeCloseTo(3.1, 10);
        // tail 2.5, 2.7 → 2.6, IQR 2.55..2.65
        expect(r?.measured?.server.medianMs).toBeCloseTo(2.6, 10);
        expect(r?.measured?.server.lowMs).toBeCloseTo(2.55, 10);
        expect(r?.measured?.totalMs).toBeCloseTo(5.6, 10);
        expect(r?.measured?.ueImprovementPct).toBeCloseTo((100 * 3.2) / 6.2, 8);
        expect(r?.measured?.totalImprovementPct).toBeCloseTo((100 * 0.6) / 6.2, 8);
        expect(r?.primary).toBe('measured');
        expect(a.rows[0]?.primary).toBe('estimated');
        // error: UE 3.1 − 3.0 = 0.1 (3.333 %), server 0.45 − 2.6 = −2.15 (−82.69 %), total 3.55 − 5.6 = −2.05
        expect(r?.estimateError?.ueMs).toBeCloseTo(0.1, 10);
        expect(r?.estimateError?.uePct).toBeCloseTo(100 / 30, 8);
        expect(r?.estimateError?.serverMs).toBeCloseTo(-2.15, 10);
        expect(r?.estimateError?.serverPct).toBeCloseTo((-100 * 2.15) / 2.6, 8);
        expect(r?.estimateError?.totalPct).toBeCloseTo((-100 * 2.05) / 5.6, 8);
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

    it('computes transfer, end-to-end, break-even and the best option per network profile', () => {
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
        expect(lte?.best).toEqual({ option: 'allOnUe', endToEndMs: 6.2 });
        // all on server, lte: 64·8/10000 = 0.0512 + 20 + 3.2 = 23.2512
        expect(lte?.allOnServer?.endToEndMs).toBeCloseTo(23.2512, 10);
        // lan: all on server 0.00512 + 1.0016 + 3.2 = 4.20672 > split 0 at 2.76184
        expect(lan?.allOnServer?.endToEndMs).toBeCloseTo(4.20672, 10);
        expect(lan?.best?.option).toBe('split');
        expect(lan?.best).toMatchObject({ splitAfter: 0 });
        expect(lan?.best?.endToEndMs).toBeCloseTo(2.76184, 10);
    });

    it('falls back to the estimated total when the full model was not measured', () => {
        const input = smallInput();
        input.measured.fullUe = [];
        const b = analyzeSplits(input);
        expect(b.fullUe?.source).toBe('estimated');
        expect(b.fullUe?.medianMs).toBeCloseTo(6.5, 10); // Σ of the 4 matched UE ops, both reps
        expect(b.rows[3]?.estimated?.ueImprovementPct).toBeCloseTo(0, 10);
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
        expect(a.fullUe?.medianMs).toBeCloseTo(5.5, 10);
        const k0 = a.rows[0]?.estimated;
        expect(k0?.ue.medianMs).toBeCloseTo(1.0, 10);
        expect(k0?.server.medianMs).toBeCloseTo(0.5, 10);
        expect(k0?.ueImprovementPct).toBeCloseTo((100 * 4.5) / 5.5, 8);
        expect(k0?.totalImprovementPct).toBeCloseTo((100 * 4.0) / 5.5, 8);
        const k4 = a.rows[4]?.estimated;
        expect(k4?.ue.medianMs).toBeCloseTo(5.0, 10); // op 0 + the whole partition
        expect(k4?.server.medianMs).toBeCloseTo(0.1, 10);
        expect(k4?.totalImprovementPct).toBeCloseTo((100 * 0.4) / 5.5, 8);
    });
});
