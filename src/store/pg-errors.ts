// One-line errors for PostgreSQL connection failures, naming the database by its URL without the password.
// (No `pg` import: node-postgres errors are read by their `code`.)
import { SplitbenchError, messageOf } from '../errors.js';
import { redactUrl } from './store-spec.js';

export const CONNECT_CODES = new Set([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ETIMEDOUT',
    'EAI_AGAIN',
]);

/** The first underlying error of a Node AggregateError (connecting to every address of a host name). */
export const rootError = (e: unknown): unknown =>
    e instanceof AggregateError && e.errors.length > 0 ? e.errors[0] : e;

/**
 * One-line SplitbenchError for a failed connection: CONFIG_INVALID (exit 2) when the URL, the password or the
 * database name is wrong or the server cannot be reached; STORE_FAILED otherwise.
 */
export const connectError = (e: unknown, url: string): SplitbenchError => {
    const root = rootError(e);
    const code = (root as { code?: unknown } | null)?.code;
    const where = `results database ${redactUrl(url)}`;
    const msg = messageOf(root) || (typeof code === 'string' ? code : 'unknown error');
    if (code === '28P01' || code === '28000')
        return new SplitbenchError(
            'CONFIG_INVALID',
            `${where}: ${msg} (give the password in the URL, in PGPASSWORD or in ~/.pgpass)`,
            { cause: e },
        );
    if (code === '3D000')
        return new SplitbenchError('CONFIG_INVALID', `${where}: ${msg} (create it first: createdb)`, { cause: e });
    if ((typeof code === 'string' && CONNECT_CODES.has(code)) || /timeout|terminated/i.test(msg))
        return new SplitbenchError('CONFIG_INVALID', `cannot reach the ${where}: ${msg}`, { cause: e });
    return new SplitbenchError('STORE_FAILED', `${where}: ${msg}`, { cause: e });
};
