// The split table: per split point the cut, estimated and measured UE/server times, improvements against running the
// whole model on the UE, and the network view. Formulas are in FORMULAS (src/report/formulas.ts renders them).
import { SplitbenchError } from '../errors.js';
import { matchDevices, NOT_ESTIMABLE_HINT } from './match-ops.js';
import type { DeviceMatching, DeviceOpTimes } from './match-ops.js';
import { pairedImprovement, ratioImprovement } from './improvement.js';
import { fixedNetworkMs, splitNetwork, summarizeNetwork, validateProfile } from './network.js';
import { sanityFlags } from './sanity.js';
import { median, statFromReps, statFromValues, sumStat } from './stats.js';
import type {
    AnalysisOptions,
    EstimateError,
    MetricStat,
    PartError,
    PerOpRow,
    RepetitionProfile,
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

/**
 * Per-repetition factor that turns a profile's per-op averages into the statistic the measurements use: the median
 * of that run's raw inference samples over their mean (1 when the run reported no samples; the values then stay
 * averages and are labelled 'mean'). Per-op rows are averages only, so their shares of the run are kept and the
 * run's median is distributed over them.
 */
const profileScales = (profiles: readonly RepetitionProfile[]): { scale: number[]; perRep: MetricStat['perRep'] } => {
    const kinds = profiles.map((p) =>
        p.samplesUs !== undefined && p.samplesUs.length > 0 && p.inferenceAvgUs > 0 ? 'median' : 'mean',
    );
    return {
        scale: profiles.map((p, r) => (kinds[r] === 'median' ? median(p.samplesUs ?? []) / p.inferenceAvgUs : 1)),
        perRep: kinds.every((k) => k === 'median') ? 'median' : kinds.every((k) => k === 'mean') ? 'mean' : 'mixed',
    };
};

const scaled = (vals: readonly number[], scale: readonly number[]): number[] => vals.map((v, r) => v * (scale[r] ?? 1));

/** The improvements of one row, or null when its method's base is unknown. */
type Improvements = { base: NonNullable<SplitTimes['improvementBase']> } & NonNullable<SplitTimes['improvement']>;

const timesOf = (ue: MetricStat, server: MetricStat, total: MetricStat, imp: Improvements | null): SplitTimes => ({
    ue,
    server,
    total,
    totalMs: total.valueMs,
    ueImprovementPct: imp?.ue.valuePct ?? null,
    totalImprovementPct: imp?.total.valuePct ?? null,
    improvementBase: imp?.base ?? null,
    improvement: imp === null ? null : { ue: imp.ue, total: imp.total },
});

const partError = (est: MetricStat, meas: MetricStat): PartError => ({
    ms: est.valueMs - meas.valueMs,
    pct: pct(est.valueMs - meas.valueMs, meas.valueMs),
    // Only a measurement with an interval can say the estimate is off; a single repetition cannot.
    beyondInterval: meas.interval !== 'none' && (est.valueMs < meas.lowMs || est.valueMs > meas.highMs),
});

const errorOf = (est: SplitTimes, meas: SplitTimes): EstimateError => ({
    ue: partError(est.ue, meas.ue),
    server: partError(est.server, meas.server),
    total: partError(est.total, meas.total),
});

/**
 * Improvements of an estimated row against the same profile's total (the study's base). %UE pairs each UE
 * repetition with its own total; %total pairs UE repetition r with server repetition r when both devices have the
 * same number of profiles (independent draws, so pairing by index is valid), otherwise it treats the total and the
 * base as independent means (delta method; conservative, since T_UE and B share a run and are positively correlated).
 */
const estImprovements = (
    baseMs: readonly number[] | null,
    ueVals: readonly number[],
    srvVals: readonly number[],
    stats: { ue: MetricStat; server: MetricStat; base: MetricStat | null },
    confidence: number,
): Improvements | null => {
    if (baseMs === null || stats.base === null) return null;
    return {
        base: { ms: stats.base.valueMs, source: 'profile total' },
        ue: pairedImprovement(baseMs, ueVals, confidence),
        total:
            ueVals.length === srvVals.length
                ? pairedImprovement(
                      baseMs,
                      ueVals.map((v, r) => v + (srvVals[r] as number)),
                      confidence,
                  )
                : ratioImprovement([stats.ue, stats.server], stats.base, confidence, 'profile total'),
    };
};

/** The study's layer numbers: layer[k] = count of non-constant ops in 0..k (1-based numbering of real ops). */
const layerNumbers = (model: SplitAnalysisInput['model']): number[] => {
    let n = 0;
    return model.ops.map((op) => (op.constant === true ? n : ++n));
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

    const ueScale = profileScales(input.estimate.ue);
    const srvScale = profileScales(input.estimate.server);
    const estUeTotals = ueCum !== null ? scaled(totalOf(ueCum), ueScale.scale) : null;
    const estSrvTotals = srvCum !== null ? scaled(totalOf(srvCum), srvScale.scale) : null;
    // which profiled repetitions were load-flagged, index by index with their values
    const ueLoaded = input.estimate.ue.map((p) => p.loaded === true);
    const srvLoaded = input.estimate.server.map((p) => p.loaded === true);
    const estUeFull = estUeTotals === null ? null : statFromValues(estUeTotals, ueScale.perRep, confidence, ueLoaded);
    const fullUe: SplitAnalysis['fullUe'] =
        input.measured.fullUe.length > 0
            ? { ...statFromReps(input.measured.fullUe, confidence), source: 'measured' }
            : estUeFull !== null
              ? { ...estUeFull, source: 'estimated' }
              : null;
    const fullServer: SplitAnalysis['fullServer'] =
        (input.measured.fullServer ?? []).length > 0
            ? { ...statFromReps(input.measured.fullServer ?? [], confidence), source: 'measured' }
            : estSrvTotals !== null
              ? { ...statFromValues(estSrvTotals, srvScale.perRep, confidence, srvLoaded), source: 'estimated' }
              : null;
    // The study's improvement bases: an estimate against the same profile's total, a measurement against the
    // measured full model.
    const measBase = fullUe?.source === 'measured' ? fullUe : null;
    const fullUeMs = fullUe?.valueMs ?? null;
    const fixed = input.networks.map((p) => fixedNetworkMs(p, model));
    const layers = layerNumbers(model);

    const cuts = [...input.cuts].sort((a, b) => a.after - b.after);
    for (const k of input.measured.head.keys())
        if (!cuts.some((c) => c.after === k)) warnings.push(`measured head for split ${k} has no cut; ignored`);
    const rows: SplitRow[] = cuts.map((cut) => {
        const k = cut.after;
        const op = model.ops[k];
        let estimated: SplitTimes | null = null;
        let notEstimable: SplitRow['notEstimable'];
        if (ueCum !== null && srvCum !== null && estSrvTotals !== null) {
            notEstimable = notEstimableAt(k, [ueCum, srvCum]);
            if (notEstimable === undefined) {
                const ueVals = scaled(cumAt(ueCum, k), ueScale.scale);
                const cs = scaled(cumAt(srvCum, k), srvScale.scale);
                const srvVals = estSrvTotals.map((t, r) => t - (cs[r] as number));
                const ue = statFromValues(ueVals, ueScale.perRep, confidence, ueLoaded);
                const server = statFromValues(srvVals, srvScale.perRep, confidence, srvLoaded);
                estimated = timesOf(
                    ue,
                    server,
                    sumStat(ue, server, confidence),
                    estImprovements(estUeTotals, ueVals, srvVals, { ue, server, base: estUeFull }, confidence),
                );
            }
        }
        const head = input.measured.head.get(k) ?? [];
        const tail = input.measured.tail.get(k) ?? [];
        let measured: SplitTimes | null = null;
        if (head.length > 0 && tail.length > 0) {
            const ue = statFromReps(head, confidence);
            const server = statFromReps(tail, confidence);
            measured = timesOf(
                ue,
                server,
                sumStat(ue, server, confidence),
                measBase === null
                    ? null
                    : {
                          base: { ms: measBase.valueMs, source: 'measured full model' },
                          ue: ratioImprovement([ue], measBase, confidence, 'T_UE(full)'),
                          total: ratioImprovement([ue, server], measBase, confidence, 'T_UE(full)'),
                      },
            );
        } else if (head.length > 0 || tail.length > 0)
            warnings.push(`split ${k}: ${head.length > 0 ? 'tail' : 'head'} not measured; measured columns left empty`);
        const primary = measured !== null ? 'measured' : estimated !== null ? 'estimated' : null;
        const times = measured ?? estimated;
        const network: SplitNetwork[] = input.networks.map((p, i) =>
            splitNetwork(
                {
                    splitAfter: k,
                    bytes: cut.bytes,
                    ueMs: times?.ue.valueMs ?? null,
                    serverMs: times?.server.valueMs ?? null,
                },
                p,
                fixed[i] as number,
                fullUeMs,
            ),
        );
        const outBytes = op?.outputBytes;
        return {
            splitAfter: k,
            layerType: op?.type ?? '?',
            layerName: op?.outputs[0] ?? `#${k}`,
            layerNumber: layers[k] ?? k + 1,
            layerOutputBytes: outBytes === undefined ? null : outBytes,
            cut,
            estimated,
            ...(notEstimable !== undefined ? { notEstimable } : {}),
            measured,
            estimateError: estimated !== null && measured !== null ? errorOf(estimated, measured) : null,
            primary,
            network,
            flags: [],
        };
    });
    sanityFlags(
        rows,
        fullUe?.source === 'measured' ? fullUe : null,
        fullServer?.source === 'measured' ? fullServer : null,
    );

    const networks = input.networks.map((p, i) =>
        summarizeNetwork(
            p,
            fixed[i] as number,
            rows.map((r) => ({
                splitAfter: r.splitAfter,
                net: r.network[i] as SplitNetwork,
                total: (r.primary === 'measured' ? r.measured : r.estimated)?.total ?? null,
            })),
            fullUe,
            { inputBytes: model.inputBytes ?? null, serverFull: fullServer },
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
        estimatedFullUe: estUeFull,
        fullUe,
        fullServer,
        rows,
        matching: matching?.summary ?? null,
        networks,
        warnings,
    };
};
