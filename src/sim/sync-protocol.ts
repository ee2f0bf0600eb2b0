// The `sync:` sub-protocol (AOSP SYNC.TXT) carried inside WRTE payloads: 4-byte ids with a little-endian
// length. A request may be split across WRTE packets at any byte, so decoding is incremental. Pure.

export const SYNC_DATA_MAX = 64 * 1024;
/** Some hosts send larger DATA chunks than SYNC.TXT allows; accept them up to this size. */
const DATA_ACCEPT_MAX = 1024 * 1024;
const PATH_MAX = 4096;

export type SyncRequestId = 'STAT' | 'LIST' | 'SEND' | 'RECV';
const REQUEST_IDS: ReadonlySet<string> = new Set(['STAT', 'LIST', 'SEND', 'RECV']);

export type SyncEvent =
    | { type: 'request'; id: SyncRequestId; path: string }
    /** A piece of a DATA chunk of a SEND; pieces arrive in order and are not joined. */
    | { type: 'data'; chunk: Buffer }
    | { type: 'done'; mtime: number }
    | { type: 'quit' }
    | { type: 'error'; message: string };

export class SyncDecoder {
    private chunks: Buffer[] = [];
    private buffered = 0;
    private dataLeft = 0; // bytes of the current DATA chunk not yet emitted
    private pathFor: { id: SyncRequestId; length: number } | undefined;
    private failed = false;

    push(chunk: Buffer): SyncEvent[] {
        const out: SyncEvent[] = [];
        if (this.failed) return out;
        if (chunk.length > 0) {
            this.chunks.push(chunk);
            this.buffered += chunk.length;
        }
        for (;;) {
            if (this.dataLeft > 0) {
                if (this.buffered === 0) break;
                const piece = this.takeUpTo(this.dataLeft);
                this.dataLeft -= piece.length;
                out.push({ type: 'data', chunk: piece });
                continue;
            }
            if (this.pathFor !== undefined) {
                if (this.buffered < this.pathFor.length) break;
                const path = this.take(this.pathFor.length).toString('utf8');
                out.push({ type: 'request', id: this.pathFor.id, path });
                this.pathFor = undefined;
                continue;
            }
            if (this.buffered < 8) break;
            const h = this.take(8);
            const id = h.toString('latin1', 0, 4);
            const n = h.readUInt32LE(4);
            if (id === 'DATA') {
                if (n > DATA_ACCEPT_MAX)
                    return this.fail(out, `sync DATA chunk of ${n} bytes exceeds ${DATA_ACCEPT_MAX}`);
                this.dataLeft = n;
            } else if (id === 'DONE') {
                out.push({ type: 'done', mtime: n });
            } else if (id === 'QUIT') {
                out.push({ type: 'quit' });
            } else if (REQUEST_IDS.has(id)) {
                if (n > PATH_MAX) return this.fail(out, `sync ${id} path of ${n} bytes exceeds ${PATH_MAX}`);
                this.pathFor = { id: id as SyncRequestId, length: n };
            } else {
                return this.fail(out, `unknown sync request id ${JSON.stringify(id)}`);
            }
        }
        return out;
    }

    private fail(out: SyncEvent[], message: string): SyncEvent[] {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        out.push({ type: 'error', message });
        return out;
    }

    private takeUpTo(max: number): Buffer {
        const first = this.chunks[0] as Buffer;
        if (first.length <= max) {
            this.chunks.shift();
            this.buffered -= first.length;
            return first;
        }
        this.chunks[0] = first.subarray(max);
        this.buffered -= max;
        return first.subarray(0, max);
    }

    private take(n: number): Buffer {
        const first = this.chunks[0] as Buffer;
        if (first.length >= n) return this.takeUpTo(n);
        const parts: Buffer[] = [];
        let left = n;
        while (left > 0) {
            const p = this.takeUpTo(left);
            parts.push(p);
            left -= p.length;
        }
        return Buffer.concat(parts, n);
    }
}

const idLen = (id: string, n: number): Buffer => {
    const b = Buffer.allocUnsafe(8);
    b.write(id, 0, 4, 'latin1');
    b.writeUInt32LE(n >>> 0, 4);
    return b;
};

const u32 = (n: number): number => Math.max(0, Math.min(0xffffffff, Math.floor(n)));

export const encodeSyncOkay = (): Buffer => idLen('OKAY', 0);
export const encodeSyncFail = (message: string): Buffer => {
    const m = Buffer.from(message, 'utf8');
    return Buffer.concat([idLen('FAIL', m.length), m]);
};
export const encodeSyncDataHeader = (length: number): Buffer => idLen('DATA', length);
export const encodeSyncDone = (): Buffer => idLen('DONE', 0);

export interface SyncStat {
    mode: number;
    size: number;
    mtimeSec: number;
}

/** STAT (v1) reply; an all-zero reply means "does not exist". */
export const encodeSyncStat = (s: SyncStat | undefined): Buffer => {
    const b = Buffer.alloc(16);
    b.write('STAT', 0, 4, 'latin1');
    if (s !== undefined) {
        b.writeUInt32LE(u32(s.mode), 4);
        b.writeUInt32LE(u32(s.size), 8);
        b.writeUInt32LE(u32(s.mtimeSec), 12);
    }
    return b;
};

export const encodeSyncDent = (name: string, s: SyncStat): Buffer => {
    const n = Buffer.from(name, 'utf8');
    const b = Buffer.allocUnsafe(20);
    b.write('DENT', 0, 4, 'latin1');
    b.writeUInt32LE(u32(s.mode), 4);
    b.writeUInt32LE(u32(s.size), 8);
    b.writeUInt32LE(u32(s.mtimeSec), 12);
    b.writeUInt32LE(n.length, 16);
    return Buffer.concat([b, n]);
};

/** End of a LIST: a DENT-sized record with id DONE. */
export const encodeSyncListDone = (): Buffer => {
    const b = Buffer.alloc(20);
    b.write('DONE', 0, 4, 'latin1');
    return b;
};

/** SEND's argument is `path,mode` with a decimal mode (file type bits included). */
export const parseSendTarget = (arg: string): { path: string; mode: number } | undefined => {
    const comma = arg.lastIndexOf(',');
    if (comma < 0) return undefined;
    const mode = Number(arg.slice(comma + 1));
    if (!Number.isInteger(mode) || mode < 0) return undefined;
    return { path: arg.slice(0, comma), mode };
};
