// Abort and timeout bookkeeping of the SSH driver's calls. Free of ssh2: a call registers what really stops it,
// so every way a call ends early (caller's signal, timeout, close()) goes through this one small class.
import { SplitbenchError } from '../../errors.js';
import type { CallOptions } from '../types.js';

export type StopReason = 'TIMEOUT' | 'ABORTED';

/**
 * One call's abort signal + timeout. `race` makes a pending step give up as soon as either fires; `onStop`
 * hooks do the real stopping (kill the remote process, end the SFTP session).
 */
export class Stopper {
    reason: StopReason | undefined;
    readonly signal: AbortSignal;
    readonly #ctl = new AbortController();
    readonly #hooks: (() => void)[] = [];
    readonly #timer: NodeJS.Timeout | undefined;
    readonly #onAbort = (): void => this.stop('ABORTED');
    readonly #opts: CallOptions;
    readonly #device: string;
    readonly #what: string;
    #markDisposed: () => void = () => undefined;
    /** Settles when the call that owns this stopper has finished (including its clean-up). */
    readonly disposed = new Promise<void>((res) => {
        this.#markDisposed = res;
    });

    constructor(opts: CallOptions, device: string, what: string) {
        this.#opts = opts;
        this.#device = device;
        this.#what = what;
        this.signal = this.#ctl.signal;
        if (opts.signal?.aborted) this.reason = 'ABORTED';
        opts.signal?.addEventListener('abort', this.#onAbort, { once: true });
        if (opts.timeoutMs !== undefined)
            this.#timer = setTimeout(() => this.stop('TIMEOUT'), Math.max(0, opts.timeoutMs));
        if (this.reason !== undefined) this.#ctl.abort();
    }

    stop(reason: StopReason): void {
        if (this.reason !== undefined) return;
        this.reason = reason;
        this.#ctl.abort();
        for (const h of this.#hooks.splice(0)) h();
    }

    onStop(hook: () => void): void {
        if (this.reason !== undefined) hook();
        else this.#hooks.push(hook);
    }

    /** TIMEOUT or ABORTED (as `reason` says; ABORTED if not stopped), naming the device and the call. */
    error(): SplitbenchError {
        const how = this.reason === 'TIMEOUT' ? `timed out after ${this.#opts.timeoutMs ?? 0} ms` : 'aborted';
        return new SplitbenchError(this.reason ?? 'ABORTED', `device ${this.#device}: ${this.#what} ${how}`, {
            details: { device: this.#device },
        });
    }

    race<T>(p: Promise<T>): Promise<T> {
        if (this.reason !== undefined) {
            p.catch(() => undefined);
            return Promise.reject(this.error());
        }
        return new Promise<T>((res, rej) => {
            const onStop = (): void => rej(this.error());
            this.signal.addEventListener('abort', onStop, { once: true });
            p.then(
                (v) => {
                    this.signal.removeEventListener('abort', onStop);
                    res(v);
                },
                (e: unknown) => {
                    this.signal.removeEventListener('abort', onStop);
                    rej(e instanceof Error ? e : new Error(String(e)));
                },
            );
        });
    }

    /** Call when the call is over, clean-up included: clears the timer, detaches from the caller's signal. */
    dispose(): void {
        if (this.#timer !== undefined) clearTimeout(this.#timer);
        this.#opts.signal?.removeEventListener('abort', this.#onAbort);
        this.#markDisposed();
    }
}
