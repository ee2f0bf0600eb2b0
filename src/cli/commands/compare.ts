// `splitbench compare`: two runs metric by metric (docs/statistics.md, "compare"). Exit 1 on a regression, on too
// few repetitions, or on too few repetitions measured without load; the CLI's exit-code mapping stays in main.ts.
import type { Command } from 'commander';
import { compareRuns, DEFAULT_FLOOR_MS, DEFAULT_MIN_REPS, DEFAULT_THRESHOLD_PCT } from '../../analysis/compare.js';
import { SplitbenchError } from '../../errors.js';
import { comparisonJson, renderComparison } from '../../report/compare-render.js';
import { DB_HELP } from '../../store/store-spec.js';
import { parseTextFormat } from '../report-format.js';
import { finishedRuns, INCLUDE_LOADED_HELP, numberArg, runData, withStore } from './compare-common.js';

interface CompareFlags {
    campaign?: string;
    last: string;
    threshold: number;
    floorMs: number;
    alpha: number;
    holm: boolean;
    minReps: number;
    includeLoaded?: boolean;
    all?: boolean;
    format: string;
    db?: string;
}

export const registerCompareCommand = (program: Command): void => {
    program
        .command('compare')
        .description(
            'Compare two runs metric by metric (Welch t-test on log per-repetition values, Holm-corrected, load-flagged repetitions left out); exit 1 on a regression or when repetitions (or those measured without load) are too few to test',
        )
        .argument('[runA]', 'the earlier run (baseline)')
        .argument('[runB]', 'the later run')
        .option('--campaign <name>', 'with --last: pick runs of this campaign')
        .option('--last <n>', 'compare the newest finished run with the one n-1 runs before it', '2')
        .option(
            '--threshold <pct>',
            'relative slowdown a regression must exceed (%)',
            numberArg('--threshold'),
            DEFAULT_THRESHOLD_PCT,
        )
        .option(
            '--floor-ms <ms>',
            'absolute slowdown a regression must exceed (ms)',
            numberArg('--floor-ms'),
            DEFAULT_FLOOR_MS,
        )
        .option('--alpha <p>', 'significance level (family-wise with Holm)', numberArg('--alpha'), 0.05)
        .option('--no-holm', 'test each metric at alpha, without the Holm correction over all metrics')
        .option(
            '--min-reps <n>',
            'repetitions needed on each side to test a metric (≥ 2); load-flagged ones do not count unless --include-loaded',
            numberArg('--min-reps'),
            DEFAULT_MIN_REPS,
        )
        .option('--include-loaded', INCLUDE_LOADED_HELP)
        .option('--all', 'print every metric, unchanged ones too')
        .option('--format <f>', 'text, md (markdown), or json (every metric with its repetition counts)', 'text')
        .option('--db <file|url>', DB_HELP)
        .action(async (a: string | undefined, b: string | undefined, o: CompareFlags) => {
            if (!Number.isInteger(o.minReps) || o.minReps < 2)
                throw new SplitbenchError('USAGE', `--min-reps: expected a whole number ≥ 2, got ${o.minReps}`);
            const format = parseTextFormat('--format', o.format);
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
                    const done = (await finishedRuns(store, o.campaign, o.db)).sort((x, y) =>
                        y.startedAt.localeCompare(x.startedAt),
                    );
                    const newest = done[0];
                    const older = done[n - 1];
                    if (newest === undefined || older === undefined || newest === older)
                        throw new SplitbenchError('NOT_FOUND', `campaign ${o.campaign}: fewer than ${n} finished runs`);
                    refA = older.id;
                    refB = newest.id;
                }
                const c = compareRuns(await runData(store, refA), await runData(store, refB), {
                    thresholdPct: o.threshold,
                    floorMs: o.floorMs,
                    alpha: o.alpha,
                    correction: o.holm ? 'holm' : 'none',
                    minReps: o.minReps,
                    includeLoaded: o.includeLoaded === true,
                });
                // A nightly job comparing runs that share nothing (another model or device) must not pass quietly.
                if (c.changes.length === 0)
                    throw new SplitbenchError(
                        'NOT_FOUND',
                        `runs ${c.a.id} and ${c.b.id} have no metric in common (${c.onlyInA.length} only in ${c.a.id}, ${c.onlyInB.length} only in ${c.b.id}): different models or devices?`,
                    );
                process.stdout.write(
                    format === 'json'
                        ? `${JSON.stringify(comparisonJson(c), null, 2)}\n`
                        : `${renderComparison(c, format, { all: o.all === true })}\n`,
                );
                // Too few (clean) repetitions is not an all-clear: a nightly job must notice it as surely as a regression.
                if (c.verdict !== 'no regression') process.exitCode = 1;
            });
        });
};
