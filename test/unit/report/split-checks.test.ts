// The head→tail verdicts in every report format, from a constructed report input.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import { renderCsv } from '../../../src/report/csv.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderJson } from '../../../src/report/json.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { SplitCheckRecord } from '../../../src/report/split-checks.js';
import type { ReportInput } from '../../../src/report/types.js';
import { renderXlsx } from '../../../src/report/xlsx.js';
import { reportInput, smallInput } from '../../support/report-fixtures.js';

const SHA = 'ab'.repeat(32);
const checks: SplitCheckRecord[] = [
    {
        modelId: 'tiny',
        modelSha256: SHA,
        split: 1,
        status: 'fail',
        detail: "head→tail output 'd' differs (max |Δ| 0.31)",
    },
    { modelId: 'tiny', modelSha256: SHA, split: 0, status: 'pass' },
    { modelId: 'tiny', modelSha256: SHA, split: 3, status: 'cannot-verify', detail: 'empty outputs' },
];
const input = (): ReportInput => ({ ...reportInput([analyzeSplits(smallInput())]), splitChecks: checks });

describe('head→tail verdicts in reports', () => {
    it('markdown: a section with one row per split, by split point', () => {
        const md = renderMarkdown(input());
        const at = md.indexOf('## Head→tail check');
        expect(at).toBeGreaterThan(0);
        const rows = md
            .slice(at)
            .split('\n')
            .filter((l) => l.startsWith('| tiny'));
        expect(rows).toEqual([
            '| tiny | 0 | pass |',
            "| tiny | 1 | FAIL: head→tail output 'd' differs (max \\|Δ\\| 0.31) |",
            '| tiny | 3 | cannot verify: empty outputs |',
        ]);
        // no section without verdicts (estimate-only runs, runs recorded before verdicts were)
        expect(renderMarkdown(reportInput([analyzeSplits(smallInput())]))).not.toContain('Head→tail check');
    });

    it('html: the same rows, marked by status', () => {
        const html = renderHtml(input());
        expect(html).toContain(
            '<tr class="check-fail"><td class="t">tiny</td><td>1</td><td class="t wrap note">FAIL: head→tail output &#39;d&#39; differs (max |Δ| 0.31)</td></tr>',
        );
        expect(html).toContain(
            '<tr class="check-pass"><td class="t">tiny</td><td>0</td><td class="t wrap">pass</td></tr>',
        );
    });

    it('json: every verdict as stored', () => {
        const json = JSON.parse(renderJson(input())) as { splitChecks: SplitCheckRecord[] };
        expect(json.splitChecks).toEqual(checks);
    });

    it('csv: the verdict on measured lines only (estimates do not use the cut files)', () => {
        const lines = renderCsv(input()).trim().split('\r\n');
        const header = lines[0]!.split(',');
        const col = header.indexOf('head_tail_check');
        const method = header.indexOf('method');
        const split = header.indexOf('split_after');
        // split 1 is the small fixture's one measured split
        const measured = lines.filter((l) => l.split(',')[method] === 'measured');
        expect(measured.map((l) => l.split(',')[split])).toEqual(['1']);
        expect(measured[0]!.split(',')[col]).toBe("FAIL: head→tail output 'd' differs (max |Δ| 0.31)");
        const estimated = lines.filter((l) => l.split(',')[method] === 'estimated');
        expect(estimated.length).toBeGreaterThan(0);
        for (const l of estimated) expect(l.split(',')[col]).toBe('');
    });

    it('xlsx: a sheet with one row per split', async () => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load((await renderXlsx(input())) as unknown as ArrayBuffer);
        const ws = wb.getWorksheet('Head-tail check');
        expect(ws).toBeDefined();
        const row = (n: number): unknown[] => (ws?.getRow(n).values as unknown[]).slice(1);
        expect(row(1)).toEqual(['Model', 'Model sha256', 'Split after op', 'Verdict', 'Detail']);
        // an empty detail cell is not written
        expect(row(2)).toEqual(['tiny', SHA, 0, 'pass']);
        expect(row(3)).toEqual(['tiny', SHA, 1, 'FAIL', "head→tail output 'd' differs (max |Δ| 0.31)"]);
        expect(row(4)).toEqual(['tiny', SHA, 3, 'cannot verify', 'empty outputs']);
    });
});
