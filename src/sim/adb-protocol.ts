// ADB transport framing (AOSP packages/modules/adb protocol.txt): a 24-byte little-endian header
// (command, arg0, arg1, data length, data checksum, magic = command ^ 0xffffffff) followed by the payload.
// Pure: no sockets here, so the framing can be tested with arbitrary chunk splits.

const fourcc = (s: string): number => Buffer.from(s, 'latin1').readUInt32LE(0);

export const A_SYNC = fourcc('SYNC');
export const A_CNXN = fourcc('CNXN');
export const A_AUTH = fourcc('AUTH');
export const A_OPEN = fourcc('OPEN');
export const A_OKAY = fourcc('OKAY');
export const A_CLSE = fourcc('CLSE');
export const A_WRTE = fourcc('WRTE');
export const A_STLS = fourcc('STLS');

/** Protocol version whose peers no longer verify payload checksums. */
export const A_VERSION_SKIP_CHECKSUM = 0x01000001;
export const A_VERSION = 0x01000001;
/** Largest payload we accept from a host (adb hosts offer 1 MiB). */
export const MAX_PAYLOAD = 1024 * 1024;

export const AUTH_TOKEN = 1;
export const AUTH_SIGNATURE = 2;
export const AUTH_RSAPUBLICKEY = 3;

export const HEADER_SIZE = 24;

export interface AdbMessage {
    command: number;
    arg0: number;
    arg1: number;
    data: Buffer;
}

export const commandName = (command: number): string => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(command >>> 0, 0);
    return /^[A-Z0-9]{4}$/.test(b.toString('latin1')) ? b.toString('latin1') : `0x${(command >>> 0).toString(16)}`;
};

/** The legacy checksum: sum of payload bytes, modulo 2^32. */
export const payloadChecksum = (data: Uint8Array): number => {
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i] as number;
    return sum >>> 0;
};

/** Header for a message; the payload travels separately so large buffers are never copied. */
export const encodeHeader = (
    command: number,
    arg0: number,
    arg1: number,
    data: Uint8Array,
    withChecksum: boolean,
): Buffer => {
    const h = Buffer.allocUnsafe(HEADER_SIZE);
    h.writeUInt32LE(command >>> 0, 0);
    h.writeUInt32LE(arg0 >>> 0, 4);
    h.writeUInt32LE(arg1 >>> 0, 8);
    h.writeUInt32LE(data.length, 12);
    h.writeUInt32LE(withChecksum ? payloadChecksum(data) : 0, 16);
    h.writeUInt32LE((command ^ 0xffffffff) >>> 0, 20);
    return h;
};

export const encodeMessage = (command: number, arg0: number, arg1: number, data: Uint8Array = Buffer.alloc(0)) =>
    Buffer.concat([encodeHeader(command, arg0, arg1, data, true), data]);

export class AdbFramingError extends Error {
    override readonly name = 'AdbFramingError';
}

/**
 * Incremental message decoder. Incoming chunks are kept in a list and only the bytes of one message are
 * joined, so a long transfer costs O(bytes), not O(bytes^2).
 */
export class MessageDecoder {
    private chunks: Buffer[] = [];
    private head = 0; // read offset into chunks[0]
    private buffered = 0;
    private pending: { command: number; arg0: number; arg1: number; length: number } | undefined;
    private readonly maxPayload: number;

    constructor(maxPayload = MAX_PAYLOAD) {
        this.maxPayload = maxPayload;
    }

    /** Feed bytes; returns every message completed by them. Throws AdbFramingError on a corrupt header. */
    push(chunk: Buffer): AdbMessage[] {
        if (chunk.length > 0) {
            this.chunks.push(chunk);
            this.buffered += chunk.length;
        }
        const out: AdbMessage[] = [];
        for (;;) {
            if (this.pending === undefined) {
                if (this.buffered < HEADER_SIZE) break;
                const h = this.take(HEADER_SIZE);
                const command = h.readUInt32LE(0);
                const length = h.readUInt32LE(12);
                const magic = h.readUInt32LE(20);
                if (magic !== (command ^ 0xffffffff) >>> 0) {
                    throw new AdbFramingError(
                        `bad magic 0x${magic.toString(16)} for command ${commandName(command)} (expected command ^ 0xffffffff)`,
                    );
                }
                if (length > this.maxPayload) {
                    throw new AdbFramingError(
                        `payload of ${length} bytes for ${commandName(command)} exceeds ${this.maxPayload}`,
                    );
                }
                this.pending = { command, arg0: h.readUInt32LE(4), arg1: h.readUInt32LE(8), length };
            }
            const p = this.pending;
            if (this.buffered < p.length) break;
            const data = p.length === 0 ? Buffer.alloc(0) : this.take(p.length);
            this.pending = undefined;
            out.push({ command: p.command, arg0: p.arg0, arg1: p.arg1, data });
        }
        return out;
    }

    private take(n: number): Buffer {
        this.buffered -= n;
        const first = this.chunks[0] as Buffer;
        if (first.length - this.head >= n) {
            const b = first.subarray(this.head, this.head + n);
            this.head += n;
            if (this.head === first.length) {
                this.chunks.shift();
                this.head = 0;
            }
            return b;
        }
        const out = Buffer.allocUnsafe(n);
        let filled = 0;
        while (filled < n) {
            const c = this.chunks[0] as Buffer;
            const k = Math.min(n - filled, c.length - this.head);
            c.copy(out, filled, this.head, this.head + k);
            filled += k;
            this.head += k;
            if (this.head === c.length) {
                this.chunks.shift();
                this.head = 0;
            }
        }
        return out;
    }
}

/** `device::k=v;k=v;features=a,b` as sent in the device's CNXN. */
export const deviceBanner = (props: Readonly<Record<string, string>>, features: readonly string[]): string => {
    const parts = ['ro.product.name', 'ro.product.model', 'ro.product.device'].map((k) => `${k}=${props[k] ?? ''}`);
    parts.push(`features=${features.join(',')}`);
    return `device::${parts.join(';')}`;
};

/** Features listed in a host banner (`host::features=shell_v2,cmd,...`). */
export const bannerFeatures = (banner: string): string[] => {
    const m = /(?:^|;|::)features=([^;\0]*)/.exec(banner);
    return m?.[1] === undefined || m[1] === '' ? [] : m[1].split(',');
};
