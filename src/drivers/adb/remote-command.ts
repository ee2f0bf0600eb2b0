// One command on the device: argv quoted by the shared quoteArgv inside the exit-marker wrapper (exit-marker.ts),
// run over an adb shell stream, and on the deadline killed on the device with everything it started. Keeps the
// streams in flight so close() can cut them.
import { SplitbenchError, messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';
import { quoteArg, quoteArgv } from '../shell-quote.js';
import type { ExecOptions, ExecResult } from '../types.js';
import { ANDROID_TMP, onDevice, type AdbTarget } from './adb-options.js';
import { AdbPortError, type AdbPort } from './adbkit-port.js';
import { race, withTimeout, type Deadline } from './deadline.js';
import { isEnvName, newMarker, parseWrappedOutput, wrapCommand } from './exit-marker.js';
import { readWrappedStream } from './shell-stream.js';

export class RemoteCommands {
    readonly #target: AdbTarget;
    readonly #port: AdbPort;
    readonly #log: Logger;
    readonly #open = new Set<{ destroy(): void }>();

    constructor(target: AdbTarget, port: AdbPort, log: Logger) {
        this.#target = target;
        this.#port = port;
        this.#log = log;
    }

    /**
     * Runs `argv` in `opts.cwd` (relative to the working directory; the working directory by default) with
     * `opts.env`; durationMs is wall time on the host, in ms. Does not check the device state first.
     * @throws SplitbenchError USAGE (bad environment variable name), NOT_FOUND (cwd is not a directory), the
     *   deadline's TIMEOUT/ABORTED; AdbPortError when the stream fails or ends before the command does.
     */
    async run(argv: readonly string[], opts: ExecOptions, deadline: Deadline): Promise<ExecResult> {
        const name = this.#target.device;
        const marker = newMarker();
        const envWords: string[] = [];
        for (const [k, v] of Object.entries(opts.env ?? {})) {
            if (!isEnvName(k))
                throw new SplitbenchError('USAGE', `device ${name}: bad environment variable name "${k}"`);
            envWords.push(quoteArg(`${k}=${v}`));
        }
        const cwd = opts.cwd !== undefined ? onDevice(this.#target, opts.cwd) : this.#target.workDir;
        const errFile = `${ANDROID_TMP}/.splitbench-${marker.token}.err`;
        const command = wrapCommand({
            marker,
            argvQuoted: quoteArgv(argv),
            cwdQuoted: quoteArg(cwd),
            envQuoted: envWords,
            stderrFileQuoted: quoteArg(errFile),
        });
        const started = performance.now();
        const stream = await race(this.#port.shell(this.#target.serial, command), deadline);
        this.#open.add(stream);
        try {
            const all = await readWrappedStream(stream, marker, deadline, (pid) => this.#killRemote(pid, errFile));
            const durationMs = performance.now() - started;
            const parsed = parseWrappedOutput(all, marker);
            if (parsed === undefined) {
                throw new AdbPortError('dropped', `the shell stream ended before the command finished`);
            }
            if (parsed.noCwd === true) {
                throw new SplitbenchError('NOT_FOUND', `device ${name}: exec cwd ${cwd} is not a directory`, {
                    details: { device: name, argv, cwd },
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

    /** Cuts every shell stream in flight (their calls fail); the commands are not killed on the device. */
    destroyAll(): void {
        for (const s of [...this.#open]) s.destroy();
        this.#open.clear();
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
                this.#port.shell(this.#target.serial, quoteArgv(['sh', '-c', script, 'sh', String(pid), errFile])),
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
}
