// Which results database a command uses, and opening it: `--db`, else $SPLITBENCH_DB, else the `store:` entry of
// the lab file ($SPLITBENCH_LAB, else lab.yaml in the working folder), else results/splitbench.db. A
// `postgres://` or `postgresql://` URL selects the PostgreSQL backend; anything else is an SQLite file path.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { SplitbenchError, messageOf } from '../errors.js';
import { SqliteBackend } from './sqlite-backend.js';
import type { OpenStoreOptions } from './sqlite-store.js';
import type { AsyncResultStore } from './types.js';

export const DEFAULT_DB_FILE = 'results/splitbench.db';
export const DEFAULT_LAB_FILE = 'lab.yaml';

/** `--db` help text shared by every command that opens the results store. */
export const DB_HELP =
    'results database: an SQLite file or a postgres:// URL (default $SPLITBENCH_DB, the store: entry of lab.yaml, results/splitbench.db)';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
// Any other `scheme://` is a mistake, not a relative path (a path with a colon has no `//` after it).
const OTHER_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

export type StoreSpec =
    { backend: 'sqlite'; path: string; from: string } | { backend: 'postgres'; url: string; from: string };

/** The URL with its password (user-info or `password=` parameter) replaced by `***`, for every message. */
export const redactUrl = (url: string): string => {
    try {
        const u = new URL(url);
        if (u.password !== '') u.password = '***';
        if (u.searchParams.has('password')) u.searchParams.set('password', '***');
        return u.toString();
    } catch {
        return url.replace(/^([^:]+:\/\/[^:@/]*):[^@/]*@/, '$1:***@').replace(/(password=)[^&]*/i, '$1***');
    }
};

/** What a spec names, for messages: the file path or the URL without its password. */
export const describeSpec = (spec: StoreSpec): string => (spec.backend === 'sqlite' ? spec.path : redactUrl(spec.url));

const fromValue = (value: string, from: string, base: string): StoreSpec => {
    if (POSTGRES_URL.test(value)) return { backend: 'postgres', url: value, from };
    if (OTHER_URL.test(value))
        throw new SplitbenchError(
            'USAGE',
            `${from} ${redactUrl(value)}: not a results database (give a postgres:// URL or an SQLite file path)`,
        );
    return { backend: 'sqlite', path: resolve(base, value), from };
};

/** The `store:` entry of a lab file, or undefined when the file has none. Throws CONFIG_INVALID naming file:line:col. */
const labStore = (file: string): string | undefined => {
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch (e) {
        throw new SplitbenchError('CONFIG_INVALID', `${file}: cannot read the lab file: ${messageOf(e)}`, { cause: e });
    }
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines });
    const at = (offset: number | undefined): string => {
        const p = lines.linePos(offset ?? 0);
        return `${file}:${p.line}:${p.col}`;
    };
    const [first] = doc.errors;
    if (first !== undefined)
        throw new SplitbenchError('CONFIG_INVALID', `${at(first.pos[0])}: ${first.message.split('\n')[0] ?? ''}`);
    const node = doc.get('store', true) as { value?: unknown; range?: [number, number, number] } | undefined;
    if (node === undefined || node === null) return undefined;
    if (typeof node.value !== 'string' || node.value === '')
        throw new SplitbenchError(
            'CONFIG_INVALID',
            `${at(node.range?.[0])} store: expected a postgres:// URL or an SQLite file path`,
        );
    return node.value;
};

/**
 * Resolves the results database from the command-line option, the environment and the lab file. Relative SQLite
 * paths resolve against `cwd` (option, environment) or the lab file's folder. Throws USAGE for a URL of another
 * scheme, CONFIG_INVALID for a bad lab file (file:line:col).
 */
export const resolveStoreSpec = (
    option?: string,
    env: Readonly<Record<string, string | undefined>> = process.env,
    cwd: string = process.cwd(),
): StoreSpec => {
    if (option !== undefined) return fromValue(option, '--db', cwd);
    const fromEnv = env['SPLITBENCH_DB'];
    if (fromEnv !== undefined && fromEnv !== '') return fromValue(fromEnv, 'SPLITBENCH_DB', cwd);
    const labEnv = env['SPLITBENCH_LAB'];
    const lab = labEnv !== undefined && labEnv !== '' ? resolve(cwd, labEnv) : resolve(cwd, DEFAULT_LAB_FILE);
    if ((labEnv !== undefined && labEnv !== '') || existsSync(lab)) {
        const value = labStore(lab);
        if (value !== undefined) return fromValue(value, `${lab} store:`, dirname(lab));
    }
    return { backend: 'sqlite', path: resolve(cwd, DEFAULT_DB_FILE), from: 'default' };
};

/**
 * Opens the results store a spec names (creating and migrating the schema unless `mustExist`). PostgreSQL's
 * module is loaded only when used. Throws as SqliteStore / PgStore.open do; messages never carry a password.
 */
export const openResultStore = async (spec: StoreSpec, opts: OpenStoreOptions = {}): Promise<AsyncResultStore> => {
    if (spec.backend === 'sqlite') return new SqliteBackend(spec.path, opts);
    const { PgStore } = await import('./pg-store.js');
    return PgStore.open(spec.url, opts);
};
