// A measured improvement whose base T_UE(full) has an interval reaching 0 has no interval (Fieller's g ≥ 1): every
// report says "cannot tell" with the reason instead of a ranked gain, and such a row never wins "best split on
// compute". The review saw 79.0 [21.4 to 100 (clipped)] against T_UE(full) 70.086 [0 (clipped)–269.627]. The g
// values are worked out with scipy in test/unit/analysis/improvement.test.ts.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import type { SplitAnalysis } from '../../../src/analysis/types.js';
import { renderConsoleTable } from '../../../src/report/console.js';
import { renderCsv } from '../../../src/report/csv.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderJson } from '../../../src/report/json.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { bestOnCompute } from '../../../src/report/summary.js';
import { renderXlsx } from '../../../src/report/xlsx.js';
import { reportInput, smallInput } from '../../support/report-fixtures.js';

const REASON = "the baseline T_UE(full)'s 95 % interval reaches 0";

// T_UE(full) 1, 6, 11 ms: 6 ± 4.3027·2.8868 = ± 12.421 ms, reaching 0 (g = 4.2854); split 1 measured head 3.0,
// tail 2.6 ms: UE 50 %, total 100·(1 − 5.6/6) = 6.7 %, both without an interval
const noisy = (): SplitAnalysis => {
    const input = smallInput();
    input.measured.fullUe = [{ avgUs: 1000 }, { avgUs: 6000 }, { avgUs: 11000 }];
    return analyzeSplits(input);
};

const CANNOT_RANK = `best split on compute: cannot rank (${REASON}: no total improvement has an interval)`;

describe('an improvement whose base cannot bound it', () => {
    it('reads "cannot tell" in the terminal, explained under the table, and is not ranked', () => {
        const text = renderConsoleTable(noisy());
        expect(text).toMatch(/\|?\s+cannot tell \(50\.0\)\s+cannot tell \(6\.7\)\s+2\s+measured/);
        expect(text).toContain(
            `cannot tell: ${REASON}, so the data cannot bound the improvement (no interval) and its value is no evidence of a gain or a loss`,
        );
        expect(text).toContain(`\n${CANNOT_RANK}\n`);
    });

    it('gives the reason in Markdown and HTML cells, the legend and the summary', () => {
        const md = renderMarkdown(reportInput([noisy()]));
        expect(md).toContain(
            `| 1 | 2 | b | 192 | 64 | 2 | 3.000 | 2.600 | 5.600 | cannot tell: ${REASON} (50.0) | cannot tell: ${REASON} (6.7) | 2 | measured |`,
        );
        expect(md).toContain(`Where ${REASON}, the improvements against that baseline have no interval`);
        expect(md).toContain(`- **B${CANNOT_RANK.slice(1)}.**`);
        const html = renderHtml(reportInput([noisy()]));
        expect(html).toContain(
            `<td class="ci">cannot tell: the baseline T_UE(full)&#39;s 95 % interval reaches 0 (50.0)</td>`,
        );
    });

    it('is not distinguishable in CSV, with the reason and no bounds', () => {
        const lines = renderCsv(reportInput([noisy()]))
            .trimEnd()
            .split('\r\n');
        const header = lines[0]?.split(',') ?? [];
        const measured = lines.find((l) => l.includes(',measured,'))?.split(',') ?? [];
        const col = (name: string): string => measured[header.indexOf(name)] ?? 'MISSING';
        expect(col('ue_improvement_pct')).toBe('50');
        expect(col('ue_improvement_low_pct')).toBe('');
        expect(col('ue_improvement_high_pct')).toBe('');
        expect(col('ue_improvement_high_clipped')).toBe('');
        expect(col('ue_improvement_not_distinguishable')).toBe('true');
        expect(col('ue_improvement_not_distinguishable_reason')).toBe(REASON);
        expect(col('total_improvement_not_distinguishable')).toBe('true');
        expect(col('total_improvement_not_distinguishable_reason')).toBe(REASON);
        // an estimated row keeps its interval: its reason says the interval contains 0, or nothing
        const est = lines[1]?.split(',') ?? [];
        expect(est[header.indexOf('ue_improvement_not_distinguishable')]).toBe('false');
        expect(est[header.indexOf('ue_improvement_not_distinguishable_reason')]).toBe('');
    });

    it('is not distinguishable in JSON, with g and the reason', () => {
        const j = JSON.parse(renderJson(reportInput([noisy()]))) as {
            rows: { method: string; ueImprovement: Record<string, unknown> }[];
            analyses: { summary: { bestOnCompute: { cannotRank: string } } }[];
        };
        const ue = j.rows.find((r) => r.method === 'measured')?.ueImprovement;
        expect(ue).toMatchObject({
            interval: 'unbounded',
            notDistinguishable: true,
            notDistinguishableReason: REASON,
            reason: REASON,
            highClipped: false,
        });
        expect(ue?.['g'] as number).toBeCloseTo(4.2853751, 6);
        expect(j.analyses[0]?.summary.bestOnCompute.cannotRank).toBe(`${REASON}: no total improvement has an interval`);
    });

    it('says so in the XLSX verdict columns beside the point values', async () => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load((await renderXlsx(reportInput([noisy()]))) as unknown as ArrayBuffer);
        const ws = wb.worksheets[0];
        if (ws === undefined) throw new Error('no sheet');
        // row 3 = split 1; J/K/L UE %, ±, verdict; M/N/O the total's
        expect(ws.getCell('J3').value as number).toBeCloseTo(50, 9);
        expect(ws.getCell('K3').value).toBeNull();
        expect(ws.getCell('L3').value).toBe(`cannot tell: ${REASON}`);
        expect(ws.getCell('O3').value).toBe(`cannot tell: ${REASON}`);
    });

    it('never wins best split on compute over a smaller gain that has an interval', () => {
        const input = smallInput();
        // T_UE(full) 6, 8, 10, 12, 14 ms: 10 ± 2.7764·1.4142 (g own 0.154). Split 1: head 1, 3 ms, tail 0.5 ms
        // twice: total 75 %, df 1.2607, g at t(df) 1.2507 ≥ 1 → no interval. Split 2: head 4, tail 1 ms twice:
        // total 50 ± 19.6324316 (df 4, g 0.154) → the best, although 50 < 75
        input.measured.fullUe = [6000, 8000, 10000, 12000, 14000].map((avgUs) => ({ avgUs }));
        input.measured.head = new Map([
            [1, [{ avgUs: 1000 }, { avgUs: 3000 }]],
            [2, [{ avgUs: 4000 }, { avgUs: 4000 }]],
        ]);
        input.measured.tail = new Map([
            [1, [{ avgUs: 500 }, { avgUs: 500 }]],
            [2, [{ avgUs: 1000 }, { avgUs: 1000 }]],
        ]);
        const a = analyzeSplits(input);
        expect(a.rows[1]?.measured?.improvement?.total.interval).toBe('unbounded');
        expect(a.rows[1]?.measured?.improvement?.total.valuePct).toBeCloseTo(75, 8);
        const best = bestOnCompute(a);
        expect(best).toMatchObject({ splitAfter: 2, method: 'measured', cannotRank: null });
        expect(best?.totalImprovement.valuePct).toBeCloseTo(50, 8);
        expect(best?.totalImprovement.lowPct).toBeCloseTo(50 - 19.6324316, 6);
    });
});
