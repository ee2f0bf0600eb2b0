// `splitbench history`: one metric over every run that measured it, with the steps between runs (docs/statistics.md,
// "history"). Load-flagged repetitions are left out of the figures and steps unless --include-loaded.
import type { Command } from 'commander';
import {
    DEFAULT_FLOOR_MS,
    DEFAULT_THRESHOLD_PCT,
    type MetricMode,
    type MetricName,
    type RunData,
} from '../../analysis/compare.js';
import { historyFromRuns, type HistorySeries } from '../../analysis/history.js';
import { SplitbenchError } from '../../errors.js';
import { historyJson, renderHistory } from '../../report/compare-render.js';
import { DB_HELP } from '../../store/store-spec.js';
import { parseTextFormat } from '../report-format.js';
import { finishedRuns, INCLUDE_LOADED_HELP, numberArg, runData, withStore } from './compare-common.js';

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
 * this says which runs it moved across. With a single series the run's value is on its line, with the load-flagged
 * repetitions left out of it.
 */
const historyRuns = (series: readonly HistorySeries[], runs: readonly RunData[], includeLoaded: boolean): string => {
    const used = new Set(series.flatMap((s) => s.summary.points.map((p) => p.runId)));
    const single = series.length === 1 ? series[0] : undefined;
    const lines = runs
        .filter((r) => used.has(r.run.id))
        .map((r) => {
            const n = series.filter((s) => s.summary.points.some((p) => p.runId === r.run.id)).length;
            const p = single?.summary.points.find((x) => x.runId === r.run.id);
            const loaded = p?.loaded ?? 0;
            const note =
                loaded === 0
                    ? ''
                    : `  (${loaded} of ${p?.repetitions ?? loaded} repetitions ${includeLoaded ? 'loaded, kept' : 'left out: loaded'})`;
            const value =
                p === undefined
                    ? `${n} metric(s)`
                    : p.valuesMs.length === 0
                      ? 'every repetition loaded: left out'
                      : `${p.valueMs.toFixed(3)} ms [${p.lowMs.toFixed(3)}–${p.highMs.toFixed(3)}]`;
            return `${r.run.id}  ${r.run.startedAt ?? ''}  ${value}${note}`;
        });
    return `\nRuns (${lines.length}, oldest first):\n${lines.join('\n')}\n`;
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
    program
        .command('history')
        .description(
            'One metric over every run that measured it, with the steps between runs (Welch t-test on log repetition values, Holm-corrected over every step tested; load-flagged repetitions left out)',
        )
        .requiredOption('--model <name>', 'model id as in the campaign')
        .requiredOption('--device <name>', 'UE or server device')
        .option('--metric <m>', 'ueMs, serverMs, totalMs, fullUeMs or fullServerMs')
        .option('--mode <m>', 'estimated or measured')
        .option('--split <k>', 'a split point, or "full"')
        .option('--campaign <name>', 'only runs of this campaign')
        .option('--last <n>', 'only the newest n runs (each run is read and analysed in full)')
        .option(
            '--threshold <pct>',
            'relative change a step must exceed (%)',
            numberArg('--threshold'),
            DEFAULT_THRESHOLD_PCT,
        )
        .option('--floor-ms <ms>', 'absolute change a step must exceed (ms)', numberArg('--floor-ms'), DEFAULT_FLOOR_MS)
        .option('--alpha <p>', 'significance level (family-wise with Holm)', numberArg('--alpha'), 0.05)
        .option('--no-holm', 'test each step at alpha, without the Holm correction over every step tested')
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
                const series = historyFromRuns(
                    runs,
                    { model: o.model, device: o.device, metric, mode, splitAfter },
                    {
                        thresholdPct: o.threshold,
                        floorMs: o.floorMs,
                        alpha: o.alpha,
                        correction: o.holm ? 'holm' : 'none',
                        includeLoaded,
                    },
                );
                if (series.length === 0)
                    throw new SplitbenchError('NOT_FOUND', `no runs measured model ${o.model} on ${o.device}`);
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
                process.stdout.write(historyRuns(series, runs, includeLoaded));
            });
        });
};
