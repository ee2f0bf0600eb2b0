import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
    A_CNXN,
    A_WRTE,
    AdbFramingError,
    MessageDecoder,
    bannerFeatures,
    deviceBanner,
    encodeMessage,
    payloadChecksum,
} from '../../../src/sim/adb-protocol.js';

/** Cut a buffer at the given (sorted, deduplicated) offsets. */
const splitAt = (b: Buffer, cuts: number[]): Buffer[] => {
    const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
    const out: Buffer[] = [];
    let prev = 0;
    for (const p of points) {
        out.push(b.subarray(prev, p));
        prev = p;
    }
    out.push(b.subarray(prev));
    return out;
};

describe('ADB message framing', () => {
    it('encodes the header little-endian with magic and byte-sum checksum', () => {
        const m = encodeMessage(A_CNXN, 0x01000001, 4096, Buffer.from('host::\0'));
        expect(m.toString('latin1', 0, 4)).toBe('CNXN');
        expect(m.readUInt32LE(4)).toBe(0x01000001);
        expect(m.readUInt32LE(8)).toBe(4096);
        expect(m.readUInt32LE(12)).toBe(7);
        expect(m.readUInt32LE(16)).toBe(payloadChecksum(Buffer.from('host::\0')));
        expect(m.readUInt32LE(20)).toBe((A_CNXN ^ 0xffffffff) >>> 0);
    });

    it('decodes the same messages however the byte stream is split', () => {
        fc.assert(
            fc.property(
                fc.array(fc.tuple(fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 300 })), { maxLength: 6 }),
                fc.array(fc.nat(), { maxLength: 20 }),
                (msgs, cuts) => {
                    const wire = Buffer.concat(msgs.map(([a, b, d]) => encodeMessage(A_WRTE, a >>> 0, b >>> 0, d)));
                    const dec = new MessageDecoder();
                    const got = splitAt(wire, cuts).flatMap((c) => dec.push(c));
                    expect(got.map((m) => [m.arg0, m.arg1, [...m.data]])).toEqual(
                        msgs.map(([a, b, d]) => [a >>> 0, b >>> 0, [...d]]),
                    );
                },
            ),
        );
    });

    it('rejects a header whose magic does not match', () => {
        const m = encodeMessage(A_WRTE, 1, 2, Buffer.from('x'));
        m.writeUInt32LE(0, 20);
        expect(() => new MessageDecoder().push(m)).toThrow(AdbFramingError);
    });

    it('rejects payloads larger than the negotiated maximum', () => {
        const m = encodeMessage(A_WRTE, 1, 2, Buffer.alloc(100));
        expect(() => new MessageDecoder(50).push(m)).toThrow(/exceeds 50/);
    });

    it('builds the device banner and reads host features', () => {
        expect(
            deviceBanner({ 'ro.product.name': 'p', 'ro.product.model': 'M', 'ro.product.device': 'd' }, [
                'shell_v2',
                'x',
            ]),
        ).toBe('device::ro.product.name=p;ro.product.model=M;ro.product.device=d;features=shell_v2,x');
        expect(bannerFeatures('host::features=shell_v2,cmd,stat_v2')).toEqual(['shell_v2', 'cmd', 'stat_v2']);
        expect(bannerFeatures('host::')).toEqual([]);
    });
});
