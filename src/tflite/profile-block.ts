// benchmark_model's regular-run profile (StatsCalculator) from per-node timings: Run Order, Top by Computation Time,
// Summary by node type and the per-run Timings line. Numbers are rounded as the text prints them.
import type { NodeTypeRow, OpRow, ProfileBlock } from '../parse/types.js';
import { statLine, summarize } from './stats.js';
import type { NodeTiming } from './types.js';

const populationStd = (xs: readonly number[]): number => {
    if (xs.length === 0) return 0;
    const mean = xs.reduce((a, v) => a + v, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, v) => a + (v - mean) * (v - mean), 0) / xs.length);
};

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

const nodeName = (t: NodeTiming): string => `[${t.outputs.join(', ')}]:${t.nodeIndex}`;

/** The four tables of one subgraph's regular-run profile, numbers rounded as the text prints them. */
export const buildProfileBlock = (
    timings: readonly NodeTiming[],
    runs: number,
    subgraphIndex: number,
): ProfileBlock => {
    const executed = timings.filter((t) => t.timesCalled > 0);
    const stats = executed.map((t) => {
        const s = summarize(t.samplesUs);
        return { t, s };
    });
    const totalMs = stats.reduce((a, { s }) => a + (s?.avg ?? 0) / 1000, 0);
    const pctOf = (ms: number): number => (totalMs > 0 ? (ms / totalMs) * 100 : 0);
    const rowOf = (t: NodeTiming, s: ReturnType<typeof summarize>, cdfMs: number): OpRow => ({
        nodeIndex: t.nodeIndex,
        type: t.type,
        firstMs: round3((s?.first ?? 0) / 1000),
        avgMs: round3((s?.avg ?? 0) / 1000),
        pct: round3(pctOf((s?.avg ?? 0) / 1000)),
        cdfPct: round3(pctOf(cdfMs)),
        memKb: 0,
        timesCalled: runs > 0 ? Math.trunc(t.timesCalled / runs) : 0,
        name: nodeName(t),
        outputs: [...t.outputs],
        minMs: (s?.min ?? 0) / 1000,
        maxMs: (s?.max ?? 0) / 1000,
        stdMs: populationStd(t.samplesUs) / 1000,
    });
    let cdf = 0;
    const runOrder = stats.map(({ t, s }) => {
        cdf += (s?.avg ?? 0) / 1000;
        return rowOf(t, s, cdf);
    });
    const byTime = [...stats].sort((a, b) => (b.s?.avg ?? 0) - (a.s?.avg ?? 0));
    cdf = 0;
    const top = byTime.slice(0, 10).map(({ t, s }) => {
        cdf += (s?.avg ?? 0) / 1000;
        return rowOf(t, s, cdf);
    });
    const types = new Map<string, { count: number; ms: number; called: number }>();
    for (const { t, s } of stats) {
        const e = types.get(t.type) ?? { count: 0, ms: 0, called: 0 };
        e.count++;
        e.ms += (s?.avg ?? 0) / 1000;
        e.called += runs > 0 ? Math.trunc(t.timesCalled / runs) : 0;
        types.set(t.type, e);
    }
    cdf = 0;
    const byType: NodeTypeRow[] = [...types.entries()]
        .sort((a, b) => b[1].ms - a[1].ms)
        .map(([type, e]) => {
            cdf += e.ms;
            return {
                type,
                count: e.count,
                avgMs: round3(e.ms),
                avgPct: round3(pctOf(e.ms)),
                cdfPct: round3(pctOf(cdf)),
                memKb: 0,
                timesCalled: e.called,
            };
        });
    const perRun: number[] = [];
    for (let r = 0; r < runs; r++) {
        perRun.push(Math.round(executed.reduce((a, t) => a + (t.samplesUs[r] ?? 0), 0)));
    }
    return {
        subgraphIndex,
        runOrder,
        top,
        byType,
        timings: statLine(perRun, false),
        nodesObserved: runOrder.length,
    };
};
