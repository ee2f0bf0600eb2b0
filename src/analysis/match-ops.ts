// Maps each device's profile rows onto the reference model's ops, then decides which ops the estimate may use.
// Same model file: node index = op index (robust). Otherwise: output tensor names (the reference study's way).
import type { OpRow } from '../parse/types.js';
import type { DeviceMatch, MatchSummary, ModelInfo, RepetitionProfile, UnmatchedRow } from './types.js';

export const NOT_ESTIMABLE_HINT = 'set use_xnnpack: false to get per-op rows';

/** Per-device op times after matching. */
export interface DeviceOpTimes {
    match: DeviceMatch;
    /** present[i]: op i has a row in every repetition. */
    present: boolean[];
    /** delegated[i]: op i is assumed to run inside a delegate partition. */
    delegated: boolean[];
    /** Per repetition, op index → avg ms (NaN where missing). */
    perRep: Float64Array[];
    /** Per repetition, Σ avg ms of delegate-partition rows. */
    delegateMsPerRep: number[];
    unmatched: UnmatchedRow[];
    warnings: string[];
}

/**
 * A row that stands for a delegate partition rather than one TFLite op: a delegate kernel type
 * (TfLiteXNNPackDelegate, TfLiteGpuDelegateV2, 'Vx Delegate', DelegateOpInvoke), a delegate-internal row
 * ('Delegate/...'), or - when the device ran the reference file itself - a node index past the model's ops (delegate
 * nodes are appended after the original ones). Node indices from another file say nothing about the reference.
 */
export const isDelegateRow = (row: OpRow, opCount: number, sameModelFile: boolean): boolean =>
    /delegate/i.test(row.type) ||
    row.name.startsWith('Delegate/') ||
    (sameModelFile && row.nodeIndex !== null && row.nodeIndex >= opCount);

type RowTarget =
    | { kind: 'op'; index: number; by: 'nodeIndex' | 'outputNames' }
    | { kind: 'delegate' }
    | { kind: 'unmatched'; reason: string };

const targetOf = (row: OpRow, model: ModelInfo, sameFile: boolean, byName: ReadonlyMap<string, number>): RowTarget => {
    if (isDelegateRow(row, model.opCount, sameFile)) return { kind: 'delegate' };
    if (sameFile && row.nodeIndex !== null) return { kind: 'op', index: row.nodeIndex, by: 'nodeIndex' };
    if (row.outputs.length === 0) return { kind: 'unmatched', reason: 'row names no output tensor' };
    const ops = new Set<number>();
    for (const name of row.outputs) {
        const i = byName.get(name);
        if (i === undefined) return { kind: 'unmatched', reason: `no model op produces tensor '${name}'` };
        ops.add(i);
    }
    // A row whose outputs come from several ops covers them all: a delegate partition.
    if (ops.size > 1) return { kind: 'delegate' };
    return { kind: 'op', index: [...ops][0] as number, by: 'outputNames' };
};

const medianOf = (xs: number[]): number | null => {
    if (xs.length === 0) return null;
    const s = [...xs].sort((a, b) => a - b);
    const h = (s.length - 1) / 2;
    return ((s[Math.floor(h)] as number) + (s[Math.ceil(h)] as number)) / 2;
};

export const mapDeviceRows = (
    model: ModelInfo,
    profiles: readonly RepetitionProfile[],
    device: string,
): DeviceOpTimes => {
    const n = model.opCount;
    const byName = new Map<string, number>();
    for (const op of model.ops) for (const t of op.outputs) if (!byName.has(t)) byName.set(t, op.index);
    const counts = new Int32Array(n);
    const perRep: Float64Array[] = [];
    const delegateMsPerRep: number[] = [];
    const delegateRows = new Map<string, DeviceMatch['delegateRows'][number]>();
    const unmatched = new Map<string, UnmatchedRow>();
    const warnings: string[] = [];
    const coverages: number[] = [];
    let byIndex = 0;
    let byNames = 0;
    for (const [r, prof] of profiles.entries()) {
        const times = new Float64Array(n).fill(Number.NaN);
        let delegateMs = 0;
        let rowSum = 0;
        for (const row of prof.ops) {
            rowSum += row.avgMs;
            const t = targetOf(row, model, prof.sameModelFile, byName);
            if (t.kind === 'delegate') {
                delegateMs += row.avgMs;
                const key = `${row.nodeIndex}|${row.name}`;
                if (!delegateRows.has(key))
                    delegateRows.set(key, {
                        nodeIndex: row.nodeIndex,
                        type: row.type,
                        name: row.name,
                        avgMs: row.avgMs,
                    });
                continue;
            }
            if (t.kind === 'op' && !Number.isNaN(times[t.index])) {
                unmatched.set(`${row.nodeIndex}|${row.name}`, {
                    device,
                    nodeIndex: row.nodeIndex,
                    type: row.type,
                    name: row.name,
                    avgMs: row.avgMs,
                    reason: `second row for op ${t.index}`,
                });
                continue;
            }
            if (t.kind === 'unmatched') {
                unmatched.set(`${row.nodeIndex}|${row.name}`, {
                    device,
                    nodeIndex: row.nodeIndex,
                    type: row.type,
                    name: row.name,
                    avgMs: row.avgMs,
                    reason: t.reason,
                });
                continue;
            }
            const op = model.ops[t.index];
            if (r === 0 && op !== undefined && op.type !== row.type)
                warnings.push(`${device}: row '${row.name}' (${row.type}) matched op ${t.index} of type ${op.type}`);
            times[t.index] = row.avgMs;
            if (t.by === 'nodeIndex') byIndex++;
            else byNames++;
        }
        for (let i = 0; i < n; i++) if (!Number.isNaN(times[i])) counts[i] = (counts[i] as number) + 1;
        perRep.push(times);
        delegateMsPerRep.push(delegateMs);
        if (prof.inferenceAvgUs > 0) coverages.push(rowSum / (prof.inferenceAvgUs / 1000));
    }
    const reps = profiles.length;
    const present = Array.from(counts, (c) => reps > 0 && c === reps);
    const partial = present.flatMap((p, i) => (!p && (counts[i] as number) > 0 ? [i] : []));
    if (partial.length > 0)
        warnings.push(`${device}: ops ${partial.join(', ')} have rows in some repetitions only; left out`);
    const hasDelegate = delegateRows.size > 0;
    const delegated = present.map((p) => hasDelegate && !p);
    if (hasDelegate && !delegated.some(Boolean)) {
        // Every op has its own row, so the partition rows cannot be placed: keep them out of the sums and say so.
        for (const d of delegateRows.values())
            unmatched.set(`${d.nodeIndex}|${d.name}`, {
                device,
                ...d,
                reason: 'delegate row but every model op has its own row',
            });
        delegateRows.clear();
        delegateMsPerRep.fill(0);
    }
    const method: DeviceMatch['method'] =
        reps === 0 ? 'none' : byIndex > 0 && byNames > 0 ? 'mixed' : byIndex > 0 ? 'nodeIndex' : 'outputNames';
    return {
        match: {
            device,
            method,
            matchedOps: present.filter(Boolean).length,
            delegateRows: [...delegateRows.values()],
            delegatedOps: delegated.flatMap((d, i) => (d ? [i] : [])),
            coverage: medianOf(coverages),
        },
        present,
        delegated,
        perRep,
        delegateMsPerRep,
        unmatched: [...unmatched.values()],
        warnings,
    };
};

export interface DeviceMatching {
    ue: DeviceOpTimes;
    server: DeviceOpTimes;
    /** included[i]: op i counts in the estimate (has a row, or sits in a delegate partition, on both devices). */
    included: boolean[];
    summary: MatchSummary;
}

export const matchDevices = (
    model: ModelInfo,
    ue: { device: string; profiles: readonly RepetitionProfile[] },
    server: { device: string; profiles: readonly RepetitionProfile[] },
): DeviceMatching => {
    const u = mapDeviceRows(model, ue.profiles, ue.device);
    const s = mapDeviceRows(model, server.profiles, server.device);
    const included: boolean[] = [];
    const missingOps: MatchSummary['missingOps'] = [];
    for (let i = 0; i < model.opCount; i++) {
        const onUe = u.present[i] === true || u.delegated[i] === true;
        const onSrv = s.present[i] === true || s.delegated[i] === true;
        included.push(onUe && onSrv);
        if (!(onUe && onSrv)) {
            const missingOn = [...(onUe ? [] : [ue.device]), ...(onSrv ? [] : [server.device])];
            missingOps.push({ index: i, type: model.ops[i]?.type ?? '?', missingOn });
        }
    }
    return {
        ue: u,
        server: s,
        included,
        summary: {
            ue: u.match,
            server: s.match,
            estimatedOps: included.filter(Boolean).length,
            missingOps,
            unmatchedRows: [...u.unmatched, ...s.unmatched],
        },
    };
};
