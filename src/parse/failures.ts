// Lines that show why a benchmark_model run failed. Only consulted for lines no other rule recognised, so the
// regexes here never run on table rows or timing lines.
import { canonicalDelegate, isDelegateNodeType } from './delegates.js';
import type { FailureKind } from './types.js';

/**
 * - `hard`: the process stopped (or will stop) because of this; the first hard evidence decides the kind.
 * - `soft`: a problem that only explains the outcome when the run did not complete (a partial GPU delegation or a
 *   delegate that created no kernels is normal in a finished run).
 * - `generic`: `Benchmarking failed.` / `Failed to allocate tensors!`: failure without a cause.
 * - `op`: names the op of an earlier failure (`Node number 0 (FlexDecodeWav) failed to prepare.`).
 * - `delegate`: the delegate a `delegate_failed` is about, by its canonical name (`NNAPI`, `GPU`).
 */
export interface FailureEvidence {
    kind: FailureKind;
    strength: 'hard' | 'soft' | 'generic';
    op?: string | undefined;
    delegate?: string | undefined;
}

const NODE_FAILED = /Node number \d+ \((.+?)\) failed to (prepare|invoke)/;
const CUSTOM_OP = /Encountered unresolved custom op: (.+?)\.?(?:\s|$)/;
const CUSTOM_OP_NAME = /Didn't find custom operator for name '(.+?)'/;
const BUILTIN_OP = /Didn't find op for builtin opcode '(.+?)' version '(\d+)'/;
const BUILTIN_RANGE = /Op builtin_code out of range: (-?\d+)/;
const FLEX = /Regular TensorFlow ops are not supported by this interpreter|Select TensorFlow op\(s\).*not supported/;
const MODEL_NOT_FOUND =
    /Could not open '.+'|Failed to (?:mmap|load) model|Model file '?.*'? (?:does not exist|not found)|Failed to read model/;
const NO_GRAPH = /Please specify the name of your TF Lite input file|^usage: \S*benchmark_model/;
const NOT_EXECUTABLE =
    /not executable|Exec format error|cannot execute binary file|CANNOT LINK EXECUTABLE|wrong ELF class/;
// A shell refusing to start the binary: `/system/bin/sh: ./benchmark_model: Permission denied`, `sh: 1: x: not found`.
const SHELL_REFUSED =
    /^(?:\S*\/)?(?:ba|z|da|k|mk)?sh: (?:\d+: )?(?:line \d+: )?\S+: (?:Permission denied|not found|No such file or directory|inaccessible or not found)/;
// The NNAPI delegate's own compile/prepare errors (`NN API returned error ANEURALNETWORKS_OP_FAILED at line 3779 while
// completing NNAPI compilation.`). Soft: with CPU fallback the run goes on. (`nnapi error: unable to open library` is
// printed by old builds even with NNAPI off, so it is not one of them.)
const NNAPI_ERROR = /^NN ?API returned error \w+/;
const DELEGATE_APPLY = /Failed to apply (\S+) delegate/i;
const DELEGATE_HARD = /Disallowed CPU fallback detected|(?:Failed|Unable) to (?:create|initialize|load) .*delegate/i;
const DELEGATE_SOFT =
    /^Created 0 \S+ delegate kernels|is explicitly applied, the model graph will not be executed by the delegate|Restored original execution plan after delegate application failure/;
const CRASH =
    /\b(?:Segmentation fault|Bus error|Illegal instruction|Floating point exception)\b|(?:^|\s)(?:Aborted|Killed)(?: \(core dumped\))?\s*$|Fatal signal \d+|\bSIG(?:SEGV|ABRT|BUS|ILL|FPE)\b|terminate called after throwing|Check failed:/;
// The last three are splitbench's built-in runner (`ERROR: model m.tflite: interpreter creation failed (runtime: …)`).
const GENERIC =
    /Benchmarking failed\.?|Failed to allocate tensors!?|Failed to initialize the interpreter|Failed to invoke|: (?:interpreter creation|tensor allocation|invoke) failed\b/;

/** Classifies one message (level prefix already removed). `fatal` is set for `FATAL:` / logcat `F` lines. */
export const classifyFailure = (msg: string, fatal: boolean): FailureEvidence | undefined => {
    if (fatal) return { kind: 'crash', strength: 'hard' };
    let m = NODE_FAILED.exec(msg);
    if (m !== null) {
        const op = m[1] as string;
        if (op.startsWith('Flex')) return { kind: 'flex_ops', strength: 'hard', op };
        if (m[2] === 'invoke') return { kind: 'benchmark_failed', strength: 'hard', op };
        // A delegate kernel that fails to prepare is the delegate failing, not a model op the runtime lacks.
        if (isDelegateNodeType(op))
            return { kind: 'delegate_failed', strength: 'hard', op, delegate: canonicalDelegate(op) };
        return { kind: 'unsupported_op', strength: 'hard', op };
    }
    if (FLEX.test(msg)) return { kind: 'flex_ops', strength: 'hard' };
    m = CUSTOM_OP.exec(msg) ?? CUSTOM_OP_NAME.exec(msg);
    if (m !== null) return { kind: 'custom_op', strength: 'hard', op: m[1] };
    m = BUILTIN_OP.exec(msg);
    if (m !== null) return { kind: 'unsupported_op', strength: 'hard', op: m[1] };
    m = BUILTIN_RANGE.exec(msg);
    if (m !== null) return { kind: 'unsupported_op', strength: 'hard', op: `builtin_code ${m[1] as string}` };
    if (MODEL_NOT_FOUND.test(msg)) return { kind: 'model_not_found', strength: 'hard' };
    if (NO_GRAPH.test(msg)) return { kind: 'invalid_argument', strength: 'hard' };
    if (NOT_EXECUTABLE.test(msg) || SHELL_REFUSED.test(msg)) return { kind: 'not_executable', strength: 'hard' };
    m = DELEGATE_APPLY.exec(msg);
    if (m !== null) return { kind: 'delegate_failed', strength: 'hard', delegate: canonicalDelegate(m[1] as string) };
    if (NNAPI_ERROR.test(msg)) return { kind: 'delegate_failed', strength: 'soft', delegate: 'NNAPI' };
    if (DELEGATE_HARD.test(msg)) return { kind: 'delegate_failed', strength: 'hard' };
    if (DELEGATE_SOFT.test(msg)) return { kind: 'delegate_failed', strength: 'soft' };
    if (CRASH.test(msg)) return { kind: 'crash', strength: 'hard' };
    if (GENERIC.test(msg)) return { kind: 'benchmark_failed', strength: 'generic' };
    return undefined;
};
