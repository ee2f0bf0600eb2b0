// Analytical network model: what a cut costs to send, end-to-end time per split, the best option per link, and the
// uplink rate at which a split starts to beat running everything on the UE.
import { SplitbenchError } from '../errors.js';
import type { BreakEven, ModelInfo, NetworkProfile, NetworkSummary, SplitNetwork } from './types.js';

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
 * and "all on server" (E = S_input·8/R_UL + F + T_srv(full)). Ties go to all-on-UE, then the earliest split.
 */
export const summarizeNetwork = (
    p: NetworkProfile,
    fixedMs: number,
    perSplit: readonly { splitAfter: number; net: SplitNetwork }[],
    fullUeMs: number | null,
    allServer: { inputBytes: number | null; serverFullMs: number | null },
): NetworkSummary => {
    let best: NetworkSummary['best'] = fullUeMs === null ? null : { option: 'allOnUe', endToEndMs: fullUeMs };
    for (const { splitAfter, net } of perSplit) {
        if (net.endToEndMs === null) continue;
        if (best === null || net.endToEndMs < best.endToEndMs)
            best = { option: 'split', splitAfter, endToEndMs: net.endToEndMs };
    }
    let allOnServer: NetworkSummary['allOnServer'] = null;
    if (allServer.inputBytes !== null && allServer.serverFullMs !== null) {
        const tx = serializationMs(allServer.inputBytes, p.uplinkMbps) + fixedMs;
        allOnServer = { transferMs: tx, serverMs: allServer.serverFullMs, endToEndMs: tx + allServer.serverFullMs };
        if (best === null || allOnServer.endToEndMs < best.endToEndMs)
            best = { option: 'allOnServer', endToEndMs: allOnServer.endToEndMs };
    }
    return { profile: p, allOnUeMs: fullUeMs, allOnServer, best };
};
