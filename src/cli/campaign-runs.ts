// `--campaign NAME` for compare and history: a misspelt name must say so, not pose as "too few runs".
import { SplitbenchError } from '../errors.js';
import { describeSpec, resolveStoreSpec } from '../store/store-spec.js';
import type { ResultStore, RunSummary } from '../store/types.js';

/**
 * The runs of `campaign` in the store (any state, as `listRuns` returns them). Throws NOT_FOUND when there are
 * none: `no runs of campaign "x" in <db>; campaigns there: a, b`, so a typo reads as a typo. `db` is the
 * `--db` option as given, only to name the database (a URL's password stays hidden).
 */
export const runsOfCampaign = async (
    store: ResultStore,
    campaign: string,
    db: string | undefined,
): Promise<RunSummary[]> => {
    const runs = await store.listRuns({ campaignName: campaign });
    if (runs.length > 0) return runs;
    const names = [...new Set((await store.listRuns()).map((r) => r.campaignName))].sort();
    throw new SplitbenchError(
        'NOT_FOUND',
        `no runs of campaign ${JSON.stringify(campaign)} in ${describeSpec(resolveStoreSpec(db))}; ` +
            (names.length > 0 ? `campaigns there: ${names.join(', ')}` : 'it holds no runs'),
    );
};
