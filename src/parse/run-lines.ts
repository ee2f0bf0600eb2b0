// The keyword lines of a benchmark_model run (level prefix removed): parameters, stat and summary lines, profile
// titles, memory lines, delegate lines and the GPU delegate's unsupported-op list. Each rule returns false for a line
// that is not its own. Pure.
import { classifyFailure } from './failures.js';
import { parseDelegateLine, UNSUPPORTED_OP_LINE } from './delegates.js';
import { onTableTitle } from './profile-tables.js';
import { delegate, newBlock, recordFailure, type RunState, startBlock, targetBlock } from './run-state.js';
import { parseStatLine, toNumber } from './stat-line.js';

const PARAM = /^([^[\]]+?)\s*: \[(.*)\]$/;
const INIT_MS = /^Initialized session in\s+([-+\d.eE]+)\s*ms\.?\s*$/;
const MEMORY_PAIR = /init=([-+\d.eE]+)\s+overall=([-+\d.eE]+)/;
const NODES_OBSERVED = /^(\d+) nodes observed\s*$/;
const SUBGRAPH_TITLE = /^Subgraph \(index: (\d+)(?:, name: (.*?))?\) profile:?\s*$/;
const SUBGRAPH_TIMINGS = /^Subgraph \(index: (\d+)(?:, name: (.*?))?\) Timings \(microseconds\): (.*)$/;
const PRIMARY_TITLE = /^Primary graph(?: \(name: (.*?)\))? profile:?\s*$/;
const RSS = /^[-+] (VmRSS|RssAnnon|RssAnon|RssFile \+ RssShmem)\s*: ([-+\d.eE]+) MB/;

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
export const onMessage = (s: RunState, msg: string): boolean => {
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

/** A `Name: [value]` parameter line (the verbose flag dump every build prints after STARTING!). */
export const onParam = (s: RunState, msg: string): boolean => {
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

/** A delegate line; a delegate that created no kernels or will not run is soft failure evidence. */
export const onDelegate = (s: RunState, msg: string, raw: string): boolean => {
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
export const onUnsupportedOp = (s: RunState, msg: string, raw: string): boolean => {
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
