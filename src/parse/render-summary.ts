// Human-readable summary of a parsed benchmark result (`splitbench parse FILE`). Pure: returns text.
import type { BenchmarkResult, OpRow } from './types.js';

const us = (v: number | undefined): string => (v === undefined ? '-' : `${(v / 1000).toFixed(3)} ms`);
const num = (v: number | undefined, unit = ''): string => (v === undefined ? '-' : `${v}${unit}`);

const topOps = (ops: readonly OpRow[], n: number): OpRow[] => [...ops].sort((a, b) => b.avgMs - a.avgMs).slice(0, n);

export const renderSummary = (r: BenchmarkResult, topN = 10, mentionRuns = true): string => {
    const out: string[] = [];
    const inf = r.inference;
    if (r.modelPath !== undefined) {
        out.push(`model      ${r.modelPath}${r.modelSizeMb !== undefined ? ` (${r.modelSizeMb} MB)` : ''}`);
    }
    out.push(
        `inference  avg ${us(inf.avgUs)}  min ${us(inf.minUs)}  max ${us(inf.maxUs)}  std ${us(inf.stdUs)}  count ${num(inf.count)}`,
    );
    if (inf.medianUs !== undefined) {
        out.push(`           p5 ${us(inf.p5Us)}  median ${us(inf.medianUs)}  p95 ${us(inf.p95Us)}`);
    }
    out.push(`init       ${us(inf.initUs)}  first ${us(inf.firstUs)}  warm-up avg ${us(inf.warmupAvgUs)}`);
    if (r.delegates.length > 0) {
        const parts = r.delegates.map((d) => {
            const extra: string[] = [];
            if (d.mode !== undefined) extra.push(d.mode);
            if (d.nodesReplaced !== undefined) {
                extra.push(`${d.nodesReplaced}${d.totalNodes !== undefined ? `/${d.totalNodes}` : ''} nodes`);
            }
            if (d.partitions !== undefined) extra.push(`${d.partitions} partitions`);
            if (d.unsupportedOps !== undefined && d.unsupportedOps.length > 0) {
                extra.push(`unsupported: ${d.unsupportedOps.join(', ')}`);
            }
            return extra.length > 0 ? `${d.name} (${extra.join(', ')})` : d.name;
        });
        out.push(`delegates  ${parts.join('; ')}`);
    }
    const m = r.memory;
    const mem: string[] = [];
    if (m.initMb !== undefined) mem.push(`init ${m.initMb} MB`);
    if (m.overallMb !== undefined) mem.push(`overall ${m.overallMb} MB`);
    if (m.peakMb !== undefined) mem.push(`peak ${m.peakMb} MB`);
    if (m.vmRssMb !== undefined) mem.push(`VmRSS ${m.vmRssMb} MB`);
    if (mem.length > 0) out.push(`memory     ${mem.join('  ')}`);
    if (r.ops.length > 0) {
        const total = r.ops.reduce((a, o) => a + o.avgMs, 0);
        out.push(
            `ops        ${r.ops.length} rows in the regular-run Run Order, sum of avg ${total.toFixed(3)} ms; top ${topN}:`,
        );
        for (const o of topOps(r.ops, topN)) {
            const idx =
                o.nodeIndex !== null
                    ? `#${o.nodeIndex}`
                    : o.delegateOpIndex !== undefined
                      ? `d${o.delegateOpIndex}`
                      : '-';
            out.push(`  ${idx.padStart(6)}  ${o.avgMs.toFixed(3).padStart(10)} ms  ${o.type.padEnd(24)}  ${o.name}`);
        }
    }
    if (mentionRuns && r.runsInText !== undefined)
        out.push(`runs       ${r.runsInText} runs in the text; this is the last (--all shows each)`);
    if (r.failure !== undefined) {
        const f = r.failure;
        const about =
            f.delegate !== undefined
                ? ` (${f.delegate} delegate${f.op !== undefined ? `, node ${f.op}` : ''})`
                : f.op !== undefined
                  ? ` (op ${f.op})`
                  : '';
        const what =
            f.kind === 'not_tflite' ? "not a TFLite benchmark_model output (full TensorFlow's benchmark_model): " : '';
        out.push(`failure    ${f.kind}${about}: ${what}${f.line}`);
    }
    if (r.truncated) out.push('truncated  the output ends before the run finished; the values above are what it holds');
    return `${out.join('\n')}\n`;
};
