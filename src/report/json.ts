// JSON for machines: flat `rows` (one per split point and method) plus the full analyses without raw samples.
import { notDistinguishableReason } from '../analysis/improvement.js';
import type { ImprovementStat, MetricStat, SplitAnalysis, SplitTimes } from '../analysis/types.js';
import { FORMULAS } from './formulas.js';
import { baseCaution, bestOnCompute } from './summary.js';
import type { ReportInput } from './types.js';

// 2: MetricStat.medianMs → valueMs (mean of repetition values), perRep, Student-t intervals; study columns.
// Later additions that keep every field of 2: rows[].ueImprovement / totalImprovement (intervals of the improvements),
// with highClipped and notDistinguishable on every improvement; analyses[].summary (baseCaution, bestOnCompute);
// improvement interval 'unbounded' with g, reason and notDistinguishableReason; analyses[].networks[].tiedWith.
export const JSON_REPORT_SCHEMA = 'splitbench-report/2';

export interface JsonReportRow {
    model: string;
    ueDevice: string;
    serverDevice: string;
    splitAfter: number;
    /** The study's layer number (ops on activations only, 1-based). */
    layerNumber: number;
    /** Every tensor crossing the cut. */
    cutBytes: number | null;
    /** The split op's own outputs (the study's intermediate data size). */
    layerOutputBytes: number | null;
    cutTensors: number;
    ueMs: number | null;
    serverMs: number | null;
    totalMs: number | null;
    /** Base: the profile's total for estimated rows, the measured full model for measured rows. */
    ueImprovementPct: number | null;
    totalImprovementPct: number | null;
    /** The improvements with their 95 % intervals, n and method (docs/statistics.md "Improvements"). */
    ueImprovement: JsonImprovement | null;
    totalImprovement: JsonImprovement | null;
    method: 'estimated' | 'measured';
    /** Set when method is 'estimated' and the split sits inside a delegate partition. */
    notEstimable?: string | undefined;
}

/**
 * An improvement as JSON: every field of ImprovementStat, with `highClipped` always present (true: highPct is 100
 * because the interval reached past it), `notDistinguishable` (true: the data cannot tell the split from running
 * everything on the UE, because the interval contains 0 or, interval 'unbounded', the base's own interval reaches 0;
 * false for n = 1) and `notDistinguishableReason` (those words; null when distinguishable).
 */
export type JsonImprovement = Omit<ImprovementStat, 'highClipped'> & {
    highClipped: boolean;
    notDistinguishable: boolean;
    notDistinguishableReason: string | null;
};

const jsonImprovement = (s: ImprovementStat | null | undefined): JsonImprovement | null => {
    if (s === null || s === undefined) return null;
    const why = notDistinguishableReason(s);
    return {
        ...s,
        highClipped: s.highClipped === true,
        notDistinguishable: why !== null,
        notDistinguishableReason: why,
    };
};

const leanTimes = (t: SplitTimes | null): unknown =>
    t === null
        ? null
        : {
              ...t,
              ue: lean(t.ue),
              server: lean(t.server),
              total: lean(t.total),
              improvement:
                  t.improvement === null
                      ? null
                      : { ue: jsonImprovement(t.improvement.ue), total: jsonImprovement(t.improvement.total) },
          };

/** Stat without the per-sample and per-repetition arrays (kept in the store, too big for a report). */
const lean = (
    s: MetricStat | null,
): (Omit<MetricStat, 'repValuesMs' | 'lowClipped'> & { lowClipped: boolean }) | null => {
    if (s === null) return null;
    return {
        valueMs: s.valueMs,
        lowMs: s.lowMs,
        highMs: s.highMs,
        // always present: the number 0 alone does not say it is a clipped bound (docs/statistics.md)
        lowClipped: s.lowClipped === true,
        interval: s.interval,
        n: s.n,
        perRep: s.perRep,
    };
};

const leanAnalysis = (a: SplitAnalysis): unknown => {
    const best = bestOnCompute(a);
    return {
        ...a,
        estimatedFullUe: lean(a.estimatedFullUe),
        fullUe: a.fullUe === null ? null : { ...lean(a.fullUe), source: a.fullUe.source },
        fullServer: a.fullServer === null ? null : { ...lean(a.fullServer), source: a.fullServer.source },
        rows: a.rows.map((r) => ({ ...r, estimated: leanTimes(r.estimated), measured: leanTimes(r.measured) })),
        // the lines the terminal prints under the table (src/report/summary.ts), as fields
        summary: {
            baseCaution: baseCaution(a),
            bestOnCompute:
                best === null
                    ? null
                    : {
                          ...best,
                          totalImprovement: jsonImprovement(best.totalImprovement),
                          ueImprovement: jsonImprovement(best.ueImprovement),
                      },
        },
    };
};

export const jsonRows = (input: ReportInput): JsonReportRow[] => {
    const rows: JsonReportRow[] = [];
    for (const a of input.analyses)
        for (const r of a.rows) {
            const base = {
                model: a.model.name,
                ueDevice: a.ueDevice,
                serverDevice: a.serverDevice,
                splitAfter: r.splitAfter,
                layerNumber: r.layerNumber,
                cutBytes: r.cut.bytes,
                layerOutputBytes: r.layerOutputBytes,
                cutTensors: r.cut.tensors.length,
            };
            for (const method of ['estimated', 'measured'] as const) {
                const t = r[method];
                if (t === null && !(method === 'estimated' && r.notEstimable !== undefined)) continue;
                rows.push({
                    ...base,
                    ueMs: t?.ue.valueMs ?? null,
                    serverMs: t?.server.valueMs ?? null,
                    totalMs: t?.totalMs ?? null,
                    ueImprovementPct: t?.ueImprovementPct ?? null,
                    totalImprovementPct: t?.totalImprovementPct ?? null,
                    ueImprovement: jsonImprovement(t?.improvement?.ue),
                    totalImprovement: jsonImprovement(t?.improvement?.total),
                    method,
                    ...(t === null && r.notEstimable !== undefined
                        ? { notEstimable: `${r.notEstimable.reason}; ${r.notEstimable.hint}` }
                        : {}),
                });
            }
        }
    return rows;
};

export const buildJsonReport = (input: ReportInput): Record<string, unknown> => ({
    schema: JSON_REPORT_SCHEMA,
    run: input.run,
    formulas: FORMULAS,
    rows: jsonRows(input),
    analyses: input.analyses.map(leanAnalysis),
    devices: input.devices,
    settings: input.settings,
    ...(input.measurement !== undefined ? { measurementConditions: input.measurement } : {}),
    provenance: input.provenance,
    splitChecks: input.splitChecks ?? [],
});

/** Compact (reports reach tens of MB); JSON.stringify already writes non-finite numbers as null. */
export const renderJson = (input: ReportInput): string => `${JSON.stringify(buildJsonReport(input))}\n`;
