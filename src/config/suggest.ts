// "Did you mean" for misspelt keys, enum values and command-line choices. Pure.

/** Levenshtein distance (insertions, deletions, substitutions each cost 1). */
export const editDistance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0] ?? 0;
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j] ?? 0;
            row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length] ?? 0;
};

/**
 * The closest of `known` to `word` (case-insensitive), when close enough to be a typo: within 2 edits or a third
 * of the word's length (at most half of a short word), or `word` is a prefix of it (`measur` → `measure`). Undefined otherwise.
 */
export const closest = (word: string, known: readonly string[]): string | undefined => {
    const w = word.toLowerCase();
    let best: string | undefined;
    let bestD = Infinity;
    for (const k of known) {
        const d = editDistance(w, k.toLowerCase());
        if (d < bestD) {
            bestD = d;
            best = k;
        }
    }
    // 2 edits is a typo in "thred" but a different word in "pdf" (→ "md")
    const limit = Math.max(Math.floor(word.length / 3), Math.min(2, Math.floor(word.length / 2)));
    if (best !== undefined && bestD <= limit) return best;
    if (w.length >= 2) return known.find((k) => k.toLowerCase().startsWith(w));
    return undefined;
};

/**
 * ` (did you mean "x"?)` when a typo is likely, else ` (allowed: a, b, c)` for short lists, else ''. For appending
 * to "unknown key" / "unknown value" messages.
 */
export const suggestion = (word: string, known: readonly string[]): string => {
    const best = closest(word, known);
    if (best !== undefined) return ` (did you mean "${best}"?)`;
    return known.length > 0 && known.length <= 12 ? ` (allowed: ${known.join(', ')})` : '';
};

/** Quoted, comma-separated list of allowed values: `"a", "b" or "c"`. */
export const oneOf = (values: readonly string[]): string => {
    const q = values.map((v) => `"${v}"`);
    return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1] ?? ''}`;
};
