// The split table: per split point the cut, estimated and measured UE/server times, improvements against running the
// whole model on the UE, and the network view. Formulas are in FORMULAS (src/report/formulas.ts renders them).
import { SplitbenchError } from '../errors.js';
import { matchDevices, NOT_ESTIMABLE_HINT } from './match-ops.js';
import type { DeviceMatching, DeviceOpTimes } from './match-ops.js';
import { fixedNetworkMs, splitNetwork, summarizeNetwork, validateProfile } from './network.js';
import { statFromReps, statFromValues } from './stats.js';
import type {
    AnalysisOptions,
    EstimateError,
    MetricStat,
    PerOpRow,
    SplitAnalysis,
    SplitAnalysisInput,
    SplitNetwork,
    SplitRow,
    SplitTimes,
} from './types.js';

/** Per repetition prefix sums over the ops counted in the estimate, plus the delegate block position. */
interface Cumulative {
    prefix: Float64Array[];
    delegateMs: number[];
    /** Delegated op range [min, max] on this device, or null. */
    delegated: [number, number] | null;
    device: string;
}

const cumulativeOf = (d: DeviceOpTimes, included: readonly boolean[], device: string): Cumulative => {
    const prefix = d.perRep.map((times) => {
        const p = new Float64Array(times.length);
        let acc = 0;
        for (let i = 0; i < times.length; i++) {
            const t = times[i] as number;
            if (included[i] === true && d.present[i] === true && !Number.isNaN(t)) acc += t;
            p[i] = acc;
        }
        return p;
    });
    const del = d.match.delegatedOps;
    const delegated: [number, number] | null =
        del.length > 0 ? [del[0] as number, del[del.length - 1] as number] : null;
    return { prefix, delegateMs: d.delegateMsPerRep, delegated, device };
};

/** Cumulative time through op k in each repetition: Σ_{i<=k} t(i), plus the whole delegate block once k passes it. */
const cumAt = (c: Cumulative, k: number): number[] =>
    c.prefix.map(
        (p, r) => (p[k] as number) + (c.delegated !== null && k >= c.delegated[1] ? (c.delegateMs[r] as number) : 0),
    );

const totalOf = (c: Cumulative): number[] =>
    c.prefix.map(
        (p, r) =>
            (p.length > 0 ? (p[p.length - 1] as number) : 0) + (c.delegated !== null ? (c.delegateMs[r] as number) : 0),
    );

const pct = (num: number, den: number): number => (100 * num) / den;

const timesOf = (ue: MetricStat, server: MetricStat, fullUeMs: number | null): SplitTimes => {
    const totalMs = ue.medianMs + server.medianMs;
    return {
        ue,
        server,
        totalMs,
        ueImprovementPct: fullUeMs === null ? null : pct(fullUeMs - ue.medianMs, fullUeMs),
        totalImprovementPct: fullUeMs === null ? null : pct(fullUeMs - totalMs, fullUeMs),
    };
};

const errorOf = (est: SplitTimes, meas: SplitTimes): EstimateError => {
    const ueMs = est.ue.medianMs - meas.ue.medianMs;
    const serverMs = est.server.medianMs - meas.server.medianMs;
    const totalMs = est.totalMs - meas.totalMs;
    return {
        ueMs,
        uePct: pct(ueMs, meas.ue.medianMs),
        serverMs,
        serverPct: pct(serverMs, meas.server.medianMs),
        totalMs,
        totalPct: pct(totalMs, meas.totalMs),
    };
};

const meanPresent = (d: DeviceOpTimes, i: number): number | null => {
    if (d.present[i] !== true || d.perRep.length === 0) return null;
    let s = 0;
    for (const t of d.perRep) s += t[i] as number;
    return s / d.perRep.length;
};

const perOpRows = (input: SplitAnalysisInput, m: DeviceMatching): PerOpRow[] =>
    input.model.ops.map((op) => ({
        index: op.index,
        type: op.type,
        output: op.outputs[0] ?? `#${op.index}`,
        ueMs: meanPresent(m.ue, op.index),
        serverMs: meanPresent(m.server, op.index),
        included: m.included[op.index] === true,
        ueDelegated: m.ue.delegated[op.index] === true,
        serverDelegated: m.server.delegated[op.index] === true,
    }));

const validate = (input: SplitAnalysisInput): void => {
    const m = input.model;
    if (m.ops.length !== m.opCount)
        throw new SplitbenchError(
            'MODEL_INVALID',
            `model ${m.name}: ops lists ${m.ops.length} operators but opCount is ${m.opCount}`,
        );
    for (const [i, op] of m.ops.entries())
        if (op.index !== i)
            throw new SplitbenchError(
                'MODEL_INVALID',
                `model ${m.name}: ops[${i}].index is ${op.index}, expected ${i}`,
            );
    const seen = new Set<number>();
    for (const c of input.cuts) {
        if (!Number.isInteger(c.after) || c.after < 0 || c.after > m.opCount - 2)
            throw new SplitbenchError(
                'SPLIT_INVALID',
                `model ${m.name}: split point ${c.after} out of range 0..${m.opCount - 2}`,
            );
        if (seen.has(c.after))
            throw new SplitbenchError('SPLIT_INVALID', `model ${m.name}: split point ${c.after} listed twice`);
        seen.add(c.after);
    }
    const checkReps = (where: string, reps: readonly { avgUs: number }[]): void => {
        for (const [i, r] of reps.entries())
            if (!Number.isFinite(r.avgUs) || r.avgUs < 0)
                throw new SplitbenchError(
                    'PARSE_FAILED',
                    `model ${m.name}: ${where}[${i}].avgUs is not a time (${r.avgUs})`,
                );
    };
    checkReps('measured.fullUe', input.measured.fullUe);
    checkReps('measured.fullServer', input.measured.fullServer ?? []);
    for (const [k, reps] of input.measured.head) checkReps(`measured.head[${k}]`, reps);
    for (const [k, reps] of input.measured.tail) checkReps(`measured.tail[${k}]`, reps);
    for (const side of ['ue', 'server'] as const)
        for (const [r, prof] of input.estimate[side].entries())
            for (const [i, row] of prof.ops.entries())
                if (!Number.isFinite(row.avgMs) || row.avgMs < 0)
                    throw new SplitbenchError(
                        'PARSE_FAILED',
                        `model ${m.name}: estimate.${side}[${r}].ops[${i}].avgMs is not a time (${row.avgMs})`,
                    );
    for (const p of input.networks) validateProfile(p);
};

const notEstimableAt = (k: number, cs: readonly Cumulative[]): SplitRow['notEstimable'] => {
    for (const c of cs) {
        if (c.delegated !== null && k >= c.delegated[0] && k < c.delegated[1])
            return {
                reason: `ops ${c.delegated[0]}..${c.delegated[1]} run inside a delegate partition on ${c.device}: no per-op times on either side of this cut`,
                hint: NOT_ESTIMABLE_HINT,
            };
    }
    return undefined;
};

export const analyzeSplits = (input: SplitAnalysisInput, opts: AnalysisOptions = {}): SplitAnalysis => {
    validate(input);
    const confidence = opts.confidence ?? 0.95;
    const { model } = input;
    const warnings: string[] = [];

    const haveEstimate = input.estimate.ue.length > 0 && input.estimate.server.length > 0;
    if (!haveEstimate && input.estimate.ue.length + input.estimate.server.length > 0)
        warnings.push(
            `estimate needs profiles on both ${input.ueDevice} and ${input.serverDevice}; estimated columns left empty`,
        );
    let matching: DeviceMatching | null = null;
    let ueCum: Cumulative | null = null;
    let srvCum: Cumulative | null = null;
    if (haveEstimate) {
        matching = matchDevices(
            model,
            { device: input.ueDevice, profiles: input.estimate.ue },
            { device: input.serverDevice, profiles: input.estimate.server },
        );
        warnings.push(...matching.ue.warnings, ...matching.server.warnings);
        ueCum = cumulativeOf(matching.ue, matching.included, input.ueDevice);
        srvCum = cumulativeOf(matching.server, matching.included, input.serverDevice);
        if (matching.summary.missingOps.length > 0)
            warnings.push(
                `${matching.summary.missingOps.length} model op(s) matched on one device only; left out of the estimate`,
            );
    } else if (input.estimate.ue.length > 0) {
        // A UE-only profile still gives the estimated T_UE(full).
        const only = matchDevices(
            model,
            { device: input.ueDevice, profiles: input.estimate.ue },
            { device: input.ueDevice, profiles: input.estimate.ue },
        );
        ueCum = cumulativeOf(only.ue, only.included, input.ueDevice);
    }

    const fullUe: SplitAnalysis['fullUe'] =
        input.measured.fullUe.length > 0
            ? { ...statFromReps(input.measured.fullUe, confidence), source: 'measured' }
            : ueCum !== null
              ? { ...statFromValues(totalOf(ueCum)), source: 'estimated' }
              : null;
    const fullServer: SplitAnalysis['fullServer'] =
        (input.measured.fullServer ?? []).length > 0
            ? { ...statFromReps(input.measured.fullServer ?? [], confidence), source: 'measured' }
            : srvCum !== null
              ? { ...statFromValues(totalOf(srvCum)), source: 'estimated' }
              : null;
    const fullUeMs = fullUe?.medianMs ?? null;
    const srvTotals = srvCum !== null ? totalOf(srvCum) : [];
    const fixed = input.networks.map((p) => fixedNetworkMs(p, model));

    const cuts = [...input.cuts].sort((a, b) => a.after - b.after);
    for (const k of input.measured.head.keys())
        if (!cuts.some((c) => c.after === k)) warnings.push(`measured head for split ${k} has no cut; ignored`);
    const rows: SplitRow[] = cuts.map((cut) => {
        const k = cut.after;
        const op = model.ops[k];
        let estimated: SplitTimes | null = null;
        let notEstimable: SplitRow['notEstimable'];
        if (ueCum !== null && srvCum !== null) {
            notEstimable = notEstimableAt(k, [ueCum, srvCum]);
            if (notEstimable === undefined) {
                const ueVals = cumAt(ueCum, k);
                const cs = cumAt(srvCum, k);
                const srvVals = srvTotals.map((t, r) => t - (cs[r] as number));
                estimated = timesOf(statFromValues(ueVals), statFromValues(srvVals), fullUeMs);
            }
        }
        const head = input.measured.head.get(k) ?? [];
        const tail = input.measured.tail.get(k) ?? [];
        let measured: SplitTimes | null = null;
        if (head.length > 0 && tail.length > 0)
            measured = timesOf(statFromReps(head, confidence), statFromReps(tail, confidence), fullUeMs);
        else if (head.length > 0 || tail.length > 0)
            warnings.push(`split ${k}: ${head.length > 0 ? 'tail' : 'head'} not measured; measured columns left empty`);
        const primary = measured !== null ? 'measured' : estimated !== null ? 'estimated' : null;
        const times = measured ?? estimated;
        const network: SplitNetwork[] = input.networks.map((p, i) =>
            splitNetwork(
                {
                    splitAfter: k,
                    bytes: cut.bytes,
                    ueMs: times?.ue.medianMs ?? null,
                    serverMs: times?.server.medianMs ?? null,
                },
                p,
                fixed[i] as number,
                fullUeMs,
            ),
        );
        return {
            splitAfter: k,
            layerType: op?.type ?? '?',
            layerName: op?.outputs[0] ?? `#${k}`,
            cut,
            estimated,
            ...(notEstimable !== undefined ? { notEstimable } : {}),
            measured,
            estimateError: estimated !== null && measured !== null ? errorOf(estimated, measured) : null,
            primary,
            network,
        };
    });

    const networks = input.networks.map((p, i) =>
        summarizeNetwork(
            p,
            fixed[i] as number,
            rows.map((r) => ({ splitAfter: r.splitAfter, net: r.network[i] as SplitNetwork })),
            fullUeMs,
            { inputBytes: model.inputBytes ?? null, serverFullMs: fullServer?.medianMs ?? null },
        ),
    );
    const notEst = rows.filter((r) => r.notEstimable !== undefined).length;
    if (notEst > 0)
        warnings.push(`${notEst} split point(s) not estimable (delegate partitions); ${NOT_ESTIMABLE_HINT}`);

    return {
        model: { name: model.name, sha256: model.sha256, opCount: model.opCount },
        perOp: matching === null ? [] : perOpRows(input, matching),
        ueDevice: input.ueDevice,
        serverDevice: input.serverDevice,
        fullUe,
        fullServer,
        rows,
        matching: matching?.summary ?? null,
        networks,
        warnings,
    };
};
