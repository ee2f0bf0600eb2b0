// One adb driver call's deadline: the caller's signal and timeout as one abort carrying the right error (TIMEOUT or
// ABORTED, naming the device and the call), and the promise helpers the driver races against it.
import { SplitbenchError } from '../../errors.js';
import type { CallOptions } from '../types.js';

export interface Deadline {
    signal: AbortSignal;
    /** The SplitbenchError (TIMEOUT or ABORTED) when the deadline fired, else undefined. */
    reason(): SplitbenchError | undefined;
    done(): void;
}

/** `device`: the device's name; `what`: the call, as messages name it ("command ls -l", "push a to b"). */
export const createDeadline = (opts: CallOptions, device: string, what: string): Deadline => {
    const ctl = new AbortController();
    let fired: SplitbenchError | undefined;
    const fire = (err: SplitbenchError): void => {
        if (fired !== undefined) return;
        fired = err;
        ctl.abort(err);
    };
    const onAbort = (): void =>
        fire(
            new SplitbenchError('ABORTED', `device ${device}: ${what} aborted`, {
                details: { device: device },
            }),
        );
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
        opts.timeoutMs !== undefined
            ? setTimeout(
                  () =>
                      fire(
                          new SplitbenchError(
                              'TIMEOUT',
                              `device ${device}: ${what} timed out after ${opts.timeoutMs} ms`,
                              {
                                  details: { device: device, timeoutMs: opts.timeoutMs },
                              },
                          ),
                      ),
                  Math.max(0, opts.timeoutMs),
              )
            : undefined;
    return {
        signal: ctl.signal,
        reason: () => fired,
        done: () => {
            if (timer !== undefined) clearTimeout(timer);
            opts.signal?.removeEventListener('abort', onAbort);
        },
    };
};

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Rejects with the deadline's error as soon as it fires, whatever `p` is doing. */
export const race = <T>(p: Promise<T>, deadline: Deadline): Promise<T> => {
    const fired = deadline.reason();
    if (fired !== undefined) {
        p.catch(() => undefined);
        return Promise.reject(fired);
    }
    return new Promise<T>((res, rej) => {
        const onAbort = (): void => rej(deadline.reason() ?? new SplitbenchError('ABORTED', 'aborted'));
        deadline.signal.addEventListener('abort', onAbort, { once: true });
        p.then(
            (v) => {
                deadline.signal.removeEventListener('abort', onAbort);
                res(v);
            },
            (e: unknown) => {
                deadline.signal.removeEventListener('abort', onAbort);
                rej(asError(e));
            },
        );
    });
};

export const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
    new Promise<T>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`timed out after ${ms} ms`)), ms);
        p.then(
            (v) => {
                clearTimeout(t);
                res(v);
            },
            (e: unknown) => {
                clearTimeout(t);
                rej(asError(e));
            },
        );
    });

export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((res, rej) => {
        if (signal.aborted) {
            rej(asError(signal.reason));
            return;
        }
        const t = setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            res();
        }, ms);
        const onAbort = (): void => {
            clearTimeout(t);
            rej(asError(signal.reason));
        };
        signal.addEventListener('abort', onAbort, { once: true });
    });
