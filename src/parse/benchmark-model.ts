// Parser for the console output of TFLite/LiteRT `benchmark_model`, every build from TFLite 1.12 to current
// nightlies (see docs/benchmark-model-format.md in the shared notes). Pure: text in, typed result out. It never
// throws: failures of the run, truncated logs and noise are all part of the result.
import { classifyFailure, type FailureEvidence } from './failures.js';
import { canonicalDelegate, isDelegateKernelType, parseDelegateLine, UNSUPPORTED_OP_LINE } from './delegates.js';
import { isFullTfLine, LEVEL_FIRST, unwrapPrefix } from './log-prefix.js';
import { parseHeader, parseOpRow, parseTypeRow, type TableLayout } from './op-table.js';
import { parseStatLine, toNumber } from './stat-line.js';
import {
    FAILURE_KINDS,
    type BenchmarkResult,
    type DelegateInfo,
    type Failure,
    type InferenceSummary,
    type ProfileBlock,
    type StatLine,
} from './types.js';

/** Bump when the meaning of a parsed field changes, so stored raw outputs can be re-parsed. */
export const PARSER_VERSION = '1.1.1';

type Phase = 'init' | 'regular';
type Table = 'run' | 'top' | 'type';

interface PendingFailure extends Failure {
    strength: FailureEvidence['strength'];
}

/** Everything known about one run while its lines stream past. */
class RunState {
    readonly result: BenchmarkResult = {
        parserVersion: PARSER_VERSION,
        origin: 'text',
        params: {},
        inference: {},
        memory: {},
        delegates: [],
        initProfile: [],
        profile: [],
        ops: [],
        truncated: false,
        unknownLines: 0,
    };
    /** Something a benchmark_model run prints was seen (not just shell or build noise). */
    content = false;
    started = false;
    statLines = 0;
    summary: { initUs?: number; firstUs?: number; warmupAvgUs?: number; avgUs?: number } | undefined;
    memorySeen = false;
    hard: PendingFailure | undefined;
    soft: PendingFailure | undefined;
    softOutright = false;
    generic: PendingFailure | undefined;
    phase: Phase | undefined;
    /** Blocks created for tables that had no phase title (TF 1.x, or an excerpt that starts mid-profile). */
    untitled: ProfileBlock[] = [];
    block: ProfileBlock | undefined;
    blockSawRunOrder = false;
    /** The block's second op table (Top by Computation Time) was seen: a further op table starts a new block. */
    blockSawTop = false;
    open = new Set<ProfileBlock>();
    internal: ProfileBlock | undefined;
    table: Table | undefined;
    layout: TableLayout = { start: null, csv: false };
    headerSeen = false;
    /** The table the current line's row went into, so a final line cut mid-row can be taken back. */
    lastRows: unknown[] | undefined;
    unsupportedFor: DelegateInfo | undefined;
    lastLine = '';
    samples: number[] | undefined;
    /** The first line that showed this is full TensorFlow's benchmark_model, not TFLite's; false until then. */
    fullTf: string | false = false;
    /** The current line's logger prefix said F (fatal). */
    lineFatal = false;
}

const LEVEL = /^(INFO|WARN|WARNING|ERROR|VERBOSE|FATAL|DEBUG): ?/;
const PARAM = /^([^[\]]+?)\s*: \[(.*)\]$/;
const INIT_MS = /^Initialized session in\s+([-+\d.eE]+)\s*ms\.?\s*$/;
const MEMORY_PAIR = /init=([-+\d.eE]+)\s+overall=([-+\d.eE]+)/;
const NODES_OBSERVED = /^(\d+) nodes observed\s*$/;
const SUBGRAPH_TITLE = /^Subgraph \(index: (\d+)(?:, name: (.*?))?\) profile:?\s*$/;
const SUBGRAPH_TIMINGS = /^Subgraph \(index: (\d+)(?:, name: (.*?))?\) Timings \(microseconds\): (.*)$/;
const PRIMARY_TITLE = /^Primary graph(?: \(name: (.*?)\))? profile:?\s*$/;
const RSS = /^[-+] (VmRSS|RssAnnon|RssAnon|RssFile \+ RssShmem)\s*: ([-+\d.eE]+) MB/;

const newBlock = (subgraphIndex: number, subgraphName?: string): ProfileBlock => {
    const b: ProfileBlock = { subgraphIndex, runOrder: [], top: [], byType: [] };
    if (subgraphName !== undefined && subgraphName.length > 0) b.subgraphName = subgraphName;
    return b;
};

const recordFailure = (s: RunState, ev: FailureEvidence, raw: string): void => {
    const slot = ev.strength;
    const current = s[slot];
    if (current === undefined) {
        s[slot] = {
            kind: ev.kind,
            line: raw.trim(),
            strength: slot,
            ...(ev.op !== undefined ? { op: ev.op } : {}),
            ...(ev.delegate !== undefined ? { delegate: ev.delegate } : {}),
        };
        return;
    }
    if (current.kind !== ev.kind) return;
    // `ERROR: Node number 0 (FlexDecodeWav) failed to prepare.` names the op of the earlier Flex error; `Failed to
    // apply NNAPI delegate.` names the delegate of an earlier delegate error.
    if (ev.op !== undefined && current.op === undefined) current.op = ev.op;
    if (ev.delegate !== undefined && current.delegate === undefined) current.delegate = ev.delegate;
};

const delegate = (s: RunState, name: string): DelegateInfo => {
    let d = s.result.delegates.find((x) => x.name === name);
    if (d === undefined) {
        d = { name };
        s.result.delegates.push(d);
    }
    return d;
};

/** Starts a profile block for a table title (or subgraph title) in the current phase. */
const startBlock = (s: RunState, block: ProfileBlock): void => {
    s.internal = undefined;
    s.block = block;
    s.blockSawRunOrder = false;
    s.blockSawTop = false;
    s.open.add(block);
    if (s.phase === 'init') s.result.initProfile.push(block);
    else {
        s.result.profile.push(block);
        if (s.phase === undefined) s.untitled.push(block);
    }
};

const targetBlock = (s: RunState, table: Table): ProfileBlock => {
    if (s.internal !== undefined) return s.internal;
    // A second Run Order without a new title is a new profile (e.g. two untitled TF 1.x tables).
    if (s.block === undefined || (table === 'run' && s.blockSawRunOrder)) startBlock(s, newBlock(0));
    return s.block as ProfileBlock;
};

const onTableTitle = (s: RunState, msg: string): boolean => {
    let table: Table | undefined;
    if (msg.includes('Run Order')) table = 'run';
    else if (msg.includes('Top by Computation Time')) table = 'top';
    else if (msg.includes('Summary by node type')) table = 'type';
    if (table === undefined) return false;
    const block = targetBlock(s, table);
    if (table === 'run' && s.internal === undefined) s.blockSawRunOrder = true;
    if (table === 'top' && s.internal === undefined) s.blockSawTop = true;
    s.open.add(block);
    s.table = table;
    s.layout = { start: null, csv: false };
    s.headerSeen = false;
    s.content = true;
    return true;
};

const onTableLine = (s: RunState, msg: string): boolean => {
    // The header directly follows the title; rows never need the (costly, per-row) header test after it.
    if (!s.headerSeen) {
        const header = parseHeader(msg);
        if (header !== undefined) {
            s.layout = header.layout;
            s.headerSeen = true;
            return true;
        }
    }
    const block = s.internal ?? s.block;
    if (block === undefined || s.table === undefined) return false;
    if (s.table === 'type') {
        const row = parseTypeRow(msg, s.layout);
        if (row === undefined) return false;
        block.byType.push(row);
        s.lastRows = block.byType;
        return true;
    }
    const row = parseOpRow(msg, s.layout);
    if (row === undefined) return false;
    const list = s.table === 'run' ? block.runOrder : block.top;
    list.push(row);
    s.lastRows = list;
    return true;
};

/**
 * A table header without its `=====` banner: an excerpt that starts there, or a port that prints no banners (TF
 * 2.3-era microcontroller builds). The table is known by its header and its place in the block: the block's first
 * op table is the Run Order, the second (before `N nodes observed` closes the block) is Top by Computation Time.
 */
const onBannerlessHeader = (s: RunState, msg: string, kind: 'op' | 'type'): void => {
    const open = s.block !== undefined && s.open.has(s.block);
    let table: Table = 'type';
    if (kind === 'op') table = open && s.internal === undefined && s.blockSawRunOrder && !s.blockSawTop ? 'top' : 'run';
    s.table = table;
    const block = targetBlock(s, table);
    if (s.internal === undefined) {
        if (table === 'run') s.blockSawRunOrder = true;
        if (table === 'top') s.blockSawTop = true;
    }
    s.open.add(block);
    s.content = true;
    s.headerSeen = false;
    onTableLine(s, msg);
};

const onSummary = (s: RunState, msg: string): void => {
    const colon = msg.indexOf('us:');
    const summary: NonNullable<RunState['summary']> = {};
    for (const part of msg.slice(colon + 3).split(',')) {
        const sep = part.lastIndexOf(':');
        if (sep < 0) continue;
        const key = part.slice(0, sep).trim();
        const value = toNumber(part.slice(sep + 1).trim());
        if (value === undefined) continue;
        if (key === 'Init') summary.initUs = value;
        else if (key === 'First inference') summary.firstUs = value;
        else if (key === 'Warmup (avg)' || key === 'Warmup') summary.warmupAvgUs = value;
        else if (key === 'Inference (avg)' || key === 'Inference' || key === 'no stats') summary.avgUs = value;
    }
    s.summary = summary;
};

/** Lines that start with a keyword; returns false when the line is not one of them. */
const onMessage = (s: RunState, msg: string): boolean => {
    const c = msg.charCodeAt(0);
    const r = s.result;
    switch (c) {
        case 0x3d: // '='
            return msg.startsWith('====') && onTableTitle(s, msg);
        case 0x63: {
            // 'c'
            if (!msg.startsWith('count=')) return false;
            const stat = parseStatLine(msg);
            if (stat === undefined) return false;
            s.content = true;
            s.statLines++;
            if (s.statLines === 1) r.warmup = stat;
            else if (s.statLines === 2) r.timed = stat;
            return true;
        }
        case 0x54: // 'T'
            if (msg.startsWith('Timings (microseconds):')) {
                const stat = parseStatLine(msg.slice(23).trim());
                const block = s.internal ?? s.block;
                if (stat !== undefined && block !== undefined) block.timings = stat;
                return stat !== undefined;
            }
            if (msg.startsWith('The input model file size (MB):')) {
                const v = toNumber(msg.slice(31).trim());
                if (v !== undefined) r.modelSizeMb = v;
                s.content = true;
                return true;
            }
            return false;
        case 0x53: {
            // 'S'
            if (msg.startsWith('STARTING!')) return true; // handled by the run splitter
            if (msg.startsWith('Subgraph (index: ')) {
                let m = SUBGRAPH_TITLE.exec(msg);
                if (m !== null) {
                    startBlock(s, newBlock(Number(m[1]), m[2]));
                    return true;
                }
                m = SUBGRAPH_TIMINGS.exec(msg);
                if (m !== null) {
                    const idx = Number(m[1]);
                    const stat = parseStatLine(m[3] as string);
                    const list = s.phase === 'init' ? r.initProfile : r.profile;
                    const block = list.find((b) => b.subgraphIndex === idx);
                    if (block !== undefined && stat !== undefined) block.timings ??= stat;
                    return true;
                }
            }
            return false;
        }
        case 0x50: {
            // 'P'
            if (msg.startsWith('Primary graph')) {
                const m = PRIMARY_TITLE.exec(msg);
                if (m === null) return false;
                startBlock(s, newBlock(0, m[1]));
                return true;
            }
            if (msg.startsWith('Profiling Info for Benchmark Initialization')) {
                s.phase = 'init';
                s.block = undefined;
                s.internal = undefined;
                s.content = true;
                return true;
            }
            if (msg.startsWith('Peak memory footprint (MB):')) return onMemory(s, msg);
            return false;
        }
        case 0x4f: // 'O'
            if (msg.startsWith('Operator-wise Profiling Info for Regular Benchmark Runs')) {
                // Tables seen before this title without one of their own can only be the init profile.
                for (const b of s.untitled) {
                    r.profile.splice(r.profile.indexOf(b), 1);
                    r.initProfile.push(b);
                }
                s.untitled = [];
                s.phase = 'regular';
                s.block = undefined;
                s.internal = undefined;
                s.content = true;
                return true;
            }
            if (msg.startsWith('Overall peak memory footprint (MB) via periodic monitoring:')) {
                const v = toNumber(msg.slice(msg.lastIndexOf(':') + 1).trim());
                if (v !== undefined) r.memory.peakMb = v;
                return true;
            }
            return false;
        case 0x4d: // 'M'
            if (msg.startsWith('Memory (bytes):')) return true;
            if (msg.startsWith('Memory footprint delta from the start of the tool')) return onMemory(s, msg);
            if (msg.startsWith('Memory status at the end of ex')) return true;
            return false;
        case 0x44: // 'D'
            if (msg.startsWith('Delegate internal:')) {
                const owner = s.block ?? targetBlock(s, 'run');
                owner.delegateInternal ??= newBlock(owner.subgraphIndex, owner.subgraphName);
                s.internal = owner.delegateInternal;
                s.open.add(s.internal);
                return true;
            }
            if (msg.startsWith('Duplicate flags:')) return true;
            return false;
        case 0x49: // 'I'
            if (msg.startsWith('Inference timings in us:')) {
                onSummary(s, msg);
                s.content = true;
                return true;
            }
            if (msg.startsWith('Initialized session in')) {
                const m = INIT_MS.exec(msg);
                const v = m === null ? undefined : toNumber(m[1] as string);
                if (v === undefined) return false;
                r.initMs = v;
                s.content = true;
                return true;
            }
            return msg.startsWith('Initialized TensorFlow Lite runtime');
        case 0x41: // 'A'
            if (msg.startsWith('Average inference timings in us:')) {
                onSummary(s, msg);
                s.content = true;
                return true;
            }
            return false;
        case 0x4e: // 'N'
            if (msg.startsWith('Number of nodes executed:')) return true;
            if (msg.startsWith('Note: as the benchmark tool')) return true;
            return false;
        case 0x52: // 'R'
            if (msg.startsWith('Running benchmark for')) {
                s.content = true;
                return true;
            }
            if (msg.startsWith('Raw inference samples (us):')) {
                const values = msg
                    .slice(27)
                    .split(',')
                    .map((v) => toNumber(v.trim()));
                if (values.every((v) => v !== undefined)) s.samples = values;
                return true;
            }
            return false;
        case 0x4c: // 'L'
            if (msg.startsWith('Loaded model ')) {
                r.modelPath = msg.slice(13).trim();
                r.modelLoaded = true;
                s.content = true;
                return true;
            }
            return false;
        case 0x72: // 'r'
            return msg.startsWith('resolved reporter');
        case 0x42: // 'B': printed by ports after the last table (TF 2.3 microcontroller builds)
            return msg.startsWith('Benchmark has been finished');
        case 0x2d: // '-'
        case 0x2b: {
            // '+'
            const m = RSS.exec(msg);
            if (m === null) return false;
            const v = toNumber(m[2] as string);
            if (v !== undefined) {
                if (m[1] === 'VmRSS') r.memory.vmRssMb = v;
                else if (m[1] === 'RssFile + RssShmem') r.memory.rssFileMb = v;
                else r.memory.rssAnonMb = v;
            }
            return true;
        }
        default:
            if (c >= 0x30 && c <= 0x39) {
                const m = NODES_OBSERVED.exec(msg);
                if (m === null) return false;
                const block = s.internal ?? s.block;
                if (block !== undefined) {
                    block.nodesObserved = Number(m[1]);
                    s.open.delete(block);
                }
                s.table = undefined;
                return true;
            }
            return false;
    }
};

const onMemory = (s: RunState, msg: string): boolean => {
    const m = MEMORY_PAIR.exec(msg);
    if (m === null) return false;
    const init = toNumber(m[1] as string);
    const overall = toNumber(m[2] as string);
    if (init !== undefined) s.result.memory.initMb = init;
    if (overall !== undefined) s.result.memory.overallMb = overall;
    s.memorySeen = true;
    s.content = true;
    return true;
};

const onParam = (s: RunState, msg: string): boolean => {
    if (!msg.endsWith(']')) return false;
    const m = PARAM.exec(msg);
    if (m === null) return false;
    const key = m[1] as string;
    const value = m[2] as string;
    s.result.params[key] = value;
    if (key === 'Graph' && s.result.modelPath === undefined && value.length > 0) s.result.modelPath = value;
    s.content = true;
    return true;
};

const onDelegate = (s: RunState, msg: string, raw: string): boolean => {
    const ev = parseDelegateLine(msg);
    if (ev === undefined) return false;
    if (ev.name.length > 0) {
        const d = delegate(s, ev.name);
        ev.apply(d);
        if (ev.startsUnsupportedList === true) s.unsupportedFor = d;
        if (d.kernels === 0 || d.mode === 'none') {
            const f = classifyFailure(msg, false);
            if (f !== undefined) recordFailure(s, f, raw);
        }
    }
    s.content = true;
    return true;
};

/** `UNPACK: Operation is not supported.` lines after `Following operations are not supported by GPU delegate:`. */
const onUnsupportedOp = (s: RunState, msg: string, raw: string): boolean => {
    const d = s.unsupportedFor;
    if (d === undefined) return false;
    const m = UNSUPPORTED_OP_LINE.exec(msg.trim());
    if (m === null) {
        s.unsupportedFor = undefined;
        return false;
    }
    const op = m[1] as string;
    (d.unsupportedOps ??= []).push(op);
    // An op the delegate refuses outright names the failure better than one refused for its tensor types.
    const outright = /not supported/i.test(m[2] ?? '');
    if (s.soft === undefined || (s.soft.kind === 'unsupported_op' && !s.softOutright && outright)) {
        s.soft = { kind: 'unsupported_op', line: raw.trim(), op, strength: 'soft' };
        s.softOutright = outright;
    }
    return true;
};

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
    s.lastLine = raw;
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

const finish = (s: RunState, runsInText: number): BenchmarkResult => {
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
