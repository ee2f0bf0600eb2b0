// The simulator's transport seen from a raw TCP client: things the adb server never shows, such as flow control.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_WRTE,
    MessageDecoder,
    encodeMessage,
    type AdbMessage,
} from '../../../src/sim/adb-protocol.js';
import { startAdbdSimulator, type AdbdSimulator } from '../../../src/sim/adbd-server.js';

class RawHost {
    private readonly decoder = new MessageDecoder();
    private readonly inbox: AdbMessage[] = [];
    private wake: (() => void) | undefined;
    readonly socket: Socket;

    constructor(socket: Socket) {
        this.socket = socket;
        socket.on('data', (c: Buffer) => {
            this.inbox.push(...this.decoder.push(c));
            this.wake?.();
        });
    }

    static async open(port: number): Promise<RawHost> {
        const s = connect(port, '127.0.0.1');
        await new Promise<void>((resolve, reject) => s.once('connect', resolve).once('error', reject));
        return new RawHost(s);
    }

    send(command: number, arg0: number, arg1: number, data: Buffer = Buffer.alloc(0)): void {
        this.socket.write(encodeMessage(command, arg0, arg1, data));
    }

    /** Next message, or undefined if none arrives within ms. */
    async next(ms = 5000): Promise<AdbMessage | undefined> {
        const until = Date.now() + ms;
        while (this.inbox.length === 0) {
            const left = until - Date.now();
            if (left <= 0) return undefined;
            await new Promise<void>((resolve) => {
                this.wake = resolve;
                setTimeout(resolve, left);
            });
        }
        return this.inbox.shift();
    }
}

let sim: AdbdSimulator;
let root: string;

beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'splitbench-wire-'));
    sim = await startAdbdSimulator({ root });
});

afterAll(async () => {
    await sim?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

const handshake = async (maxData = 4096): Promise<RawHost> => {
    const h = await RawHost.open(sim.port);
    h.send(A_CNXN, 0x01000001, maxData, Buffer.from('host::features=shell_v2\0'));
    const m = await h.next();
    expect(m?.command).toBe(A_CNXN);
    expect(m?.data.toString()).toContain('ro.product.model=SM-A015F');
    return h;
};

describe('ADB transport (raw client)', () => {
    it('waits for OKAY before the next WRTE and respects the negotiated max payload', async () => {
        const h = await handshake(4096);
        h.send(A_OPEN, 7, 0, Buffer.from('shell:seq 1 20000\0'));
        const ok = await h.next();
        expect(ok?.command).toBe(A_OKAY);
        expect(ok?.arg1).toBe(7);
        const dev = ok?.arg0 as number;
        let out = '';
        for (;;) {
            const m = await h.next();
            if (m === undefined) throw new Error('stream stalled');
            if (m.command === A_CLSE) break;
            expect(m.command).toBe(A_WRTE);
            expect(m.data.length).toBeLessThanOrEqual(4096);
            out += m.data.toString();
            // nothing more may arrive until we acknowledge
            expect(await h.next(150)).toBeUndefined();
            h.send(A_OKAY, 7, dev);
        }
        const lines = out.trim().split('\n');
        expect(lines).toHaveLength(20000);
        expect(lines[19999]).toBe('20000');
        h.socket.destroy();
    });

    it('closes unknown services right away', async () => {
        const h = await handshake();
        h.send(A_OPEN, 9, 0, Buffer.from('framebuffer:\0'));
        const m = await h.next();
        expect([m?.command, m?.arg0, m?.arg1]).toEqual([A_CLSE, 0, 9]);
        h.socket.destroy();
    });

    it('reassembles sync requests split across WRTE packets', async () => {
        writeFileSync(join(root, 'seven.bin'), Buffer.alloc(7));
        const h = await handshake();
        h.send(A_OPEN, 3, 0, Buffer.from('sync:\0'));
        const dev = (await h.next())?.arg0 as number;
        const path = Buffer.from('/data/local/tmp/seven.bin');
        const req = Buffer.alloc(8);
        req.write('STAT', 0, 'latin1');
        req.writeUInt32LE(path.length, 4);
        const wire = Buffer.concat([req, path]);
        const got: AdbMessage[] = [];
        for (let i = 0; i < wire.length; i += 5) {
            h.send(A_WRTE, 3, dev, wire.subarray(i, i + 5));
            // each piece is acknowledged; the reply to the last one may come before or after its OKAY
            for (;;) {
                const m = await h.next();
                if (m === undefined) throw new Error('no answer');
                got.push(m);
                if (m.command === A_OKAY) break;
            }
        }
        if (!got.some((m) => m.command === A_WRTE)) got.push((await h.next()) as AdbMessage);
        const reply = got.find((m) => m.command === A_WRTE);
        expect(got.filter((m) => m.command === A_OKAY)).toHaveLength(Math.ceil(wire.length / 5));
        expect(reply?.data.toString('latin1', 0, 4)).toBe('STAT');
        expect(reply?.data.readUInt32LE(8)).toBe(7);
        h.socket.destroy();
    });
});
