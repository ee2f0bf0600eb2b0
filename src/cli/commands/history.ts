// `splitbench history`: every metric of a model on a device (or those --metric, --mode, --split select) over the
// runs that measured it, with the steps between runs (docs/statistics.md, "history"). Load-flagged repetitions are
// left out of the figures and steps unless --include-loaded.
import type { Command } from 'commander';
import type { MetricMode, MetricName, RunData } from '../../analysis/compare.js';
import { historyFromRuns, noMatchMessage } from '../../analysis/history.js';
import { SplitbenchError } from '../../errors.js';
import { historyJson, renderHistory } from '../../report/history-render.js';
import { DB_HELP } from '../../store/store-spec.js';
import { parseTextFormat } from '../report-format.js';
import { finishedRuns, INCLUDE_LOADED_HELP, ruleOptions, runData, withStore } from './compare-common.js';

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

interface HistoryFlags {
    model: string;
    device: string;
    metric?: string;
    mode?: string;
    split?: string;
    campaign?: string;
    last?: string;
    threshold: number;
    floorMs: number;
    alpha: number;
    holm: boolean;
    includeLoaded?: boolean;
    format: string;
    db?: string;
}

export const registerHistoryCommand = (program: Command): void => {
    const cmd = program
        .command('history')
        .description(
            "A model's metrics on a device over every run that measured them (all of them, or those --metric, --mode and --split select), with the steps between runs (Welch t-test on log repetition values, Holm-corrected over every step tested; load-flagged repetitions left out)",
        )
        .requiredOption('--model <name>', 'model id as in the campaign')
        .requiredOption('--device <name>', 'UE or server device')
        .option('--metric <m>', 'ueMs, serverMs, totalMs, fullUeMs or fullServerMs')
        .option('--mode <m>', 'estimated or measured')
        .option('--split <k>', 'a split point, or "full"')
        .option('--campaign <name>', 'only runs of this campaign')
        .option('--last <n>', 'only the newest n runs (each run is read and analysed in full)');
    ruleOptions(cmd, 'change a step', 'test each step at alpha, without the Holm correction over every step tested')
        .option('--include-loaded', INCLUDE_LOADED_HELP)
        .option('--format <f>', 'text, md (markdown), or json (every series with its points and step tests)', 'text')
        .option('--db <file|url>', DB_HELP)
        .action(async (o: HistoryFlags) => {
            const metric = oneOf('--metric', o.metric, METRICS);
            const mode = oneOf('--mode', o.mode, MODES);
            const splitAfter = splitArg(o.split);
            const last = o.last === undefined ? undefined : Number(o.last);
            if (last !== undefined && (!Number.isInteger(last) || last < 1))
                throw new SplitbenchError('USAGE', `--last: expected a whole number of runs ≥ 1, got "${o.last}"`);
            const format = parseTextFormat('--format', o.format);
            const includeLoaded = o.includeLoaded === true;
            await withStore(o.db, async (store) => {
                const listed = (await finishedRuns(store, o.campaign, o.db))
                    .sort((x, y) => x.startedAt.localeCompare(y.startedAt))
                    .slice(-(last ?? 0));
                const runs: RunData[] = [];
                for (const r of listed) runs.push(await runData(store, r.id));
                const sel = { model: o.model, device: o.device, metric, mode, splitAfter };
                const series = historyFromRuns(runs, sel, {
                    thresholdPct: o.threshold,
                    floorMs: o.floorMs,
                    alpha: o.alpha,
                    correction: o.holm ? 'holm' : 'none',
                    includeLoaded,
                });
                if (series.length === 0) throw new SplitbenchError('NOT_FOUND', noMatchMessage(runs, sel));
                const settings = {
                    thresholdPct: o.threshold,
                    floorMs: o.floorMs,
                    alpha: o.alpha,
                    correction: o.holm ? ('holm' as const) : ('none' as const),
                    includeLoaded,
                };
                if (format === 'json') {
                    process.stdout.write(`${JSON.stringify(historyJson(series, settings), null, 2)}\n`);
                    return;
                }
                process.stdout.write(renderHistory(series, format, settings));
            });
        });
};
