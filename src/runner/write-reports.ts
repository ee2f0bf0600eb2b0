// Writes a finished run's reports in the campaign's formats (or --report's) and prints the split tables.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { NetworkProfile } from '../analysis/types.js';
import type { LoadedCampaign } from '../config/load.js';
import { messageOf } from '../errors.js';
import { renderConsoleCaveats, renderConsoleTable } from '../report/console.js';
import { renderReport } from '../report/render.js';
import type { ReportFormat } from '../report/types.js';
import type { ResultStore, RunRecord } from '../store/types.js';
import { buildReportInput } from './report-input.js';

const REPORT_EXT: Record<ReportFormat, string> = { md: 'md', csv: 'csv', json: 'json', xlsx: 'xlsx', html: 'html' };
const CAMPAIGN_TO_REPORT: Record<string, ReportFormat> = {
    md: 'md',
    markdown: 'md',
    csv: 'csv',
    json: 'json',
    html: 'html',
    xlsx: 'xlsx',
};

export interface WriteReportsArgs {
    store: ResultStore;
    run: RunRecord;
    loaded: LoadedCampaign;
    baseDir: string;
    formats?: readonly ReportFormat[] | undefined;
    stdout: Writable;
    stderr: Writable;
}

type Input = Awaited<ReturnType<typeof buildReportInput>>;

/** Prints a run's split tables and measurement caveats (what the terminal shows at the end of a run). */
export const printRunTables = async (
    a: Pick<WriteReportsArgs, 'store' | 'run' | 'stdout' | 'stderr'> & {
        /** Network profiles to use instead of the run's (see buildReportInput). */
        networks?: readonly NetworkProfile[] | undefined;
    },
    input?: Input,
): Promise<Input> => {
    const inp =
        input ??
        (await buildReportInput(a.store, a.run, (m) => a.stderr.write(`warning: ${m}\n`), { networks: a.networks }));
    for (const an of inp.analyses) a.stdout.write(`\n${renderConsoleTable(an)}\n`);
    const caveats = renderConsoleCaveats(inp.measurement);
    if (caveats !== '') a.stdout.write(`\n${caveats}`);
    return inp;
};

/** Returns the paths written; a format that fails to render is a warning, not an error (the results are stored). */
export const writeReports = async (a: WriteReportsArgs): Promise<string[]> => {
    const input = await printRunTables(a);
    const formats = a.formats ?? a.loaded.campaign.report.formats.map((f) => CAMPAIGN_TO_REPORT[f] ?? 'md');
    const outDir = a.loaded.campaign.report.outDir ?? resolve(a.baseDir, 'results', 'reports');
    mkdirSync(outDir, { recursive: true });
    const written: string[] = [];
    for (const f of formats) {
        const path = join(outDir, `${a.run.id}.${REPORT_EXT[f]}`);
        try {
            writeFileSync(path, await renderReport(input, f));
            written.push(path);
        } catch (e) {
            a.stderr.write(`warning: ${f} report failed: ${messageOf(e)}\n`);
        }
    }
    if (written.length > 0) a.stdout.write(`\nreport: ${written.join('\n        ')}\n`);
    return written;
};
