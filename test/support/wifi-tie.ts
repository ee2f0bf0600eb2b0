// The review's Wi-Fi line (n = 2 run of configs/demo.yaml): two splits and all on UE whose end-to-end intervals all
// overlap, plus all on server far above them. Numbers are the review's; the bounds are worked out in the comment.
import { summarizeNetwork } from '../../src/analysis/network.js';
import type { NetworkSummary } from '../../src/analysis/types.js';

/**
 * compute value, high, transfer (ms) → E = value + tx, low = max(0, 2·value − high) + tx, high + tx:
 * split 243: 54.773, 110.060, 12.458 → 67.231 [12.458 (clipped, t low −0.514), 122.518];
 * split 287: 59.178, 172.034, 10.246 → 69.424 [10.246 (clipped, t low −53.678), 182.280];
 * all on UE: 70.086, 269.627 → 70.086 [0 (clipped, t low −129.455), 269.627];
 * all on server: 1,250,000 B at 100 Mbit/s = 100 ms + 30 [25, 35] → 130 [125, 135]: 125 > 122.518, not tied.
 */
export const reviewWifiTie = (): NetworkSummary => {
    const split = (splitAfter: number, valueMs: number, highMs: number, tx: number) => ({
        splitAfter,
        net: { profile: 'Wi-Fi', transferMs: tx, endToEndMs: valueMs + tx, breakEvenUplinkMbps: 'never' as const },
        total: { valueMs, lowMs: 0, highMs },
    });
    return summarizeNetwork(
        { name: 'Wi-Fi', uplinkMbps: 100, rttMs: 0 },
        0,
        [split(243, 54.773, 110.06, 12.458), split(287, 59.178, 172.034, 10.246)],
        { valueMs: 70.086, lowMs: 0, highMs: 269.627 },
        { inputBytes: 1_250_000, serverFull: { valueMs: 30, lowMs: 25, highMs: 35 } },
    );
};
