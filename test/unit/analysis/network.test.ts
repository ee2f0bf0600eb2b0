import { describe, expect, it } from 'vitest';
import { breakEvenUplinkMbps, serializationMs, summarizeNetwork } from '../../../src/analysis/network.js';
import { reviewWifiTie } from '../../support/wifi-tie.js';

// a profile and a split's network part with a 1 ms transfer and end-to-end time e (ms), for the tie cases
const X = { name: 'x', uplinkMbps: 10, rttMs: 0 };
const net = (e: number) => ({ profile: 'x', transferMs: 1, endToEndMs: e, breakEvenUplinkMbps: 'never' as const });

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
            [
                {
                    splitAfter: 0,
                    net: { profile: 'fast', transferMs: 2, endToEndMs: 50, breakEvenUplinkMbps: 1 },
                    total: { valueMs: 48, lowMs: 47, highMs: 49 },
                },
            ],
            { valueMs: 100, lowMs: 90, highMs: 110 },
            {
                inputBytes: 125_000, // 1e6 bit at 1000 Mbit/s = 1 ms
                serverFull: { valueMs: 5, lowMs: 4, highMs: 6 },
            },
        );
        expect(s.allOnServer).toEqual({ transferMs: 2, serverMs: 5, endToEndMs: 7 });
        // the server interval 4..6 shifted by the 2 ms transfer
        expect(s.best).toEqual({ option: 'allOnServer', endToEndMs: 7, lowMs: 6, highMs: 8 });
        // runner-up split 0 at 50 [49, 51]: far apart, no tie
        expect(s.runnerUp).toEqual({ option: 'split', splitAfter: 0, endToEndMs: 50, lowMs: 49, highMs: 51 });
        // all on UE 100 [90, 110] is further off still
        expect(s.tiedWith).toEqual([]);
        expect(s.tie).toBe(false);
    });

    it('calls overlapping intervals of the best and the runner-up a tie', () => {
        const s = summarizeNetwork(
            X,
            0,
            [
                { splitAfter: 3, net: net(10), total: { valueMs: 9, lowMs: 8, highMs: 10 } }, // E 10 [9, 11]
                { splitAfter: 7, net: net(10.5), total: { valueMs: 9.5, lowMs: 9, highMs: 10 } }, // E 10.5 [10, 11]
            ],
            { valueMs: 30, lowMs: 29, highMs: 31 },
            { inputBytes: null, serverFull: null },
        );
        expect(s.best).toMatchObject({ option: 'split', splitAfter: 3 });
        expect(s.runnerUp).toMatchObject({ option: 'split', splitAfter: 7 });
        // all on UE 30 [29, 31] lies above 11: not tied
        expect(s.tiedWith).toEqual([s.runnerUp]);
        expect(s.tie).toBe(true);
    });

    it("ties every option whose interval overlaps the best, not just the runner-up (the review's Wi-Fi line)", () => {
        // bounds worked out in test/support/wifi-tie.ts
        const s = reviewWifiTie();
        expect(s.best).toMatchObject({ option: 'split', splitAfter: 243, lowClipped: true });
        expect(s.best?.lowMs).toBeCloseTo(12.458, 9);
        expect(s.best?.highMs).toBeCloseTo(122.518, 9);
        expect(s.tiedWith.map((o) => (o.option === 'split' ? o.splitAfter : o.option))).toEqual([287, 'allOnUe']);
        expect(s.tiedWith[1]).toEqual({
            option: 'allOnUe',
            endToEndMs: 70.086,
            lowMs: 0,
            lowClipped: true,
            highMs: 269.627,
        });
        expect(s.tie).toBe(true);
        expect(s.runnerUp).toMatchObject({ option: 'split', splitAfter: 287 });
    });

    it('calls a tie when only a wider option further down the ranking reaches the best', () => {
        // best split 3: E 10 [9, 11]; runner-up split 7: 12 [11.5, 12.5], 11.5 > 11: not tied;
        // all on UE 13 [t low 2·13 − 27 = −1 → 0 (clipped), 27]: 0 ≤ 11, tied
        const s = summarizeNetwork(
            X,
            0,
            [
                { splitAfter: 3, net: net(10), total: { valueMs: 9, lowMs: 8, highMs: 10 } },
                { splitAfter: 7, net: net(12), total: { valueMs: 11, lowMs: 10.5, highMs: 11.5 } },
            ],
            { valueMs: 13, lowMs: 0, highMs: 27 },
            { inputBytes: null, serverFull: null },
        );
        expect(s.runnerUp).toMatchObject({ option: 'split', splitAfter: 7 });
        expect(s.tiedWith).toEqual([{ option: 'allOnUe', endToEndMs: 13, lowMs: 0, lowClipped: true, highMs: 27 }]);
        expect(s.tie).toBe(true);
    });

    it('clips the compute bound at 0, then adds the transfer: no end-to-end bound below the transfer time', () => {
        // compute total 144.653 [t-interval −30.320 .. 319.625, clipped low 0]; transfer 100 ms → E2E 244.653:
        // low max(0, −30.320) + 100 = 100 (the transfer alone, marked), high 319.625 + 100 = 419.625
        const total = { valueMs: 144.653, lowMs: 0, highMs: 319.625 };
        const p = { name: 'x', uplinkMbps: 10, rttMs: 0 };
        const split = {
            splitAfter: 3,
            net: { profile: 'x', transferMs: 100, endToEndMs: 244.653, breakEvenUplinkMbps: 1 },
            total,
        };
        const s = summarizeNetwork(p, 0, [split], total, { inputBytes: null, serverFull: null });
        // best: all on UE 144.653 with its low clipped (t low −30.320), marked
        expect(s.best).toEqual({ option: 'allOnUe', endToEndMs: 144.653, lowMs: 0, lowClipped: true, highMs: 319.625 });
        expect(s.runnerUp).toEqual({
            option: 'split',
            splitAfter: 3,
            endToEndMs: 244.653,
            lowMs: 100,
            lowClipped: true,
            highMs: 419.625,
        });
        // all on server: input 125,000 B at 10 Mbit/s = 100 ms; server 10 [t low −10, clipped 0 .. 30]
        // → 110 [100 (clipped), 130], not [90, 130]
        const srv = summarizeNetwork(p, 0, [], null, {
            inputBytes: 125_000,
            serverFull: { valueMs: 10, lowMs: 0, highMs: 30 },
        });
        expect(srv.best).toEqual({ option: 'allOnServer', endToEndMs: 110, lowMs: 100, lowClipped: true, highMs: 130 });
    });

    it("does not call a tie when all on server's physical lower bound lies above all on UE (the review's n=2 run)", () => {
        // 5G-uplink: 50 Mbit/s, RTT 20 ms. All on UE 47.311 [45.710, 48.912]. All on server: input 786,432 B →
        // 786432·8/50000 = 125.82912 ms + 20 = 145.82912 ms; T_srv(full) 47.587 with high 276.432 (half 228.845,
        // t low −181.258 → clipped 0): E = 193.41612 [145.82912 (clipped), 422.26112]. 145.829 > 48.912: no overlap.
        // The old rule (shift the unclipped bound) gave 145.829 − 181.258 = −35.429 → 0 and a tie.
        const p = { name: '5G-uplink', uplinkMbps: 50, rttMs: 20 };
        const s = summarizeNetwork(
            p,
            20,
            [],
            { valueMs: 47.311, lowMs: 45.71, highMs: 48.912 },
            { inputBytes: 786_432, serverFull: { valueMs: 47.587, lowMs: 0, highMs: 276.432 } },
        );
        expect(s.best).toMatchObject({ option: 'allOnUe', endToEndMs: 47.311 });
        expect(s.best?.lowMs).toBeCloseTo(45.71, 9);
        expect(s.runnerUp?.option).toBe('allOnServer');
        expect(s.runnerUp?.endToEndMs).toBeCloseTo(193.41612, 9);
        expect(s.runnerUp?.lowMs).toBeCloseTo(145.82912, 9);
        expect(s.runnerUp?.lowClipped).toBe(true);
        expect(s.runnerUp?.highMs).toBeCloseTo(422.26112, 9);
        expect(s.tie).toBe(false);
    });

    it('keeps an unclipped compute bound as it is, shifted by the transfer', () => {
        // split total 9 [8, 10] (t low 8 > 0), transfer 1 → [9, 11], no mark
        const p = { name: 'x', uplinkMbps: 10, rttMs: 0 };
        const s = summarizeNetwork(
            p,
            0,
            [
                {
                    splitAfter: 3,
                    net: { profile: 'x', transferMs: 1, endToEndMs: 10, breakEvenUplinkMbps: 'never' },
                    total: { valueMs: 9, lowMs: 8, highMs: 10 },
                },
            ],
            null,
            { inputBytes: null, serverFull: null },
        );
        expect(s.best).toEqual({ option: 'split', splitAfter: 3, endToEndMs: 10, lowMs: 9, highMs: 11 });
    });
});
