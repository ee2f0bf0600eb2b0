// Analytical network model: what a cut costs to send, end-to-end time per split, the best option per link, and the
// uplink rate at which a split starts to beat running everything on the UE.
import { SplitbenchError } from '../errors.js';
import { shiftedLowMs } from './stats.js';
import type {
    BreakEven,
    MetricStat,
    ModelInfo,
    NetworkOption,
    NetworkProfile,
    NetworkSummary,
    SplitNetwork,
} from './types.js';

/** Time to move `bytes` at `mbps` Mbit/s, in ms: bytes·8 / (mbps·10^6) s = bytes·8 / (mbps·1000) ms. */
export const serializationMs = (bytes: number, mbps: number): number => (bytes * 8) / (mbps * 1000);

/** Fixed per-offload cost of a profile (ms): RTT plus, when configured, the result's return over the downlink. */
export const fixedNetworkMs = (p: NetworkProfile, model: Pick<ModelInfo, 'name' | 'outputBytes'>): number => {
    if (p.includeResultReturn !== true) return p.rttMs;
    const bytes = p.resultBytes ?? model.outputBytes ?? null;
    if (bytes === null)
        throw new SplitbenchError(
            'CONFIG_INVALID',
            `network profile '${p.name}': includeResultReturn needs resultBytes (model ${model.name} output size unknown)`,
        );
    if (p.downlinkMbps === undefined || !(p.downlinkMbps > 0))
        throw new SplitbenchError(
            'CONFIG_INVALID',
            `network profile '${p.name}': includeResultReturn needs downlinkMbps > 0`,
        );
    return p.rttMs + serializationMs(bytes, p.downlinkMbps);
};

export const validateProfile = (p: NetworkProfile): void => {
    if (!(p.uplinkMbps > 0) || !Number.isFinite(p.uplinkMbps))
        throw new SplitbenchError(
            'CONFIG_INVALID',
            `network profile '${p.name}': uplinkMbps must be > 0 (got ${p.uplinkMbps})`,
        );
    if (!(p.rttMs >= 0) || !Number.isFinite(p.rttMs))
        throw new SplitbenchError('CONFIG_INVALID', `network profile '${p.name}': rttMs must be >= 0 (got ${p.rttMs})`);
};

/** T_tx(k) = S(k)·8 / R_UL + RTT (+ S_result·8 / R_DL). Null when the cut size is unknown. */
export const transferMs = (bytes: number | null, p: NetworkProfile, fixedMs: number): number | null =>
    bytes === null ? null : serializationMs(bytes, p.uplinkMbps) + fixedMs;

/**
 * Splitting at k beats all-on-UE when T_UE(k) + S·8/R + F + T_srv(k) < T_UE(full), F = RTT (+ return), i.e. when
 * R > S·8 / (saved·1000) Mbit/s with saved = T_UE(full) − T_UE(k) − T_srv(k) − F (ms). saved <= 0: never.
 * Point values only (ms): no interval bound, clipped or not, enters it.
 */
export const breakEvenUplinkMbps = (
    bytes: number | null,
    ueMs: number,
    serverMs: number,
    fullUeMs: number | null,
    fixedMs: number,
): BreakEven => {
    if (bytes === null || fullUeMs === null) return 'unknown';
    const saved = fullUeMs - ueMs - serverMs - fixedMs;
    if (!(saved > 0)) return 'never';
    return (bytes * 8) / (saved * 1000);
};

export interface SplitPoint {
    splitAfter: number;
    bytes: number | null;
    ueMs: number | null;
    serverMs: number | null;
}

export const splitNetwork = (
    pt: SplitPoint,
    p: NetworkProfile,
    fixedMs: number,
    fullUeMs: number | null,
): SplitNetwork => {
    const tx = transferMs(pt.bytes, p, fixedMs);
    const timed = pt.ueMs !== null && pt.serverMs !== null;
    return {
        profile: p.name,
        transferMs: tx,
        endToEndMs: tx !== null && timed ? (pt.ueMs as number) + tx + (pt.serverMs as number) : null,
        breakEvenUplinkMbps: timed
            ? breakEvenUplinkMbps(pt.bytes, pt.ueMs as number, pt.serverMs as number, fullUeMs, fixedMs)
            : 'unknown',
    };
};

/**
 * Options compared per profile: every split with known times and bytes, "all on UE" (E = T_UE(full), nothing sent),
 * and "all on server" (E = S_input·8/R_UL + F + T_srv(full)). Each option carries the interval of its time (ms): the
 * compute part's interval (T_UE(k) + T_srv(k), T_UE(full) or T_srv(full)) with its lower bound clipped at 0, plus
 * the constant transfer time, so no bound falls below what the network alone costs (`lowClipped` when the compute
 * bound was clipped; {@link shiftedLowMs}). The best is the smallest point value (ties: all on UE, then the earliest
 * split); every other option whose interval overlaps the best's (these physical bounds) is tied with it, in rank
 * order (`tiedWith`): noise could swap them. `tie` = any such option.
 */
export const summarizeNetwork = (
    p: NetworkProfile,
    fixedMs: number,
    perSplit: readonly {
        splitAfter: number;
        net: SplitNetwork;
        total: Pick<MetricStat, 'valueMs' | 'lowMs' | 'highMs'> | null;
    }[],
    fullUe: Pick<MetricStat, 'valueMs' | 'lowMs' | 'highMs'> | null,
    allServer: { inputBytes: number | null; serverFull: Pick<MetricStat, 'valueMs' | 'lowMs' | 'highMs'> | null },
): NetworkSummary => {
    const options: NetworkOption[] = [];
    if (fullUe !== null)
        options.push({
            option: 'allOnUe',
            endToEndMs: fullUe.valueMs,
            ...shiftedLowMs(fullUe, 0),
            highMs: fullUe.highMs,
        });
    for (const { splitAfter, net, total } of perSplit) {
        if (net.endToEndMs === null || net.transferMs === null) continue;
        // without a total (no times behind the row) the compute part is the point value alone
        const compute = total ?? { valueMs: net.endToEndMs - net.transferMs, highMs: net.endToEndMs - net.transferMs };
        options.push({
            option: 'split',
            splitAfter,
            endToEndMs: net.endToEndMs,
            ...shiftedLowMs(compute, net.transferMs),
            highMs: compute.highMs + net.transferMs,
        });
    }
    let allOnServer: NetworkSummary['allOnServer'] = null;
    const sf = allServer.serverFull;
    if (allServer.inputBytes !== null && sf !== null) {
        const tx = serializationMs(allServer.inputBytes, p.uplinkMbps) + fixedMs;
        allOnServer = { transferMs: tx, serverMs: sf.valueMs, endToEndMs: tx + sf.valueMs };
        options.push({
            option: 'allOnServer',
            endToEndMs: tx + sf.valueMs,
            ...shiftedLowMs(sf, tx),
            highMs: tx + sf.highMs,
        });
    }
    // Stable sort keeps the order above among equal points: all on UE, splits ascending, all on server.
    const ranked = [...options].sort((a, b) => a.endToEndMs - b.endToEndMs);
    const best = ranked[0] ?? null;
    // Every later option has a point value ≥ the best's, so its upper bound lies above the best's lower bound: the
    // two overlap exactly when the best's upper bound reaches its lower bound. Any of them, not just the runner-up,
    // can: a wide interval with a larger point value (a noisy all on UE) reaches further down than a narrow one.
    const tiedWith = best === null ? [] : ranked.slice(1).filter((o) => best.highMs >= o.lowMs);
    return {
        profile: p,
        allOnUeMs: fullUe?.valueMs ?? null,
        allOnServer,
        best,
        runnerUp: ranked[1] ?? null,
        tie: tiedWith.length > 0,
        tiedWith,
    };
};
