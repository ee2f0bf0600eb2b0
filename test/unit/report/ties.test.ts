// A tie names every option whose end-to-end interval overlaps the best one's, in every format: the review's Wi-Fi
// line named two splits and left out all on UE, whose interval overlapped both, so a reader concluded splitting beat
// the UE. The options and their bounds are worked out in test/support/wifi-tie.ts.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import type { SplitAnalysis } from '../../../src/analysis/types.js';
import { renderConsoleTable } from '../../../src/report/console.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderJson } from '../../../src/report/json.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { tieText } from '../../../src/report/table.js';
import { renderXlsx } from '../../../src/report/xlsx.js';
import { reportInput, smallInput } from '../../support/report-fixtures.js';
import { reviewWifiTie } from '../../support/wifi-tie.js';

const analysis = (): SplitAnalysis => ({ ...analyzeSplits(smallInput()), networks: [reviewWifiTie()] });

const TIE =
    'tie among 3: split after op 243 (67.231 ms [12.458 (clipped)–122.518]), ' +
    'split after op 287 (69.424 ms [10.246 (clipped)–182.280]) or all on UE (70.086 ms [0 (clipped)–269.627])';

describe('a tie among more than two options', () => {
    it('is listed in full, in rank order, with the count, in the terminal', () => {
        expect(renderConsoleTable(analysis())).toContain(`best for Wi-Fi (100 Mbit/s up, RTT 0 ms): ${TIE} end to end`);
    });

    it('is the same text in Markdown and HTML', () => {
        const input = reportInput([analysis()]);
        expect(renderMarkdown(input)).toContain(TIE);
        expect(renderHtml(input)).toContain(`<th class="t">Best for Wi-Fi</th><td class="t">${TIE}</td>`);
    });

    it('is the same text in the XLSX sheet', async () => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load((await renderXlsx(reportInput([analysis()]))) as unknown as ArrayBuffer);
        const ws = wb.worksheets[0];
        if (ws === undefined) throw new Error('no sheet');
        const cells: unknown[][] = [];
        ws.eachRow((r) => cells.push([r.getCell(1).value, r.getCell(2).value]));
        expect(cells).toContainEqual(['Best for Wi-Fi', TIE]);
    });

    it('gives JSON every tied option, keeping best and runnerUp', () => {
        const j = JSON.parse(renderJson(reportInput([analysis()]))) as {
            analyses: { networks: { best: unknown; runnerUp: unknown; tie: boolean; tiedWith: unknown[] }[] }[];
        };
        const n = j.analyses[0]?.networks[0];
        expect(n?.tie).toBe(true);
        expect(n?.best).toMatchObject({ option: 'split', splitAfter: 243 });
        expect(n?.runnerUp).toMatchObject({ option: 'split', splitAfter: 287 });
        // bounds as worked out in test/support/wifi-tie.ts (sums of decimals: compared to 9 places)
        const expected = [
            { option: 'split', splitAfter: 287, endToEndMs: 69.424, lowMs: 10.246, lowClipped: true, highMs: 182.28 },
            { option: 'allOnUe', endToEndMs: 70.086, lowMs: 0, lowClipped: true, highMs: 269.627 },
        ];
        expect(n?.tiedWith).toHaveLength(2);
        for (const [i, e] of expected.entries()) {
            const got = n?.tiedWith[i] as Record<string, unknown>;
            expect(Object.keys(got).sort()).toEqual(Object.keys(e).sort());
            for (const [k, v] of Object.entries(e))
                if (typeof v === 'number') expect(got[k] as number).toBeCloseTo(v, 9);
                else expect(got[k]).toBe(v);
        }
    });

    it('keeps "tie: A or B" for two options', () => {
        const [best, second] = [reviewWifiTie().best, reviewWifiTie().tiedWith[0]];
        if (best === null || second === undefined) throw new Error('fixture');
        expect(tieText([best, second])).toBe(
            'tie: split after op 243 (67.231 ms [12.458 (clipped)–122.518]) or split after op 287 (69.424 ms [10.246 (clipped)–182.280])',
        );
    });
});
