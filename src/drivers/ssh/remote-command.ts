// Running one command on the host, and stopping it.
//
// OpenSSH ignores "signal" channel requests for sessions without a pty in most versions, so stopping a remote
// command cannot rely on them. Every command runs as `echo <token>$$; ... exec CMD`: the shell reports its PID,
// then becomes the command. sshd starts each session with setsid(), so that PID is also the process group, and
// abort/timeout kills the whole group over a second channel (TERM, then KILL after a grace period).
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { SplitbenchError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { quoteArg, quoteArgv } from '../shell-quote.js';
import type { CallOptions } from '../types.js';
import type { Connection } from './ssh-connection.js';
import type { SshLink } from './ssh-link.js';
import { unreachableError, type SshTarget } from './ssh-options.js';

export interface RunResult {
    /** The command's exit status; 128 + signal number when a signal killed it (255 for an unknown signal). */
    exitCode: number;
    stdout: string;
    stderr: string;
    /** The working directory given to commandLine() could not be entered; the command did not start. */
    noCwd: boolean;
}

export interface RemoteCommandsOptions {
    link: SshLink;
    target: SshTarget;
    /** The driver's working directory; commands without a cwd run there, creating it on first use. */
    workDir: string;
    /** The working directory is the driver's private one: create it mode 0700. */
    ownWorkDir: boolean;
    /** Time between TERM and KILL when stopping a command. */
    killGraceMs: number;
    log: Logger;
}

const signalExitCode = (signal: string | undefined): number => {
    const n = signal === undefined ? undefined : (osConstants.signals as Record<string, number>)[`SIG${signal}`];
    return n === undefined ? 255 : 128 + n;
};

/** Run `command` on `conn` and wait for its channel to close, discarding its output. */
export const runDiscardingOutput = async (conn: Connection, command: string): Promise<void> => {
    const ch = await conn.exec(command);
    ch.end();
    ch.resume();
    ch.stderr.resume();
    await new Promise<void>((res) => ch.on('close', () => res()));
};

export class RemoteCommands {
    readonly #link: SshLink;
    readonly #target: SshTarget;
    readonly #workDir: string;
    readonly #ownWorkDir: boolean;
    readonly #killGraceMs: number;
    readonly #log: Logger;
    // Random per driver so no command output can fake the PID line.
    readonly #token = `@splitbench-${randomBytes(6).toString('hex')}:`;

    constructor(opts: RemoteCommandsOptions) {
        this.#link = opts.link;
        this.#target = opts.target;
        this.#workDir = opts.workDir;
        this.#ownWorkDir = opts.ownWorkDir;
        this.#killGraceMs = opts.killGraceMs;
        this.#log = opts.log;
    }

    /**
     * The shell command line that runs `argv` in `cwd` (absolute; undefined: the working directory) with `env`
     * added, announcing its PID first so run() can stop it.
     * @throws SplitbenchError USAGE for an environment variable name the shell cannot take.
     */
    commandLine(argv: readonly string[], cwd: string | undefined, env: Readonly<Record<string, string>> = {}): string {
        const parts = [`echo '${this.#token}'$$`];
        const nocwd = `{ echo '${this.#token}nocwd'; exit 1; }`;
        if (cwd === undefined) {
            const w = quoteArg(this.#workDir);
            const mode = this.#ownWorkDir ? '-m 700 ' : '';
            parts.push(
                `{ cd -- ${w} 2>/dev/null || { mkdir -p ${mode}-- ${w} && cd -- ${w}; }; } 2>/dev/null || ${nocwd}`,
            );
        } else {
            parts.push(`cd -- ${quoteArg(cwd)} 2>/dev/null || ${nocwd}`);
        }
        for (const [k, v] of Object.entries(env)) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
                throw new SplitbenchError(
                    'USAGE',
                    `device ${this.#target.device}: environment variable name ${JSON.stringify(k)} is not valid`,
                );
            }
            parts.push(`${k}=${quoteArg(v)}; export ${k}`);
        }
        parts.push(`exec ${quoteArgv(argv)}`);
        return parts.join('; ');
    }

    /**
     * Run a shell command line (from commandLine(), or a helper script that prints no PID line); `argv` names it
     * in messages. On abort or timeout the remote process group is killed before the promise settles.
     * @throws SplitbenchError (as a rejection) TIMEOUT or ABORTED; DEVICE_UNREACHABLE when the link drops or the
     *   session ends without an exit status. A non-zero exit is a result, not an error.
     */
    async run(command: string, argv: readonly string[], opts: CallOptions): Promise<RunResult> {
        const what = `command ${argv.join(' ')}`;
        const stopper = this.#link.stopper(opts, what);
        try {
            const { conn, value: stream } = await this.#link.open(stopper, (c) => c.exec(command));
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
                            const why = conn.dropped
                                ? `connection dropped while running ${argv.join(' ')}`
                                : `session for ${argv.join(' ')} closed without an exit status`;
                            return reject(unreachableError(this.#target, why));
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
            await runDiscardingOutput(conn, script);
        } catch (e) {
            this.#log.warn({ err: e, pid }, 'could not stop remote process');
        }
    }
}
