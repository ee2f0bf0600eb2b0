// Opens the HTML report in real headless Chromium (Debian's /usr/bin/chromium via playwright-core): charts must be
// drawn, nothing may be fetched, the console must stay clean. Leaves a screenshot under test-output/report/.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSplits } from '../../../src/analysis/split-table.js';
import { renderHtml } from '../../../src/report/html.js';
import { delegateInput, reportInput, smallInput } from '../../support/report-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../../../test-output/report/', import.meta.url));

describe.runIf(existsSync(CHROMIUM))('HTML report in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
        browser = await chromium.launch({
            executablePath: CHROMIUM,
            args: [
                '--headless',
                '--no-sandbox',
                '--disable-gpu',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
                '--no-first-run',
            ],
        });
    });
    afterAll(async () => {
        await browser?.close();
    });

    it('renders every chart and table offline with a clean console', async () => {
        const input = reportInput([analyzeSplits(smallInput()), analyzeSplits(delegateInput())]);
        // A hostile name must come out as text, not markup.
        (input.analyses[0] as { model: { name: string } }).model.name = 'tiny<script>alert(1)</script>.tflite';
        mkdirSync(OUT, { recursive: true });
        const file = join(OUT, 'report.html');
        writeFileSync(file, renderHtml(input));

        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const problems: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => {
            if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('request', (r) => requests.push(r.url()));
        page.on('dialog', (d) => {
            problems.push(`dialog: ${d.message()}`);
            void d.dismiss();
        });
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

        const sections = page.locator('section.analysis');
        expect(await sections.count()).toBe(2);
        expect(await page.locator('svg.chart').count()).toBe(6);
        // one stacked bar per split point: 4 in tiny, 5 in xnn
        expect(await sections.nth(0).locator('svg.stacked-bars g.bar').count()).toBe(4);
        expect(await sections.nth(1).locator('svg.stacked-bars g.bar').count()).toBe(5);
        expect(await sections.nth(0).locator('svg.log-bars rect.size-bar').count()).toBe(4);
        // end-to-end lines: 4 splits + all on UE + all on server
        expect(await sections.nth(0).locator('svg.line-chart polyline.series-line').count()).toBe(6);
        // every line's colour is explained in the legend (grey "other splits" included)
        const strokes = await sections
            .nth(0)
            .locator('svg.line-chart polyline.series-line')
            .evaluateAll((ls) => [...new Set(ls.map((l) => (l as unknown as Attr).getAttribute('stroke')))]);
        const legendColors = await sections
            .nth(0)
            .locator('svg.line-chart g.legend')
            .evaluateAll((gs) =>
                gs.map((g) => {
                    const mark = (g as unknown as { firstElementChild: Attr | null }).firstElementChild;
                    return mark?.getAttribute('stroke') ?? mark?.getAttribute('fill') ?? '';
                }),
            );
        for (const c of strokes) expect(legendColors, `legend for ${c}`).toContain(c);
        // bars really have a size on screen; stacks (lte): 21.85, 25.75, 26.25, 26.53 ms → split 3 is the tallest
        const heights = await sections
            .nth(0)
            .locator('svg.stacked-bars g.bar')
            .evaluateAll((gs) => gs.map((g) => (g as unknown as { getBBox(): { height: number } }).getBBox().height));
        expect(heights.every((h) => h > 0)).toBe(true);
        expect(Math.max(...heights)).toBe(heights[3]);
        expect(Math.min(...heights)).toBe(heights[0]);
        expect(await sections.nth(0).locator('table.split-table tbody tr').count()).toBe(4);
        expect(await sections.nth(1).locator('table.split-table tbody tr').nth(2).innerText()).toContain(
            'not estimable',
        );
        expect(await page.locator('h2', { hasText: 'tiny<script>alert(1)</script>.tflite' }).count()).toBe(1);
        expect(await page.locator('table.probe-table').innerText()).toContain('A015FXXU5CWA1');
        expect(await page.locator('dl.formulas').innerText()).toContain('T_UE(full)');
        // legends under the tables say which statistic each column holds
        const legend = await sections.nth(0).locator('ul.legend-text').first().innerText();
        expect(legend).toContain('95 % Student-t interval');
        expect(legend).toContain("Measured: each repetition's value is the median of its raw samples");
        expect(legend).toContain("Layer output bytes is the split op's own output");
        // the est-vs-measured table carries the split column
        expect(await sections.nth(0).locator('table.detail-table thead th').first().innerText()).toBe(
            'Split (op index)',
        );

        await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
        await page.close();
        expect(problems).toEqual([]);
        expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
        expect(existsSync(join(OUT, 'report.png'))).toBe(true);
    });

    /** An element's attributes (the test compiles without the DOM library). */
    interface Attr {
        getAttribute(name: string): string | null;
    }

    /** The DOM surface the geometry checks read (the test compiles without the DOM library). */
    interface El {
        getBoundingClientRect(): { left: number; right: number; width: number };
        scrollWidth: number;
        clientWidth: number;
        innerText: string;
        title: string;
        parentElement: El;
        querySelector(sel: string): El | null;
        querySelectorAll(sel: string): ArrayLike<El>;
        getAttribute(name: string): string | null;
    }

    /** Report with the long fused layer names real models have (MediaPipe names run past 100 characters). */
    const longNamesHtml = (): string => {
        const analyses = [analyzeSplits(smallInput()), analyzeSplits(delegateInput())];
        for (const a of analyses)
            for (const r of a.rows)
                r.layerName = `model/backbone/stage_${r.splitAfter}/conv2d_${r.splitAfter}/BatchNorm/FusedBatchNormV3;model/backbone/stage_${r.splitAfter}/depthwise/Relu6;model/head/${'x'.repeat(40)}`;
        return renderHtml(reportInput(analyses));
    };

    for (const width of [1400, 800]) {
        it(`keeps the split table's numeric columns on screen at ${width} px (element geometry)`, async () => {
            mkdirSync(OUT, { recursive: true });
            const file = join(OUT, `report-${width}.html`);
            writeFileSync(file, longNamesHtml());
            const page = await browser.newPage({ viewport: { width, height: 900 } });
            await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
            // the page itself never scrolls sideways
            const pageWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
            expect(pageWidth).toBeLessThanOrEqual(width);
            const table = page.locator('section.analysis').nth(0).locator('table.split-table');
            const geometry = await table.evaluate((node) => {
                const t = node as unknown as El;
                const box = t.parentElement; // the .scroll wrapper
                const wrap = box.getBoundingClientRect();
                return {
                    scrollWidth: box.scrollWidth,
                    clientWidth: box.clientWidth,
                    wrapRight: wrap.right,
                    heads: Array.from(t.querySelectorAll('thead th')).map((th) => {
                        const r = th.getBoundingClientRect();
                        return {
                            text: th.innerText,
                            kind: th.getAttribute('data-kind'),
                            left: r.left,
                            right: r.right,
                            width: r.width,
                        };
                    }),
                    nameCell: (() => {
                        const d = t.querySelector('tbody tr td div.clip') as El;
                        return {
                            width: d.getBoundingClientRect().width,
                            title: d.title,
                            clipped: d.scrollWidth > d.clientWidth,
                        };
                    })(),
                };
            });
            // the long name is clipped on screen and whole in the title
            expect(geometry.nameCell.clipped).toBe(true);
            expect(geometry.nameCell.title).toContain('FusedBatchNormV3;model/backbone/stage_0/depthwise/Relu6');
            const numeric = geometry.heads.filter((h) => h.kind !== 'text');
            expect(numeric.length).toBe(11);
            for (const h of numeric) expect(h.width, h.text).toBeGreaterThan(0);
            if (width === 1400) {
                // every numeric column is inside the viewport and the table needs no horizontal scrolling
                expect(geometry.scrollWidth).toBeLessThanOrEqual(geometry.clientWidth);
                for (const h of numeric) expect(h.right, h.text).toBeLessThanOrEqual(geometry.wrapRight + 0.5);
                // the charts use the width: at least 90 % of the section
                const chartWidths = await page
                    .locator('section.analysis')
                    .nth(0)
                    .evaluate((node) => {
                        const sec = node as unknown as El;
                        return {
                            section: sec.getBoundingClientRect().width,
                            charts: Array.from(sec.querySelectorAll('svg.chart')).map(
                                (c) => c.getBoundingClientRect().width,
                            ),
                        };
                    });
                for (const w of chartWidths.charts) expect(w).toBeGreaterThan(0.9 * chartWidths.section);
            } else {
                // narrower than the table: it scrolls inside its own box, the split column stays in view
                const split = geometry.heads[0];
                expect(split?.text).toBe('Split (op index)');
                expect(split?.left ?? -1).toBeGreaterThanOrEqual(0);
                expect(split?.right ?? width + 1).toBeLessThanOrEqual(width);
            }
            await page.screenshot({ path: join(OUT, `report-${width}.png`), fullPage: true });
            await page.close();
            expect(existsSync(join(OUT, `report-${width}.png`))).toBe(true);
        });
    }
});
