// `splitbench runs list` and `runs show RUN`: what the results store holds.
import type { Command } from 'commander';
import { runsOfCampaign } from '../campaign-runs.js';
import { DB_HELP, openResultStore, resolveStoreSpec } from '../../store/store-spec.js';
import type { JOB_STATES, JobCounts, JobRecord, RunRecord, RunSummary } from '../../store/types.js';
import { SplitbenchError } from '../../errors.js';

const shortTime = (iso: string | null): string => (iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: readonly string[]): string =>
        cells
            .map((c, i) => c.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd();
    return [line(header), ...rows.map(line)].join('\n');
};

export const formatRunList = (runs: readonly RunSummary[]): string => {
    if (runs.length === 0) return 'no runs\n';
    const rows = runs.map((r) => [
        r.id,
        r.campaignName,
        r.state,
        shortTime(r.startedAt),
        `${r.jobs.done}/${r.jobs.failed}/${r.jobs.total}`,
    ]);
    return `${table(['id', 'campaign', 'state', 'started', 'done/failed/total'], rows)}\n`;
};

export const jobLabel = (j: JobRecord): string =>
    `${j.kind} ${j.modelId}${j.split === null ? '' : `@${j.split}`} on ${j.device} (${j.role}) #${j.repetition}`;

const countJobs = (jobs: readonly JobRecord[]): JobCounts => {
    const c: JobCounts = { total: jobs.length, pending: 0, running: 0, done: 0, failed: 0 };
    for (const j of jobs) c[j.state]++;
    return c;
};

/** Jobs listed per state; long lists of pending/done are cut, failed ones always show with their error. */
export const formatRunShow = (run: RunRecord, jobs: readonly JobRecord[], maxPerState = 20): string => {
    const c = countJobs(jobs);
    const out: string[] = [
        `run        ${run.id}`,
        `campaign   ${run.campaignName} (${run.campaignPath}, sha256 ${run.campaignSha256.slice(0, 12)})`,
        `state      ${run.state}`,
        `started    ${shortTime(run.startedAt)}`,
        `ended      ${shortTime(run.endedAt)}`,
        `splitbench ${run.splitbenchVersion}${run.gitCommit === null ? '' : ` (git ${run.gitCommit})`}`,
    ];
    // one option a line: the whole record on one line is a screenful no one reads (--json has it verbatim)
    Object.entries(run.options).forEach(([k, v], i) =>
        out.push(`${i === 0 ? 'options    ' : '           '}${k}: ${JSON.stringify(v)}`),
    );
    out.push(
        `jobs       ${c.done} done, ${c.failed} failed, ${c.running} running, ${c.pending} pending, ${c.total} total`,
    );
    for (const state of [
        'failed',
        'running',
        'pending',
        'done',
    ] as const satisfies readonly (typeof JOB_STATES)[number][]) {
        const list = jobs.filter((j) => j.state === state);
        if (list.length === 0) continue;
        out.push('', `${state} (${list.length}):`);
        const shown = state === 'failed' ? list : list.slice(0, maxPerState);
        for (const j of shown) {
            const attempts = j.attempts > 1 ? ` [${j.attempts} attempts]` : '';
            out.push(
                `  ${j.id}  ${jobLabel(j)}${attempts}${j.error === null ? '' : `: ${j.error.split('\n')[0] ?? ''}`}`,
            );
        }
        if (shown.length < list.length) out.push(`  … and ${list.length - shown.length} more`);
    }
    return `${out.join('\n')}\n`;
};

interface DbOpts {
    db?: string | undefined;
    json?: boolean | undefined;
}

export const registerRunsCommands = (program: Command): void => {
    const runs = program.command('runs').description('List and inspect runs in the results database');

    runs.command('list')
        .description('Runs, newest first: id, campaign, state, start time, jobs done/failed/total')
        .option('--db <file|url>', DB_HELP)
        .option('--campaign <name>', 'only runs of this campaign')
        .option('--limit <n>', 'at most this many runs')
        .option('--json', 'print JSON')
        .action(async (opts: DbOpts & { campaign?: string | undefined; limit?: string | undefined }) => {
            const limit = opts.limit === undefined ? undefined : Number(opts.limit);
            if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
                throw new SplitbenchError('USAGE', `--limit ${opts.limit}: expected a positive integer`);
            const store = await openResultStore(resolveStoreSpec(opts.db), { mustExist: true });
            try {
                // a misspelt campaign says so rather than listing nothing
                if (opts.campaign !== undefined) await runsOfCampaign(store, opts.campaign, opts.db);
                const list = await store.listRuns({ campaignName: opts.campaign, limit });
                process.stdout.write(opts.json === true ? `${JSON.stringify(list, null, 2)}\n` : formatRunList(list));
            } finally {
                await store.close();
            }
        });

    runs.command('show')
        .description('One run: campaign, state, times, and its jobs grouped by state with errors')
        .argument('<run>', 'run id, a unique prefix of it, or "latest"')
        .option('--db <file|url>', DB_HELP)
        .option('--json', 'print JSON')
        .action(async (ref: string, opts: DbOpts) => {
            const store = await openResultStore(resolveStoreSpec(opts.db), { mustExist: true });
            try {
                const run = await store.getRun(ref);
                const jobs = await store.jobs(run.id);
                if (opts.json === true)
                    process.stdout.write(`${JSON.stringify({ run, counts: countJobs(jobs), jobs }, null, 2)}\n`);
                else process.stdout.write(formatRunShow(run, jobs));
            } finally {
                await store.close();
            }
        });
};
