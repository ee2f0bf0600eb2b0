// Lines that show why a benchmark_model run failed. Only consulted for lines no other rule recognised, so the
// regexes here never run on table rows or timing lines.
//
// A failure counts only where it is printed: at the start of a log line (logger and level prefixes removed), as
// benchmark_model, the TFLite runtime, the shell that started it or the dynamic loader print it
// (docs/benchmark-model-format.md §5 in the shared notes). The same words inside a table cell, a quoted string or
// prose (a README or a TSV that quotes a failure) are not a failure. The exception is splitbench's built-in runner,
// whose own line `model M: <what> failed (runtime: <the runtime's messages>)` carries the runtime's messages inside.
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

/** One failure message: its text without an anchor, and what may stand before it at the start of a line. */
interface Pattern {
    /** Matches the message where the built-in runner's line embeds it (anywhere). */
    inside: RegExp;
    /** Matches it where it is printed: at the line's start, after `before`. */
    atStart: RegExp;
}

const pattern = (source: string, before = '', after = '', flags = ''): Pattern => ({
    inside: new RegExp(`(?:${source})${after}`, flags),
    atStart: new RegExp(`^${before}(?:${source})${after}`, flags),
});

// A program's name or path as a shell or the program itself prints it; never starts with a quote or a table bar.
const PROGRAM_NAME = String.raw`[\w./+-]+`;
// A shell reporting on the command it ran: `/system/bin/sh: `, `bash: line 1: `, `sh: 1: `, `-bash: `.
const SHELL = String.raw`-?(?:[\w./+-]*/)?(?:ba|z|da|k|mk)?sh: (?:\d+: )?(?:line \d+: )?`;
// A program naming itself before its message (`./benchmark_model: error while loading shared libraries: …`).
const PROGRAM = `(?:${PROGRAM_NAME}: )?`;
// A shell's job report (`./run.sh: line 3:  4242 Segmentation fault      (core dumped) ./benchmark_model …`).
const JOB = String.raw`(?:${PROGRAM_NAME}: )?(?:line \d+: )?\s*\d+ `;
const SIGNAL_WORDS = 'Segmentation fault|Bus error|Illegal instruction|Floating point exception|Aborted|Killed';

const NODE_FAILED = pattern(String.raw`Node number \d+ \((.+?)\) failed to (prepare|invoke)`);
const CUSTOM_OP = pattern(String.raw`Encountered unresolved custom op: (.+?)\.?(?:\s|$)`);
const CUSTOM_OP_NAME = pattern(String.raw`Didn't find custom operator for name '(.+?)'`);
const BUILTIN_OP = pattern(String.raw`Didn't find op for builtin opcode '(.+?)' version '(\d+)'`);
const BUILTIN_RANGE = pattern(String.raw`Op builtin_code out of range: (-?\d+)`);
const FLEX = pattern(
    String.raw`Regular TensorFlow ops are not supported by this interpreter|Select TensorFlow op\(s\).*not supported`,
);
const MODEL_NOT_FOUND = pattern(
    String.raw`Could not open '.+'|Failed to (?:mmap|load) model|Model file '?.*'? (?:does not exist|not found)|Failed to read model`,
);
const NO_GRAPH = pattern(String.raw`Please specify the name of your TF Lite input file|usage: \S*benchmark_model`);
// The shell or the loader refusing the binary: `/system/bin/sh: ./benchmark_model: not executable: 64-bit ELF file`,
// `bash: ./benchmark_model: cannot execute binary file: Exec format error`, `sh: 1: ./x: Exec format error`,
// `zsh: exec format error: ./x`, `CANNOT LINK EXECUTABLE "./benchmark_model": …` (Android's linker) and
// `./x: error while loading shared libraries: …: wrong ELF class: ELFCLASS64` (glibc's loader).
const NOT_EXECUTABLE = pattern(
    String.raw`\S+: (?:not executable|cannot execute binary file|Exec format error)|exec format error: `,
    SHELL,
);
const CANNOT_LINK = pattern('CANNOT LINK EXECUTABLE');
const WRONG_ELF = pattern(String.raw`error while loading shared libraries: .*wrong ELF class`, PROGRAM);
// A shell refusing to start the binary: `/system/bin/sh: ./benchmark_model: Permission denied`, `sh: 1: x: not found`.
const SHELL_REFUSED = pattern(
    String.raw`\S+: (?:Permission denied|not found|No such file or directory|inaccessible or not found)`,
    SHELL,
);
// The NNAPI delegate's own compile/prepare errors (`NN API returned error ANEURALNETWORKS_OP_FAILED at line 3779 while
// completing NNAPI compilation.`). Soft: with CPU fallback the run goes on. (`nnapi error: unable to open library` is
// printed by old builds even with NNAPI off, so it is not one of them.)
const NNAPI_ERROR = pattern(String.raw`NN ?API returned error \w+`);
const DELEGATE_APPLY = pattern(String.raw`Failed to apply (\S+) delegate`, '', '', 'i');
const DELEGATE_HARD = pattern(
    String.raw`Disallowed CPU fallback detected|(?:Failed|Unable) to (?:create|initialize|load) .*delegate`,
    '',
    '',
    'i',
);
const DELEGATE_SOFT = pattern(
    String.raw`Created 0 \S+ delegate kernels|Though \S+ delegate is explicitly applied, the model graph will not be executed by the delegate|Restored original execution plan after delegate application failure`,
);
// A signal's name alone on its line (an interactive shell), after a job number (a script), or the C++ runtime,
// Android's libc (`Fatal signal 11 (SIGSEGV)`), absl's handler (`*** SIGSEGV received at time=…`) or a CHECK.
const CRASH_ALONE = pattern(`${SIGNAL_WORDS}`, '', String.raw`(?: \(core dumped\))?\s*$`);
const CRASH_JOB = pattern(`${SIGNAL_WORDS}`, JOB, String.raw`\b`);
const CRASH = pattern(
    String.raw`Fatal signal \d+|\*\*\* SIG(?:SEGV|ABRT|BUS|ILL|FPE) received|terminate called after throwing|Check failed:`,
);
const GENERIC = pattern(
    String.raw`Benchmarking failed\.?|Failed to allocate tensors!?|Failed to initialize the interpreter|Failed to invoke`,
);
// splitbench's built-in runner: `model m.tflite: interpreter creation failed (runtime: …)` (src/tflite/runtime-errors.ts).
const RUNNER_LINE = /^model \S.*?: /;
const RUNNER_FAILED = /: (?:interpreter creation|tensor allocation|invoke) failed\b/;

/** Classifies one message (level prefix already removed). `fatal` is set for `FATAL:` / logcat `F` lines. */
export const classifyFailure = (msg: string, fatal: boolean): FailureEvidence | undefined => {
    if (fatal) return { kind: 'crash', strength: 'hard' };
    // A tab after the start is a table row or a TSV record: benchmark_model's messages hold none.
    if (msg.indexOf('\t', 1) > 0) return undefined;
    const runner = RUNNER_LINE.test(msg);
    const at = (p: Pattern): RegExpExecArray | null => (runner ? p.inside : p.atStart).exec(msg);
    let m = at(NODE_FAILED);
    if (m !== null) {
        const op = m[1] as string;
        if (op.startsWith('Flex')) return { kind: 'flex_ops', strength: 'hard', op };
        if (m[2] === 'invoke') return { kind: 'benchmark_failed', strength: 'hard', op };
        // A delegate kernel that fails to prepare is the delegate failing, not a model op the runtime lacks.
        if (isDelegateNodeType(op))
            return { kind: 'delegate_failed', strength: 'hard', op, delegate: canonicalDelegate(op) };
        return { kind: 'unsupported_op', strength: 'hard', op };
    }
    if (at(FLEX) !== null) return { kind: 'flex_ops', strength: 'hard' };
    m = at(CUSTOM_OP) ?? at(CUSTOM_OP_NAME);
    if (m !== null) return { kind: 'custom_op', strength: 'hard', op: m[1] };
    m = at(BUILTIN_OP);
    if (m !== null) return { kind: 'unsupported_op', strength: 'hard', op: m[1] };
    m = at(BUILTIN_RANGE);
    if (m !== null) return { kind: 'unsupported_op', strength: 'hard', op: `builtin_code ${m[1] as string}` };
    if (at(MODEL_NOT_FOUND) !== null) return { kind: 'model_not_found', strength: 'hard' };
    if (at(NO_GRAPH) !== null) return { kind: 'invalid_argument', strength: 'hard' };
    if ((at(NOT_EXECUTABLE) ?? at(CANNOT_LINK) ?? at(WRONG_ELF) ?? SHELL_REFUSED.atStart.exec(msg)) !== null)
        return { kind: 'not_executable', strength: 'hard' };
    m = at(DELEGATE_APPLY);
    if (m !== null) return { kind: 'delegate_failed', strength: 'hard', delegate: canonicalDelegate(m[1] as string) };
    if (at(NNAPI_ERROR) !== null) return { kind: 'delegate_failed', strength: 'soft', delegate: 'NNAPI' };
    if (at(DELEGATE_HARD) !== null) return { kind: 'delegate_failed', strength: 'hard' };
    if (at(DELEGATE_SOFT) !== null) return { kind: 'delegate_failed', strength: 'soft' };
    if ((at(CRASH_ALONE) ?? at(CRASH_JOB) ?? at(CRASH)) !== null) return { kind: 'crash', strength: 'hard' };
    if (at(GENERIC) !== null || (runner && RUNNER_FAILED.test(msg)))
        return { kind: 'benchmark_failed', strength: 'generic' };
    return undefined;
};
