// What `splitbench compare` and `splitbench history` share: the store, a run's data, number flags.
import type { Command } from 'commander';
import { SplitbenchError } from '../../errors.js';
import { DEFAULT_FLOOR_MS, DEFAULT_THRESHOLD_PCT, type RunData } from '../../analysis/compare.js';
import { buildReportInput } from '../../runner/report-input.js';
import { runsOfCampaign } from '../campaign-runs.js';
import { openResultStore, resolveStoreSpec } from '../../store/store-spec.js';
import type { ResultStore, RunSummary } from '../../store/types.js';

export const warn = (m: string): void => {
    process.stderr.write(`warning: ${m}\n`);
};

/** Opens the store (`--db`, which must exist), runs `f`, closes it. */
export const withStore = async <T>(db: string | undefined, f: (s: ResultStore) => Promise<T> | T): Promise<T> => {
    const store = await openResultStore(resolveStoreSpec(db), { mustExist: true });
    try {
        return await f(store);
    } finally {
        await store.close();
    }
};

/** A run's analyses, devices and probes, as its report sees them (reused results included). */
export const runData = async (store: ResultStore, ref: string): Promise<RunData> =>
    buildReportInput(store, await store.getRun(ref), warn);

/** A commander parser for a numeric flag; throws SplitbenchError USAGE naming the flag. */
export const numberArg =
    (name: string) =>
    (v: string): number => {
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n))
            throw new SplitbenchError('USAGE', `${name}: expected a number, got "${v}"`);
        return n;
    };

/** `--threshold`, `--floor-ms`: a number ≥ 0 (a negative one would make every change pass). USAGE otherwise. */
export const nonNegativeArg =
    (name: string) =>
    (v: string): number => {
        const n = numberArg(name)(v);
        if (n < 0) throw new SplitbenchError('USAGE', `${name}: expected a number ≥ 0, got "${v}"`);
        return n;
    };

/** `--alpha`: a significance level strictly between 0 and 1 (0 rejects nothing, ≥ 1 everything). USAGE otherwise. */
export const alphaArg = (v: string): number => {
    const n = numberArg('--alpha')(v);
    if (!(n > 0 && n < 1))
        throw new SplitbenchError(
            'USAGE',
            `--alpha: expected a significance level between 0 and 1 (exclusive), got "${v}"`,
        );
    return n;
};

/**
 * The options compare and history share: the step/regression rule (threshold, floor, alpha, Holm) with their
 * parsers and defaults. `what` names what must exceed them ("slowdown a regression", "change a step").
 */
export const ruleOptions = (cmd: Command, what: string, holmHelp: string): Command =>
    cmd
        .option(
            '--threshold <pct>',
            `relative ${what} must exceed (%, ≥ 0)`,
            nonNegativeArg('--threshold'),
            DEFAULT_THRESHOLD_PCT,
        )
        .option(
            '--floor-ms <ms>',
            `absolute ${what} must exceed (ms, ≥ 0)`,
            nonNegativeArg('--floor-ms'),
            DEFAULT_FLOOR_MS,
        )
        .option('--alpha <p>', 'significance level, between 0 and 1 (family-wise with Holm)', alphaArg, 0.05)
        .option('--no-holm', holmHelp);

/**
 * Runs that measured something (older stores hold re-runs that measured nothing: no baseline), of one campaign
 * (NOT_FOUND naming the campaigns there when it has none, see runsOfCampaign) or of all. `db` only names the store.
 */
export const finishedRuns = async (
    store: ResultStore,
    campaign: string | undefined,
    db: string | undefined,
): Promise<RunSummary[]> =>
    (campaign !== undefined ? await runsOfCampaign(store, campaign, db) : await store.listRuns()).filter(
        (r) => (r.state === 'done' || r.state === 'failed') && r.jobs.done > 0,
    );

export const INCLUDE_LOADED_HELP =
    'keep repetitions measured while other work used the device (load-flagged, docs/measurement-conditions.md); by default they are left out';
