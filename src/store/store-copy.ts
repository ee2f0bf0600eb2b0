// `splitbench store copy`: moves the runs of an SQLite results file into a PostgreSQL lab database, table by table
// (runs, models, probes, jobs, raw outputs, results, op rows, split checks), renumbering the surrogate keys (job seq, probe id)
// on the way. Each run is one transaction in the target, and a run id already in the target is skipped, so a
// copy that was interrupted or is run again adds exactly the missing runs and never duplicates one.
import { SplitbenchError } from '../errors.js';
import type { SqliteStore } from './sqlite-store.js';

/** One table's rows as the source returned them (column name → value). */
export type Row = Record<string, unknown>;

/** Everything the store holds about one run, with the source's keys. */
export interface RunBundle {
    run: Row;
    models: Row[];
    probes: Row[];
    jobs: Row[];
    rawOutputs: Row[];
    results: Row[];
    opRows: Row[];
    splitChecks: Row[];
}

export interface CopyReport {
    /** Run ids copied, in start order. */
    copied: string[];
    /** Run ids already in the target (left as they are). */
    skipped: string[];
    jobs: number;
    results: number;
}

/** Where bundles go: true when the run was added, false when its id was already there. */
export interface RunImporter {
    readonly path: string;
    hasRun(runId: string): Promise<boolean>;
    importRun(bundle: RunBundle): Promise<boolean>;
}

/** Run ids of an SQLite store, oldest first (insertion order breaks ties, as `runs list` does). */
export const sqliteRunIds = (src: SqliteStore): string[] =>
    src.db
        .prepare<[], { id: string }>('SELECT id FROM runs ORDER BY started_at, rowid')
        .all()
        .map((r) => r.id);

/** Reads one run and the rows that hang off it from an SQLite store. */
export const exportSqliteRun = (src: SqliteStore, runId: string): RunBundle => {
    const db = src.db;
    const all = (sql: string): Row[] => db.prepare<[string], Row>(sql).all(runId);
    const run = db.prepare<[string], Row>('SELECT * FROM runs WHERE id = ?').get(runId);
    if (run === undefined) throw new SplitbenchError('NOT_FOUND', `no run ${runId} in ${src.path}`);
    const inRun = 'job_seq IN (SELECT seq FROM jobs WHERE run_id = ?)';
    return {
        run,
        models: all('SELECT * FROM models WHERE sha256 IN (SELECT model_sha256 FROM jobs WHERE run_id = ?)'),
        probes: all('SELECT * FROM probes WHERE run_id = ? ORDER BY id'),
        jobs: all('SELECT * FROM jobs WHERE run_id = ? ORDER BY seq'),
        rawOutputs: all(`SELECT * FROM raw_outputs WHERE ${inRun} ORDER BY job_seq, attempt`),
        results: all(`SELECT * FROM results WHERE ${inRun} ORDER BY job_seq`),
        opRows: all(`SELECT * FROM op_rows WHERE ${inRun} ORDER BY job_seq, idx`),
        splitChecks: all('SELECT * FROM split_checks WHERE run_id = ? ORDER BY model_sha256, split'),
    };
};

/**
 * Copies every run of `src` missing from `dst`, oldest first. Returns what was copied and skipped. Throws as the
 * stores do (STORE_FAILED naming the target without its password); runs committed before a failure stay.
 */
export const copyRuns = async (
    src: SqliteStore,
    dst: RunImporter,
    onRun?: (runId: string, copied: boolean) => void,
): Promise<CopyReport> => {
    const report: CopyReport = { copied: [], skipped: [], jobs: 0, results: 0 };
    for (const id of sqliteRunIds(src)) {
        if (await dst.hasRun(id)) {
            report.skipped.push(id);
            onRun?.(id, false);
            continue;
        }
        const bundle = exportSqliteRun(src, id);
        if (await dst.importRun(bundle)) {
            report.copied.push(id);
            report.jobs += bundle.jobs.length;
            report.results += bundle.results.length;
            onRun?.(id, true);
        } else {
            report.skipped.push(id);
            onRun?.(id, false);
        }
    }
    return report;
};
