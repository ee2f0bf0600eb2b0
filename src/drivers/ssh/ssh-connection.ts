// The only module that imports ssh2. It opens a connection (host key checked, keepalives on), opens exec
// channels and SFTP sessions on it, and turns ssh2's callbacks and errors into promises and SplitbenchErrors;
// the rest of the driver sees only the small types below.
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import type { Readable } from 'node:stream';
import { SplitbenchError, messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { HostKeyPolicy } from './host-key-policy.js';
import { fingerprintSha256, keyTypeOfBlob, knownHostsLine } from './known-hosts.js';
import type { SshAuth } from './ssh-auth.js';
import { describeTarget, unreachableError, type SshTarget } from './ssh-options.js';

/** The part of an exec channel the driver uses (ssh2's ClientChannel). */
export interface ExecChannel {
    readonly stderr: Readable;
    on(event: 'data', listener: (chunk: Buffer) => void): unknown;
    /** Optional in the SSH spec. `code` is null when the command died of `signal` (a name without "SIG"). */
    on(event: 'exit', listener: (code: number | null, signal?: string) => void): unknown;
    on(event: 'close', listener: () => void): unknown;
    /** EOF on the command's stdin. */
    end(): unknown;
    resume(): unknown;
    /** Closes the channel without waiting for the command. */
    close(): void;
}

export interface ConnectParams {
    target: SshTarget;
    auth: SshAuth;
    hostKeys: HostKeyPolicy;
    /** Handshake deadline. */
    timeoutMs: number;
    /** Keepalive probe interval; 3 missed probes count as a dropped link. */
    keepaliveIntervalMs: number;
    /** Named in the authentication-failed message; undefined means the agent or default keys were offered. */
    identityFile: string | undefined;
    log: Logger;
    /** Runs when the handshake is done, before the promise resolves. */
    onReady: (conn: Connection) => void;
    /** Runs when the transport closes, during or after the handshake. */
    onClose: (conn: Connection) => void;
}

/**
 * Connect and authenticate.
 * @throws SplitbenchError (as a rejection) HOST_KEY_REJECTED from `hostKeys`; DEVICE_UNREACHABLE for refused,
 *   unresolvable, timed-out or failed authentication; CONFIG_INVALID when ssh2 cannot use the key.
 */
export const openConnection = (p: ConnectParams): Promise<Connection> => {
    const client = new Client();
    client.setMaxListeners(0);
    const conn = new Connection(client, p.target);
    let rejection: SplitbenchError | undefined;
    return new Promise<Connection>((resolvePromise, reject) => {
        let ready = false;
        client.on('ready', () => {
            ready = true;
            p.onReady(conn);
            p.log.debug('connected');
            resolvePromise(conn);
        });
        client.on('error', (err: Error & { level?: string }) => {
            if (ready) {
                p.log.warn({ err }, 'ssh connection error');
                return;
            }
            reject(rejection ?? connectError(err, p));
        });
        client.on('close', () => {
            conn.dropped = true;
            if (!ready)
                reject(
                    rejection ??
                        new SplitbenchError(
                            'DEVICE_UNREACHABLE',
                            `${describeTarget(p.target)}: connection closed during handshake`,
                        ),
                );
            p.onClose(conn);
        });
        const config: ConnectConfig = {
            host: p.target.host,
            port: p.target.port,
            username: p.target.user,
            readyTimeout: p.timeoutMs,
            keepaliveInterval: p.keepaliveIntervalMs,
            keepaliveCountMax: 3,
            algorithms: { serverHostKey: p.hostKeys.algorithms },
            hostVerifier: (key: Buffer): boolean => {
                const rejected = p.hostKeys.check(key);
                if (rejected === undefined) return true;
                rejection = rejected;
                return false;
            },
            ...p.auth,
        };
        try {
            client.connect(config);
        } catch (e) {
            // ssh2 validates the key synchronously (wrong passphrase, unsupported format).
            reject(
                new SplitbenchError(
                    'CONFIG_INVALID',
                    `device ${p.target.device}: cannot use SSH key: ${messageOf(e)}`,
                    {
                        cause: e,
                    },
                ),
            );
        }
    });
};

const connectError = (err: Error & { level?: string; code?: string }, p: ConnectParams): SplitbenchError => {
    const { user, host } = p.target;
    let what = messageOf(err);
    if (err.level === 'client-authentication') {
        what = `authentication failed for user ${user} (${p.identityFile ? `key ${p.identityFile}` : 'agent/default keys'}); add the public key to ~${user}/.ssh/authorized_keys on the host`;
    } else if (err.level === 'client-timeout') {
        what = `no SSH handshake within ${p.timeoutMs} ms`;
    } else if (err.code === 'ECONNREFUSED') {
        what = 'connection refused (is sshd running on that port?)';
    } else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
        what = `host name ${host} does not resolve`;
    }
    return unreachableError(p.target, what, err);
};

/** One open connection; made by openConnection. */
export class Connection {
    /** Set when the transport closed; every in-flight call checks it to report a drop, not a command failure. */
    dropped = false;
    readonly #client: Client;
    readonly #target: SshTarget;

    constructor(client: Client, target: SshTarget) {
        this.#client = client;
        this.#target = target;
    }

    /**
     * Start a shell command line in a new session.
     * @throws SplitbenchError (as a rejection) DEVICE_UNREACHABLE when no session opens.
     */
    exec(command: string): Promise<ExecChannel> {
        return new Promise((res, rej) => {
            try {
                this.#client.exec(command, (err, stream) => {
                    if (err) rej(unreachableError(this.#target, `cannot open a session: ${err.message}`, err));
                    else res(stream);
                });
            } catch (e) {
                // ssh2 throws synchronously when the socket is already gone.
                rej(unreachableError(this.#target, `cannot open a session: ${messageOf(e)}`, e));
            }
        });
    }

    /**
     * A fresh SFTP session per transfer, so stopping one transfer (by ending its session) leaves others alone.
     * @throws SplitbenchError (as a rejection) DEVICE_UNREACHABLE when the session does not start.
     */
    sftp(): Promise<SftpSession> {
        return new Promise<SftpSession>((res, rej) => {
            try {
                this.#client.sftp((err, sftp) => {
                    if (err)
                        rej(
                            unreachableError(
                                this.#target,
                                `cannot start SFTP (is the sftp subsystem enabled?): ${err.message}`,
                                err,
                            ),
                        );
                    else res(new SftpSession(sftp));
                });
            } catch (e) {
                rej(unreachableError(this.#target, `cannot start SFTP: ${messageOf(e)}`, e));
            }
        });
    }

    /**
     * `p`, or DEVICE_UNREACHABLE as soon as the connection closes. ssh2 leaves SFTP requests pending forever
     * when the link dies; this fails them instead.
     */
    untilDropped<T>(p: Promise<T>): Promise<T> {
        if (this.dropped) {
            p.catch(() => undefined);
            return Promise.reject(unreachableError(this.#target, 'connection dropped'));
        }
        return new Promise<T>((res, rej) => {
            const onClose = (): void => rej(unreachableError(this.#target, 'connection dropped'));
            this.#client.once('close', onClose);
            p.then(
                (v) => {
                    this.#client.off('close', onClose);
                    res(v);
                },
                (e: unknown) => {
                    this.#client.off('close', onClose);
                    rej(e instanceof Error ? e : new Error(String(e)));
                },
            );
        });
    }

    /** Tear the transport down now, without the SSH goodbye; for a connection that no longer answers. */
    destroy(): void {
        this.dropped = true;
        this.#client.destroy();
    }

    /** Say goodbye and close; resolves once the transport is closed. */
    end(): Promise<void> {
        return new Promise<void>((res) => {
            if (this.dropped) return res();
            this.#client.once('close', () => res());
            this.#client.end();
        });
    }
}

/** One SFTP session. Failures reject with ssh2's own error; the caller words the message. */
export class SftpSession {
    readonly #sftp: SFTPWrapper;

    constructor(sftp: SFTPWrapper) {
        this.#sftp = sftp;
    }

    /** Upload `local` to `remote`, creating it with permission bits `mode`. */
    put(local: string, remote: string, mode: number): Promise<void> {
        return sftpCall((cb) => this.#sftp.fastPut(local, remote, { concurrency: 64, chunkSize: 32768, mode }, cb));
    }

    get(remote: string, local: string): Promise<void> {
        return sftpCall((cb) => this.#sftp.fastGet(remote, local, { concurrency: 64, chunkSize: 32768 }, cb));
    }

    /** undefined when nothing exists at `path`. */
    stat(path: string): Promise<{ isFile(): boolean } | undefined> {
        return sftpCall<{ isFile(): boolean }>((cb) => this.#sftp.stat(path, cb)).catch((e: unknown) => {
            if ((e as { code?: unknown }).code === 2) return undefined;
            throw e;
        });
    }

    /** Move `from` to `to`, replacing `to` atomically if it exists. */
    async rename(from: string, to: string): Promise<void> {
        // Plain SFTP rename refuses to replace an existing file; the OpenSSH extension replaces atomically.
        await sftpCall((cb) => this.#sftp.ext_openssh_rename(from, to, cb));
    }

    /** Close the session; a transfer still running on it fails. */
    end(): void {
        this.#sftp.end();
    }
}

const sftpCall = <T = void>(fn: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> =>
    new Promise<T>((res, rej) => {
        try {
            fn((err, value) => (err ? rej(err) : res(value as T)));
        } catch (e) {
            rej(e instanceof Error ? e : new Error(String(e)));
        }
    });

export interface ScannedHostKey {
    keyType: string;
    fingerprint: string;
    /** Ready to append to known_hosts. */
    knownHostsLine: string;
}

/**
 * Fetch a server's host key without authenticating (for `splitbench devices trust`). The caller shows the
 * fingerprint and decides; nothing is written here.
 */
export const scanSshHostKey = (opts: {
    host: string;
    port?: number | undefined;
    timeoutMs?: number | undefined;
}): Promise<ScannedHostKey> => {
    const port = opts.port ?? 22;
    return new Promise((res, rej) => {
        const client = new Client();
        let found: ScannedHostKey | undefined;
        client.on('error', (err: Error) => {
            if (found) res(found);
            else
                rej(
                    new SplitbenchError('DEVICE_UNREACHABLE', `ssh host ${opts.host}:${port}: ${err.message}`, {
                        cause: err,
                    }),
                );
        });
        client.on('close', () => {
            if (found) res(found);
        });
        client.connect({
            host: opts.host,
            port,
            username: 'splitbench-keyscan',
            readyTimeout: opts.timeoutMs ?? 10_000,
            hostVerifier: (key: Buffer): boolean => {
                found = {
                    keyType: keyTypeOfBlob(key) ?? 'unknown',
                    fingerprint: fingerprintSha256(key),
                    knownHostsLine: knownHostsLine(opts.host, port, key),
                };
                return false;
            },
        });
    });
};
