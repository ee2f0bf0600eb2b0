// `splitbench runs list` and `runs show RUN`: what the results store holds.
import type { Command } from 'commander';
import { holderIsDeadHere, runLeaseKey } from '../../store/leases.js';
import { runsOfCampaign } from '../campaign-runs.js';
import { DB_HELP, openResultStore, resolveStoreSpec } from '../../store/store-spec.js';
import type { DeviceLease, JOB_STATES, JobCounts, JobRecord, RunRecord, RunSummary } from '../../store/types.js';
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

/** Whether a `running` run's process is alive, from its `run:<id>` lease (src/store/leases.ts). */
export type RunHolder =
    { status: 'live'; lease: DeviceLease } | { status: 'gone' | 'expired'; lease: DeviceLease } | { status: 'none' };

/**
 * The state column: a stored `running` says only that the run never stored an end, so it is qualified by its
 * holder: `running (pid N on H)` while the holder lives, `interrupted (holder gone: pid N on H)` when that process
 * no longer exists on this host, `interrupted (lease expired T: pid N on H)` when another host's holder stopped
 * renewing, `running? (no holder recorded)` when no process holds it (started by an older splitbench, or ended on an
 * error without storing a final state).
 */
export const stateLabel = (state: string, holder: RunHolder | undefined): string => {
    if (state !== 'running' || holder === undefined) return state;
    if (holder.status === 'none') return 'running? (no holder recorded)';
    const who = `pid ${holder.lease.pid} on ${holder.lease.host}`;
    if (holder.status === 'live') return `running (${who})`;
    if (holder.status === 'gone') return `interrupted (holder gone: ${who})`;
    return `interrupted (lease expired ${shortTime(holder.lease.expiresAt)}: ${who})`;
};

/** The holder of each `running` run in `runs`, from the store's leases; pids on this host are checked. */
export const runHolders = (
    runs: readonly Pick<RunSummary, 'id' | 'state'>[],
    leases: readonly DeviceLease[],
): Map<string, RunHolder> => {
    const byKey = new Map(leases.map((l) => [l.device, l]));
    const out = new Map<string, RunHolder>();
    for (const r of runs) {
        if (r.state !== 'running') continue;
        const lease = byKey.get(runLeaseKey(r.id));
        out.set(
            r.id,
            lease === undefined
                ? { status: 'none' }
                : holderIsDeadHere(lease)
                  ? { status: 'gone', lease }
                  : lease.expired
                    ? { status: 'expired', lease }
                    : { status: 'live', lease },
        );
    }
    return out;
};

export const formatRunList = (runs: readonly RunSummary[], holders?: ReadonlyMap<string, RunHolder>): string => {
    if (runs.length === 0) return 'no runs\n';
    const rows = runs.map((r) => [
        r.id,
        r.campaignName,
        stateLabel(r.state, holders?.get(r.id)),
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
export const formatRunShow = (
    run: RunRecord,
    jobs: readonly JobRecord[],
    maxPerState = 20,
    holder?: RunHolder,
): string => {
    const c = countJobs(jobs);
    const out: string[] = [
        `run        ${run.id}`,
        `campaign   ${run.campaignName} (${run.campaignPath}, sha256 ${run.campaignSha256.slice(0, 12)})`,
        `state      ${stateLabel(run.state, holder)}`,
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
        .description(
            'Runs, newest first: id, campaign, state, start time, jobs done/failed/total. A running run shows its ' +
                'process (pid on host), or "interrupted (holder gone …)" when that process is dead or its lease expired',
        )
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
                const holders = runHolders(list, await store.listLeases());
                process.stdout.write(
                    opts.json === true
                        ? `${JSON.stringify(
                              list.map((r) => ({ ...r, holder: holders.get(r.id) })),
                              null,
                              2,
                          )}\n`
                        : formatRunList(list, holders),
                );
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
                const holder = runHolders([run], await store.listLeases()).get(run.id);
                if (opts.json === true)
                    process.stdout.write(
                        `${JSON.stringify({ run, holder, counts: countJobs(jobs), jobs }, null, 2)}\n`,
                    );
                else process.stdout.write(formatRunShow(run, jobs, 20, holder));
            } finally {
                await store.close();
            }
        });
};
