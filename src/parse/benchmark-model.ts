// Parser for the console output of TFLite/LiteRT `benchmark_model`, every build from TFLite 1.12 to current
// nightlies (see docs/benchmark-model-format.md in the shared notes). Pure: text in, typed result out. It never
// throws: failures of the run, truncated logs and noise are all part of the result.
import { classifyFailure } from './failures.js';
import { finish } from './finish-run.js';
import { isFullTfLine, LEVEL_FIRST, unwrapPrefix } from './log-prefix.js';
import { parseHeader } from './op-table.js';
import { onBannerlessHeader, onTableLine } from './profile-tables.js';
import { onDelegate, onMessage, onParam, onUnsupportedOp } from './run-lines.js';
import { recordFailure, RunState } from './run-state.js';

import type { BenchmarkResult } from './types.js';

export { PARSER_VERSION } from './run-state.js';

const NODE_SIGN_OFF = /^Node\.js v\d+\.\d+\.\d+\s*$/;
const STACK_FRAME = /^\s+at \S/;

const LEVEL = /^(INFO|WARN|WARNING|ERROR|VERBOSE|FATAL|DEBUG): ?/;

const isBlank = (s: string): boolean => {
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c !== 32 && c !== 9 && c !== 13) return false;
    }
    return true;
};

/** Feeds one raw line (without its newline) into the run state. */
const feedLine = (s: RunState, raw: string): void => {
    s.lineFatal = false;
    let msg = unwrapPrefix(s, raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    let fatal = s.lineFatal;
    if (LEVEL_FIRST.has(msg.charCodeAt(0))) {
        const m = LEVEL.exec(msg);
        if (m !== null) {
            if (m[1] === 'FATAL') fatal = true;
            msg = msg.slice(m[0].length);
        }
    }
    if (isBlank(msg)) {
        s.table = undefined;
        return;
    }
    // A Node runner's uncaught exception ends with stack frames and Node's sign-off, which say nothing about the
    // failure: its `Error: …` line above them does.
    if (!NODE_SIGN_OFF.test(msg) && !STACK_FRAME.test(msg)) s.lastLine = raw;
    s.lastRows = undefined;
    if (s.fullTf === false && isFullTfLine(msg)) s.fullTf = raw.trim();
    if (fatal) {
        recordFailure(s, { kind: 'crash', strength: 'hard' }, raw);
        return;
    }
    if (s.table !== undefined && msg.charCodeAt(0) !== 0x3d) {
        if (onTableLine(s, msg)) return;
        s.table = undefined;
    }
    if (s.unsupportedFor !== undefined && onUnsupportedOp(s, msg, raw)) return;
    if (onMessage(s, msg)) return;
    if (onParam(s, msg)) return;
    if (onDelegate(s, msg, raw)) return;
    const header = parseHeader(msg);
    if (header !== undefined) {
        onBannerlessHeader(s, msg, header.kind);
        return;
    }
    const f = classifyFailure(msg, false);
    if (f !== undefined) {
        recordFailure(s, f, raw);
        s.content = true;
        return;
    }
    s.result.unknownLines++;
};

/**
 * Text before the first `STARTING!` counts as a run only if it holds benchmark results (an excerpt that starts
 * mid-run); shell or label_image lines that merely mention a model do not.
 */
const substantial = (s: RunState): boolean =>
    s.statLines > 0 ||
    s.summary !== undefined ||
    s.hard !== undefined ||
    s.result.initMs !== undefined ||
    s.result.profile.length > 0 ||
    s.result.initProfile.length > 0 ||
    s.memorySeen;

/** Every run in the text: a log holding several `STARTING!` sections yields one result per section. */
export const parseBenchmarkRuns = (text: string): BenchmarkResult[] => {
    try {
        const done: RunState[] = [];
        let s = new RunState();
        let pos = 0;
        const len = text.length;
        while (pos <= len) {
            let nl = text.indexOf('\n', pos);
            if (nl < 0) nl = len;
            const line = text.slice(pos, nl);
            pos = nl + 1;
            if (
                line.length < 80 &&
                line.includes('STARTING!') &&
                /^(?:INFO: |\S.*\s: )?STARTING!\s*$/.test(line.trim())
            ) {
                if (s.started ? s.content : substantial(s)) done.push(s);
                s = new RunState();
                s.started = true;
                s.content = true;
                continue;
            }
            feedLine(s, line);
        }
        // Output cut in the middle of a table row: the row's last cells or name may be incomplete.
        if (!text.endsWith('\n') && s.lastRows !== undefined) s.lastRows.pop();
        done.push(s); // the last section is always a run: either it began with STARTING! or it is the whole text
        return done.map((st) => finish(st, done.length));
    } catch (e) {
        // Defensive only: a parser bug must not turn a stored output into an exception for the caller.
        const r = finish(new RunState(), 1);
        r.failure = { kind: 'no_output', line: `parser error: ${e instanceof Error ? e.message : String(e)}` };
        return [r];
    }
};

/** The last run in the text (see `runsInText`), with everything the output says about it. */
export const parseBenchmarkOutput = (text: string): BenchmarkResult => {
    const runs = parseBenchmarkRuns(text);
    return runs[runs.length - 1] as BenchmarkResult;
};
