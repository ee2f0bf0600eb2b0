// Inline SVG charts for the HTML report: drawn here as strings so the report needs no script, no CDN and no network.
import { escapeXml } from './format.js';

// Drawn at about the report's width (CSS scales it to the page), so text keeps its size on a 1400 px screen.
const W = 1340;
const H = 340;
const M = { l: 64, r: 16, t: 48, b: 52 };
const PW = W - M.l - M.r;
const PH = H - M.t - M.b;

export const COLORS = {
    ue: '#4e79a7',
    transfer: '#f28e2b',
    server: '#59a14f',
    size: '#76b7b2',
    allOnUe: '#e15759',
    allOnServer: '#b07aa1',
};

const n2 = (v: number): string => (Math.round(v * 100) / 100).toString();

/** Tick step 1, 2 or 5 × 10^k giving about `count` ticks up to max. */
export const niceStep = (max: number, count = 5): number => {
    if (!(max > 0)) return 1;
    const raw = max / count;
    const p = 10 ** Math.floor(Math.log10(raw));
    const f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
};

const fmtTick = (v: number): string => {
    const a = Math.abs(v);
    if (a === 0) return '0';
    if (a >= 1e6 || a < 1e-3) return v.toExponential(0);
    return Number(v.toPrecision(4)).toString();
};

const frame = (title: string, body: string[], cls: string): string =>
    `<svg class="chart ${cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(title)}">` +
    `<text class="chart-title" x="${M.l}" y="18" font-size="14" font-weight="bold">${escapeXml(title)}</text>` +
    body.join('') +
    `<line x1="${M.l}" y1="${M.t + PH}" x2="${M.l + PW}" y2="${M.t + PH}" stroke="#333"/>` +
    `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${M.t + PH}" stroke="#333"/></svg>`;

const yAxisLabel = (label: string): string =>
    `<text x="14" y="${M.t + PH / 2}" font-size="11" transform="rotate(-90 14 ${M.t + PH / 2})" text-anchor="middle">${escapeXml(label)}</text>`;

const xAxisLabel = (label: string): string =>
    `<text x="${M.l + PW / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${escapeXml(label)}</text>`;

const legend = (items: readonly { name: string; color: string; dash?: boolean | undefined }[]): string =>
    items
        .map((it, i) => {
            // A row under the title, right-aligned, so long titles never collide with it.
            const x = W - M.r - (items.length - i) * 130;
            const mark =
                it.dash === true
                    ? `<line x1="${x}" y1="32" x2="${x + 14}" y2="32" stroke="${it.color}" stroke-width="2" stroke-dasharray="4 2"/>`
                    : `<rect x="${x}" y="26" width="12" height="12" fill="${it.color}"/>`;
            return `<g class="legend">${mark}<text x="${x + 18}" y="36" font-size="11">${escapeXml(it.name)}</text></g>`;
        })
        .join('');

const xCategoryLabels = (categories: readonly string[], xOf: (i: number) => number): string[] => {
    const every = Math.max(1, Math.ceil(categories.length / 40));
    return categories.flatMap((c, i) =>
        i % every === 0
            ? [
                  `<text x="${n2(xOf(i))}" y="${M.t + PH + 14}" font-size="10" text-anchor="middle">${escapeXml(c)}</text>`,
              ]
            : [],
    );
};

export interface StackSeries {
    name: string;
    color: string;
    /** Null counts as 0 in the stack. */
    values: readonly (number | null)[];
}

/** One `<g class="bar">` per category, each a stack of one rect per series. */
export const stackedBarChart = (o: {
    title: string;
    categories: readonly string[];
    series: readonly StackSeries[];
    yLabel: string;
    xLabel: string;
}): string => {
    const n = o.categories.length;
    const totals = o.categories.map((_, i) => o.series.reduce((s, se) => s + Math.max(0, se.values[i] ?? 0), 0));
    const step = niceStep(Math.max(0, ...totals));
    const top = Math.max(step, Math.ceil(Math.max(0, ...totals) / step) * step);
    const y = (v: number): number => M.t + PH - (v / top) * PH;
    const slot = PW / Math.max(1, n);
    const bw = Math.max(1, slot * 0.8);
    const xOf = (i: number): number => M.l + slot * i + slot / 2;
    const body: string[] = [];
    for (let v = 0; v <= top + 1e-9; v += step)
        body.push(
            `<line x1="${M.l}" y1="${n2(y(v))}" x2="${M.l + PW}" y2="${n2(y(v))}" stroke="#ddd"/><text x="${M.l - 4}" y="${n2(y(v) + 3)}" font-size="10" text-anchor="end">${fmtTick(v)}</text>`,
        );
    for (let i = 0; i < n; i++) {
        let acc = 0;
        const rects: string[] = [];
        for (const se of o.series) {
            const v = Math.max(0, se.values[i] ?? 0);
            const y1 = y(acc + v);
            rects.push(
                `<rect class="seg" x="${n2(xOf(i) - bw / 2)}" y="${n2(y1)}" width="${n2(bw)}" height="${n2(y(acc) - y1)}" fill="${se.color}"><title>${escapeXml(`${o.categories[i] ?? ''} ${se.name}: ${fmtTick(v)}`)}</title></rect>`,
            );
            acc += v;
        }
        body.push(`<g class="bar" data-category="${escapeXml(o.categories[i] ?? '')}">${rects.join('')}</g>`);
    }
    body.push(...xCategoryLabels(o.categories, xOf), yAxisLabel(o.yLabel), xAxisLabel(o.xLabel), legend(o.series));
    return frame(o.title, body, 'stacked-bars');
};

const logRange = (values: readonly number[]): [number, number] => {
    const pos = values.filter((v) => v > 0 && Number.isFinite(v));
    if (pos.length === 0) return [0, 1];
    const lo = Math.floor(Math.log10(Math.min(...pos)));
    const hi = Math.ceil(Math.log10(Math.max(...pos)));
    return [lo, hi === lo ? lo + 1 : hi];
};

const logGrid = (lo: number, hi: number, y: (e: number) => number): string[] => {
    const out: string[] = [];
    for (let e = lo; e <= hi; e++)
        out.push(
            `<line x1="${M.l}" y1="${n2(y(e))}" x2="${M.l + PW}" y2="${n2(y(e))}" stroke="#ddd"/><text x="${M.l - 4}" y="${n2(y(e) + 3)}" font-size="10" text-anchor="end">${fmtTick(10 ** e)}</text>`,
        );
    return out;
};

/** Bars on a log10 y axis; unknown or zero values get no bar and a '?' mark. */
export const logBarChart = (o: {
    title: string;
    categories: readonly string[];
    values: readonly (number | null)[];
    yLabel: string;
    xLabel: string;
    color: string;
}): string => {
    const n = o.categories.length;
    const [lo, hi] = logRange(o.values.filter((v): v is number => v !== null));
    const y = (e: number): number => M.t + PH - ((e - lo) / (hi - lo)) * PH;
    const slot = PW / Math.max(1, n);
    const bw = Math.max(1, slot * 0.8);
    const xOf = (i: number): number => M.l + slot * i + slot / 2;
    const body = logGrid(lo, hi, y);
    for (let i = 0; i < n; i++) {
        const v = o.values[i] ?? null;
        const label = o.categories[i] ?? '';
        if (v === null || !(v > 0)) {
            body.push(
                `<text class="size-unknown" x="${n2(xOf(i))}" y="${M.t + PH - 4}" font-size="10" text-anchor="middle">?<title>${escapeXml(`${label}: size unknown`)}</title></text>`,
            );
            continue;
        }
        const top = y(Math.log10(v));
        body.push(
            `<rect class="size-bar" x="${n2(xOf(i) - bw / 2)}" y="${n2(top)}" width="${n2(bw)}" height="${n2(M.t + PH - top)}" fill="${o.color}"><title>${escapeXml(`${label}: ${v} bytes`)}</title></rect>`,
        );
    }
    body.push(...xCategoryLabels(o.categories, xOf), yAxisLabel(o.yLabel), xAxisLabel(o.xLabel));
    return frame(o.title, body, 'log-bars');
};

export interface LineSeries {
    name: string;
    color: string;
    values: readonly number[];
    width?: number | undefined;
    dash?: boolean | undefined;
}

/** Lines over a log10 x axis and a log10 y axis (end-to-end time against uplink rate spans decades on both). */
export const logLogLineChart = (o: {
    title: string;
    xs: readonly number[];
    series: readonly LineSeries[];
    legendItems: readonly { name: string; color: string; dash?: boolean | undefined }[];
    xLabel: string;
    yLabel: string;
}): string => {
    const [xlo, xhi] = logRange(o.xs);
    const [ylo, yhi] = logRange(o.series.flatMap((s) => s.values));
    const x = (v: number): number => M.l + ((Math.log10(v) - xlo) / (xhi - xlo)) * PW;
    const y = (e: number): number => M.t + PH - ((e - ylo) / (yhi - ylo)) * PH;
    const body = logGrid(ylo, yhi, y);
    for (let e = xlo; e <= xhi; e++)
        body.push(
            `<line x1="${n2(x(10 ** e))}" y1="${M.t}" x2="${n2(x(10 ** e))}" y2="${M.t + PH}" stroke="#eee"/><text x="${n2(x(10 ** e))}" y="${M.t + PH + 14}" font-size="10" text-anchor="middle">${fmtTick(10 ** e)}</text>`,
        );
    for (const s of o.series) {
        const pts = o.xs.flatMap((xv, i) => {
            const v = s.values[i];
            return v !== undefined && v > 0 ? [`${n2(x(xv))},${n2(y(Math.log10(v)))}`] : [];
        });
        body.push(
            `<polyline class="series-line" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1}"${s.dash === true ? ' stroke-dasharray="6 3"' : ''} points="${pts.join(' ')}"><title>${escapeXml(s.name)}</title></polyline>`,
        );
    }
    body.push(yAxisLabel(o.yLabel), xAxisLabel(o.xLabel), legend(o.legendItems));
    return frame(o.title, body, 'line-chart');
};

/** Log-spaced points from 10^lo to 10^hi, `perDecade` per decade. */
export const logSpace = (lo: number, hi: number, perDecade: number): number[] => {
    const out: number[] = [];
    for (let i = 0; i <= (hi - lo) * perDecade; i++) out.push(10 ** (lo + i / perDecade));
    return out;
};
