// Push and pull over SFTP. Pushes write to a hidden sibling and rename with posix-rename@openssh.com, so a
// dropped link never leaves a half-written file under the final name; an unchanged file (same sha256 remotely)
// is not sent at all. Pulls write to a local sibling and rename for the same reason.
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, posix, resolve } from 'node:path';
import { SplitbenchError, isSplitbenchError, messageOf } from '../../errors.js';
import { parseSha256sum, sha256File, tempSiblingPath } from '../hash-skip.js';
import { quoteArg } from '../shell-quote.js';
import type { CallOptions, PushOptions, PushResult } from '../types.js';
import { runDiscardingOutput, type RemoteCommands } from './remote-command.js';
import type { Connection, SftpSession } from './ssh-connection.js';
import type { SshLink } from './ssh-link.js';
import type { SshTarget } from './ssh-options.js';
import type { Stopper } from './stopper.js';

export class Transfers {
    readonly #target: SshTarget;
    readonly #link: SshLink;
    readonly #commands: RemoteCommands;

    constructor(target: SshTarget, link: SshLink, commands: RemoteCommands) {
        this.#target = target;
        this.#link = link;
        this.#commands = commands;
    }

    /**
     * Copy local file `local` to absolute remote path `dest`, creating its directory; skipped when `dest` already
     * has the same sha256.
     * @throws SplitbenchError NOT_FOUND (no such local file), USAGE (not a regular file), TRANSFER_FAILED,
     *   TIMEOUT, ABORTED, or DEVICE_UNREACHABLE when no connection could be opened.
     */
    async push(local: string, dest: string, opts: PushOptions = {}): Promise<PushResult> {
        const name = this.#target.device;
        const what = `push ${local} to ${name}:${dest}`;
        const srcStat = await stat(local).catch((e: unknown) => {
            throw new SplitbenchError('NOT_FOUND', `push to ${name}: local file ${local} does not exist`, {
                cause: e,
            });
        });
        if (!srcStat.isFile()) throw new SplitbenchError('USAGE', `push to ${name}: ${local} is not a regular file`);
        const stopper = this.#link.stopper(opts, what);
        const localSha = sha256File(local, stopper.signal);
        localSha.catch(() => undefined);
        let tmp: string | undefined;
        let conn: Connection | undefined;
        let sftp: SftpSession | undefined;
        try {
            // One round trip creates the directory and tells whether the same content is already there.
            const pre = await this.#commands.run(
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
                    await this.#commands.run(`chmod 755 -- ${quoteArg(dest)}`, ['chmod', dest], {
                        signal: stopper.signal,
                    });
                }
                return { bytesSent: 0, skipped: true, sha256: remoteSha };
            }
            const opened = await this.#link.open(stopper, (c) => c.sftp());
            conn = opened.conn;
            sftp = opened.value;
            tmp = tempSiblingPath(dest);
            const tmpPath = tmp;
            const session = sftp;
            stopper.onStop(() => session.end());
            const c = conn;
            await stopper.race(c.untilDropped(session.put(local, tmpPath, opts.executable ? 0o755 : 0o644)));
            await stopper.race(c.untilDropped(session.rename(tmpPath, dest)));
            tmp = undefined;
            return { bytesSent: srcStat.size, skipped: false, sha256: await localSha };
        } catch (e) {
            if (tmp !== undefined && conn !== undefined && !conn.dropped) await removeQuietly(conn, tmp);
            throw this.#transferError(e, what, conn, stopper);
        } finally {
            sftp?.end();
            stopper.dispose();
        }
    }

    /**
     * Copy absolute remote path `src` to local file `local`, creating its directory.
     * @throws SplitbenchError NOT_FOUND (no such remote file), TRANSFER_FAILED, TIMEOUT, ABORTED, or
     *   DEVICE_UNREACHABLE when no connection could be opened.
     */
    async pull(src: string, local: string, opts: CallOptions = {}): Promise<void> {
        const name = this.#target.device;
        const what = `pull ${name}:${src} to ${local}`;
        const stopper = this.#link.stopper(opts, what);
        const dest = resolve(local);
        let tmp: string | undefined;
        let conn: Connection | undefined;
        let session: SftpSession | undefined;
        try {
            const opened = await this.#link.open(stopper, (c) => c.sftp());
            conn = opened.conn;
            const sftp = opened.value;
            session = sftp;
            const c = conn;
            const st = await stopper.race(c.untilDropped(sftp.stat(src)));
            if (st === undefined || !st.isFile()) {
                throw new SplitbenchError('NOT_FOUND', `pull from ${name}: ${src} does not exist or is not a file`, {
                    details: { device: name, remote: src },
                });
            }
            await mkdir(dirname(dest), { recursive: true });
            tmp = tempSiblingPath(dest);
            const tmpPath = tmp;
            stopper.onStop(() => sftp.end());
            await stopper.race(c.untilDropped(sftp.get(src, tmpPath)));
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
        const { device, host, port } = this.#target;
        const why = conn?.dropped ? `connection to ${host}:${port} dropped` : messageOf(e);
        return new SplitbenchError('TRANSFER_FAILED', `${what} failed: ${why}`, {
            cause: e,
            details: { device, host, port },
        });
    }
}

const removeQuietly = async (conn: Connection, path: string): Promise<void> => {
    try {
        await runDiscardingOutput(conn, `rm -f -- ${quoteArg(path)}`);
    } catch {
        // Best effort: a leftover hidden temp file is harmless.
    }
};
