// Driver for Linux hosts over SSH (real OpenSSH servers). The only module that imports ssh2.
//
// Design notes (why, not what):
// - One connection per driver, opened lazily and reopened by the next call after a drop; a call in flight when
//   the link drops fails with a typed error instead of hanging (keepalives bound the detection time).
// - OpenSSH ignores "signal" channel requests for sessions without a pty in most versions, so stopping a remote
//   command cannot rely on them. Every command runs as `echo <token>$$; ... exec CMD`: the shell reports its PID,
//   then becomes the command. sshd starts each session with setsid(), so that PID is also the process group, and
//   abort/timeout kills the whole group over a second channel (TERM, then KILL after a grace period).
// - Pushes write to a hidden sibling and rename with posix-rename@openssh.com, so a dropped link never leaves a
//   half-written file under the final name; an unchanged file (same sha256 remotely) is not sent at all.
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper, type ServerHostKeyAlgorithm } from 'ssh2';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { constants as osConstants, homedir, userInfo } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { SplitbenchError, isSplitbenchError, messageOf } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { parseSha256sum, sha256File, tempSiblingPath } from '../hash-skip.js';
import { LINUX_PROBE_SCRIPT, parseLinuxProbe } from '../linux-probe.js';
import { quoteArg, quoteArgv } from '../shell-quote.js';
import type {
    CallOptions,
    DeviceDriver,
    DeviceProbe,
    ExecOptions,
    ExecResult,
    PushOptions,
    PushResult,
} from '../types.js';
import {
    fingerprintSha256,
    hostToken,
    keyTypeOfBlob,
    knownHostsLine,
    knownKeyTypes,
    parseKnownHosts,
    verifyHostKey,
    type KnownHostEntry,
} from './known-hosts.js';

export interface SshDriverOptions {
    /** Device name from the device file; used in messages and in the "how to trust" hint. */
    name: string;
    host: string;
    /** @default 22 */
    port?: number | undefined;
    /** @default the local user name */
    user?: string | undefined;
    /** Private key file. Without it the ssh-agent at `SSH_AUTH_SOCK` is used, else ~/.ssh/id_ed25519|id_ecdsa|id_rsa. */
    identityFile?: string | undefined;
    passphrase?: string | undefined;
    /** ssh-agent socket; `false` disables the agent. @default process.env.SSH_AUTH_SOCK */
    agent?: string | false | undefined;
    /** @default ~/.ssh/known_hosts */
    knownHostsFile?: string | undefined;
    /** Pinned host key fingerprint (`SHA256:...`, as printed by `ssh-keygen -lf`); when set, known_hosts is not read. */
    hostKeyFingerprint?: string | undefined;
    /** Where the pin comes from (`devices/x.yaml:7:18`): the host-key-changed message names the file's field there. */
    fingerprintSource?: string | undefined;
    /** @default 10000 */
    connectTimeoutMs?: number | undefined;
    /** Keepalive probe interval; 3 missed probes count as a dropped link. @default 5000 */
    keepaliveIntervalMs?: number | undefined;
    /**
     * Per-campaign working directory on the host; relative push/pull paths and exec without `cwd` resolve here.
     * Given: kept (persistent, so unchanged pushes are skipped across runs). Not given: a private folder
     * `/tmp/splitbench-<campaign>-<12 random hex digits>` (created mode 0700 on first use, the remote
     * equivalent of mkdtemp) that close() removes, so two checkouts or two users never share files.
     */
    workDir?: string | undefined;
    /** Keep the default working directory after close(). @default false */
    keepWorkDir?: boolean | undefined;
    /** @default 'default' */
    campaign?: string | undefined;
    /** Time between TERM and KILL when stopping a remote command. @default 2000 */
    killGraceMs?: number | undefined;
    logger?: Logger | undefined;
}

export const createSshDriver = (opts: SshDriverOptions): DeviceDriver => new SshDriver(opts);

const DEFAULT_HOST_KEY_ALGOS: ServerHostKeyAlgorithm[] = [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
];

/** Order host key algorithms so the server presents a key type known_hosts has (as OpenSSH's client does). */
const hostKeyAlgorithms = (knownTypes: readonly string[]): ServerHostKeyAlgorithm[] => {
    const preferred = DEFAULT_HOST_KEY_ALGOS.filter((a) =>
        knownTypes.some((t) => t === a || (t === 'ssh-rsa' && a.startsWith('rsa-sha2'))),
    );
    return [...preferred, ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !preferred.includes(a))];
};

const signalExitCode = (signal: string | undefined): number => {
    const n = signal === undefined ? undefined : (osConstants.signals as Record<string, number>)[`SIG${signal}`];
    return n === undefined ? 255 : 128 + n;
};

interface Connection {
    client: Client;
    /** Set when the transport closed; every in-flight call checks it to report a drop, not a command failure. */
    dropped: boolean;
}

type StopReason = 'TIMEOUT' | 'ABORTED';

class SshDriver implements DeviceDriver {
    readonly name: string;
    readonly kind = 'ssh' as const;
    readonly #opts: SshDriverOptions;
    readonly #host: string;
    readonly #port: number;
    readonly #user: string;
    readonly #workDir: string;
    readonly #ownWorkDir: boolean;
    readonly #killGraceMs: number;
    readonly #log: Logger;
    // Random per driver so no command output can fake the PID line.
    readonly #token = `@splitbench-${randomBytes(6).toString('hex')}:`;
    #conn: Promise<Connection> | undefined;
    /** The connection #conn resolved to, for synchronous "is this the current one" checks. */
    #current: Connection | undefined;
    #closed = false;
    readonly #active = new Set<Stopper>();

    constructor(opts: SshDriverOptions) {
        this.name = opts.name;
        this.#opts = opts;
        this.#host = opts.host;
        this.#port = opts.port ?? 22;
        this.#user = opts.user ?? userInfo().username;
        this.#ownWorkDir = opts.workDir === undefined;
        this.#workDir =
            opts.workDir ??
            `/tmp/splitbench-${(opts.campaign ?? 'default').replace(/[^A-Za-z0-9._-]/g, '_')}-${randomBytes(6).toString('hex')}`;
        this.#killGraceMs = opts.killGraceMs ?? 2000;
        this.#log = (opts.logger ?? silentLogger()).child({ device: opts.name, driver: 'ssh' });
    }

    workDir(): string {
        return this.#workDir;
    }

    get #where(): string {
        return `ssh host ${this.#host}:${this.#port} (device ${this.name})`;
    }

    #abs(p: string): string {
        return posix.isAbsolute(p) ? p : posix.join(this.#workDir, p);
    }

    // ---- connection -------------------------------------------------------------------------------------------

    #connection(): Promise<Connection> {
        if (this.#closed) {
            return Promise.reject(new SplitbenchError('DEVICE_UNREACHABLE', `${this.#where}: driver is closed`));
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

    #authConfig(): Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent'> {
        const cfg: Pick<ConnectConfig, 'privateKey' | 'passphrase' | 'agent'> = {};
        const agent = this.#opts.agent === false ? undefined : (this.#opts.agent ?? process.env['SSH_AUTH_SOCK']);
        let keyFile = this.#opts.identityFile;
        if (keyFile === undefined && agent === undefined) {
            keyFile = ['id_ed25519', 'id_ecdsa', 'id_rsa']
                .map((f) => join(homedir(), '.ssh', f))
                .find((f) => {
                    try {
                        readFileSync(f);
                        return true;
                    } catch {
                        return false;
                    }
                });
        }
        if (keyFile !== undefined) {
            try {
                cfg.privateKey = readFileSync(keyFile);
            } catch (e) {
                throw new SplitbenchError(
                    'CONFIG_INVALID',
                    `device ${this.name}: identity file ${keyFile} cannot be read (${messageOf(e)})`,
                    { cause: e },
                );
            }
        }
        if (this.#opts.passphrase !== undefined) cfg.passphrase = this.#opts.passphrase;
        if (agent !== undefined) cfg.agent = agent;
        if (cfg.privateKey === undefined && cfg.agent === undefined) {
            throw new SplitbenchError(
                'CONFIG_INVALID',
                `device ${this.name}: no SSH key: none of ~/.ssh/id_ed25519, id_ecdsa, id_rsa exists and no ssh-agent runs; ` +
                    `give a key with --identity FILE (splitbench devices add ${this.name} --ssh USER@HOST --identity FILE, ` +
                    `or identity: FILE under ssh: in the device file) or start ssh-agent (SSH_AUTH_SOCK)`,
            );
        }
        return cfg;
    }

    #knownHosts(): { entries: KnownHostEntry[]; file: string } {
        const file = this.#opts.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
        let text = '';
        try {
            text = readFileSync(file, 'utf8');
        } catch {
            // A missing known_hosts file simply means every host is unknown.
        }
        return { entries: parseKnownHosts(text), file };
    }

    #hostKeyError(presented: Buffer, verdict: Exclude<ReturnType<typeof verifyHostKey>, { ok: true }>, file: string) {
        const fp = `${keyTypeOfBlob(presented) ?? 'key'} ${fingerprintSha256(presented)}`;
        const token = hostToken(this.#host, this.#port);
        const scan = `ssh-keyscan${this.#port === 22 ? '' : ` -p ${this.#port}`} ${this.#host} >> ${file}`;
        const pinned = this.#opts.hostKeyFingerprint !== undefined;
        let msg: string;
        switch (verdict.reason) {
            case 'unknown':
                msg = `${this.#where}: unknown host key ${fp}; to trust it run: splitbench devices trust ${this.name}  (or add it to known_hosts: ${scan})`;
                break;
            case 'changed':
                msg = pinned
                    ? `${this.#where}: host key CHANGED: server presented ${fp} but the device file pins ${verdict.expected.join(', ')}; if the change is expected, update ssh.fingerprint in ${this.#opts.fingerprintSource ?? `the device file of ${this.name}`} (splitbench devices trust ${this.name} pins the key it presents now)`
                    : `${this.#where}: host key CHANGED: server presented ${fp} but ${file} line ${verdict.lines.join(',')} has ${verdict.expected.join(', ')}; if the change is expected, run: ssh-keygen -R '${token}' -f ${file} && splitbench devices trust ${this.name}`;
                break;
            case 'revoked':
                msg = `${this.#where}: host key ${fp} is marked @revoked in ${file} line ${verdict.line}`;
                break;
        }
        return new SplitbenchError('HOST_KEY_REJECTED', msg, {
            details: {
                device: this.name,
                host: this.#host,
                port: this.#port,
                fingerprint: fingerprintSha256(presented),
            },
        });
    }

    #connect(): Promise<Connection> {
        const auth = this.#authConfig();
        const pinned = this.#opts.hostKeyFingerprint;
        const kh = pinned === undefined ? this.#knownHosts() : { entries: [], file: '' };
        const timeoutMs = this.#opts.connectTimeoutMs ?? 10_000;
        const client = new Client();
        client.setMaxListeners(0);
        const conn: Connection = { client, dropped: false };
        let rejection: SplitbenchError | undefined;
        return new Promise<Connection>((resolvePromise, reject) => {
            let ready = false;
            client.on('ready', () => {
                ready = true;
                this.#current = conn;
                this.#log.debug('connected');
                resolvePromise(conn);
            });
            client.on('error', (err: Error & { level?: string }) => {
                if (ready) {
                    this.#log.warn({ err }, 'ssh connection error');
                    return;
                }
                reject(rejection ?? this.#connectError(err, timeoutMs));
            });
            client.on('close', () => {
                conn.dropped = true;
                if (!ready)
                    reject(
                        rejection ??
                            new SplitbenchError(
                                'DEVICE_UNREACHABLE',
                                `${this.#where}: connection closed during handshake`,
                            ),
                    );
                if (this.#current === conn) {
                    this.#current = undefined;
                    this.#conn = undefined;
                }
            });
            const config: ConnectConfig = {
                host: this.#host,
                port: this.#port,
                username: this.#user,
                readyTimeout: timeoutMs,
                keepaliveInterval: this.#opts.keepaliveIntervalMs ?? 5000,
                keepaliveCountMax: 3,
                algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(kh.entries, this.#host, this.#port)) },
                hostVerifier: (key: Buffer): boolean => {
                    const verdict = verifyHostKey(key, this.#host, this.#port, { pinned, entries: kh.entries });
                    if (verdict.ok) return true;
                    rejection = this.#hostKeyError(key, verdict, kh.file);
                    return false;
                },
                ...auth,
            };
            try {
                client.connect(config);
            } catch (e) {
                // ssh2 validates the key synchronously (wrong passphrase, unsupported format).
                reject(
                    new SplitbenchError('CONFIG_INVALID', `device ${this.name}: cannot use SSH key: ${messageOf(e)}`, {
                        cause: e,
                    }),
                );
            }
        });
    }

    #connectError(err: Error & { level?: string; code?: string }, timeoutMs: number): SplitbenchError {
        let what = messageOf(err);
        if (err.level === 'client-authentication') {
            what = `authentication failed for user ${this.#user} (${this.#opts.identityFile ? `key ${this.#opts.identityFile}` : 'agent/default keys'}); add the public key to ~${this.#user}/.ssh/authorized_keys on the host`;
        } else if (err.level === 'client-timeout') {
            what = `no SSH handshake within ${timeoutMs} ms`;
        } else if (err.code === 'ECONNREFUSED') {
            what = 'connection refused (is sshd running on that port?)';
        } else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
            what = `host name ${this.#host} does not resolve`;
        }
        return new SplitbenchError('DEVICE_UNREACHABLE', `${this.#where}: ${what}`, {
            cause: err,
            details: { device: this.name, host: this.#host, port: this.#port },
        });
    }

    /**
     * Connect (if needed) and open a channel. A connection that died while idle is only noticed when a channel
     * fails to open; nothing has run yet then, so one retry on a fresh connection is safe.
     */
    async #open<T>(stopper: Stopper, open: (conn: Connection) => Promise<T>): Promise<{ conn: Connection; value: T }> {
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

    /** ssh2 leaves SFTP requests pending forever when the link dies; fail them when the connection closes. */
    #untilDropped<T>(conn: Connection, p: Promise<T>): Promise<T> {
        if (conn.dropped) {
            p.catch(() => undefined);
            return Promise.reject(this.#unreachable('connection dropped'));
        }
        return new Promise<T>((res, rej) => {
            const onClose = (): void => rej(this.#unreachable('connection dropped'));
            conn.client.once('close', onClose);
            p.then(
                (v) => {
                    conn.client.off('close', onClose);
                    res(v);
                },
                (e: unknown) => {
                    conn.client.off('close', onClose);
                    rej(e instanceof Error ? e : new Error(String(e)));
                },
            );
        });
    }

    #discard(conn: Connection): void {
        conn.dropped = true;
        if (this.#current === conn) {
            this.#current = undefined;
            this.#conn = undefined;
        }
        conn.client.destroy();
    }

    #unreachable(what: string, cause?: unknown): SplitbenchError {
        return new SplitbenchError('DEVICE_UNREACHABLE', `${this.#where}: ${what}`, {
            cause,
            details: { device: this.name, host: this.#host, port: this.#port },
        });
    }

    #openChannel(conn: Connection, command: string): Promise<ClientChannel> {
        return new Promise((res, rej) => {
            try {
                conn.client.exec(command, (err, stream) => {
                    if (err) rej(this.#unreachable(`cannot open a session: ${err.message}`, err));
                    else res(stream);
                });
            } catch (e) {
                // ssh2 throws synchronously when the socket is already gone.
                rej(this.#unreachable(`cannot open a session: ${messageOf(e)}`, e));
            }
        });
    }

    // ---- exec -------------------------------------------------------------------------------------------------

    #commandLine(argv: readonly string[], opts: ExecOptions): string {
        const parts = [`echo '${this.#token}'$$`];
        const nocwd = `{ echo '${this.#token}nocwd'; exit 1; }`;
        if (opts.cwd === undefined) {
            const w = quoteArg(this.#workDir);
            const mode = this.#ownWorkDir ? '-m 700 ' : '';
            parts.push(
                `{ cd -- ${w} 2>/dev/null || { mkdir -p ${mode}-- ${w} && cd -- ${w}; }; } 2>/dev/null || ${nocwd}`,
            );
        } else {
            parts.push(`cd -- ${quoteArg(this.#abs(opts.cwd))} 2>/dev/null || ${nocwd}`);
        }
        for (const [k, v] of Object.entries(opts.env ?? {})) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
                throw new SplitbenchError(
                    'USAGE',
                    `device ${this.name}: environment variable name ${JSON.stringify(k)} is not valid`,
                );
            }
            parts.push(`${k}=${quoteArg(v)}; export ${k}`);
        }
        parts.push(`exec ${quoteArgv(argv)}`);
        return parts.join('; ');
    }

    async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
        if (argv.length === 0) throw new SplitbenchError('USAGE', `device ${this.name}: exec with an empty argv`);
        const command = this.#commandLine(argv, opts);
        const started = performance.now();
        const r = await this.#run(command, argv, opts);
        const durationMs = performance.now() - started;
        if (r.noCwd) {
            throw new SplitbenchError(
                'NOT_FOUND',
                `device ${this.name}: exec cwd ${this.#abs(opts.cwd ?? this.#workDir)} is not a directory`,
                {
                    details: { device: this.name, argv },
                },
            );
        }
        this.#log.debug({ argv, exitCode: r.exitCode, durationMs }, 'exec');
        return { argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, stderrMerged: false, durationMs };
    }

    async #run(
        command: string,
        argv: readonly string[],
        opts: CallOptions,
    ): Promise<{ exitCode: number; stdout: string; stderr: string; noCwd: boolean }> {
        const what = `command ${argv.join(' ')}`;
        const stopper = this.#stopper(opts, what);
        try {
            const { conn, value: stream } = await this.#open(stopper, (c) => this.#openChannel(c, command));
            stream.end();
            return await new Promise((resolvePromise, reject) => {
                const out: Buffer[] = [];
                const err: Buffer[] = [];
                let head = Buffer.alloc(0);
                let pid: number | undefined;
                let headDone = false;
                let exitCode: number | undefined;
                let killing: Promise<void> | undefined;

                const kill = (): void => {
                    if (pid === undefined || killing !== undefined) return;
                    killing = this.#killRemote(conn, pid);
                };
                stopper.onStop(() => {
                    kill();
                    // Bound the wait: if the process does not die (or the link is gone), give up on the channel.
                    const t = setTimeout(() => stream.close(), this.#killGraceMs + 3000);
                    t.unref();
                });
                stream.on('data', (chunk: Buffer) => {
                    if (headDone) {
                        out.push(chunk);
                        return;
                    }
                    head = Buffer.concat([head, chunk]);
                    const nl = head.indexOf(10);
                    if (nl < 0) return;
                    const line = head.subarray(0, nl).toString('latin1');
                    headDone = true;
                    if (line.startsWith(this.#token)) {
                        pid = Number(line.slice(this.#token.length));
                        if (head.length > nl + 1) out.push(head.subarray(nl + 1));
                    } else {
                        // Internal helper commands do not announce a PID; their first line is ordinary output.
                        out.push(head);
                    }
                    if (stopper.reason !== undefined) kill();
                });
                stream.stderr.on('data', (chunk: Buffer) => err.push(chunk));
                stream.on('exit', (code: number | null, signal?: string) => {
                    exitCode = code ?? signalExitCode(signal);
                });
                stream.on('close', () => {
                    void (async () => {
                        if (killing) await killing;
                        if (stopper.reason !== undefined) return reject(stopper.error());
                        if (exitCode === undefined) {
                            return reject(
                                conn.dropped
                                    ? this.#unreachable(`connection dropped while running ${argv.join(' ')}`)
                                    : this.#unreachable(`session for ${argv.join(' ')} closed without an exit status`),
                            );
                        }
                        if (!headDone) out.push(head);
                        const stdout = Buffer.concat(out).toString('utf8');
                        resolvePromise({
                            exitCode,
                            stdout,
                            stderr: Buffer.concat(err).toString('utf8'),
                            noCwd: exitCode === 1 && stdout === `${this.#token}nocwd\n`,
                        });
                    })();
                });
            });
        } finally {
            stopper.dispose();
        }
    }

    /** TERM the remote process group, wait up to the grace period, then KILL whatever is left. */
    async #killRemote(conn: Connection, pid: number): Promise<void> {
        if (!Number.isInteger(pid) || pid <= 1) return;
        const rounds = Math.max(1, Math.ceil(this.#killGraceMs / 100));
        const script =
            `kill -TERM -- -${pid} 2>/dev/null || kill -TERM ${pid} 2>/dev/null; i=0; ` +
            `while [ $i -lt ${rounds} ] && kill -0 -- -${pid} 2>/dev/null; do sleep 0.1; i=$((i+1)); done; ` +
            `kill -KILL -- -${pid} 2>/dev/null; kill -KILL ${pid} 2>/dev/null; exit 0`;
        try {
            const ch = await this.#openChannel(conn, script);
            ch.end();
            ch.resume();
            ch.stderr.resume();
            await new Promise<void>((res) => ch.on('close', () => res()));
        } catch (e) {
            this.#log.warn({ err: e, pid }, 'could not stop remote process');
        }
    }

    // ---- probe ------------------------------------------------------------------------------------------------

    async probe(opts: CallOptions = {}): Promise<DeviceProbe> {
        const r = await this.exec(['sh', '-c', LINUX_PROBE_SCRIPT, 'probe', this.#workDir], { ...opts, cwd: '/' });
        return parseLinuxProbe(r.stdout, { kind: 'ssh', workDir: this.#workDir, probedAt: new Date().toISOString() });
    }

    // ---- transfers --------------------------------------------------------------------------------------------

    /** A fresh SFTP session per transfer, so stopping one transfer (by ending its session) leaves others alone. */
    #sftp(conn: Connection): Promise<SFTPWrapper> {
        return new Promise<SFTPWrapper>((res, rej) => {
            try {
                conn.client.sftp((err, sftp) => {
                    if (err)
                        rej(
                            this.#unreachable(
                                `cannot start SFTP (is the sftp subsystem enabled?): ${err.message}`,
                                err,
                            ),
                        );
                    else res(sftp);
                });
            } catch (e) {
                rej(this.#unreachable(`cannot start SFTP: ${messageOf(e)}`, e));
            }
        });
    }

    async push(local: string, remote: string, opts: PushOptions = {}): Promise<PushResult> {
        const dest = this.#abs(remote);
        const what = `push ${local} to ${this.name}:${dest}`;
        const srcStat = await stat(local).catch((e: unknown) => {
            throw new SplitbenchError('NOT_FOUND', `push to ${this.name}: local file ${local} does not exist`, {
                cause: e,
            });
        });
        if (!srcStat.isFile())
            throw new SplitbenchError('USAGE', `push to ${this.name}: ${local} is not a regular file`);
        const stopper = this.#stopper(opts, what);
        const localSha = sha256File(local, stopper.signal);
        localSha.catch(() => undefined);
        let tmp: string | undefined;
        let conn: Connection | undefined;
        let sftp: SFTPWrapper | undefined;
        try {
            // One round trip creates the directory and tells whether the same content is already there.
            const pre = await this.#run(
                `mkdir -p -- ${quoteArg(posix.dirname(dest))} && { sha256sum -- ${quoteArg(dest)} 2>/dev/null || true; }`,
                ['mkdir', posix.dirname(dest)],
                { signal: stopper.signal },
            );
            if (pre.exitCode !== 0) {
                throw new SplitbenchError(
                    'TRANSFER_FAILED',
                    `${what} failed: cannot create ${posix.dirname(dest)}: ${pre.stderr.trim()}`,
                );
            }
            const remoteSha = parseSha256sum(pre.stdout);
            if (remoteSha !== undefined && remoteSha === (await stopper.race(localSha))) {
                if (opts.executable) {
                    await this.#run(`chmod 755 -- ${quoteArg(dest)}`, ['chmod', dest], { signal: stopper.signal });
                }
                return { bytesSent: 0, skipped: true, sha256: remoteSha };
            }
            const opened = await this.#open(stopper, (c) => this.#sftp(c));
            conn = opened.conn;
            sftp = opened.value;
            tmp = tempSiblingPath(dest);
            const tmpPath = tmp;
            const session = sftp;
            stopper.onStop(() => session.end());
            const c = conn;
            await stopper.race(
                this.#untilDropped(
                    c,
                    sftpCall((cb) =>
                        session.fastPut(
                            local,
                            tmpPath,
                            { concurrency: 64, chunkSize: 32768, mode: opts.executable ? 0o755 : 0o644 },
                            cb,
                        ),
                    ),
                ),
            );
            await stopper.race(this.#untilDropped(c, this.#renameRemote(session, tmpPath, dest)));
            tmp = undefined;
            return { bytesSent: srcStat.size, skipped: false, sha256: await localSha };
        } catch (e) {
            if (tmp !== undefined && conn !== undefined && !conn.dropped) await this.#removeQuietly(conn, tmp);
            throw this.#transferError(e, what, conn, stopper);
        } finally {
            sftp?.end();
            stopper.dispose();
        }
    }

    async #renameRemote(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
        // Plain SFTP rename refuses to replace an existing file; the OpenSSH extension replaces atomically.
        await sftpCall((cb) => sftp.ext_openssh_rename(from, to, cb));
    }

    async #removeQuietly(conn: Connection, path: string): Promise<void> {
        try {
            const ch = await this.#openChannel(conn, `rm -f -- ${quoteArg(path)}`);
            ch.end();
            ch.resume();
            ch.stderr.resume();
            await new Promise<void>((res) => ch.on('close', () => res()));
        } catch {
            // Best effort: a leftover hidden temp file is harmless.
        }
    }

    #transferError(e: unknown, what: string, conn: Connection | undefined, stopper: Stopper): SplitbenchError {
        if (stopper.reason !== undefined) return stopper.error();
        if (isSplitbenchError(e)) {
            if (e.code === 'DEVICE_UNREACHABLE' && conn !== undefined) {
                return new SplitbenchError('TRANSFER_FAILED', `${what} failed: ${e.message}`, {
                    cause: e,
                    details: e.details,
                });
            }
            return e;
        }
        const why = conn?.dropped ? `connection to ${this.#host}:${this.#port} dropped` : messageOf(e);
        return new SplitbenchError('TRANSFER_FAILED', `${what} failed: ${why}`, {
            cause: e,
            details: { device: this.name, host: this.#host, port: this.#port },
        });
    }

    async pull(remote: string, local: string, opts: CallOptions = {}): Promise<void> {
        const src = this.#abs(remote);
        const what = `pull ${this.name}:${src} to ${local}`;
        const stopper = this.#stopper(opts, what);
        const dest = resolve(local);
        let tmp: string | undefined;
        let conn: Connection | undefined;
        let session: SFTPWrapper | undefined;
        try {
            const opened = await this.#open(stopper, (c) => this.#sftp(c));
            conn = opened.conn;
            const sftp = opened.value;
            session = sftp;
            const c = conn;
            const st = await stopper.race(
                this.#untilDropped(
                    c,
                    sftpCall<{ isFile(): boolean }>((cb) => sftp.stat(src, cb)).catch((e: unknown) => {
                        if ((e as { code?: unknown }).code === 2) return undefined;
                        throw e;
                    }),
                ),
            );
            if (st === undefined || !st.isFile()) {
                throw new SplitbenchError(
                    'NOT_FOUND',
                    `pull from ${this.name}: ${src} does not exist or is not a file`,
                    {
                        details: { device: this.name, remote: src },
                    },
                );
            }
            await mkdir(dirname(dest), { recursive: true });
            tmp = tempSiblingPath(dest);
            const tmpPath = tmp;
            stopper.onStop(() => sftp.end());
            await stopper.race(
                this.#untilDropped(
                    c,
                    sftpCall((cb) => sftp.fastGet(src, tmpPath, { concurrency: 64, chunkSize: 32768 }, cb)),
                ),
            );
            await rename(tmpPath, dest);
            tmp = undefined;
        } catch (e) {
            throw this.#transferError(e, what, conn, stopper);
        } finally {
            session?.end();
            if (tmp !== undefined) await unlink(tmp).catch(() => undefined);
            stopper.dispose();
        }
    }

    /** Removes the default (random) working directory over a live connection; a failure only warns. */
    async #removeWorkDir(): Promise<void> {
        if (!this.#ownWorkDir || this.#opts.keepWorkDir === true || this.#closed) return;
        const c = this.#current;
        if (c === undefined || c.dropped) return;
        try {
            await this.exec(['rm', '-rf', '--', this.#workDir], { cwd: '/', timeoutMs: 15_000 });
        } catch (e) {
            this.#log.warn({ err: e, workDir: this.#workDir }, 'removing the working directory failed');
        }
    }

    #stopper(opts: CallOptions, what: string): Stopper {
        const s = new Stopper(opts, this.name, what);
        this.#active.add(s);
        void s.disposed.then(() => this.#active.delete(s));
        return s;
    }

    async close(): Promise<void> {
        // Stop what is still running first, so no remote command outlives the driver.
        const active = [...this.#active];
        for (const s of active) s.stop('ABORTED');
        await Promise.all(active.map((s) => s.disposed));
        await this.#removeWorkDir();
        this.#closed = true;
        const p = this.#conn;
        this.#conn = undefined;
        this.#current = undefined;
        if (p === undefined) return;
        await p.then(
            (c) =>
                new Promise<void>((res) => {
                    if (c.dropped) return res();
                    c.client.once('close', () => res());
                    c.client.end();
                }),
            () => undefined,
        );
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

/**
 * One call's abort signal + timeout. `race` makes a pending step give up as soon as either fires; `onStop`
 * hooks do the real stopping (kill the remote process, end the SFTP session).
 */
class Stopper {
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

    dispose(): void {
        if (this.#timer !== undefined) clearTimeout(this.#timer);
        this.#opts.signal?.removeEventListener('abort', this.#onAbort);
        this.#markDisposed();
    }
}

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
