// zod issues → splitbench's own one-line messages (what is wrong, what was found, what is allowed), with
// "did you mean" for misspelt keys and enum values. Shared by campaign and device files. Pure.
import type { z } from 'zod';
import { closest, suggestion } from './suggest.js';
import type { DataPath } from './yaml-location.js';

export interface SchemaIssue {
    path: DataPath;
    message: string;
    /** Point at the key rather than its value. */
    atKey?: boolean | undefined;
}

interface Def {
    type?: string;
    shape?: Record<string, unknown>;
    element?: unknown;
    innerType?: unknown;
    options?: unknown[];
}
const defOf = (schema: unknown): Def | undefined => (schema as { def?: Def } | undefined)?.def;

const unwrap = (schema: unknown): unknown => {
    let s = schema;
    while (['default', 'prefault', 'optional', 'nullable'].includes(defOf(s)?.type ?? '')) s = defOf(s)?.innerType;
    return s;
};

/** The schema that validates the value at `path` (through objects and arrays), or undefined. */
const schemaAt = (root: unknown, path: DataPath): unknown => {
    let schema = root;
    for (const seg of path) {
        const def = defOf(unwrap(schema));
        if (def?.type === 'object' && typeof seg === 'string') schema = def.shape?.[seg];
        else if (def?.type === 'array' && typeof seg === 'number') schema = def.element;
        else return undefined;
    }
    return unwrap(schema);
};

/** Keys the object schema at `path` accepts; for a union, the keys of its object forms. */
const knownKeysAt = (root: unknown, path: DataPath): string[] => {
    const s = schemaAt(root, path);
    const def = defOf(s);
    if (def?.type === 'object') return Object.keys(def.shape ?? {});
    if (def?.type === 'union')
        return (def.options ?? []).flatMap((o) => {
            const d = defOf(unwrap(o));
            return d?.type === 'object' ? Object.keys(d.shape ?? {}) : [];
        });
    return [];
};

export const valueAt = (data: unknown, path: DataPath): { found: boolean; value: unknown } => {
    let cur: unknown = data;
    for (const seg of path) {
        if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg))
            return { found: false, value: undefined };
        cur = (cur as Record<PropertyKey, unknown>)[seg];
    }
    return { found: true, value: cur };
};

const NOUNS: Readonly<Record<string, string>> = {
    int: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    string: 'a text value',
    array: 'a list',
    object: 'a mapping',
};
const noun = (expected: string): string => NOUNS[expected] ?? expected;

/** A found value as a message shows it: `"3" (text)`, `2.5`, `a list`, `a mapping`. */
const shown = (v: unknown): string => {
    if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
    if (Array.isArray(v)) return 'a list';
    if (v === null) return 'null';
    if (typeof v === 'object') return 'a mapping';
    if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    return typeof v;
};

// zod's default wording; anything else is a message the schema chose (kept as written)
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized)/;

const bound = (issue: { origin?: string; inclusive?: boolean }, n: number | bigint, dir: 'min' | 'max', v: unknown) => {
    const num = Number(n);
    switch (issue.origin ?? 'number') {
        case 'array':
        case 'set':
            return dir === 'min'
                ? `needs at least ${num} entr${num === 1 ? 'y' : 'ies'}`
                : `allows at most ${num} entr${num === 1 ? 'y' : 'ies'}`;
        case 'string':
            return dir === 'min' && num === 1
                ? 'must not be empty'
                : `needs ${dir === 'min' ? 'at least' : 'at most'} ${num} characters`;
        default: {
            const op = dir === 'min' ? (issue.inclusive === false ? '>' : '≥') : issue.inclusive === false ? '<' : '≤';
            return `must be ${op} ${num}, got ${shown(v)}`;
        }
    }
};

/** One issue in splitbench's words. `data` is the whole parsed document (to show the value found). */
const messageFor = (issue: z.core.$ZodIssue, data: unknown, root: unknown): string => {
    const at = valueAt(data, issue.path);
    const custom = !ZOD_DEFAULT.test(issue.message);
    switch (issue.code) {
        case 'invalid_type': {
            if (!at.found) return `missing (${custom ? issue.message : `${noun(issue.expected)} is required`})`;
            if (custom) return issue.message;
            const unquote =
                (issue.expected === 'number' || issue.expected === 'int') &&
                typeof at.value === 'string' &&
                at.value.trim() !== '' &&
                Number.isFinite(Number(at.value))
                    ? ' (write it without quotes)'
                    : issue.expected === 'boolean' && typeof at.value === 'string'
                      ? ' (use true or false)'
                      : '';
            return `expected ${noun(issue.expected)}, got ${shown(at.value)}${unquote}`;
        }
        case 'too_small':
            return custom ? issue.message : bound(issue, issue.minimum, 'min', at.value);
        case 'too_big':
            return custom ? issue.message : bound(issue, issue.maximum, 'max', at.value);
        case 'invalid_value': {
            if (custom) return issue.message;
            const allowed = issue.values.map(String);
            const likely = typeof at.value === 'string' ? closest(at.value, allowed) : undefined;
            return (
                `unknown value ${shown(at.value)}${likely !== undefined ? ` (did you mean "${likely}"?)` : ''}; ` +
                `allowed: ${allowed.join(', ')}`
            );
        }
        case 'invalid_format':
            if (custom) return issue.message;
            return issue.format === 'url'
                ? `expected a URL (https://…), got ${shown(at.value)}`
                : `expected ${issue.format}${issue.format === 'regex' && 'pattern' in issue ? ` ${String(issue.pattern)}` : ''}, got ${shown(at.value)}`;
        case 'invalid_union': {
            const base = custom ? issue.message : 'not one of the allowed forms';
            // `{evry: 10}` for `{every: N}`: name the misspelt key, not just the forms
            const v = at.value;
            if (v === null || typeof v !== 'object' || Array.isArray(v)) return base;
            const known = knownKeysAt(root, issue.path);
            const hints = Object.keys(v)
                .filter((k) => !known.includes(k))
                .map((k) => `unknown key "${k}"${suggestion(k, known)}`);
            return hints.length > 0 ? `${base}: ${hints.join(', ')}` : base;
        }
        case 'custom':
        case 'invalid_element':
        case 'invalid_key':
        case 'not_multiple_of':
        case 'unrecognized_keys':
            return issue.message.replace(/^Invalid input: /, '');
    }
};

/**
 * zod issues of `root.safeParse(data)` as data paths and one-line messages in splitbench's words: `expected a
 * whole number, got 2.5`, `must be ≥ 0, got -1`, `unknown value "measur" (did you mean "measure"?); allowed:
 * estimate, measure`, `unknown key (did you mean "every"?)`. Messages the schema wrote itself are kept.
 */
export const schemaIssues = (issues: readonly z.core.$ZodIssue[], data: unknown, root: unknown): SchemaIssue[] => {
    const out: SchemaIssue[] = [];
    for (const issue of issues) {
        const path = issue.path as DataPath;
        if (issue.code === 'unrecognized_keys') {
            const known = knownKeysAt(root, path);
            for (const key of issue.keys)
                out.push({ path: [...path, key], atKey: true, message: `unknown key${suggestion(key, known)}` });
            continue;
        }
        out.push({ path, message: messageFor(issue, data, root) });
    }
    return out;
};
