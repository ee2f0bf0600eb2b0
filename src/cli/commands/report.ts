// `splitbench report` and `table`: the split-point report of a run, rebuilt from the store (compare and history:
// compare.ts, history.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { SplitbenchError, messageOf } from '../../errors.js';
import { renderConsoleCaveats, renderConsoleTable } from '../../report/console.js';
import { renderReport } from '../../report/render.js';
import { buildReportInput } from '../../runner/report-input.js';
import { REPORT_FORMAT_NAMES, parseReportFormat } from '../report-format.js';
import { DB_HELP, openResultStore, resolveStoreSpec } from '../../store/store-spec.js';
import type { ResultStore } from '../../store/types.js';

const warn = (m: string): void => {
    process.stderr.write(`warning: ${m}\n`);
};

const withStore = async <T>(db: string | undefined, f: (s: ResultStore) => Promise<T> | T): Promise<T> => {
    const store = await openResultStore(resolveStoreSpec(db), { mustExist: true });
    try {
        return await f(store);
    } finally {
        await store.close();
    }
};

export const registerReportCommands = (program: Command): void => {
    program
        .command('report')
        .description('Split-point report of a run: Markdown, CSV, XLSX (the study layout), HTML with charts, or JSON')
        .argument('[run]', 'run id, unique prefix, or "latest"', 'latest')
        .option('--format <format>', `one of ${REPORT_FORMAT_NAMES.join(', ')} (md = markdown)`, 'md')
        .option('--out <file>', 'write to this file instead of stdout (required for xlsx)')
        .option('--db <file|url>', DB_HELP)
        .action(async (ref: string, o: { format: string; out?: string; db?: string }) => {
            const format = parseReportFormat('--format', o.format);
            if (format === 'xlsx' && o.out === undefined)
                throw new SplitbenchError('USAGE', 'xlsx is binary: give --out FILE.xlsx');
            await withStore(o.db, async (store) => {
                const run = await store.getRun(ref);
                const input = await buildReportInput(store, run, warn);
                // "yet" only while the run can still produce results
                if (input.analyses.length === 0)
                    warn(
                        run.state === 'running'
                            ? `run ${run.id} has no usable results yet (still running)`
                            : `run ${run.id} has no usable results (run ${run.state}; see splitbench runs show ${run.id})`,
                    );
                const body = await renderReport(input, format);
                if (o.out !== undefined) {
                    try {
                        mkdirSync(dirname(o.out), { recursive: true });
                        writeFileSync(o.out, body);
                    } catch (e) {
                        throw new SplitbenchError(
                            'USAGE',
                            `--out ${o.out}: cannot write the report (${messageOf(e)})`,
                            {
                                cause: e,
                            },
                        );
                    }
                    process.stdout.write(`${o.out}\n`);
                } else process.stdout.write(typeof body === 'string' ? body : body.toString('utf8'));
            });
        });

    program
        .command('table')
        .description('Print the split table of a run on the terminal')
        .argument('[run]', 'run id, unique prefix, or "latest"', 'latest')
        .option('--db <file|url>', DB_HELP)
        .action(async (ref: string, o: { db?: string }) => {
            await withStore(o.db, async (store) => {
                const run = await store.getRun(ref);
                const input = await buildReportInput(store, run, warn);
                if (input.analyses.length === 0)
                    throw new SplitbenchError(
                        'NOT_FOUND',
                        `run ${run.id} has no usable results (run ${run.state}; see splitbench runs show ${run.id})`,
                    );
                for (const a of input.analyses) process.stdout.write(`${renderConsoleTable(a)}\n\n`);
                process.stdout.write(renderConsoleCaveats(input.measurement));
            });
        });
};
