// Where the results database lives: --db, else $SPLITBENCH_DB, else results/splitbench.db.
import { resolve } from 'node:path';
import { SplitbenchError } from '../errors.js';

export const DEFAULT_DB_PATH = 'results/splitbench.db';

// `scheme://…` (postgres://, file://, sqlite://): a URL, never a file name. A plain path with a colon
// (`C:…`, `a:b.db`) has no `//` after it and stays a path.
const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** The URL with its password replaced by `***`, for messages (falls back to cutting everything before `@`). */
export const redactUrl = (url: string): string => {
    try {
        const u = new URL(url);
        if (u.password !== '') u.password = '***';
        return u.toString();
    } catch {
        return url.replace(/^([^:]+:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
    }
};

/**
 * Absolute path of the SQLite results file. Throws SplitbenchError USAGE (exit 2) when the chosen value is a
 * URL (`postgres://user@host/db`): this version stores results in SQLite files only, and a URL taken as a
 * relative path would silently create a folder named `postgres:`.
 */
export const resolveDbPath = (
    option?: string,
    env: Readonly<Record<string, string | undefined>> = process.env,
    cwd: string = process.cwd(),
): string => {
    const fromEnv = env['SPLITBENCH_DB'];
    const useEnv = option === undefined && fromEnv !== undefined && fromEnv !== '';
    const value = option ?? (useEnv ? fromEnv : DEFAULT_DB_PATH);
    if (URL_LIKE.test(value)) {
        throw new SplitbenchError(
            'USAGE',
            `${useEnv ? 'SPLITBENCH_DB' : '--db'} ${redactUrl(value)}: this version of splitbench stores results in SQLite files only; give a file path`,
        );
    }
    return resolve(cwd, value);
};
