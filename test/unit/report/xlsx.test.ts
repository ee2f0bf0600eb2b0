import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import { renderXlsx, sheetName } from '../../../src/report/xlsx.js';
import { delegateInput, reportInput, smallInput } from '../../support/report-fixtures.js';

const load = async (): Promise<ExcelJS.Workbook> => {
    const buf = await renderXlsx(reportInput([analyzeSplits(smallInput()), analyzeSplits(delegateInput())]));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    return wb;
};

const values = (ws: ExcelJS.Worksheet, row: number, from: number, to: number): unknown[] =>
    Array.from({ length: to - from + 1 }, (_, i) => ws.getRow(row).getCell(from + i).value);

const near = (actual: unknown, expected: number): void => {
    expect(typeof actual).toBe('number');
    expect(actual as number).toBeCloseTo(expected, 9);
};

describe('XLSX report', () => {
    it('has one sheet per model × device pair, a per-op sheet and a devices sheet', async () => {
        const wb = await load();
        expect(wb.worksheets.map((w) => w.name)).toEqual([
            'tiny.tflite a01-pc',
            'xnn.tflite phone-pc',
            'Per-op times',
            'Devices & settings',
        ]);
    });

    it("lays the split sheet out like the study, with the study's columns beside ours, cell by cell", async () => {
        const ws = (await load()).getWorksheet('tiny.tflite a01-pc');
        if (ws === undefined) throw new Error('sheet missing');
        expect(values(ws, 1, 1, 17)).toEqual([
            'Split (op index)',
            'Layer # (study)',
            'Layer name',
            'Cut bytes (all crossing tensors)',
            'Layer output bytes (study)',
            '# tensors',
            'UE time (ms)',
            'Server time (ms)',
            'Total (ms)',
            'UE improvement %',
            'UE improvement ± (95 %)',
            'UE improvement verdict',
            'Total improvement %',
            'Total improvement ± (95 %)',
            'Total improvement verdict',
            'n',
            'Method',
        ]);
        // split 0 (estimated): 1.1, 0.65, 1.75; base = UE profile total 6.5: 100·5.4/6.5, 100·4.75/6.5, each beside
        // the half-width of its 95 % interval over the two paired repetitions (UE 1.0, 1.2 → 84.6154, 81.5385 %:
        // 12.7062047 · 3.0769231/2 = 19.5480073; total 1.55, 1.95 → 76.1538, 70.0 %: 12.7062047 · 6.1538462/2)
        expect(values(ws, 2, 1, 6)).toEqual([0, 1, 'a', 128, 128, 1]);
        near(ws.getCell('G2').value, 1.1);
        near(ws.getCell('H2').value, 0.65);
        near(ws.getCell('I2').value, 1.75);
        near(ws.getCell('J2').value, 83.076923077);
        near(ws.getCell('K2').value, 19.548007286);
        near(ws.getCell('M2').value, 73.076923077);
        near(ws.getCell('N2').value, 39.096014573);
        // 83.0769 + 19.5480 = 102.62 and 73.0769 + 39.0960 = 112.17: past 100, so the cells stay numbers and the
        // verdict says the upper bound was capped; neither interval contains 0 (lows 63.53, 33.98)
        expect(ws.getCell('L2').value).toBe('upper bound clipped at 100');
        expect(ws.getCell('O2').value).toBe('upper bound clipped at 100');
        expect(ws.getCell('P2').value).toBe(2);
        expect(ws.getCell('Q2').value).toBe('estimated');
        // split 1 (measured): 3.0, 2.6, 5.6; base = measured full 6.2: 51.6129, 9.6774 with delta-method half-widths
        // 3.8774262 and 7.8337556 (test/unit/analysis/improvement.test.ts works them out); the estimate beside it
        expect(values(ws, 3, 1, 6)).toEqual([1, 2, 'b', 192, 64, 2]);
        near(ws.getCell('G3').value, 3.0);
        near(ws.getCell('H3').value, 2.6);
        near(ws.getCell('I3').value, 5.6);
        near(ws.getCell('J3').value, 51.612903226);
        expect(ws.getCell('K3').value as number).toBeCloseTo(3.8774262, 6);
        near(ws.getCell('M3').value, 9.677419355);
        expect(ws.getCell('N3').value as number).toBeCloseTo(7.8337556, 6);
        // 47.7 to 55.5 and 1.8 to 17.5: no 0 inside, nothing capped → no verdict
        expect(ws.getCell('L3').value).toBeNull();
        expect(ws.getCell('O3').value).toBeNull();
        expect(ws.getCell('Q3').value).toBe('measured');
        // details: split, est. UE 3.1, meas. UE 3.0, low, high, error 0.1 ms, 3.33 %, est. server 0.45
        expect(ws.getCell('R3').value).toBe(1);
        near(ws.getCell('S3').value, 3.1);
        near(ws.getCell('T3').value, 3.0);
        near(ws.getCell('W3').value, 0.1);
        near(ws.getCell('X3').value, 100 / 30);
        near(ws.getCell('Y3').value, 0.45);
        // split 3: the whole profile on the UE → 0 % (the study's definition), interval [0, 0] contains 0: the
        // number stays 0 and the verdict marks it
        near(ws.getCell('J5').value, 0);
        near(ws.getCell('M5').value, 0);
        near(ws.getCell('N5').value, 0);
        expect(ws.getCell('L5').value).toBe('≈ all on UE');
        expect(ws.getCell('O5').value).toBe('≈ all on UE');
        expect(ws.getCell('G2').numFmt).toBe('0.000');
        expect(ws.getCell('J2').numFmt).toBe('0.0');
        // counts are integers, not 0.000
        expect(ws.getCell('K2').numFmt).toBe('0.0');
        for (const c of ['A2', 'B2', 'D2', 'E2', 'F2', 'P2']) expect(ws.getCell(c).numFmt, c).toBe('0');
        // network columns after the details: E2E lte, break-even lte, E2E lan, break-even lan
        const header = (ws.getRow(1).values as unknown[]).slice(1);
        const e2eLan = header.indexOf('E2E lan (ms)') + 1;
        near(ws.getRow(2).getCell(e2eLan).value, 2.76184);
        near(ws.getRow(2).getCell(e2eLan + 1).value, 1024 / 3448.4);
        expect(ws.getRow(2).getCell(e2eLan - 1).value).toBe('never');
        // below the table: the op count as an integer (it sits in a byte-count column), then T_UE(full) with its
        // interval and n: 6.2 ± 4.3026527·0.2/√3
        expect(ws.getCell('E7').value).toBe('ops');
        expect(ws.getCell('F7').value).toBe(5);
        expect(ws.getCell('F7').numFmt).toBe('0');
        expect(ws.getCell('A8').value).toBe('T_UE(full) (ms)');
        near(ws.getCell('B8').value, 6.2);
        expect(ws.getCell('B8').numFmt).toBe('0.000');
        expect(ws.getCell('C8').value).toBe('measured');
        expect(ws.getCell('E8').value as number).toBeCloseTo(6.2 - 0.4968275, 6);
        expect(ws.getCell('H8').value).toBe(3);
        expect(ws.getCell('H8').numFmt).toBe('0');
        expect(ws.getCell('A10').value).toBe('UE profile total (ms)');
        near(ws.getCell('B10').value, 6.5);
    });

    it('says under the sheet what its improvement cells are, and carries the summary lines', async () => {
        const ws = (await load()).getWorksheet('tiny.tflite a01-pc');
        if (ws === undefined) throw new Error('sheet missing');
        const footer = (label: string): string[] => {
            const out: string[] = [];
            ws.eachRow((row) => {
                if (row.getCell(1).value === label) out.push(row.getCell(2).text);
            });
            return out;
        };
        // the best split on compute, as the terminal prints it (measured split 1: 9.7 % [1.8, 17.5], 51.6 % [47.7,
        // 55.5]); T_UE(full) 6.2 ± 0.497 is ±8.0 %, within 10 %: no caution
        expect(footer('Summary')).toEqual([
            'Best split on compute (measured, no network): split 1 (layer 2): total improvement 9.7 % (95 % interval 1.8 to 17.5 %, n=2); UE improvement 51.6 % (95 % interval 47.7 to 55.5 %, n=2).',
        ]);
        const legend = footer('Legend').join('\n');
        expect(legend).toContain('Improvement cells are numbers');
        expect(legend).toContain('"verdict" says "≈ all on UE" where the interval contains 0');
        expect(legend).toContain('"upper bound clipped at 100"');
        // the text renderers' sentence would be false here: the cells are numbers, not words
        expect(legend).not.toContain('instead of a signed number');
    });

    it('marks not-estimable splits and keeps cells empty', async () => {
        const ws = (await load()).getWorksheet('xnn.tflite phone-pc');
        expect(ws?.getCell('Q3').value).toBe('not estimable');
        expect(ws?.getCell('G3').value).toBeNull();
    });

    it('lists per-op times with cumulative sums, and device facts', async () => {
        const wb = await load();
        const ops = wb.getWorksheet('Per-op times');
        if (ops === undefined) throw new Error('sheet missing');
        // tiny op 1: UE mean (2.0 + 2.0)/2 = 2.0, UE cumulative 1.1 + 2.0 = 3.1; server 0.2, cumulative 0.3
        expect(values(ops, 3, 1, 6)).toEqual(['tiny.tflite', 'a01', 'pc', 1, 'DEPTHWISE_CONV_2D', 'b']);
        expect(ops.getCell('D3').numFmt).toBe('0');
        near(ops.getCell('G3').value, 2.0);
        near(ops.getCell('H3').value, 3.1);
        near(ops.getCell('I3').value, 0.2);
        near(ops.getCell('J3').value, 0.3);
        expect(ops.getCell('K3').value).toBe('yes');
        // op 4 has no UE row: empty UE cells, not in the estimate
        expect(values(ops, 6, 7, 8)).toEqual([null, null]);
        expect(ops.getCell('K6').value).toBe('no');
        // the sheet's last row says the per-op times are not scaled the way the split sheets' estimates are
        expect(values(ops, ops.rowCount, 1, 2)).toEqual([
            'Legend',
            "Per-op times are the profiler's raw per-op averages, not scaled; the split sheets' estimated UE and " +
                "server times scale these sums by each profile's median/mean inference time, so they differ from the " +
                'cumulative columns.',
        ]);
        const dev = wb.getWorksheet('Devices & settings');
        const rows = (dev?.getSheetValues() ?? []).map((r) => (Array.isArray(r) ? r.slice(1) : []));
        expect(rows).toContainEqual(['Run id', 'run-1']);
        expect(rows).toContainEqual(['a01', 'ue', 'android.build', 'A015FXXU5CWA1']);
        expect(rows).toContainEqual(['pc', 'server', '(no probe recorded)']);
        expect(rows).toContainEqual(['ue.threads', '4']);
        expect(rows).toContainEqual(['Git commit', 'deadbeef']);
    });

    it('makes valid unique sheet names', () => {
        const taken = new Set<string>();
        expect(sheetName('a/b:c*d?[e]', taken)).toBe('a_b_c_d__e_');
        expect(sheetName('x'.repeat(40), taken)).toBe('x'.repeat(31));
        expect(sheetName('X'.repeat(40), taken)).toBe(`${'X'.repeat(27)} (2)`);
    });
});
