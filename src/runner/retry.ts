// Which failures are worth another attempt. A benchmark that ran and failed is a result, not a retry:
// only transport trouble (the link, the transfer, a hung connection) is retried.
// A thermal-gate timeout (DEVICE_UNUSABLE) is not transport trouble: the device answered, it is too hot.
import { isSplitbenchError, type ErrorCode } from '../errors.js';

const TRANSPORT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
    'DEVICE_UNREACHABLE',
    'TRANSFER_FAILED',
    'TIMEOUT',
]);

export const isTransportCode = (code: ErrorCode): boolean => TRANSPORT_CODES.has(code);

export const isTransportFailure = (e: unknown): boolean => isSplitbenchError(e) && TRANSPORT_CODES.has(e.code);

/** Exponential backoff: base, 2·base, 4·base …, capped at 30 s. */
export const backoffMs = (attempt: number, baseMs: number): number => Math.min(30_000, baseMs * 2 ** (attempt - 1));

/** Resolves after ms, or rejects with the signal's reason when aborted first. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
        if (signal?.aborted === true) {
            reject(signal.reason as Error);
            return;
        }
        const t = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        const onAbort = (): void => {
            clearTimeout(t);
            reject(signal?.reason as Error);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
    });
