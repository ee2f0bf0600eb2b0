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

        await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
        await page.close();
        expect(problems).toEqual([]);
        expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
        expect(existsSync(join(OUT, 'report.png'))).toBe(true);
    });
});
