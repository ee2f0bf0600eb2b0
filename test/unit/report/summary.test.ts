// The two lines the terminal prints under the split table (the best split on compute, the caution on a noisy
// T_UE(full)) are in every shareable report too, with the same words. Values are set by hand on a real analysis.
import { describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import type { SplitAnalysis } from '../../../src/analysis/types.js';
import { renderConsoleTable } from '../../../src/report/console.js';
import { renderHtml } from '../../../src/report/html.js';
import { renderJson } from '../../../src/report/json.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { reportInput, smallInput } from '../../support/report-fixtures.js';

// T_UE(full) 100 [40, 160]: half-width 60 ms = ±60.0 % of the value, past the 10 % that calls for the caution
const noisyBase = (): SplitAnalysis => {
    const a = analyzeSplits(smallInput());
    if (a.fullUe === null) throw new Error('fixture has no T_UE(full)');
    return { ...a, fullUe: { ...a.fullUe, valueMs: 100, lowMs: 40, highMs: 160, interval: 't', n: 3 } };
};

const CAUTION =
    'T_UE(full), the base of the measured improvements, varies by ±60.0 % (95 % interval, n=3): the improvement columns carry that uncertainty; more repetitions narrow it';
// measured split 1 (the only measured row): total 9.677 ± 7.834 → 1.8 to 17.5 %; UE 51.613 ± 3.877 → 47.7 to 55.5 %
// (test/unit/analysis/improvement.test.ts works them out)
const BEST =
    '(measured, no network): split 1 (layer 2): total improvement 9.7 % (95 % interval 1.8 to 17.5 %, n=2); UE improvement 51.6 % (95 % interval 47.7 to 55.5 %, n=2)';

describe('summary lines in every report', () => {
    const a = noisyBase();

    it('prints them in the terminal', () => {
        const text = renderConsoleTable(a);
        expect(text).toContain(`\ncaution: ${CAUTION}\n`);
        expect(text).toContain(`\nbest split on compute ${BEST}\n`);
    });

    it('puts the same words into Markdown and HTML', () => {
        const md = renderMarkdown(reportInput([a]));
        expect(md).toContain(`- **Best split on compute ${BEST}.**\n- **Caution: ${CAUTION}.**\n`);
        const html = renderHtml(reportInput([a]));
        expect(html).toContain(`<p class="summary"><strong>Best split on compute ${BEST}.</strong></p>`);
        expect(html).toContain(`<p class="summary"><strong>Caution: ${CAUTION}.</strong></p>`);
    });

    it('leaves the caution out when T_UE(full) is within ±10 %', () => {
        // the fixture's own T_UE(full): 6.0, 6.4, 6.2 ms → 6.2 ± 4.3026527·0.2/√3 = ± 0.4968 = ±8.0 %
        const calm = analyzeSplits(smallInput());
        expect(renderMarkdown(reportInput([calm]))).not.toContain('T_UE(full), the base of the measured');
        expect(renderMarkdown(reportInput([calm]))).toContain(`- **Best split on compute ${BEST}.**`);
    });

    it('gives JSON the same facts as fields', () => {
        const json = JSON.parse(renderJson(reportInput([a]))) as {
            analyses: {
                summary: {
                    baseCaution: Record<string, unknown>;
                    bestOnCompute: { totalImprovement: { valuePct: number; lowPct: number } };
                };
            }[];
        };
        const s = json.analyses[0]?.summary;
        expect(s?.baseCaution).toEqual({ halfWidthPct: 60, n: 3, text: `caution: ${CAUTION}` });
        expect(s?.bestOnCompute).toMatchObject({
            splitAfter: 1,
            layerNumber: 2,
            method: 'measured',
            cannotRank: null,
            text: `best split on compute ${BEST}`,
            totalImprovement: { method: 'delta', n: 2, notDistinguishable: false, highClipped: false },
        });
        const total = s?.bestOnCompute.totalImprovement;
        expect(total?.valuePct).toBeCloseTo(9.67741935, 6);
        expect(total?.lowPct).toBeCloseTo(9.67741935 - 7.83375561, 6);
    });

    it('says "cannot rank" in JSON and Markdown alike with one repetition', () => {
        const input = smallInput();
        // one measured head repetition: no interval, so nothing can be ranked
        input.measured.head = new Map([[1, [{ avgUs: 3000 }]]]);
        const one = analyzeSplits(input);
        const md = renderMarkdown(reportInput([one]));
        expect(md).toContain(
            '- **Best split on compute: cannot rank (1 repetition: no interval; the improvements cannot be told from noise).**',
        );
        const json = JSON.parse(renderJson(reportInput([one]))) as {
            analyses: { summary: { bestOnCompute: { cannotRank: string } } }[];
        };
        expect(json.analyses[0]?.summary.bestOnCompute.cannotRank).toBe(
            '1 repetition: no interval; the improvements cannot be told from noise',
        );
    });
});
