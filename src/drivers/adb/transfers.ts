// Push and pull over adb sync. A push is skipped when the device already has the same sha256 (toybox sha256sum),
// else written to a hidden sibling and renamed with `mv -f`, so a dropped link never leaves a half-written file
// under the final name. A pull writes to a local sibling and renames for the same reason.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, posix, resolve } from 'node:path';
import { SplitbenchError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { parseSha256sum, sha256File, tempSiblingPath } from '../hash-skip.js';
import type { CallOptions, PushOptions, PushResult } from '../types.js';
import type { AdbLink } from './adb-link.js';
import type { AdbTarget } from './adb-options.js';
import { AdbPortError, type AdbPort } from './adbkit-port.js';
import { createDeadline, race } from './deadline.js';
import type { RemoteCommands } from './remote-command.js';

export class Transfers {
    readonly #target: AdbTarget;
    readonly #port: AdbPort;
    readonly #link: AdbLink;
    readonly #commands: RemoteCommands;
    readonly #log: Logger;

    constructor(target: AdbTarget, port: AdbPort, link: AdbLink, commands: RemoteCommands, log: Logger) {
        this.#target = target;
        this.#port = port;
        this.#link = link;
        this.#commands = commands;
        this.#log = log;
    }

    /**
     * Copy local file `local` to absolute device path `dest`, creating its directory; skipped when `dest` already
     * has the same sha256.
     * @throws SplitbenchError NOT_FOUND (no such local file), USAGE (not a regular file), TRANSFER_FAILED,
     *   DEVICE_UNREACHABLE, TIMEOUT or ABORTED.
     */
    async push(local: string, dest: string, opts: PushOptions = {}): Promise<PushResult> {
        const name = this.#target.device;
        const what = `push ${local} to ${dest}`;
        const deadline = createDeadline(opts, name, what);
        let tmp: string | undefined;
        try {
            const srcStat = await stat(local).catch((e: unknown) => {
                if ((e as NodeJS.ErrnoException).code === 'ENOENT')
                    throw new SplitbenchError('NOT_FOUND', `push to ${name}: local file ${local} does not exist`);
                throw e;
            });
            if (!srcStat.isFile())
                throw new SplitbenchError('USAGE', `push to ${name}: ${local} is not a regular file`);
            const fired = deadline.reason();
            if (fired !== undefined) throw fired;
            await this.#link.ensureReady(deadline);
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
                this.#commands.run(check, { cwd: '/' }, deadline),
            ]);
            if (remoteCheck.exitCode === 3) {
                throw new SplitbenchError(
                    'TRANSFER_FAILED',
                    `push to ${name}: cannot create directory ${posix.dirname(dest)}: ${remoteCheck.stderr.trim()}`,
                    { details: { device: name, remote: dest } },
                );
            }
            if (parseSha256sum(remoteCheck.stdout) === sha256) {
                this.#log.debug({ local, remote: dest }, 'push skipped: same sha256');
                return { bytesSent: 0, skipped: true, sha256 };
            }
            tmp = tempSiblingPath(dest);
            const mode = opts.executable === true ? 0o755 : 0o644;
            const started = performance.now();
            const sent = await race(
                this.#port.pushFile(this.#target.serial, local, tmp, mode, deadline.signal),
                deadline,
            );
            const mv = await this.#commands.run(['mv', '-f', tmp, dest], { cwd: '/' }, deadline);
            if (mv.exitCode !== 0) {
                throw new SplitbenchError(
                    'TRANSFER_FAILED',
                    `push to ${name}: rename of ${tmp} to ${dest} failed: ${mv.stderr.trim() || `exit ${mv.exitCode}`}`,
                );
            }
            tmp = undefined;
            this.#log.debug({ local, remote: dest, bytes: sent, ms: performance.now() - started }, 'pushed');
            return { bytesSent: srcStat.size, skipped: false, sha256 };
        } catch (e) {
            const err = this.#link.fail(e, 'push', what, deadline);
            if (tmp !== undefined) await this.#removeQuietly(tmp);
            throw err;
        } finally {
            deadline.done();
        }
    }

    /** Removes a leftover temp file if the link still allows it; the final name was never written anyway. */
    async #removeQuietly(path: string): Promise<void> {
        try {
            const d = createDeadline({ timeoutMs: 5000 }, this.#target.device, `rm ${path}`);
            try {
                await this.#commands.run(['rm', '-f', path], { cwd: '/' }, d);
            } finally {
                d.done();
            }
        } catch {
            // Link is down; the temp name is hidden and never read.
        }
    }

    /**
     * Copy absolute device path `src` to local file `local`, creating its directory.
     * @throws SplitbenchError NOT_FOUND (no such file on the device), TRANSFER_FAILED, DEVICE_UNREACHABLE,
     *   TIMEOUT or ABORTED.
     */
    async pull(src: string, local: string, opts: CallOptions = {}): Promise<void> {
        const name = this.#target.device;
        const what = `pull ${src} to ${local}`;
        const deadline = createDeadline(opts, name, what);
        const dest = resolve(local);
        let tmp: string | undefined;
        try {
            const fired = deadline.reason();
            if (fired !== undefined) throw fired;
            await this.#link.ensureReady(deadline);
            await mkdir(dirname(dest), { recursive: true });
            tmp = `${dest}.splitbench-tmp-${randomBytes(6).toString('hex')}`;
            const got = await race(this.#port.pullFile(this.#target.serial, src, tmp, deadline.signal), deadline);
            if (got === undefined) {
                throw new SplitbenchError('NOT_FOUND', `pull from ${name}: ${src} does not exist or is not a file`, {
                    details: { device: name, remote: src },
                });
            }
            // sync's 32-bit stat size wraps above 4 GiB; compare modulo 2^32.
            if (got.received % 2 ** 32 !== got.size % 2 ** 32) {
                throw new AdbPortError('dropped', `received ${got.received} of ${got.size} bytes`);
            }
            await rename(tmp, dest);
            tmp = undefined;
        } catch (e) {
            throw this.#link.fail(e, 'pull', what, deadline);
        } finally {
            if (tmp !== undefined) await unlink(tmp).catch(() => undefined);
            deadline.done();
        }
    }
}
