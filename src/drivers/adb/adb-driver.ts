// Android devices through an adb server (local, started on demand, or remote): USB serials, `host:port`
// devices connected on demand, and devices on another machine's server (lab host, STF farm).
// Talks to adbkit only through AdbPort; commands are quoted by the shared quoteArgv.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, posix, resolve } from 'node:path';
import { SplitbenchError, isSplitbenchError, messageOf } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { parseSha256sum, sha256File, tempSiblingPath } from '../hash-skip.js';
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
import { adbFailureError, parseHostPort, type AdbOp } from './adb-failure.js';
import { AdbPortError, createAdbkitPort, type AdbDeviceEntry, type AdbFailure, type AdbPort } from './adbkit-port.js';
import { ANDROID_PROBE_SCRIPT, parseAndroidProbe } from './android-probe.js';
import { createDeadline, race, sleep, withTimeout, type Deadline } from './deadline.js';
import { isEnvName, newMarker, parseWrappedOutput, wrapCommand } from './exit-marker.js';
import { readWrappedStream } from './shell-stream.js';

/** host:port parsing, shared with `devices add --adb-server`. */
export { parseHostPort } from './adb-failure.js';

export const DEFAULT_ADB_SERVER = '127.0.0.1:5037';
/** Every Android device lets the shell user write here; campaign directories live below it. */
export const ANDROID_TMP = '/data/local/tmp';
export const DEFAULT_WORK_ROOT = `${ANDROID_TMP}/splitbench`;

export interface AdbDriverOptions {
    /** Device name from the device file; used in every message. */
    name: string;
    /** USB serial as `adb devices` shows it, or `host:port` of a device reached with `adb connect`. */
    serial: string;
    /**
     * adb server `host:port`. A loopback server that is not running is started with `adbBin start-server`;
     * a remote one (lab host, STF) must already run.
     * @default `127.0.0.1:$ANDROID_ADB_SERVER_PORT`, else 127.0.0.1:5037
     */
    server?: string | undefined;
    /** @default 'adb' */
    adbBin?: string | undefined;
    /** Start a loopback adb server that is not running (never done for a remote one). @default true */
    startServer?: boolean | undefined;
    /** Campaign name: the working directory is `workRoot/campaign`. @default 'default' */
    campaign?: string | undefined;
    /** @default /data/local/tmp/splitbench */
    workRoot?: string | undefined;
    /** Exact working directory; overrides workRoot/campaign. */
    workDir?: string | undefined;
    /** How long a freshly connected `host:port` device may stay offline/connecting. @default 10000 */
    connectWaitMs?: number | undefined;
    logger?: Logger | undefined;
    /** Replaces the adbkit port (unit tests). */
    port?: AdbPort | undefined;
}

const defaultServer = (): string => {
    const p = process.env['ANDROID_ADB_SERVER_PORT'];
    return p !== undefined && /^\d+$/.test(p) ? `127.0.0.1:${p}` : DEFAULT_ADB_SERVER;
};

export const createAdbDriver = (opts: AdbDriverOptions): AdbDriver => new AdbDriver(opts);

export class AdbDriver implements DeviceDriver {
    readonly name: string;
    readonly kind = 'adb' as const;
    readonly serial: string;
    readonly server: string;
    readonly #port: AdbPort;
    readonly #workDir: string;
    readonly #connectWaitMs: number;
    readonly #log: Logger;
    readonly #open = new Set<{ destroy(): void }>();
    #ready: Promise<void> | undefined;
    #closed = false;

    constructor(opts: AdbDriverOptions) {
        this.name = opts.name;
        this.serial = opts.serial.trim();
        this.server = opts.server ?? defaultServer();
        const addr = parseHostPort(this.server);
        if (addr === undefined) {
            throw new SplitbenchError(
                'CONFIG_INVALID',
                `device ${opts.name}: adb server "${this.server}" is not host:port`,
            );
        }
        if (this.serial === '') throw new SplitbenchError('CONFIG_INVALID', `device ${opts.name}: empty adb serial`);
        this.#port =
            opts.port ??
            createAdbkitPort({
                host: addr.host,
                port: addr.port,
                adbBin: opts.startServer === false ? undefined : (opts.adbBin ?? 'adb'),
            });
        const root = opts.workRoot ?? DEFAULT_WORK_ROOT;
        this.#workDir = opts.workDir ?? posix.join(root, opts.campaign ?? 'default');
        this.#connectWaitMs = opts.connectWaitMs ?? 10_000;
        this.#log = (opts.logger ?? silentLogger()).child({ device: opts.name, driver: 'adb' });
    }

    workDir(): string {
        return this.#workDir;
    }

    #abs(p: string): string {
        return p.startsWith('/') ? p : posix.join(this.#workDir, p);
    }

    // ---- connection state ------------------------------------------------------------------------------

    /** Checks the device state once (connecting `host:port` devices on demand); reset after a link failure. */
    #ensureReady(deadline: Deadline): Promise<void> {
        if (this.#closed) throw new SplitbenchError('ABORTED', `device ${this.name}: driver is closed`);
        this.#ready ??= this.#checkState(deadline).catch((e: unknown) => {
            this.#ready = undefined;
            throw e;
        });
        return race(this.#ready, deadline);
    }

    async #checkState(deadline: Deadline): Promise<void> {
        const isTcp = parseHostPort(this.serial) !== undefined;
        let entry = (await this.#port.listDevices()).find((d) => d.serial === this.serial);
        if ((entry === undefined || entry.state === 'offline') && isTcp) {
            this.#log.debug({ serial: this.serial }, 'adb connect');
            try {
                await this.#port.connect(this.serial);
            } catch (e) {
                // An unauthorized device still shows up in the list; report that state rather than the connect text.
                if (!(e instanceof AdbPortError && e.failure === 'unauthorized')) throw e;
            }
            entry = await this.#waitOnline(deadline);
        }
        if (entry === undefined) {
            const all = await this.#port.listDevices();
            const known = all.map((d) => `${d.serial} (${d.state})`).join(', ') || 'none';
            throw new AdbPortError(
                'not-found',
                `device ${this.name}: serial ${this.serial} is not attached to the adb server at ${this.server} ` +
                    `(attached: ${known}) — check the cable or the serial with "adb devices"`,
            );
        }
        if (entry.state === 'unauthorized') throw new AdbPortError('unauthorized', 'unauthorized');
        if (entry.state === 'offline') throw new AdbPortError('offline', 'offline');
        // One cheap command proves the shell works and creates the working directory that exec defaults to.
        const r = await this.#execRaw(['mkdir', '-p', this.#workDir], { cwd: '/' }, deadline);
        if (r.exitCode !== 0) {
            throw new SplitbenchError(
                'DEVICE_UNREACHABLE',
                `device ${this.name}: cannot create working directory ${this.#workDir}: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
            );
        }
    }

    async #waitOnline(deadline: Deadline): Promise<AdbDeviceEntry | undefined> {
        const until = Date.now() + this.#connectWaitMs;
        for (;;) {
            const entry = (await this.#port.listDevices()).find((d) => d.serial === this.serial);
            // `offline` right after connect usually means the handshake is still running.
            if (entry !== undefined && (entry.state !== 'offline' || Date.now() >= until)) return entry;
            if (Date.now() >= until) return entry;
            await sleep(100, deadline.signal);
        }
    }

    /** Turns a port failure into the one error type, with what the user should do (adb-failure.ts). */
    #fail(e: unknown, op: AdbOp, what: string, deadline?: Deadline): SplitbenchError {
        const fired = deadline?.reason();
        if (fired !== undefined) return fired;
        if (isSplitbenchError(e)) return e;
        const failure: AdbFailure = e instanceof AdbPortError ? e.failure : 'other';
        if (failure !== 'remote-fail' && failure !== 'aborted') this.#ready = undefined;
        return adbFailureError(e, failure, { op, what, device: this.name, serial: this.serial, server: this.server });
    }

    #deadline(opts: CallOptions, what: string): Deadline {
        return createDeadline(opts, this.name, what);
    }

    // ---- exec ------------------------------------------------------------------------------------------

    async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
        if (argv.length === 0) throw new SplitbenchError('USAGE', `device ${this.name}: exec with an empty argv`);
        const what = `command ${argv.join(' ')}`;
        const deadline = this.#deadline(opts, what);
        try {
            const fired = deadline.reason();
            if (fired !== undefined) throw fired;
            await this.#ensureReady(deadline);
            const r = await this.#execRaw(argv, opts, deadline);
            this.#log.debug({ argv, exitCode: r.exitCode, durationMs: r.durationMs }, 'exec');
            if (r.exitCode !== 0 && r.stdout.trim() === '' && r.stderr.trim() === '') await this.#confirmLink(r);
            return r;
        } catch (e) {
            throw this.#fail(e, 'exec', what, deadline);
        } finally {
            deadline.done();
        }
    }

    async #execRaw(argv: readonly string[], opts: ExecOptions, deadline: Deadline): Promise<ExecResult> {
        const marker = newMarker();
        const envWords: string[] = [];
        for (const [k, v] of Object.entries(opts.env ?? {})) {
            if (!isEnvName(k))
                throw new SplitbenchError('USAGE', `device ${this.name}: bad environment variable name "${k}"`);
            envWords.push(quoteArg(`${k}=${v}`));
        }
        const cwd = opts.cwd !== undefined ? this.#abs(opts.cwd) : this.#workDir;
        const errFile = `${ANDROID_TMP}/.splitbench-${marker.token}.err`;
        const command = wrapCommand({
            marker,
            argvQuoted: quoteArgv(argv),
            cwdQuoted: quoteArg(cwd),
            envQuoted: envWords,
            stderrFileQuoted: quoteArg(errFile),
        });
        const started = performance.now();
        const stream = await race(this.#port.shell(this.serial, command), deadline);
        this.#open.add(stream);
        try {
            const all = await readWrappedStream(stream, marker, deadline, (pid) => this.#killRemote(pid, errFile));
            const durationMs = performance.now() - started;
            const parsed = parseWrappedOutput(all, marker);
            if (parsed === undefined) {
                throw new AdbPortError('dropped', `the shell stream ended before the command finished`);
            }
            if (parsed.noCwd === true) {
                throw new SplitbenchError('NOT_FOUND', `device ${this.name}: exec cwd ${cwd} is not a directory`, {
                    details: { device: this.name, argv, cwd },
                });
            }
            return {
                argv,
                exitCode: parsed.exitCode,
                stdout: parsed.stdout.toString('utf8'),
                stderr: parsed.stderr.toString('utf8'),
                stderrMerged: false,
                durationMs,
            };
        } finally {
            this.#open.delete(stream);
            stream.destroy();
        }
    }

    /**
     * A command that failed without a word may have died with its link (the phone's host dropped, its adb server
     * was killed): the wrapper's exit status can reach us before the stream ends, and the empty output would then
     * be stored as a benchmark that printed nothing. Asks the adb server whether the device is still there; throws
     * AdbPortError('dropped') with what it found when it is not. Bounded to 10 s.
     */
    async #confirmLink(r: ExecResult): Promise<void> {
        let found: string;
        try {
            const entry = (await withTimeout(this.#port.listDevices(), 10_000)).find((d) => d.serial === this.serial);
            if (entry?.state === 'device' || entry?.state === 'emulator') return;
            found =
                entry === undefined
                    ? `the adb server at ${this.server} no longer lists ${this.serial}`
                    : `${this.serial} is ${entry.state} on the adb server at ${this.server}`;
        } catch (e) {
            found = `the adb server at ${this.server} is gone: ${messageOf(e)}`;
        }
        throw new AdbPortError('dropped', `exit ${r.exitCode} with no output; ${found}`);
    }

    /** Kills the command and everything it started, from a second shell; best effort, bounded in time. */
    async #killRemote(pid: number, errFile: string): Promise<void> {
        // Stop the leader first so it cannot fork, then find descendants by ppid in /proc/*/stat (stopping each as
        // found), then SIGKILL them all. /proc/PID/task/*/children is not in every kernel; /proc/*/stat is.
        const script = [
            'P="$1"; E="$2"; kill -STOP "$P" 2>/dev/null; all="$P"; new="$P"',
            'while [ -n "$new" ]; do next=""',
            '  for s in /proc/[0-9]*/stat; do { read -r l < "$s"; } 2>/dev/null || continue; set -- ${l##*) }',
            '    for p in $new; do if [ "$2" = "$p" ]; then c=${s#/proc/}; c=${c%/stat}; kill -STOP "$c" 2>/dev/null; next="$next $c"; fi; done',
            '  done; all="$all $next"; new="$next"',
            'done',
            'kill -9 $all 2>/dev/null; rm -f "$E"; true',
        ].join('\n');
        try {
            const s = await withTimeout(
                this.#port.shell(this.serial, quoteArgv(['sh', '-c', script, 'sh', String(pid), errFile])),
                5000,
            );
            await new Promise<void>((r) => {
                s.on('end', r);
                s.on('close', r);
                s.on('error', () => r());
                s.resume();
                setTimeout(r, 5000).unref();
            });
            s.destroy();
            this.#log.debug({ pid }, 'killed remote command');
        } catch (e) {
            this.#log.warn({ pid, err: messageOf(e) }, 'could not kill remote command');
        }
    }

    // ---- push / pull -----------------------------------------------------------------------------------

    async push(local: string, remote: string, opts: PushOptions = {}): Promise<PushResult> {
        const dest = this.#abs(remote);
        const what = `push ${local} to ${dest}`;
        const deadline = this.#deadline(opts, what);
        let tmp: string | undefined;
        try {
            const srcStat = await stat(local).catch((e: unknown) => {
                if ((e as NodeJS.ErrnoException).code === 'ENOENT')
                    throw new SplitbenchError('NOT_FOUND', `push to ${this.name}: local file ${local} does not exist`);
                throw e;
            });
            if (!srcStat.isFile())
                throw new SplitbenchError('USAGE', `push to ${this.name}: ${local} is not a regular file`);
            const fired = deadline.reason();
            if (fired !== undefined) throw fired;
            await this.#ensureReady(deadline);
            // Hash locally and on the device at the same time; the device's sha256sum is toybox's on Android.
            const check = [
                'sh',
                '-c',
                'mkdir -p "$1" || exit 3; if [ "$3" = x ] && [ -f "$2" ]; then chmod 755 "$2"; fi; sha256sum "$2" 2>/dev/null; exit 0',
                'sh',
                posix.dirname(dest),
                dest,
                opts.executable === true ? 'x' : '-',
            ];
            const [sha256, remoteCheck] = await Promise.all([
                race(sha256File(local, deadline.signal), deadline),
                this.#execRaw(check, { cwd: '/' }, deadline),
            ]);
            if (remoteCheck.exitCode === 3) {
                throw new SplitbenchError(
                    'TRANSFER_FAILED',
                    `push to ${this.name}: cannot create directory ${posix.dirname(dest)}: ${remoteCheck.stderr.trim()}`,
                    { details: { device: this.name, remote: dest } },
                );
            }
            if (parseSha256sum(remoteCheck.stdout) === sha256) {
                this.#log.debug({ local, remote: dest }, 'push skipped: same sha256');
                return { bytesSent: 0, skipped: true, sha256 };
            }
            tmp = tempSiblingPath(dest);
            const mode = opts.executable === true ? 0o755 : 0o644;
            const started = performance.now();
            const sent = await race(this.#port.pushFile(this.serial, local, tmp, mode, deadline.signal), deadline);
            const mv = await this.#execRaw(['mv', '-f', tmp, dest], { cwd: '/' }, deadline);
            if (mv.exitCode !== 0) {
                throw new SplitbenchError(
                    'TRANSFER_FAILED',
                    `push to ${this.name}: rename of ${tmp} to ${dest} failed: ${mv.stderr.trim() || `exit ${mv.exitCode}`}`,
                );
            }
            tmp = undefined;
            this.#log.debug({ local, remote: dest, bytes: sent, ms: performance.now() - started }, 'pushed');
            return { bytesSent: srcStat.size, skipped: false, sha256 };
        } catch (e) {
            const err = this.#fail(e, 'push', what, deadline);
            if (tmp !== undefined) await this.#removeQuietly(tmp);
            throw err;
        } finally {
            deadline.done();
        }
    }

    /** Removes a leftover temp file if the link still allows it; the final name was never written anyway. */
    async #removeQuietly(path: string): Promise<void> {
        try {
            const d = this.#deadline({ timeoutMs: 5000 }, `rm ${path}`);
            try {
                await this.#execRaw(['rm', '-f', path], { cwd: '/' }, d);
            } finally {
                d.done();
            }
        } catch {
            // Link is down; the temp name is hidden and never read.
        }
    }

    async pull(remote: string, local: string, opts: CallOptions = {}): Promise<void> {
        const src = this.#abs(remote);
        const what = `pull ${src} to ${local}`;
        const deadline = this.#deadline(opts, what);
        const dest = resolve(local);
        let tmp: string | undefined;
        try {
            const fired = deadline.reason();
            if (fired !== undefined) throw fired;
            await this.#ensureReady(deadline);
            await mkdir(dirname(dest), { recursive: true });
            tmp = `${dest}.splitbench-tmp-${randomBytes(6).toString('hex')}`;
            const got = await race(this.#port.pullFile(this.serial, src, tmp, deadline.signal), deadline);
            if (got === undefined) {
                throw new SplitbenchError(
                    'NOT_FOUND',
                    `pull from ${this.name}: ${src} does not exist or is not a file`,
                    {
                        details: { device: this.name, remote: src },
                    },
                );
            }
            // sync's 32-bit stat size wraps above 4 GiB; compare modulo 2^32.
            if (got.received % 2 ** 32 !== got.size % 2 ** 32) {
                throw new AdbPortError('dropped', `received ${got.received} of ${got.size} bytes`);
            }
            await rename(tmp, dest);
            tmp = undefined;
        } catch (e) {
            throw this.#fail(e, 'pull', what, deadline);
        } finally {
            if (tmp !== undefined) await unlink(tmp).catch(() => undefined);
            deadline.done();
        }
    }

    // ---- probe / cleanup / close -----------------------------------------------------------------------

    async probe(opts: CallOptions = {}): Promise<DeviceProbe> {
        const r = await this.exec(['sh', '-c', ANDROID_PROBE_SCRIPT, 'sh', this.#workDir], opts);
        if (!r.stdout.includes('@@SB@@ end')) {
            throw new SplitbenchError(
                'PARSE_FAILED',
                `device ${this.name}: probe output was cut short (exit ${r.exitCode})`,
                {
                    details: { device: this.name, stdoutTail: r.stdout.slice(-500), stderr: r.stderr.slice(-500) },
                },
            );
        }
        return parseAndroidProbe(r.stdout, {
            workDir: this.#workDir,
            probedAt: new Date().toISOString(),
            adbSerial: this.serial,
        });
    }

    /** Deletes this campaign's working directory on the device. */
    async removeWorkDir(opts: CallOptions = {}): Promise<void> {
        if (!this.#workDir.startsWith(`${ANDROID_TMP}/`)) {
            throw new SplitbenchError(
                'USAGE',
                `device ${this.name}: refusing to delete ${this.#workDir} (outside ${ANDROID_TMP})`,
            );
        }
        const r = await this.exec(['rm', '-rf', this.#workDir], { ...opts, cwd: '/' });
        this.#ready = undefined;
        if (r.exitCode !== 0) {
            throw new SplitbenchError(
                'TRANSFER_FAILED',
                `device ${this.name}: rm -rf ${this.#workDir}: ${r.stderr.trim()}`,
            );
        }
    }

    close(): Promise<void> {
        this.#closed = true;
        for (const s of [...this.#open]) s.destroy();
        this.#open.clear();
        return Promise.resolve();
    }
}
