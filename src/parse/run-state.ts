// The state of one benchmark_model run while its lines stream past, and the helpers every line rule uses to add to
// it: profile blocks, delegates and failure evidence. Pure.
import type { FailureEvidence } from './failures.js';
import type { BenchmarkResult, DelegateInfo, Failure, ProfileBlock } from './types.js';
import type { TableLayout } from './op-table.js';

/** Bump when the meaning of a parsed field changes, so stored raw outputs can be re-parsed. */
export const PARSER_VERSION = '1.1.2';

export type Phase = 'init' | 'regular';
export type Table = 'run' | 'top' | 'type';

export interface PendingFailure extends Failure {
    strength: FailureEvidence['strength'];
}

/** Everything known about one run while its lines stream past. */
export class RunState {
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

/** An empty profile block of one subgraph (the name only when the output gives one). */
export const newBlock = (subgraphIndex: number, subgraphName?: string): ProfileBlock => {
    const b: ProfileBlock = { subgraphIndex, runOrder: [], top: [], byType: [] };
    if (subgraphName !== undefined && subgraphName.length > 0) b.subgraphName = subgraphName;
    return b;
};

/** Keeps the first evidence of each strength; later lines of the same kind may name its op or delegate. */
export const recordFailure = (s: RunState, ev: FailureEvidence, raw: string): void => {
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

/** The run's entry for a delegate by its canonical name, added when first seen. */
export const delegate = (s: RunState, name: string): DelegateInfo => {
    let d = s.result.delegates.find((x) => x.name === name);
    if (d === undefined) {
        d = { name };
        s.result.delegates.push(d);
    }
    return d;
};

/** Starts a profile block for a table title (or subgraph title) in the current phase. */
export const startBlock = (s: RunState, block: ProfileBlock): void => {
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

/** The block a table belongs to: the delegate-internal one, the current one, or a new one (subgraph 0). */
export const targetBlock = (s: RunState, table: Table): ProfileBlock => {
    if (s.internal !== undefined) return s.internal;
    // A second Run Order without a new title is a new profile (e.g. two untitled TF 1.x tables).
    if (s.block === undefined || (table === 'run' && s.blockSawRunOrder)) startBlock(s, newBlock(0));
    return s.block as ProfileBlock;
};
