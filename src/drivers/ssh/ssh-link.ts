// A driver's link to its host: one connection, opened lazily and reopened by the next call after a drop, and the
// calls in flight on it, so close() can stop them first. A call in flight when the link drops fails with a typed
// error instead of hanging (keepalives bound the detection time).
import { SplitbenchError, isSplitbenchError, messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CallOptions } from '../types.js';
import { hostKeyPolicy } from './host-key-policy.js';
import { sshAuth } from './ssh-auth.js';
import { openConnection, type Connection } from './ssh-connection.js';
import { describeTarget, type SshDriverOptions, type SshTarget } from './ssh-options.js';
import { Stopper } from './stopper.js';

export class SshLink {
    readonly #target: SshTarget;
    readonly #opts: SshDriverOptions;
    readonly #log: Logger;
    #conn: Promise<Connection> | undefined;
    /** The connection #conn resolved to, for synchronous "is this the current one" checks. */
    #current: Connection | undefined;
    #closed = false;
    readonly #active = new Set<Stopper>();

    constructor(target: SshTarget, opts: SshDriverOptions, log: Logger) {
        this.#target = target;
        this.#opts = opts;
        this.#log = log;
    }

    get closed(): boolean {
        return this.#closed;
    }

    /** Whether a connection is up right now (without connecting). */
    get live(): boolean {
        const c = this.#current;
        return c !== undefined && !c.dropped;
    }

    /** The stopper of one call (`what` names it in messages); stopAll() stops it until the call disposes it. */
    stopper(opts: CallOptions, what: string): Stopper {
        const s = new Stopper(opts, this.#target.device, what);
        this.#active.add(s);
        void s.disposed.then(() => this.#active.delete(s));
        return s;
    }

    /**
     * Connect (if needed) and open a channel. A connection that died while idle is only noticed when a channel
     * fails to open; nothing has run yet then, so one retry on a fresh connection is safe.
     * @throws SplitbenchError (as a rejection) what connecting or `open` throws, or the stopper's TIMEOUT/ABORTED.
     */
    async open<T>(stopper: Stopper, open: (conn: Connection) => Promise<T>): Promise<{ conn: Connection; value: T }> {
        for (let attempt = 0; ; attempt++) {
            const conn = await stopper.race(this.#connection());
            try {
                return { conn, value: await stopper.race(open(conn)) };
            } catch (e) {
                const stale =
                    conn.dropped ||
                    /Not connected|No response from server/.test(messageOf(isSplitbenchError(e) ? e.cause : e));
                if (!stale || attempt > 0 || stopper.reason !== undefined) throw e;
                this.#log.debug('connection went stale; reconnecting');
                this.#discard(conn);
            }
        }
    }

    /** Stop every call in flight (ABORTED) and wait until each has cleaned up. */
    async stopAll(): Promise<void> {
        const active = [...this.#active];
        for (const s of active) s.stop('ABORTED');
        await Promise.all(active.map((s) => s.disposed));
    }

    /** Close the connection; later calls fail with DEVICE_UNREACHABLE. */
    async close(): Promise<void> {
        this.#closed = true;
        const p = this.#conn;
        this.#conn = undefined;
        this.#current = undefined;
        if (p === undefined) return;
        await p.then(
            (c) => c.end(),
            () => undefined,
        );
    }

    #connection(): Promise<Connection> {
        if (this.#closed) {
            return Promise.reject(
                new SplitbenchError('DEVICE_UNREACHABLE', `${describeTarget(this.#target)}: driver is closed`),
            );
        }
        if (this.#conn === undefined) {
            const p = this.#connect();
            this.#conn = p;
            p.catch(() => {
                if (this.#conn === p) this.#conn = undefined;
            });
        }
        return this.#conn;
    }

    #connect(): Promise<Connection> {
        const auth = sshAuth(this.#opts);
        const hostKeys = hostKeyPolicy(this.#target, this.#opts);
        return openConnection({
            target: this.#target,
            auth,
            hostKeys,
            timeoutMs: this.#opts.connectTimeoutMs ?? 10_000,
            keepaliveIntervalMs: this.#opts.keepaliveIntervalMs ?? 5000,
            identityFile: this.#opts.identityFile,
            log: this.#log,
            onReady: (conn) => {
                this.#current = conn;
            },
            onClose: (conn) => {
                if (this.#current === conn) {
                    this.#current = undefined;
                    this.#conn = undefined;
                }
            },
        });
    }

    #discard(conn: Connection): void {
        if (this.#current === conn) {
            this.#current = undefined;
            this.#conn = undefined;
        }
        conn.destroy();
    }
}
