// Pieces of the queries that both backends share, with the dialect's placeholder passed in: the columns and values
// of a new run, a job and a raw output, the job scope's WHERE clause, the run summary row, and the choice of a run by id prefix.
import { SplitbenchError } from '../errors.js';
import { toRun, type RunRow } from './rows.js';
import type { Job } from '../plan/types.js';
import type { JobCounts, JobScope, NewRun, RawOutput, RunRecord, RunSummary } from './types.js';

/** Columns of a new run, in the order of runValues (its state is 'running'). */
export const RUN_COLUMNS = [
    'id',
    'campaign_name',
    'campaign_path',
    'campaign_sha256',
    'campaign_yaml',
    'splitbench_version',
    'git_commit',
    'options_json',
    'started_at',
] as const;

export const runValues = (id: string, run: NewRun, started: Date): unknown[] => [
    id,
    run.campaignName,
    run.campaignPath,
    run.campaignSha256,
    run.campaignYaml,
    run.splitbenchVersion,
    run.gitCommit ?? null,
    JSON.stringify(run.options ?? {}),
    started.toISOString(),
];

/** Columns of a planned job, in the order of jobValues. */
export const JOB_COLUMNS = [
    'run_id',
    'id',
    'kind',
    'model_id',
    'model_sha256',
    'split',
    'device',
    'role',
    'repetition',
    'settings_json',
] as const;

export const jobValues = (runId: string, j: Job): unknown[] => [
    runId,
    j.id,
    j.kind,
    j.modelId,
    j.modelSha256,
    j.split,
    j.device,
    j.role,
    j.repetition,
    JSON.stringify(j.settings),
];

/** Columns of one attempt's raw output, in the order of rawValues. */
export const RAW_COLUMNS = [
    'job_seq',
    'attempt',
    'argv_json',
    'stdout',
    'stderr',
    'exit_code',
    'duration_ms',
    'parser_version',
    'recorded_at',
] as const;

/** `recordedAt`: ISO 8601 timestamp. */
export const rawValues = (seq: number, attempt: number, raw: RawOutput, recordedAt: string): unknown[] => [
    seq,
    attempt,
    raw.argv === undefined ? null : JSON.stringify(raw.argv),
    raw.stdout,
    raw.stderr,
    raw.exitCode,
    raw.durationMs ?? null,
    raw.parserVersion ?? null,
    recordedAt,
];

/** The WHERE clause (jobs `j`, runs `ru`) for a job scope and its one argument; `param` is `?` or `$1`. */
export const scopeSql = (scope: JobScope, param: string): { where: string; arg: string } =>
    'runId' in scope
        ? { where: `j.run_id = ${param}`, arg: scope.runId }
        : 'campaignName' in scope
          ? { where: `ru.campaign_name = ${param}`, arg: scope.campaignName }
          : { where: `ru.campaign_sha256 = ${param}`, arg: scope.campaignSha256 };

/** A listRuns row (the run and its job counts) as a summary, without the campaign's YAML. */
export const toRunSummary = (r: RunRow & JobCounts): RunSummary => {
    const run: Partial<RunRecord> = toRun(r);
    delete run.campaignYaml;
    const jobs: JobCounts = { total: r.total, pending: r.pending, running: r.running, done: r.done, failed: r.failed };
    return { ...(run as Omit<RunRecord, 'campaignYaml'>), jobs };
};

/** `%`, `_` and `\` escaped for `LIKE … ESCAPE '\'`, and `%` appended: runs whose id starts with `ref`. */
export const prefixPattern = (ref: string): string => `${ref.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The one run among `rows` (up to 6 whose id starts with `ref`, oldest first). Throws USAGE naming up to five
 * when several match, NOT_FOUND naming the database `path` when none does.
 */
export const onePrefixMatch = (ref: string, rows: readonly RunRow[], path: string): RunRecord => {
    const [first, ...rest] = rows;
    if (first !== undefined && rest.length === 0) return toRun(first);
    if (first !== undefined)
        throw new SplitbenchError(
            'USAGE',
            `run "${ref}" is ambiguous: ${rows
                .slice(0, 5)
                .map((r) => r.id)
                .join(', ')}${rows.length > 5 ? ', …' : ''}`,
        );
    throw new SplitbenchError('NOT_FOUND', `no run "${ref}" in ${path} (see "splitbench runs list")`);
};
