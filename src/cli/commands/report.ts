// `splitbench report`, `compare` and `history`: everything people read, rebuilt from the store.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import {
    compareRuns,
    DEFAULT_FLOOR_MS,
    DEFAULT_MIN_REPS,
    DEFAULT_THRESHOLD_PCT,
    type MetricMode,
    type MetricName,
    type RunData,
} from '../../analysis/compare.js';
import { historyFromRuns, type HistorySeries } from '../../analysis/history.js';
import { SplitbenchError, messageOf } from '../../errors.js';
import { renderComparison, renderHistory } from '../../report/compare-render.js';
import { renderConsoleCaveats, renderConsoleTable } from '../../report/console.js';
import { renderReport } from '../../report/render.js';
import { buildReportInput } from '../../runner/report-input.js';
import { runsOfCampaign } from '../campaign-runs.js';
import { REPORT_FORMAT_NAMES, parseReportFormat, parseTextOrMd } from '../report-format.js';
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

const runData = async (store: ResultStore, ref: string): Promise<RunData> =>
    buildReportInput(store, await store.getRun(ref), warn);

const METRICS: readonly MetricName[] = ['ueMs', 'serverMs', 'totalMs', 'fullUeMs', 'fullServerMs'];
const MODES: readonly MetricMode[] = ['estimated', 'measured'];

const oneOf = <T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined => {
    if (v === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(v))
        throw new SplitbenchError('USAGE', `${flag}: unknown value "${v}" (${allowed.join(', ')})`);
    return v as T;
};

const splitArg = (v: string | undefined): number | 'full' | undefined => {
    if (v === undefined || v === 'full') return v;
    const k = Number(v);
    if (!Number.isInteger(k) || k < 0)
        throw new SplitbenchError('USAGE', `--split: expected a split point (op index) or "full", got "${v}"`);
    return k;
};

/**
 * One line per run that measured the selection, oldest first: the series table above says how a metric moved,
 * this says which runs it moved across. With a single series the run's value is on its line.
 */
const historyRuns = (series: readonly HistorySeries[], runs: readonly RunData[]): string => {
    const used = new Set(series.flatMap((s) => s.summary.points.map((p) => p.runId)));
    const single = series.length === 1 ? series[0] : undefined;
    const lines = runs
        .filter((r) => used.has(r.run.id))
        .map((r) => {
            const n = series.filter((s) => s.summary.points.some((p) => p.runId === r.run.id)).length;
            const p = single?.summary.points.find((x) => x.runId === r.run.id);
            const value =
                p === undefined
                    ? `${n} metric(s)`
                    : `${p.valueMs.toFixed(3)} ms [${p.lowMs.toFixed(3)}–${p.highMs.toFixed(3)}]`;
            return `${r.run.id}  ${r.run.startedAt ?? ''}  ${value}`;
        });
    return `\nRuns (${lines.length}, oldest first):\n${lines.join('\n')}\n`;
};

const number =
    (name: string) =>
    (v: string): number => {
        const n = Number(v);
        if (!Number.isFinite(n)) throw new SplitbenchError('USAGE', `${name}: expected a number, got "${v}"`);
        return n;
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

    program
        .command('compare')
        .description(
            'Compare two runs metric by metric (Welch t-test on log per-repetition values, Holm-corrected); exit 1 on a regression or when repetitions are too few to test',
        )
        .argument('[runA]', 'the earlier run (baseline)')
        .argument('[runB]', 'the later run')
        .option('--campaign <name>', 'with --last: pick runs of this campaign')
        .option('--last <n>', 'compare the newest finished run with the one n-1 runs before it', '2')
        .option(
            '--threshold <pct>',
            'relative slowdown a regression must exceed (%)',
            number('--threshold'),
            DEFAULT_THRESHOLD_PCT,
        )
        .option(
            '--floor-ms <ms>',
            'absolute slowdown a regression must exceed (ms)',
            number('--floor-ms'),
            DEFAULT_FLOOR_MS,
        )
        .option('--alpha <p>', 'significance level (family-wise with Holm)', number('--alpha'), 0.05)
        .option('--no-holm', 'test each metric at alpha, without the Holm correction over all metrics')
        .option(
            '--min-reps <n>',
            'repetitions needed on each side to test a metric (≥ 2)',
            number('--min-reps'),
            DEFAULT_MIN_REPS,
        )
        .option('--all', 'print every metric, unchanged ones too')
        .option('--format <f>', 'text, or md (markdown)', 'text')
        .option('--db <file|url>', DB_HELP)
        .action(
            async (
                a: string | undefined,
                b: string | undefined,
                o: {
                    campaign?: string;
                    last: string;
                    threshold: number;
                    floorMs: number;
                    alpha: number;
                    holm: boolean;
                    minReps: number;
                    all?: boolean;
                    format: string;
                    db?: string;
                },
            ) => {
                if (!Number.isInteger(o.minReps) || o.minReps < 2)
                    throw new SplitbenchError('USAGE', `--min-reps: expected a whole number ≥ 2, got ${o.minReps}`);
                await withStore(o.db, async (store) => {
                    let refA = a;
                    let refB = b;
                    if (refA === undefined || refB === undefined) {
                        if (o.campaign === undefined)
                            throw new SplitbenchError('USAGE', 'give two run ids, or --campaign NAME [--last N]');
                        const n = Number(o.last);
                        if (!Number.isInteger(n) || n < 2)
                            throw new SplitbenchError(
                                'USAGE',
                                `--last: expected a whole number of runs ≥ 2, got "${o.last}"`,
                            );
                        // a run that measured nothing itself (older stores hold such re-runs) is no baseline
                        const done = (await runsOfCampaign(store, o.campaign, o.db))
                            .filter((r) => (r.state === 'done' || r.state === 'failed') && r.jobs.done > 0)
                            .sort((x, y) => y.startedAt.localeCompare(x.startedAt));
                        const newest = done[0];
                        const older = done[n - 1];
                        if (newest === undefined || older === undefined || newest === older)
                            throw new SplitbenchError(
                                'NOT_FOUND',
                                `campaign ${o.campaign}: fewer than ${n} finished runs`,
                            );
                        refA = older.id;
                        refB = newest.id;
                    }
                    const c = compareRuns(await runData(store, refA), await runData(store, refB), {
                        thresholdPct: o.threshold,
                        floorMs: o.floorMs,
                        alpha: o.alpha,
                        correction: o.holm ? 'holm' : 'none',
                        minReps: o.minReps,
                    });
                    // A nightly job comparing runs that share nothing (another model or device) must not pass quietly.
                    if (c.changes.length === 0)
                        throw new SplitbenchError(
                            'NOT_FOUND',
                            `runs ${c.a.id} and ${c.b.id} have no metric in common (${c.onlyInA.length} only in ${c.a.id}, ${c.onlyInB.length} only in ${c.b.id}): different models or devices?`,
                        );
                    process.stdout.write(
                        `${renderComparison(c, parseTextOrMd('--format', o.format), { all: o.all === true })}\n`,
                    );
                    // Too few repetitions is not an all-clear: a nightly job must notice it as surely as a regression.
                    if (c.verdict !== 'no regression') process.exitCode = 1;
                });
            },
        );

    program
        .command('history')
        .description('One metric over every run that measured it, with the steps between runs')
        .requiredOption('--model <name>', 'model id as in the campaign')
        .requiredOption('--device <name>', 'UE or server device')
        .option('--metric <m>', 'ueMs, serverMs, totalMs, fullUeMs or fullServerMs')
        .option('--mode <m>', 'estimated or measured')
        .option('--split <k>', 'a split point, or "full"')
        .option('--campaign <name>', 'only runs of this campaign')
        .option('--last <n>', 'only the newest n runs (each run is read and analysed in full)')
        .option('--threshold <pct>', 'change that counts (%)', number('--threshold'), DEFAULT_THRESHOLD_PCT)
        .option('--format <f>', 'text, or md (markdown)', 'text')
        .option('--db <file|url>', DB_HELP)
        .action(
            async (o: {
                model: string;
                device: string;
                metric?: string;
                mode?: string;
                split?: string;
                campaign?: string;
                last?: string;
                threshold: number;
                format: string;
                db?: string;
            }) => {
                const metric = oneOf('--metric', o.metric, METRICS);
                const mode = oneOf('--mode', o.mode, MODES);
                const splitAfter = splitArg(o.split);
                const last = o.last === undefined ? undefined : Number(o.last);
                if (last !== undefined && (!Number.isInteger(last) || last < 1))
                    throw new SplitbenchError('USAGE', `--last: expected a whole number of runs ≥ 1, got "${o.last}"`);
                await withStore(o.db, async (store) => {
                    const listed = (
                        o.campaign !== undefined
                            ? await runsOfCampaign(store, o.campaign, o.db)
                            : await store.listRuns()
                    )
                        .filter((r) => (r.state === 'done' || r.state === 'failed') && r.jobs.done > 0)
                        .sort((x, y) => x.startedAt.localeCompare(y.startedAt))
                        .slice(-(last ?? 0));
                    const runs: RunData[] = [];
                    for (const r of listed) runs.push(await runData(store, r.id));
                    const series = historyFromRuns(
                        runs,
                        { model: o.model, device: o.device, metric, mode, splitAfter },
                        { thresholdPct: o.threshold },
                    );
                    if (series.length === 0)
                        throw new SplitbenchError('NOT_FOUND', `no runs measured model ${o.model} on ${o.device}`);
                    process.stdout.write(renderHistory(series, parseTextOrMd('--format', o.format)));
                    process.stdout.write(historyRuns(series, runs));
                });
            },
        );
};
