// The verdict line of a head→tail check and the gate on measure jobs (pure).
import { describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import type { VerifyResult } from '../../../src/model/verify.js';
import type { Job } from '../../../src/plan/types.js';
import type { SplitCheckRecord } from '../../../src/report/split-checks.js';
import { gateOnSplitCheck, splitCheckOf } from '../../../src/runner/split-check.js';

const out = (name: string, over: Partial<VerifyResult['outputs'][number]>): VerifyResult['outputs'][number] => ({
    tensor: 0,
    name,
    dtype: 'float32',
    bytes: 16,
    identical: false,
    mismatches: 1,
    ...over,
});

describe('splitCheckOf', () => {
    it('names the one output that differs with its largest absolute difference, 2 significant digits', () => {
        const v: VerifyResult = {
            k: 153,
            status: 'fail',
            reason: 'Identity: max abs error 0.312, max rel error 0.5',
            outputs: [out('Identity', { maxAbsError: 0.3125 }), out('other', { identical: true, maxAbsError: 0 })],
        };
        expect(splitCheckOf(v)).toEqual({
            status: 'fail',
            detail: "head→tail output 'Identity' differs from the full model (max |Δ| 0.31)",
        });
    });

    it('lists several outputs; integer outputs give the count of elements that differ', () => {
        const v: VerifyResult = {
            k: 2,
            status: 'fail',
            outputs: [out('a', { maxAbsError: 1.5 }), out('b', { dtype: 'int8', mismatches: 7 })],
        };
        expect(splitCheckOf(v).detail).toBe(
            "head→tail outputs differ from the full model: 'a' (max |Δ| 1.5), 'b' (7 int8 elements differ)",
        );
    });

    it('keeps the reason of a failure without outputs, and of cannot verify', () => {
        expect(
            splitCheckOf({ k: 1, status: 'fail', reason: 'output y produced by neither sub-model', outputs: [] }),
        ).toEqual({ status: 'fail', detail: 'output y produced by neither sub-model' });
        expect(splitCheckOf({ k: 1, status: 'cannot-verify', reason: 'empty outputs', outputs: [] })).toEqual({
            status: 'cannot-verify',
            detail: 'empty outputs',
        });
        expect(splitCheckOf({ k: 1, status: 'pass', outputs: [] })).toEqual({ status: 'pass' });
    });
});

describe('gateOnSplitCheck', () => {
    const job = (kind: Job['kind'], split: number | null): Job =>
        ({ kind, split, modelId: 'pose', modelSha256: 'abc', label: `${kind} pose` }) as Job;
    const checks: SplitCheckRecord[] = [
        {
            modelId: 'pose',
            modelSha256: 'abc',
            split: 153,
            status: 'fail',
            detail: "head→tail output 'Identity' differs",
        },
        { modelId: 'pose', modelSha256: 'abc', split: 7, status: 'cannot-verify', detail: 'empty outputs' },
    ];
    const thrown = (f: () => void): unknown => {
        try {
            f();
        } catch (e) {
            return e;
        }
        return undefined;
    };

    it('fails measure jobs of a FAIL split at once with a one-line cause naming model and split', () => {
        for (const kind of ['measure-head', 'measure-tail'] as const) {
            const e = thrown(() => gateOnSplitCheck(job(kind, 153), checks, 'gate'));
            expect(isSplitbenchError(e, 'SPLIT_INVALID')).toBe(true);
            expect((e as Error).message).toMatch(
                /^model pose split 153: head→tail output 'Identity' differs; not measured/,
            );
            expect((e as Error).message).not.toContain('\n');
        }
    });

    it('passes estimates, cannot-verify splits, other models, and everything under warn or off', () => {
        expect(thrown(() => gateOnSplitCheck(job('estimate', null), checks, 'gate'))).toBeUndefined();
        expect(thrown(() => gateOnSplitCheck(job('baseline', null), checks, 'gate'))).toBeUndefined();
        expect(thrown(() => gateOnSplitCheck(job('measure-head', 7), checks, 'gate'))).toBeUndefined();
        expect(
            thrown(() => gateOnSplitCheck({ ...job('measure-head', 153), modelSha256: 'other' }, checks, 'gate')),
        ).toBeUndefined();
        expect(thrown(() => gateOnSplitCheck(job('measure-head', 153), checks, 'warn'))).toBeUndefined();
        expect(thrown(() => gateOnSplitCheck(job('measure-tail', 153), checks, 'off'))).toBeUndefined();
    });
});
