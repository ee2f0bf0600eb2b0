// Service-name parsing for `shell:`/`exec:` and the shell_v2 packet framing (1-byte id, 4-byte little-endian
// length, payload): stdin 0, stdout 1, stderr 2, exit 3, close-stdin 4, window-size 5. Pure.

export const SHELL_ID_STDIN = 0;
export const SHELL_ID_STDOUT = 1;
export const SHELL_ID_STDERR = 2;
export const SHELL_ID_EXIT = 3;
export const SHELL_ID_CLOSE_STDIN = 4;
export const SHELL_ID_WINDOW_SIZE = 5;

export interface ShellRequest {
    /** True for `shell,v2,...:` (packet framing with a separate stderr and an exit code). */
    v2: boolean;
    /** Asked for a terminal; the simulator has none and runs such commands without one. */
    pty: boolean;
    command: string;
}

/** `shell:CMD`, `shell,v2,raw:CMD`, `shell,v2,TERM=xterm,pty:` and `exec:CMD`; undefined for other services. */
export const parseShellService = (service: string): ShellRequest | undefined => {
    if (service.startsWith('exec:')) return { v2: false, pty: false, command: service.slice(5) };
    if (!service.startsWith('shell')) return undefined;
    const colon = service.indexOf(':');
    if (colon < 0) return undefined;
    const head = service.slice(0, colon);
    if (head !== 'shell' && !head.startsWith('shell,')) return undefined;
    const args = head.split(',').slice(1);
    const command = service.slice(colon + 1);
    const v2 = args.includes('v2');
    // Legacy `shell:` with no command is interactive (pty); with a command it is raw.
    const pty = args.includes('pty') || (!args.includes('raw') && command === '');
    return { v2, pty, command };
};

export const encodeShellPacket = (id: number, payload: Uint8Array): Buffer => {
    const h = Buffer.allocUnsafe(5);
    h.writeUInt8(id, 0);
    h.writeUInt32LE(payload.length, 1);
    return Buffer.concat([h, payload]);
};

export const encodeShellExit = (code: number): Buffer => encodeShellPacket(SHELL_ID_EXIT, Buffer.from([code & 0xff]));

export interface ShellPacket {
    id: number;
    data: Buffer;
}

/** Incremental decoder for host → device shell_v2 packets. */
export class ShellPacketDecoder {
    private buf: Buffer = Buffer.alloc(0);

    push(chunk: Buffer): ShellPacket[] {
        // stdin traffic is small; joining the remainder is fine here
        this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
        const out: ShellPacket[] = [];
        while (this.buf.length >= 5) {
            const len = this.buf.readUInt32LE(1);
            if (this.buf.length < 5 + len) break;
            out.push({ id: this.buf.readUInt8(0), data: this.buf.subarray(5, 5 + len) });
            this.buf = this.buf.subarray(5 + len);
        }
        return out;
    }
}
