// `splitbench compare`: two runs metric by metric (docs/statistics.md, "compare"). Exit 1 on a regression, on too
// few repetitions, or on too few repetitions measured without load; the CLI's exit-code mapping stays in main.ts.
import type { Command } from 'commander';
import { compareRuns, DEFAULT_MIN_REPS, type RunData } from '../../analysis/compare.js';
import { SplitbenchError } from '../../errors.js';
import { comparisonJson, renderComparison } from '../../report/compare-render.js';
import { DB_HELP } from '../../store/store-spec.js';
import { parseTextFormat } from '../report-format.js';
import {
    finishedRuns,
    INCLUDE_LOADED_HELP,
    numberArg,
    ruleOptions,
    runData,
    warn,
    withStore,
} from './compare-common.js';

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

/**
 * One stderr line when the runs are given newest first (B is still compared against A, as asked: a slowdown then
 * reads as an improvement) or are one run (every metric compared with itself).
 */
const swapWarning = (a: RunData['run'], b: RunData['run']): void => {
    if (a.id === b.id) warn(`run A and run B are the same run, ${a.id}: every metric is compared with itself`);
    else if (a.startedAt !== undefined && b.startedAt !== undefined && a.startedAt > b.startedAt)
        warn(
            `run A ${a.id} started after run B ${b.id} (${a.startedAt} > ${b.startedAt}): B is compared against A as asked, so a slowdown since B reads as an improvement; give the earlier run first`,
        );
};

export const registerCompareCommand = (program: Command): void => {
    const cmd = program
        .command('compare')
        .description(
            'Compare two runs metric by metric (Welch t-test on log per-repetition values, Holm-corrected, load-flagged repetitions left out); exit 1 on a regression or when repetitions (or those measured without load) are too few to test',
        )
        .argument('[runA]', 'the earlier run (baseline)')
        .argument('[runB]', 'the later run')
        .option('--campaign <name>', 'with --last: pick runs of this campaign')
        .option('--last <n>', 'compare the newest finished run with the one n-1 runs before it', '2');
    ruleOptions(cmd, 'slowdown a regression', 'test each metric at alpha, without the Holm correction over all metrics')
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
                const [runA, runB] = [await runData(store, refA), await runData(store, refB)];
                swapWarning(runA.run, runB.run);
                const c = compareRuns(runA, runB, {
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
                        : renderComparison(c, format, { all: o.all === true }),
                );
                // Too few (clean) repetitions is not an all-clear: a nightly job must notice it as surely as a regression.
                if (c.verdict !== 'no regression') process.exitCode = 1;
            });
        });
};
