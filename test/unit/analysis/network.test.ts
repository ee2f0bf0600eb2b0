import { describe, expect, it } from 'vitest';
import { breakEvenUplinkMbps, serializationMs, summarizeNetwork } from '../../../src/analysis/network.js';

describe('network model', () => {
    it('converts bytes and Mbit/s to ms', () => {
        // 1 MB at 8 Mbit/s = 8,000,000 bit / 8,000,000 bit/s = 1 s
        expect(serializationMs(1_000_000, 8)).toBe(1000);
    });

    it('solves the break-even uplink rate analytically', () => {
        // saved = 100 − 20 − 30 − 10 = 40 ms; 500,000 B = 4,000,000 bit; 4e6 bit / 0.04 s = 100 Mbit/s
        expect(breakEvenUplinkMbps(500_000, 20, 30, 100, 10)).toBeCloseTo(100, 10);
        // check: at 100 Mbit/s E = 20 + 40 + 10 + 30 = 100 = T_UE(full)
        expect(20 + serializationMs(500_000, 100) + 10 + 30).toBeCloseTo(100, 10);
        expect(breakEvenUplinkMbps(500_000, 60, 30, 100, 10)).toBe('never'); // saved 0
        expect(breakEvenUplinkMbps(500_000, 80, 30, 100, 0)).toBe('never'); // server slower than what the UE saves
        expect(breakEvenUplinkMbps(null, 20, 30, 100, 10)).toBe('unknown');
        expect(breakEvenUplinkMbps(0, 20, 30, 100, 10)).toBe(0);
    });

    it('picks all-on-server when the server is far faster and the input small', () => {
        const p = { name: 'fast', uplinkMbps: 1000, rttMs: 1 };
        const s = summarizeNetwork(
            p,
            1,
            [{ splitAfter: 0, net: { profile: 'fast', transferMs: 2, endToEndMs: 50, breakEvenUplinkMbps: 1 } }],
            100,
            {
                inputBytes: 125_000, // 1e6 bit at 1000 Mbit/s = 1 ms
                serverFullMs: 5,
            },
        );
        expect(s.allOnServer).toEqual({ transferMs: 2, serverMs: 5, endToEndMs: 7 });
        expect(s.best).toEqual({ option: 'allOnServer', endToEndMs: 7 });
    });
});
