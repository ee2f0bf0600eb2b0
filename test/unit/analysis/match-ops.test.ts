import { describe, expect, it } from 'vitest';
import { isDelegateRow, mapDeviceRows } from '../../../src/analysis/match-ops.js';
import type { ModelInfo } from '../../../src/analysis/types.js';
import { row } from '../../support/report-fixtures.js';

const model: ModelInfo = {
    name: 'm.tflite',
    sha256: '0',
    opCount: 4,
    ops: [
        { index: 0, type: 'CONV_2D', outputs: ['x0'] },
        { index: 1, type: 'CONV_2D', outputs: ['x1'] },
        { index: 2, type: 'SPLIT', outputs: ['x2a', 'x2b'] },
        { index: 3, type: 'ADD', outputs: ['x3'] },
    ],
};

describe('op matching', () => {
    it('recognises delegate rows by type, internal name, and node index past the model (same file only)', () => {
        expect(isDelegateRow(row(9, 'TfLiteGpuDelegateV2', 1, ['x3']), 4, false)).toBe(true);
        expect(
            isDelegateRow(
                {
                    ...row(null, 'Convolution (NHWC, F32) IGEMM', 1, []),
                    name: 'Delegate/Convolution (NHWC, F32) IGEMM:0',
                },
                4,
                true,
            ),
        ).toBe(true);
        expect(isDelegateRow(row(7, 'ADD', 1, ['x3']), 4, true)).toBe(true);
        expect(isDelegateRow(row(7, 'ADD', 1, ['x3']), 4, false)).toBe(false);
    });

    it('matches by output names, treats a row covering several ops as a partition, and lists the rest', () => {
        const d = mapDeviceRows(
            model,
            [
                {
                    ops: [
                        row(5, 'CONV_2D', 1, ['x0']),
                        row(6, 'NNAPI', 3, ['x1', 'x3']),
                        row(7, 'SPLIT', 0.5, ['x2a', 'x2b']),
                        row(8, 'CAST', 0.1, ['zz']),
                        row(9, 'CONV_2D', 0.2, ['x0']),
                    ],
                    inferenceAvgUs: 5000,
                    sameModelFile: false,
                },
            ],
            'dev',
        );
        expect(d.match.method).toBe('outputNames');
        expect(d.present).toEqual([true, false, true, false]);
        expect(d.match.delegatedOps).toEqual([1, 3]);
        expect(d.delegateMsPerRep).toEqual([3]);
        expect(d.unmatched.map((u) => u.reason)).toEqual(["no model op produces tensor 'zz'", 'second row for op 0']);
        // Σ rows 4.8 ms / 5 ms
        expect(d.match.coverage).toBeCloseTo(0.96, 12);
    });

    it('leaves out ops that are missing in some repetitions', () => {
        const rep = (n: number) => ({
            ops: [0, 1, 2, 3].slice(0, n).map((i) => row(i, model.ops[i]?.type ?? '', 1, model.ops[i]?.outputs ?? [])),
            inferenceAvgUs: 4000,
            sameModelFile: true,
        });
        const d = mapDeviceRows(model, [rep(4), rep(3)], 'dev');
        expect(d.present).toEqual([true, true, true, false]);
        expect(d.warnings).toEqual(['dev: ops 3 have rows in some repetitions only; left out']);
        expect(d.match.method).toBe('nodeIndex');
    });
});
