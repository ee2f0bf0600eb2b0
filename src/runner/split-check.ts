// The head→tail check's verdict as the campaign uses it: a verify result in one line, and the gate that keeps a
// split whose check FAILed from being measured.
import { SplitbenchError } from '../errors.js';
import type { OutputComparison, VerifyResult } from '../model/verify.js';
import type { Job } from '../plan/types.js';
import type { SplitCheck, SplitCheckRecord } from '../report/split-checks.js';
import type { ResultStore } from '../store/types.js';

/** Campaign `verify`: gate (a FAIL split is not measured), warn (measured, verdict in the report), off (no check). */
export type VerifyMode = 'gate' | 'warn' | 'off';

const fig = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(2))) : String(x));

/**
 * One verify result as a verdict: a failure names each output that differs, with its largest absolute difference
 * (float outputs) or how many elements differ (integer outputs); other failures keep the verifier's reason.
 */
export const splitCheckOf = (v: VerifyResult): SplitCheck => {
    if (v.status === 'pass') return { status: 'pass' };
    if (v.status === 'cannot-verify') return { status: 'cannot-verify', detail: v.reason ?? 'unknown reason' };
    const differing = v.outputs.filter((o) => !o.identical);
    if (differing.length === 0) return { status: 'fail', detail: v.reason ?? 'head→tail failed' };
    const by = (o: OutputComparison): string =>
        o.maxAbsError !== undefined ? `max |Δ| ${fig(o.maxAbsError)}` : `${o.mismatches} ${o.dtype} elements differ`;
    const [one] = differing;
    return {
        status: 'fail',
        detail:
            differing.length === 1 && one !== undefined
                ? `head→tail output '${one.name}' differs from the full model (${by(one)})`
                : `head→tail outputs differ from the full model: ${differing.map((o) => `'${o.name}' (${by(o)})`).join(', ')}`,
    };
};

/**
 * Throws SPLIT_INVALID for a measure-head / measure-tail job whose split FAILed the check when the mode is gate:
 * `model pose split 153: head→tail output 'Identity' differs from the full model (max |Δ| 0.31); not measured …`.
 * Passes every other job (estimates and baselines do not use the cut files; "cannot verify" is carried, not gated).
 */
export const gateOnSplitCheck = (job: Job, checks: readonly SplitCheckRecord[], mode: VerifyMode): void => {
    if (mode !== 'gate' || (job.kind !== 'measure-head' && job.kind !== 'measure-tail')) return;
    const c = checks.find((x) => x.modelSha256 === job.modelSha256 && x.split === job.split);
    if (c?.status !== 'fail') return;
    throw new SplitbenchError(
        'SPLIT_INVALID',
        `model ${job.modelId} split ${job.split}: ${c.detail ?? 'head→tail check failed'}; not measured (campaign verify: gate; verify: warn measures it anyway)`,
    );
};

/** Keeps the verdicts with the run (table split_checks, read back by report-input.ts); a resumed run replaces them. */
export const recordSplitChecks = (
    store: ResultStore,
    runId: string,
    checks: readonly SplitCheckRecord[],
): Promise<void> => store.recordSplitChecks(runId, checks);
