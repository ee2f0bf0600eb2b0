// Driver for the machine splitbench runs on. The only module that imports execa. "Push" and "pull" are file
// copies with the same hash-skip and temp-name-then-rename rules as the remote drivers, so a campaign behaves the
// same whether the server half runs here or over SSH.
import { execa } from 'execa';
import { constants as osConstants, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { chmod, copyFile, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { SplitbenchError, messageOf } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { rememberSha256, sha256File, tempSiblingPath } from '../hash-skip.js';
import { LINUX_PROBE_SCRIPT, parseLinuxProbe } from '../linux-probe.js';
import type {
    CallOptions,
    DeviceDriver,
    DeviceProbe,
    ExecOptions,
    ExecResult,
    PushOptions,
    PushResult,
} from '../types.js';

export interface LocalDriverOptions {
    /** Device name from the device file; used in messages. */
    name: string;
    /**
     * Working directory for this campaign; relative push/pull paths and exec without `cwd` resolve against it.
     * Given: kept (a persistent folder, so unchanged pushes are skipped across runs). Not given: a fresh private
     * folder `<os.tmpdir()>/splitbench-<campaign>-XXXXXX` (mkdtemp, mode 0700) made on first use and removed by
     * close(), so two checkouts or two users never share files.
     */
    workDir?: string | undefined;
    /** Keep the mkdtemp working directory after close() (for inspecting what ran). @default false */
    keepWorkDir?: boolean | undefined;
    /** @default 'default' */
    campaign?: string | undefined;
    /** How long a killed command gets after SIGTERM before SIGKILL. @default 2000 */
    killGraceMs?: number | undefined;
    logger?: Logger | undefined;
}

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

// Exit status a POSIX shell would report, so local results look like the remote ones.
const signalExitCode = (signal: string | undefined): number => {
    const n = signal === undefined ? undefined : (osConstants.signals as Record<string, number>)[signal];
    return n === undefined ? 1 : 128 + n;
};

export const createLocalDriver = (opts: LocalDriverOptions): DeviceDriver => new LocalDriver(opts);

class LocalDriver implements DeviceDriver {
    readonly name: string;
    readonly kind = 'local' as const;
    #workDir: string | undefined;
    readonly #ownWorkDir: boolean;
    readonly #keepWorkDir: boolean;
    readonly #campaign: string;
    readonly #killGraceMs: number;
    readonly #log: Logger;
    readonly #running = new Set<() => void>();
    #workDirReady = false;

    constructor(opts: LocalDriverOptions) {
        this.name = opts.name;
        this.#workDir = opts.workDir !== undefined ? resolve(opts.workDir) : undefined;
        this.#ownWorkDir = opts.workDir === undefined;
        this.#keepWorkDir = opts.keepWorkDir === true;
        this.#campaign = opts.campaign ?? 'default';
        this.#killGraceMs = opts.killGraceMs ?? 2000;
        this.#log = (opts.logger ?? silentLogger()).child({ device: opts.name, driver: 'local' });
    }

    workDir(): string {
        // made on first use: a driver that is created but never used leaves nothing behind
        this.#workDir ??= mkdtempSync(join(tmpdir(), `splitbench-${this.#campaign.replace(/[^A-Za-z0-9._-]/g, '_')}-`));
        return this.#workDir;
    }

    #abs(p: string): string {
        return isAbsolute(p) ? p : join(this.workDir(), p);
    }

    async #ensureWorkDir(): Promise<void> {
        if (this.#workDirReady) return;
        await mkdir(this.workDir(), { recursive: true });
        this.#workDirReady = true;
    }

    async probe(opts: CallOptions = {}): Promise<DeviceProbe> {
        await this.#ensureWorkDir();
        const r = await this.exec(['sh', '-c', LINUX_PROBE_SCRIPT, 'probe', this.workDir()], opts);
        return parseLinuxProbe(r.stdout, {
            kind: 'local',
            workDir: this.workDir(),
            probedAt: new Date().toISOString(),
        });
    }

    async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
        const [file, ...args] = argv;
        if (file === undefined) throw new SplitbenchError('USAGE', `device ${this.name}: exec with an empty argv`);
        throwIfAborted(opts.signal, this.name, argv);
        let cwd: string;
        if (opts.cwd === undefined) {
            await this.#ensureWorkDir();
            cwd = this.workDir();
        } else {
            cwd = this.#abs(opts.cwd);
            const st = await stat(cwd).catch(() => undefined);
            if (!st?.isDirectory()) {
                throw new SplitbenchError('NOT_FOUND', `device ${this.name}: exec cwd ${cwd} is not a directory`, {
                    details: { device: this.name, argv, cwd },
                });
            }
        }

        const started = performance.now();
        const cancel = new AbortController();
        let stopReason: 'TIMEOUT' | 'ABORTED' | undefined;
        // `detached` makes the child a process-group leader, so a stop reaches everything it started (a benchmark
        // wrapper script and the benchmark under it), not just the direct child.
        const child = execa(file, args, {
            reject: false,
            cwd,
            env: opts.env ?? {},
            extendEnv: true,
            detached: true,
            stdin: 'ignore',
            stripFinalNewline: false,
            cancelSignal: cancel.signal,
            forceKillAfterDelay: this.#killGraceMs,
            maxBuffer: 256 * 1024 * 1024,
        });
        let graceTimer: NodeJS.Timeout | undefined;
        const stop = (reason: 'TIMEOUT' | 'ABORTED'): void => {
            if (stopReason !== undefined) return;
            stopReason = reason;
            killGroup(child.pid, 'SIGTERM');
            cancel.abort();
            graceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), this.#killGraceMs);
            graceTimer.unref();
        };
        const onAbort = (): void => stop('ABORTED');
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        const timer =
            opts.timeoutMs !== undefined ? setTimeout(() => stop('TIMEOUT'), Math.max(0, opts.timeoutMs)) : undefined;
        const closeHook = (): void => stop('ABORTED');
        this.#running.add(closeHook);
        try {
            const r = await child;
            const durationMs = performance.now() - started;
            if (stopReason !== undefined) {
                // The leader is gone; make sure nothing it left in its group outlives the call.
                killGroup(child.pid, 'SIGKILL');
                const what = stopReason === 'TIMEOUT' ? `timed out after ${opts.timeoutMs ?? 0} ms` : 'aborted';
                throw new SplitbenchError(stopReason, `device ${this.name}: command ${argv.join(' ')} ${what}`, {
                    details: { device: this.name, argv, durationMs, stderrTail: tail(String(r.stderr)) },
                });
            }
            let exitCode = r.exitCode;
            let stderr = String(r.stderr);
            if (exitCode === undefined) {
                if (r.signal !== undefined) exitCode = signalExitCode(r.signal);
                else if (r.code === 'ENOENT') {
                    exitCode = 127;
                    stderr ||= `${file}: not found\n`;
                } else if (r.code === 'EACCES') {
                    exitCode = 126;
                    stderr ||= `${file}: permission denied\n`;
                } else if (r.isMaxBuffer) {
                    throw new SplitbenchError(
                        'TRANSFER_FAILED',
                        `device ${this.name}: output of ${file} exceeded 256 MiB`,
                        {
                            details: { device: this.name, argv },
                        },
                    );
                } else {
                    throw new SplitbenchError('INTERNAL', `device ${this.name}: could not run ${file}: ${r.message}`, {
                        cause: r.cause,
                        details: { device: this.name, argv },
                    });
                }
            }
            this.#log.debug({ argv, exitCode, durationMs }, 'exec');
            return { argv, exitCode, stdout: String(r.stdout), stderr, stderrMerged: false, durationMs };
        } finally {
            if (timer !== undefined) clearTimeout(timer);
            if (graceTimer !== undefined && stopReason === undefined) clearTimeout(graceTimer);
            opts.signal?.removeEventListener('abort', onAbort);
            this.#running.delete(closeHook);
        }
    }

    async push(local: string, remote: string, opts: PushOptions = {}): Promise<PushResult> {
        const dest = this.#abs(remote);
        throwIfAborted(opts.signal, this.name, ['push', local, dest]);
        const srcStat = await stat(local).catch((e: unknown) => {
            if (isMissing(e))
                throw new SplitbenchError('NOT_FOUND', `push to ${this.name}: local file ${local} does not exist`);
            throw e;
        });
        if (!srcStat.isFile())
            throw new SplitbenchError('USAGE', `push to ${this.name}: ${local} is not a regular file`);
        const [sha256, destSha] = await Promise.all([
            sha256File(local, opts.signal),
            sha256File(dest).catch(() => undefined),
        ]);
        if (destSha === sha256) {
            if (opts.executable) await chmod(dest, 0o755);
            return { bytesSent: 0, skipped: true, sha256 };
        }
        const tmp = tempSiblingPath(dest);
        try {
            await mkdir(dirname(dest), { recursive: true });
            await copyFile(local, tmp);
            throwIfAborted(opts.signal, this.name, ['push', local, dest]);
            await chmod(tmp, opts.executable ? 0o755 : 0o644);
            await rename(tmp, dest);
            await rememberSha256(dest, sha256);
        } catch (e) {
            await unlink(tmp).catch(() => undefined);
            if (e instanceof SplitbenchError) throw e;
            throw new SplitbenchError(
                'TRANSFER_FAILED',
                `push ${local} to ${this.name}:${dest} failed: ${messageOf(e)}`,
                {
                    cause: e,
                    details: { device: this.name, local, remote: dest },
                },
            );
        }
        return { bytesSent: srcStat.size, skipped: false, sha256 };
    }

    async pull(remote: string, local: string, opts: CallOptions = {}): Promise<void> {
        const src = this.#abs(remote);
        throwIfAborted(opts.signal, this.name, ['pull', src, local]);
        const st = await stat(src).catch(() => undefined);
        if (!st?.isFile()) {
            throw new SplitbenchError('NOT_FOUND', `pull from ${this.name}: ${src} does not exist or is not a file`, {
                details: { device: this.name, remote: src },
            });
        }
        const dest = resolve(local);
        const tmp = tempSiblingPath(dest);
        try {
            await mkdir(dirname(dest), { recursive: true });
            await copyFile(src, tmp);
            throwIfAborted(opts.signal, this.name, ['pull', src, local]);
            await rename(tmp, dest);
        } catch (e) {
            await unlink(tmp).catch(() => undefined);
            if (e instanceof SplitbenchError) throw e;
            throw new SplitbenchError(
                'TRANSFER_FAILED',
                `pull ${this.name}:${src} to ${local} failed: ${messageOf(e)}`,
                {
                    cause: e,
                    details: { device: this.name, remote: src, local },
                },
            );
        }
    }

    async close(): Promise<void> {
        for (const stop of [...this.#running]) stop();
        if (this.#ownWorkDir && !this.#keepWorkDir && this.#workDir !== undefined) {
            await rm(this.#workDir, { recursive: true, force: true }).catch((e: unknown) =>
                this.#log.warn({ err: e, workDir: this.#workDir }, 'removing the working directory failed'),
            );
            this.#workDir = undefined;
            this.#workDirReady = false;
        }
    }
}

const killGroup = (pid: number | undefined, signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
        process.kill(-pid, signal);
    } catch {
        // Group already gone.
    }
};

const tail = (s: string): string => (s.length > 2000 ? s.slice(-2000) : s);

const throwIfAborted = (signal: AbortSignal | undefined, device: string, argv: readonly string[]): void => {
    if (signal?.aborted) {
        throw new SplitbenchError('ABORTED', `device ${device}: ${argv[0] ?? 'call'} aborted before it started`, {
            details: { device, argv },
        });
    }
};
