// Rows of the op-profiling tables (Run Order, Top by Computation Time, Summary by node type) in their three
// renderings: tool output (tab + space padding), terminal copies (tabs expanded to spaces) and CSV mode.
import type { NodeTypeRow, OpRow } from './types.js';

export interface TableLayout {
    /** The header had a `[start]` / `start` column (builds before ~2.7-2.10). Null until a header was seen. */
    start: boolean | null;
    csv: boolean;
}

export type HeaderKind = 'op' | 'type';

/** Recognises a table header and returns its layout; undefined for anything else. */
export const parseHeader = (msg: string): { kind: HeaderKind; layout: TableLayout } | undefined => {
    if (msg.includes('[node type]')) return { kind: 'op', layout: { start: msg.includes('[start]'), csv: false } };
    if (msg.includes('[Node type]')) return { kind: 'type', layout: { start: false, csv: false } };
    const t = msg.trimStart();
    if (t.startsWith('node type, ')) {
        if (t.startsWith('node type, count,')) return { kind: 'type', layout: { start: false, csv: true } };
        return { kind: 'op', layout: { start: t.startsWith('node type, start,'), csv: true } };
    }
    return undefined;
};

const fixed = (s: string | undefined, pct = false): number | undefined => {
    if (s === undefined) return undefined;
    const v = scanNumber(s, 0, s.length, pct);
    return Number.isNaN(v) ? undefined : v;
};

const integer = (s: string | undefined): number | undefined => {
    const n = fixed(s);
    return n !== undefined && Number.isInteger(n) ? n : undefined;
};

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The number in s[from, to), spaces around it allowed, a trailing `%` required when `pct`; NaN when malformed.
 * Table cells are parsed in place because slicing and `Number()` per cell dominated the parse time. The value is
 * `digits / 10^k`, one correctly rounded division, so it equals what `Number()` returns for the same text.
 */
export const scanNumber = (s: string, from: number, to: number, pct: boolean): number => {
    let i = from;
    let end = to;
    while (i < end && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    while (end > i && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
    if (pct) {
        if (end <= i || s.charCodeAt(end - 1) !== 37) return NaN;
        end--;
    }
    if (i >= end) return NaN;
    let sign = 1;
    if (s.charCodeAt(i) === 45) {
        sign = -1;
        i++;
    }
    const digitsStart = i;
    let m = 0;
    let digits = 0;
    let frac = 0;
    let dot = false;
    for (; i < end; i++) {
        const c = s.charCodeAt(i);
        if (c >= 48 && c <= 57) {
            m = m * 10 + (c - 48);
            digits++;
            if (dot) frac++;
        } else if (c === 46 && !dot) {
            dot = true;
        } else {
            // Exponents (`1.05037e+06`) and anything unusual: let Number() decide.
            if (digits === 0) return NaN;
            const v = Number(s.slice(digitsStart, end));
            return Number.isFinite(v) ? sign * v : NaN;
        }
    }
    if (digits === 0) return NaN;
    if (digits > 15) return sign * Number(s.slice(digitsStart, end));
    return (sign * m) / (POW10[frac] as number);
};

const isDigits = (s: string, from: number): boolean => {
    if (from >= s.length) return false;
    for (let i = from; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c < 48 || c > 57) return false;
    }
    return true;
};

/** Node index, output tensors and delegate-op index out of the `[Name]` column. */
export const splitName = (name: string): Pick<OpRow, 'nodeIndex' | 'outputs' | 'delegateOpIndex'> => {
    if (name.charCodeAt(0) === 91) {
        // Anchored at the end: tensor names themselves contain `:` (`[StatefulPartitionedCall:0]:95`).
        const close = name.lastIndexOf(']:');
        if (close > 0 && isDigits(name, close + 2)) {
            return { nodeIndex: Number(name.slice(close + 2)), outputs: splitOutputs(name.slice(1, close)) };
        }
        if (name.endsWith(']')) return { nodeIndex: null, outputs: splitOutputs(name.slice(1, -1)) };
        // `[dense_1/BiasAdd]:ld`: ports whose printf lacks %ld print the conversion instead of the node index.
        if (close > 0 && /^:(?:l{0,2}[diu]|z[du])$/.test(name.slice(close + 1))) {
            return { nodeIndex: null, outputs: splitOutputs(name.slice(1, close)) };
        }
        return { nodeIndex: null, outputs: [] };
    }
    if (name.startsWith('Delegate/')) {
        const colon = name.lastIndexOf(':');
        if (colon > 0 && isDigits(name, colon + 1)) {
            return { nodeIndex: null, outputs: [], delegateOpIndex: Number(name.slice(colon + 1)) };
        }
    }
    return { nodeIndex: null, outputs: [] };
};

const splitOutputs = (inner: string): string[] => {
    if (inner.length === 0) return [];
    return inner.indexOf(', ') < 0 ? [inner] : inner.split(', ');
};

const NO_OUTPUTS: string[] = [];

/** A row with its name split into node index / outputs / delegate op index. */
const withName = (row: OpRow): OpRow => {
    const name = row.name;
    // Fast path for the common `[outputs]:N` form; splitName handles the rest.
    if (name.charCodeAt(0) === 91) {
        const close = name.lastIndexOf(']:');
        if (close > 0 && isDigits(name, close + 2)) {
            row.nodeIndex = Number(name.slice(close + 2));
            row.outputs = splitOutputs(name.slice(1, close));
            return row;
        }
    }
    const parts = splitName(name);
    row.nodeIndex = parts.nodeIndex;
    row.outputs = parts.outputs;
    if (parts.delegateOpIndex !== undefined) row.delegateOpIndex = parts.delegateOpIndex;
    return row;
};

/** Row from the six numeric cells (first, avg, %, cdf%, mem, times) in order. */
const rowOf = (type: string, startMs: number | undefined, nums: readonly number[], name: string): OpRow => {
    const row: OpRow = {
        nodeIndex: null,
        type,
        firstMs: nums[0] as number,
        avgMs: nums[1] as number,
        pct: nums[2] as number,
        cdfPct: nums[3] as number,
        memKb: nums[4] as number,
        timesCalled: nums[5] as number,
        name,
        outputs: NO_OUTPUTS,
    };
    if (startMs !== undefined) row.startMs = startMs;
    return withName(row);
};

/** Reads the six numeric columns after `type [start]` at fields[at..]; undefined if any is malformed. */
const numericColumns = (fields: readonly string[], at: number): number[] | undefined => {
    const first = fixed(fields[at]);
    const avg = fixed(fields[at + 1]);
    const pct = fixed(fields[at + 2], true);
    const cdf = fixed(fields[at + 3], true);
    const mem = fixed(fields[at + 4]);
    const times = integer(fields[at + 5]);
    if (
        first === undefined ||
        avg === undefined ||
        pct === undefined ||
        cdf === undefined ||
        mem === undefined ||
        times === undefined
    ) {
        return undefined;
    }
    return [first, avg, pct, cdf, mem, times];
};

/** Tool output: `\t<padded type>\t<padded numbers>...\t<name>`, scanned in place without splitting. */
const tabOpRow = (line: string, start: boolean): OpRow | undefined => {
    const n = line.length;
    let i = 0;
    while (i < n && (line.charCodeAt(i) === 9 || line.charCodeAt(i) === 32)) i++;
    let tab = line.indexOf('\t', i);
    if (tab < 0) return undefined;
    let typeEnd = tab;
    while (typeEnd > i && line.charCodeAt(typeEnd - 1) === 32) typeEnd--;
    if (typeEnd === i) return undefined;
    let startMs: number | undefined;
    if (start) {
        const from = tab + 1;
        tab = line.indexOf('\t', from);
        if (tab < 0) return undefined;
        startMs = scanNumber(line, from, tab, false);
        if (Number.isNaN(startMs)) return undefined;
    }
    // Six cells: first, avg, %, cdf%, mem KB, times called. Locals, not an array: this runs once per table row.
    let from = tab + 1;
    tab = line.indexOf('\t', from);
    if (tab < 0) return undefined;
    const firstMs = scanNumber(line, from, tab, false);
    from = tab + 1;
    tab = line.indexOf('\t', from);
    if (tab < 0) return undefined;
    const avgMs = scanNumber(line, from, tab, false);
    from = tab + 1;
    tab = line.indexOf('\t', from);
    if (tab < 0) return undefined;
    const pct = scanNumber(line, from, tab, true);
    from = tab + 1;
    tab = line.indexOf('\t', from);
    if (tab < 0) return undefined;
    const cdfPct = scanNumber(line, from, tab, true);
    from = tab + 1;
    tab = line.indexOf('\t', from);
    if (tab < 0) return undefined;
    const memKb = scanNumber(line, from, tab, false);
    from = tab + 1;
    tab = line.indexOf('\t', from);
    if (tab < 0) return undefined;
    const times = scanNumber(line, from, tab, false);
    // NaN fails every comparison, so one test rejects any malformed cell.
    if (!(firstMs >= 0 && avgMs >= 0 && pct >= 0 && cdfPct >= 0 && memKb > -Infinity && Number.isInteger(times))) {
        return undefined;
    }
    let nameEnd = n;
    while (nameEnd > tab + 1 && line.charCodeAt(nameEnd - 1) === 32) nameEnd--;
    const row: OpRow = {
        nodeIndex: null,
        type: line.slice(i, typeEnd),
        firstMs,
        avgMs,
        pct,
        cdfPct,
        memKb,
        timesCalled: times,
        name: line.slice(tab + 1, nameEnd),
        outputs: NO_OUTPUTS,
    };
    if (startMs !== undefined) row.startMs = startMs;
    return withName(row);
};

const F = String.raw`(-?\d+\.\d+)`;
const P = String.raw`(-?\d+\.\d+)%`;
// The node type may contain spaces and digits (`convolution_2d 0 -> relu 1`); the fixed-precision numbers that
// follow it (always `d.ddd`) anchor the split, so the lazy type group backtracks only over whitespace runs.
const SPACE_ROW_START = new RegExp(
    String.raw`^\s*(.+?)\s+${F}\s+${F}\s+${F}\s+${P}\s+${P}\s+${F}\s+(\d+)(?:\s+(.*?))?\s*$`,
);
const SPACE_ROW = new RegExp(String.raw`^\s*(.+?)\s+${F}\s+${F}\s+${P}\s+${P}\s+${F}\s+(\d+)(?:\s+(.*?))?\s*$`);

const spaceOpRow = (line: string, start: boolean): OpRow | undefined => {
    const m = (start ? SPACE_ROW_START : SPACE_ROW).exec(line);
    if (m === null) return undefined;
    const g = m.slice(1);
    const off = start ? 2 : 1;
    const x = (k: number): number => Number(g[off + k]);
    const startMs = start ? Number(g[1]) : undefined;
    return rowOf(g[0] as string, startMs, [x(0), x(1), x(2), x(3), x(4), x(5)], g[off + 6] ?? '');
};

const csvOpRow = (line: string, start: boolean): OpRow | undefined => {
    const fields = line.trim().split(', ');
    const tail = start ? 8 : 7; // [start], 6 numbers, name
    if (fields.length < tail + 1) return undefined;
    const typeEnd = fields.length - tail;
    // Types may themselves contain ", " (`Convolution (NHWC, QU8) GEMM`); names cannot (CSV mode turns them into tabs).
    const type = fields.slice(0, typeEnd).join(', ');
    let startMs: number | undefined;
    if (start) {
        startMs = fixed(fields[typeEnd]);
        if (startMs === undefined) return undefined;
    }
    const nums = numericColumns(fields, typeEnd + (start ? 1 : 0));
    if (nums === undefined) return undefined;
    // CSV mode replaced the commas of multi-output names by tabs; restore them so names match the table form.
    const name = (fields[fields.length - 1] as string).replace(/\t/g, ',');
    return rowOf(type, startMs, nums, name);
};

/**
 * One Run Order / Top row. The layout comes from the header; when the row does not fit it (or no header was
 * seen) the other `[start]` variant is tried, so a lost header does not lose the rows.
 */
export const parseOpRow = (line: string, layout: TableLayout): OpRow | undefined => {
    const start = layout.start ?? false;
    if (layout.csv) return csvOpRow(line, start) ?? csvOpRow(line, !start);
    if (line.includes('\t')) {
        const row = tabOpRow(line, start) ?? tabOpRow(line, !start);
        if (row !== undefined) return row;
    }
    return spaceOpRow(line, start) ?? spaceOpRow(line, !start);
};

const typeFromNums = (type: string, g: readonly (string | undefined)[]): NodeTypeRow | undefined => {
    const count = integer(g[0]);
    const avgMs = fixed(g[1]);
    const avgPct = fixed(g[2], true);
    const cdfPct = fixed(g[3], true);
    const memKb = fixed(g[4]);
    const timesCalled = integer(g[5]);
    if (
        count === undefined ||
        avgMs === undefined ||
        avgPct === undefined ||
        cdfPct === undefined ||
        memKb === undefined ||
        timesCalled === undefined
    ) {
        return undefined;
    }
    return { type, count, avgMs, avgPct, cdfPct, memKb, timesCalled };
};

const SPACE_TYPE_ROW = new RegExp(
    String.raw`^\s*(.+?)\s+(\d+)\s+${F}\s+(-?\d+\.\d+%)\s+(-?\d+\.\d+%)\s+${F}\s+(\d+)\s*$`,
);

/** One `Summary by node type` row. */
export const parseTypeRow = (line: string, layout: TableLayout): NodeTypeRow | undefined => {
    if (layout.csv) {
        const fields = line.trim().split(', ');
        if (fields.length < 7) return undefined;
        const typeEnd = fields.length - 6;
        return typeFromNums(fields.slice(0, typeEnd).join(', '), fields.slice(typeEnd));
    }
    if (line.includes('\t')) {
        const fields = line.split('\t').filter((f) => f.trim().length > 0);
        if (fields.length === 7) {
            const row = typeFromNums((fields[0] as string).trim(), fields.slice(1));
            if (row !== undefined) return row;
        }
    }
    const m = SPACE_TYPE_ROW.exec(line);
    if (m === null) return undefined;
    return typeFromNums(m[1] as string, m.slice(2));
};
