// Maps a data path (from a zod issue or a rule) back to line:col in the YAML source, so every config problem
// can be reported as `file:line:col path: message`.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

export type DataPath = readonly PropertyKey[];

export interface SourcePos {
    line: number;
    col: number;
}

/** `models[0].settings.ue` */
export const formatPath = (path: DataPath): string => {
    let out = '';
    for (const seg of path) {
        if (typeof seg === 'number') out += `[${seg}]`;
        else {
            const s = String(seg);
            out += /^[A-Za-z_$][\w$-]*$/.test(s) ? (out === '' ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
        }
    }
    return out === '' ? '(top level)' : out;
};

const rangeStart = (node: unknown): number | undefined => {
    if (node !== null && typeof node === 'object' && 'range' in node) {
        const r = (node as { range?: readonly number[] | null | undefined }).range;
        if (r !== null && r !== undefined && typeof r[0] === 'number') return r[0];
    }
    return undefined;
};

/**
 * Source offset for `path`. With `atKey`, the offset of the last segment's key (where an unknown key is
 * written) instead of its value. Paths that leave the document (a missing key, a default) resolve to the
 * deepest node that exists, so the position still points somewhere useful.
 */
export const offsetOf = (doc: Document, path: DataPath, atKey = false): number => {
    let node: unknown = doc.contents;
    let best = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
        const seg = path[i];
        const last = i === path.length - 1;
        if (isAlias(node)) node = node.resolve(doc);
        if (isMap(node)) {
            const pair = node.items.find(
                (p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(seg),
            );
            if (pair === undefined) return best;
            const keyStart = rangeStart(pair.key);
            if (last && atKey && keyStart !== undefined) return keyStart;
            // an empty value (`threads:`) has no range of its own; point at the key
            best = rangeStart(pair.value) ?? keyStart ?? best;
            node = pair.value;
        } else if (isSeq(node) && typeof seg === 'number') {
            const item: unknown = node.items[seg];
            if (item === undefined) return best;
            best = rangeStart(item) ?? best;
            node = item;
        } else {
            return best;
        }
    }
    return best;
};

export const positionOf = (doc: Document, lc: LineCounter, path: DataPath, atKey = false): SourcePos => {
    const pos = lc.linePos(offsetOf(doc, path, atKey));
    return { line: pos.line, col: pos.col };
};
