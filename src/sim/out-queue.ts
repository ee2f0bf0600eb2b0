// Device → host data of one ADB stream: ADB flow control allows one WRTE in flight per stream, so bytes queue here
// and go out one packet (≤ the connection's maxData) per OKAY from the host; services wait on drained() above the
// low-water mark instead of buffering a whole file.
import { A_CLSE, A_WRTE } from './adb-protocol.js';
import type { StreamOutput } from './stream.js';

const LOW_WATER = 1024 * 1024;

/** What a queue needs of its connection (adbd-connection.ts). */
export interface PacketSink {
    /** Largest WRTE payload the host accepts, in bytes. */
    readonly maxData: number;
    send(command: number, arg0: number, arg1: number, data?: Buffer): void;
    closeStream(localId: number): void;
}

/** The stream's ids: ours (device side) and the host's. */
export interface StreamIds {
    localId: number;
    remoteId: number;
}

/** Device → host data of one stream: WRTE packets of at most maxData bytes, each waiting for the host's OKAY. */
export class OutQueue implements StreamOutput {
    private chunks: Buffer[] = [];
    private unsent = 0;
    private awaitingAck = false;
    private ending = false;
    private isClosed = false;
    private waiters: (() => void)[] = [];
    private readonly conn: PacketSink;
    private readonly stream: () => StreamIds;

    constructor(conn: PacketSink, stream: () => StreamIds) {
        this.conn = conn;
        this.stream = stream;
    }

    get queuedBytes(): number {
        return this.unsent;
    }

    get closed(): boolean {
        return this.isClosed;
    }

    write(data: Buffer): void {
        if (this.isClosed || this.ending || data.length === 0) return;
        this.chunks.push(data);
        this.unsent += data.length;
        this.pump();
    }

    end(): void {
        if (this.isClosed) return;
        this.ending = true;
        this.pump();
    }

    drained(): Promise<void> {
        if (this.isClosed || this.unsent <= LOW_WATER) return Promise.resolve();
        return new Promise((resolve) => this.waiters.push(resolve));
    }

    onOkay(): void {
        this.awaitingAck = false;
        this.pump();
    }

    /** The stream is gone (either side closed it, or the link dropped). */
    markClosed(): void {
        this.isClosed = true;
        this.chunks = [];
        this.unsent = 0;
        this.wake();
    }

    private wake(): void {
        if (this.waiters.length === 0) return;
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
    }

    private pump(): void {
        if (this.isClosed || this.awaitingAck) return;
        const s = this.stream();
        if (this.unsent > 0) {
            const max = this.conn.maxData;
            let payload: Buffer;
            const first = this.chunks[0] as Buffer;
            if (first.length >= max) {
                payload = first.subarray(0, max);
                if (first.length === max) this.chunks.shift();
                else this.chunks[0] = first.subarray(max);
            } else {
                const parts: Buffer[] = [];
                let size = 0;
                while (this.chunks.length > 0 && size < max) {
                    const c = this.chunks[0] as Buffer;
                    const k = Math.min(c.length, max - size);
                    parts.push(k === c.length ? c : c.subarray(0, k));
                    if (k === c.length) this.chunks.shift();
                    else this.chunks[0] = c.subarray(k);
                    size += k;
                }
                payload = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
            }
            this.unsent -= payload.length;
            this.awaitingAck = true;
            this.conn.send(A_WRTE, s.localId, s.remoteId, payload);
            if (this.unsent <= LOW_WATER) this.wake();
            return;
        }
        if (this.ending) {
            this.conn.send(A_CLSE, s.localId, s.remoteId);
            this.conn.closeStream(s.localId);
        }
    }
}
