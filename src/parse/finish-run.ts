// The end of a run's lines: its inference summary from whichever lines the build printed, the primary profile, and
// whether the run completed, failed or was cut (and why). Pure.
import { canonicalDelegate, isDelegateKernelType } from './delegates.js';
import { delegate, type PendingFailure, type RunState } from './run-state.js';
import { FAILURE_KINDS, type BenchmarkResult, type Failure, type InferenceSummary, type StatLine } from './types.js';

const fillInference = (s: RunState): InferenceSummary => {
    const { warmup, timed, initMs } = s.result;
    const sum = s.summary ?? {};
    const inf: InferenceSummary = {};
    const set = <K extends keyof InferenceSummary>(k: K, v: number | undefined): void => {
        if (v !== undefined) inf[k] = v;
    };
    // Single-sample and `(all same)` lines print only `curr`: then every statistic equals it.
    const same = (st: StatLine | undefined): number | undefined =>
        st !== undefined && st.count > 0 && st.min === undefined ? st.curr : undefined;
    set('avgUs', sum.avgUs ?? timed?.avg ?? same(timed));
    set('initUs', sum.initUs ?? (initMs !== undefined ? Math.round(initMs * 1000) : undefined));
    set('firstUs', sum.firstUs ?? warmup?.first ?? same(warmup));
    set('warmupAvgUs', sum.warmupAvgUs ?? warmup?.avg ?? same(warmup));
    if (timed !== undefined) {
        set('count', timed.count);
        set('minUs', timed.min ?? same(timed));
        set('maxUs', timed.max ?? same(timed));
        set('stdUs', timed.std ?? (same(timed) !== undefined ? 0 : undefined));
        set('p5Us', timed.p5);
        set('medianUs', timed.median);
        set('p95Us', timed.p95);
    }
    return inf;
};

// Failures that end the tool: everything but the two that only describe how the output ends.
const TERMINAL: ReadonlySet<string> = new Set(FAILURE_KINDS.filter((k) => k !== 'truncated' && k !== 'no_output'));

/**
 * The run's result once its lines are read: inference summary, primary profile first, and `failure` / `truncated`
 * decided from the evidence (hard, then soft or generic when the run did not complete). `runsInText` > 1 is recorded.
 */
export const finish = (s: RunState, runsInText: number): BenchmarkResult => {
    const r = s.result;
    r.inference = fillInference(s);
    if (s.samples !== undefined) r.samplesUs = s.samples;
    // Delegate kernels in the tables reveal delegates the log lines did not name (default XNNPACK in old builds).
    for (const b of r.profile) {
        for (const row of b.runOrder) {
            if (!isDelegateKernelType(row.type)) continue;
            const d = delegate(s, canonicalDelegate(row.type));
            d.kernel ??= row.type;
        }
    }
    const primary = r.profile.find((b) => b.subgraphIndex === 0) ?? r.profile[0];
    if (primary !== undefined && primary !== r.profile[0]) {
        r.profile.splice(r.profile.indexOf(primary), 1);
        r.profile.unshift(primary);
    }
    r.ops = primary?.runOrder ?? [];

    const profiling = r.params['Enable op profiling'] === '1';
    const regularClosed = r.profile.length > 0 && !r.profile.some((b) => s.open.has(b));
    // The mean is the summary's last field: without it the line itself was cut. The memory line that follows it is
    // not evidence of a finished run: builds without memory measurement (microcontroller ports) never print it.
    let complete = s.summary?.avgUs !== undefined;
    if (complete && profiling && !regularClosed) complete = false;
    if (s.open.size > 0) complete = false;
    // A tail fragment (memory lines or a finished profile, nothing from before the summary) is complete at its end.
    const preSummary = s.started || s.statLines > 0 || r.initMs !== undefined || r.modelLoaded === true;
    if (s.summary === undefined && !preSummary && s.open.size === 0 && (s.memorySeen || r.profile.length > 0)) {
        complete = true;
    }

    const { hard, soft, generic } = s;
    let failure: PendingFailure | undefined = hard;
    if (s.fullTf !== false) {
        // Full TensorFlow's tool prints the same tables for TF graph ops: rows no TFLite node index could match.
        failure = { kind: 'not_tflite', line: s.fullTf, strength: 'hard' };
        r.profile = [];
        r.initProfile = [];
        r.ops = [];
        complete = true;
    }
    if (failure === undefined && !complete) failure = soft ?? generic;
    if (failure === undefined && !s.content) {
        failure = { kind: 'no_output', line: s.lastLine.trim(), strength: 'generic' };
    }
    r.truncated = !complete && (failure === undefined || !TERMINAL.has(failure.kind) || failure === soft);
    if (failure === undefined && r.truncated)
        failure = { kind: 'truncated', line: s.lastLine.trim(), strength: 'generic' };
    if (failure !== undefined) {
        const out: Failure = { kind: failure.kind, line: failure.line };
        if (failure.op !== undefined) out.op = failure.op;
        if (failure.delegate !== undefined) out.delegate = failure.delegate;
        r.failure = out;
    }
    if (runsInText > 1) r.runsInText = runsInText;
    return r;
};
