// Op-profile tables of a run: `===== Run Order =====` / `Top by Computation Time` / `Summary by node type` titles,
// their headers and rows, and tables printed without banners (known by their header and place). Pure.
import { parseHeader, parseOpRow, parseTypeRow } from './op-table.js';
import { type RunState, type Table, targetBlock } from './run-state.js';

/** A `===== Run Order =====`-style title; false when the line names no table. */
export const onTableTitle = (s: RunState, msg: string): boolean => {
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

/** A header or row of the current table; false when the line is neither (the table has ended). */
export const onTableLine = (s: RunState, msg: string): boolean => {
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
export const onBannerlessHeader = (s: RunState, msg: string, kind: 'op' | 'type'): void => {
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
