// The `sync:` service: STAT, LIST, SEND, RECV, QUIT over the device paths the simulator mounts.
// SEND writes to a hidden temp file next to the target and renames it on DONE, so a transfer cut short
// (link dropped, host killed) never leaves a partial file under the final name; the temp file is removed.

import {
    closeSync,
    fstatSync,
    lstatSync,
    mkdirSync,
    openSync,
    readSync,
    readdirSync,
    renameSync,
    fchmodSync,
    futimesSync,
    unlinkSync,
    writeSync,
    statSync,
    symlinkSync,
    type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { mapDevicePath, type MappedPath } from './path-map.js';
import {
    SYNC_DATA_MAX,
    SyncDecoder,
    encodeSyncDataHeader,
    encodeSyncDent,
    encodeSyncDone,
    encodeSyncFail,
    encodeSyncListDone,
    encodeSyncOkay,
    encodeSyncStat,
    parseSendTarget,
    type SyncEvent,
    type SyncRequestId,
    type SyncStat,
} from './sync-protocol.js';
import type { ServiceContext, StreamHandler } from './stream.js';

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const VIRTUAL_DIR: SyncStat = { mode: S_IFDIR | 0o751, size: 4096, mtimeSec: 1262304000 };
const RECV_HIGH_WATER = 2 * 1024 * 1024;

const toSyncStat = (s: Stats): SyncStat => ({ mode: s.mode, size: s.size, mtimeSec: Math.floor(s.mtimeMs / 1000) });

const errnoText = (e: unknown): string => {
    const code = (e as { code?: unknown }).code;
    switch (code) {
        case 'ENOENT':
            return 'No such file or directory';
        case 'EACCES':
        case 'EPERM':
            return 'Permission denied';
        case 'EISDIR':
            return 'Is a directory';
        case 'ENOTDIR':
            return 'Not a directory';
        case 'ENOSPC':
            return 'No space left on device';
        case 'EROFS':
            return 'Read-only file system';
        default:
            return e instanceof Error ? e.message : String(e);
    }
};

interface SendState {
    target: string;
    temp: string;
    fd: number;
    mode: number;
    symlink: Buffer[] | undefined;
    bytes: number;
    /** Set when the transfer failed on our side: keep swallowing DATA, answer FAIL at DONE. */
    error: string | undefined;
}

export const openSyncService = (ctx: ServiceContext): StreamHandler => {
    const decoder = new SyncDecoder();
    let send: SendState | undefined;
    let closed = false;

    const map = (devicePath: string): MappedPath => mapDevicePath(ctx.env.mounts, devicePath);

    const statOf = (devicePath: string): SyncStat | undefined => {
        const m = map(devicePath);
        if (m.kind === 'virtual-dir') return VIRTUAL_DIR;
        if (m.kind === 'unmapped') return undefined;
        try {
            // the mount roots may be symlinks on the host; on the device they are directories
            return toSyncStat(m.host === ctx.env.root ? statSync(m.host) : lstatSync(m.host));
        } catch {
            return undefined;
        }
    };

    const fail = (message: string): void => ctx.out.write(encodeSyncFail(message));

    const discardSend = (): void => {
        if (send === undefined) return;
        if (send.fd >= 0) {
            try {
                closeSync(send.fd);
            } catch {
                // already closed
            }
        }
        try {
            unlinkSync(send.temp);
        } catch {
            // never created
        }
        send = undefined;
    };

    const startSend = (arg: string): void => {
        const t = parseSendTarget(arg);
        const state: SendState = {
            target: '',
            temp: '',
            fd: -1,
            mode: 0,
            symlink: undefined,
            bytes: 0,
            error: undefined,
        };
        send = state;
        if (t === undefined) {
            state.error = `bad SEND argument ${JSON.stringify(arg)} (expected path,mode)`;
            return;
        }
        const m = map(t.path);
        if (m.kind !== 'host' || !m.writable) {
            state.error = `couldn't create file: Permission denied (${t.path})`;
            return;
        }
        state.target = m.host;
        state.mode = t.mode;
        state.temp = join(dirname(m.host), `.${basename(m.host)}.sim-partial-${randomBytes(4).toString('hex')}`);
        try {
            mkdirSync(dirname(m.host), { recursive: true });
            if ((t.mode & S_IFMT) === S_IFLNK) {
                state.symlink = [];
            } else {
                state.fd = openSync(state.temp, 'wx', 0o600);
            }
        } catch (e) {
            state.error = `couldn't create file ${t.path}: ${errnoText(e)}`;
        }
    };

    const sendData = (chunk: Buffer): void => {
        const s = send;
        if (s === undefined) {
            fail('DATA without SEND');
            return;
        }
        s.bytes += chunk.length;
        const limit = ctx.faults.current.dropPushAfterBytes;
        if (limit !== undefined && s.bytes > limit) {
            ctx.dropLink(`fault drop-push-after=${limit} (${s.bytes} bytes received)`);
            return;
        }
        if (s.error !== undefined) return;
        try {
            if (s.symlink !== undefined) s.symlink.push(chunk);
            else {
                let off = 0;
                while (off < chunk.length) off += writeSync(s.fd, chunk, off, chunk.length - off);
            }
        } catch (e) {
            s.error = `write failed: ${errnoText(e)}`;
        }
    };

    const finishSend = (mtime: number): void => {
        const s = send;
        if (s === undefined) {
            fail('DONE without SEND');
            return;
        }
        if (s.error === undefined) {
            try {
                if (s.symlink !== undefined) {
                    symlinkSync(Buffer.concat(s.symlink).toString('utf8'), s.temp);
                } else {
                    fchmodSync(s.fd, s.mode & 0o7777);
                    futimesSync(s.fd, mtime, mtime);
                    closeSync(s.fd);
                    s.fd = -1;
                }
                renameSync(s.temp, s.target);
            } catch (e) {
                s.error = `couldn't finish ${s.target}: ${errnoText(e)}`;
            }
        }
        const err = s.error;
        discardSend();
        if (err === undefined) ctx.out.write(encodeSyncOkay());
        else fail(err);
    };

    const list = (devicePath: string): void => {
        const m = map(devicePath);
        const entries: Buffer[] = [];
        if (m.kind === 'host') {
            try {
                const self = lstatSync(m.host);
                if (self.isDirectory()) {
                    entries.push(encodeSyncDent('.', toSyncStat(self)));
                    entries.push(encodeSyncDent('..', VIRTUAL_DIR));
                    for (const name of readdirSync(m.host)) {
                        try {
                            entries.push(encodeSyncDent(name, toSyncStat(lstatSync(join(m.host, name)))));
                        } catch {
                            // vanished while listing
                        }
                    }
                }
            } catch {
                // missing: an empty listing, as adbd gives
            }
        } else if (m.kind === 'virtual-dir') {
            const prefix = devicePath.replace(/\/+$/, '');
            const names = new Set<string>();
            for (const mount of ctx.env.mounts) {
                if (mount.device.startsWith(`${prefix}/`)) {
                    const next = mount.device.slice(prefix.length + 1).split('/')[0];
                    if (next !== undefined && next !== '') names.add(next);
                }
            }
            for (const n of names) entries.push(encodeSyncDent(n, VIRTUAL_DIR));
        }
        entries.push(encodeSyncListDone());
        ctx.out.write(Buffer.concat(entries));
    };

    const recv = async (devicePath: string): Promise<void> => {
        const m = map(devicePath);
        if (m.kind !== 'host') {
            fail(m.kind === 'virtual-dir' ? `${devicePath}: Is a directory` : `open failed: Permission denied`);
            return;
        }
        let fd: number;
        try {
            fd = openSync(m.host, 'r');
            if (fstatSync(fd).isDirectory()) {
                closeSync(fd);
                fail(`${devicePath}: Is a directory`);
                return;
            }
        } catch (e) {
            fail(`open failed: ${errnoText(e)}`);
            return;
        }
        try {
            for (;;) {
                const buf = Buffer.allocUnsafe(SYNC_DATA_MAX);
                const n = readSync(fd, buf, 0, SYNC_DATA_MAX, null);
                if (n === 0) break;
                ctx.out.write(encodeSyncDataHeader(n));
                ctx.out.write(n === SYNC_DATA_MAX ? buf : buf.subarray(0, n));
                if (ctx.out.queuedBytes > RECV_HIGH_WATER) await ctx.out.drained();
                if (closed) return;
            }
            ctx.out.write(encodeSyncDone());
        } catch (e) {
            fail(`read failed: ${errnoText(e)}`);
        } finally {
            closeSync(fd);
        }
    };

    const request = async (id: SyncRequestId, path: string): Promise<void> => {
        // a new request while a SEND is open: the host abandoned it
        if (send !== undefined) discardSend();
        switch (id) {
            case 'STAT':
                ctx.out.write(encodeSyncStat(statOf(path)));
                return;
            case 'LIST':
                list(path);
                return;
            case 'SEND':
                startSend(path);
                return;
            case 'RECV':
                await recv(path);
                return;
        }
    };

    /** Handle one decoded event; false stops the service. */
    const handle = async (ev: SyncEvent): Promise<boolean> => {
        switch (ev.type) {
            case 'request':
                await request(ev.id, ev.path);
                return true;
            case 'data':
                sendData(ev.chunk);
                return true;
            case 'done':
                finishSend(ev.mtime);
                return true;
            case 'quit':
                ctx.out.end();
                return false;
            case 'error':
                fail(ev.message);
                ctx.out.end();
                return false;
        }
    };

    let stopped = false;
    return {
        onData: async (data) => {
            if (stopped || closed) return;
            for (const ev of decoder.push(data)) {
                if (closed) return;
                if (!(await handle(ev))) {
                    stopped = true;
                    return;
                }
            }
        },
        onClose: () => {
            closed = true;
            discardSend();
        },
    };
};
