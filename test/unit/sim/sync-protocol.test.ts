import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
    SyncDecoder,
    encodeSyncDent,
    encodeSyncStat,
    parseSendTarget,
    type SyncEvent,
} from '../../../src/sim/sync-protocol.js';

const req = (id: string, payload: Buffer | string): Buffer => {
    const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(p.length, 4);
    return Buffer.concat([h, p]);
};
const done = (mtime: number): Buffer => {
    const h = Buffer.alloc(8);
    h.write('DONE', 0, 'latin1');
    h.writeUInt32LE(mtime, 4);
    return h;
};

/** Join consecutive data pieces so results compare independently of the split. */
const normalise = (events: SyncEvent[]): unknown[] => {
    const out: unknown[] = [];
    for (const e of events) {
        const last = out[out.length - 1] as { type: string; bytes: number[] } | undefined;
        if (e.type === 'data') {
            if (last?.type === 'data') last.bytes.push(...e.chunk);
            else out.push({ type: 'data', bytes: [...e.chunk] });
        } else out.push(e);
    }
    return out;
};

describe('sync request decoding', () => {
    it('decodes a SEND session split at any bytes', () => {
        fc.assert(
            fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 12 }), (data, cuts) => {
                const wire = Buffer.concat([
                    req('STAT', '/data/local/tmp/x'),
                    req('SEND', '/data/local/tmp/x,33188'),
                    req('DATA', Buffer.from(data)),
                    done(1700000000),
                    req('QUIT', ''),
                ]);
                const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
                const dec = new SyncDecoder();
                const events: SyncEvent[] = [];
                let prev = 0;
                for (const p of [...points, wire.length]) {
                    events.push(...dec.push(wire.subarray(prev, p)));
                    prev = p;
                }
                const expected: SyncEvent[] = [
                    { type: 'request', id: 'STAT', path: '/data/local/tmp/x' },
                    { type: 'request', id: 'SEND', path: '/data/local/tmp/x,33188' },
                    ...(data.length > 0 ? [{ type: 'data' as const, chunk: Buffer.from(data) }] : []),
                    { type: 'done', mtime: 1700000000 },
                    { type: 'quit' },
                ];
                expect(normalise(events)).toEqual(normalise(expected));
            }),
        );
    });

    it('reports an unknown id once and then ignores input', () => {
        const dec = new SyncDecoder();
        expect(dec.push(req('WHAT', 'x'))).toEqual([{ type: 'error', message: 'unknown sync request id "WHAT"' }]);
        expect(dec.push(req('STAT', '/x'))).toEqual([]);
    });

    it('parses SEND targets at the last comma', () => {
        expect(parseSendTarget('/data/local/tmp/a,b,33261')).toEqual({ path: '/data/local/tmp/a,b', mode: 33261 });
        expect(parseSendTarget('/no/mode')).toBeUndefined();
        expect(parseSendTarget('/x,abc')).toBeUndefined();
    });

    it('encodes STAT and DENT records', () => {
        const st = encodeSyncStat({ mode: 0o100644, size: 10, mtimeSec: 5 });
        expect([st.toString('latin1', 0, 4), st.readUInt32LE(4), st.readUInt32LE(8), st.readUInt32LE(12)]).toEqual([
            'STAT',
            0o100644,
            10,
            5,
        ]);
        expect(encodeSyncStat(undefined).subarray(4)).toEqual(Buffer.alloc(12));
        const d = encodeSyncDent('a b', { mode: 0o40755, size: 4096, mtimeSec: 1 });
        expect(d.readUInt32LE(16)).toBe(3);
        expect(d.toString('utf8', 20)).toBe('a b');
    });
});
