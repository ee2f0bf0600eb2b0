// Reports must not print figures without an interval as if they were results, and must mark lower bounds that were
// clipped at 0. Inputs are set by hand; every expected figure is worked out in the comments.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import type { Rep, SplitAnalysisInput } from '../../../src/analysis/types.js';
import { renderConsoleTable } from '../../../src/report/console.js';
import { renderCsv } from '../../../src/report/csv.js';
import { renderHtml } from '../../../src/report/html.js';
import { buildJsonReport } from '../../../src/report/json.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { renderXlsx } from '../../../src/report/xlsx.js';
import { reportInput, smallInput } from '../../support/report-fixtures.js';

const reps = (us: number[]): Rep[] => us.map((avgUs) => ({ avgUs }));

// One repetition of everything measured: T_UE(full) 6 ms, heads 5 and 4 ms, tails 2.5 and 1 ms (splits 1, 2).
const oneRep = (): SplitAnalysisInput => ({
    ...smallInput(),
    measured: {
        fullUe: reps([6000]),
        fullServer: reps([3000]),
        head: new Map([
            [1, reps([5000])],
            [2, reps([4000])],
        ]),
        tail: new Map([
            [1, reps([2500])],
            [2, reps([1000])],
        ]),
    },
});

const CAVEAT = '1 repetition: no interval; the improvements cannot be told from noise';

describe('one repetition', () => {
    it('the terminal says so in words and does not rank', () => {
        const text = renderConsoleTable(analyzeSplits(oneRep()));
        expect(text).toContain('T_UE(full) = 6.000 ms (measured, n=1)');
        expect(text).toContain(`caution: ${CAVEAT}; run 3 or more repetitions`);
        expect(text).toContain(`best split on compute: cannot rank (${CAVEAT})`);
        expect(text).not.toContain('best split on compute (measured');
        // every network profile: no best without intervals
        expect(text).toMatch(
            /best for lte \(10 Mbit\/s up, RTT 20 ms\): cannot rank \(1 repetition: .*\); smallest point value: /,
        );
        // split 1: UE 100·(6 − 5)/6 = 16.7 %, total 100·(6 − 7.5)/6 = −25.0 %, each with its n
        expect(text).toContain('16.7 (n=1)');
        expect(text).toContain('-25.0 (n=1)');
    });

    it('markdown and html carry the caveat; the table cells show n beside the bare figure', () => {
        const input = reportInput([analyzeSplits(oneRep())]);
        const md = renderMarkdown(input);
        expect(md).toContain(`- **Caution: ${CAVEAT}; run 3 or more repetitions.**`);
        // split 1: 5.000 + 2.500 = 7.500 ms; split 2: UE 100·2/6 = 33.3 %, total 100·(6 − 5)/6 = 16.7 %
        expect(md).toContain(
            '| 1 | 2 | b | 192 | 64 | 2 | 5.000 | 2.500 | 7.500 | 16.7 (n=1) | -25.0 (n=1) | 1 | measured |',
        );
        expect(md).toContain('| 33.3 (n=1) | 16.7 (n=1) | 1 | measured |');
        expect(md).toMatch(/\| lte \| 10 \|.*\| cannot rank \(1 repetition/);
        expect(renderHtml(input)).toContain(
            `<p class="caution"><strong>Caution: ${CAVEAT}; run 3 or more repetitions.</strong></p>`,
        );
    });

    it('two or more repetitions: no caveat, a ranking', () => {
        const text = renderConsoleTable(analyzeSplits(smallInput()));
        expect(text).not.toContain('no interval; the improvements cannot be told from noise');
        expect(text).toContain('best split on compute (measured, no network): split 1');
        expect(renderMarkdown(reportInput([analyzeSplits(smallInput())]))).not.toContain('Caution:');
    });
});

// The review's T_UE(full): 129.843, 82.799, 221.316 ms → 144.653, t-interval [−30.320, 319.625] (half-width 174.973
// = 121.0 % of the value: not meaningful). Head at split 1: 1 and 5 ms → 3 ± 12.7062·2 = [−22.412, 28.412].
const scattered = (): SplitAnalysisInput => ({
    ...smallInput(),
    measured: {
        fullUe: reps([129843, 82799, 221316]),
        fullServer: reps([3000, 3400]),
        head: new Map([[1, reps([1000, 5000])]]),
        tail: new Map([[1, reps([2500, 2700])]]),
    },
});

describe('lower bounds clipped at 0', () => {
    const LINE =
        'T_UE(full) = 144.653 [0 (clipped)–319.625] ms (measured, n=3; interval not meaningful (n=3, ±121.0 %))';

    it('console and markdown show "0 (clipped)", say the interval is not meaningful, and explain', () => {
        const a = analyzeSplits(scattered());
        const text = renderConsoleTable(a);
        expect(text).toContain(LINE);
        expect(text).toContain('0 (clipped): the 95 % interval reached below 0 ms');
        // the base caution's half-width comes from the upper bound: 174.973 / 144.653 = 121.0 %, not (319.625 − 0)/2
        expect(text).toContain('varies by ±121.0 % (95 % interval, n=3)');
        const md = renderMarkdown(reportInput([a]));
        expect(md).toContain(
            '- T_UE(full): 144.653 [0 (clipped)–319.625] ms (measured, n=3; interval not meaningful (n=3, ±121.0 %))',
        );
        expect(md).toContain('- 0 (clipped): the 95 % interval reached below 0 ms');
        // estimated vs measured, split 1: est. UE (profile) then meas. 3.000, low "0 (clipped)", high 28.412
        expect(md).toMatch(/\| 1 \| [0-9.]+ \| 3\.000 \| 0 \(clipped\) \| 28\.412 \|/);
    });

    it('csv and json keep the number and add the flag; xlsx notes it', async () => {
        const input = reportInput([analyzeSplits(scattered())]);
        const [header, ...lines] = renderCsv(input).trim().split('\r\n');
        const cols = (header as string).split(',');
        const measured = lines.map((l) => l.split(',')).find((c) => c[cols.indexOf('method')] === 'measured');
        expect(measured?.[cols.indexOf('ue_low_ms')]).toBe('0');
        expect(measured?.[cols.indexOf('ue_low_clipped')]).toBe('true');
        // server 2.6 ± 12.7062·0.1 = [1.329, 3.871]: not clipped
        expect(measured?.[cols.indexOf('server_low_clipped')]).toBe('false');
        const json = buildJsonReport(input) as {
            analyses: { fullUe: { lowMs: number; lowClipped: boolean }; fullServer: { lowClipped: boolean } }[];
        };
        expect(json.analyses[0]?.fullUe).toMatchObject({ lowMs: 0, lowClipped: true });
        // T_srv(full) 3.2 ± 12.7062·0.2 = [0.659, 5.741]: kept
        expect(json.analyses[0]?.fullServer.lowClipped).toBe(false);

        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load((await renderXlsx(input)) as unknown as ArrayBuffer);
        const cells: unknown[] = [];
        wb.getWorksheet('tiny.tflite a01-pc')?.eachRow((row) => row.eachCell((c) => cells.push(c.value)));
        expect(cells).toContain('lower bound clipped at 0 (95 % t-interval reached -30.320 ms)');
        expect(cells).toContain('interval not meaningful (n=3, ±121.0 %)');
    });
});
