// Inserting a run exported from another store (src/store/store-copy.ts) into PostgreSQL, inside the caller's
// transaction: the surrogate keys (jobs.seq, probes.id) are the target's own, mapped from the source's.
import type { Row, RunBundle } from './store-copy.js';

/** Runs one statement in the caller's transaction and returns its rows. */
export type SqlRunner = (sql: string, args: readonly unknown[]) => Promise<Row[]>;

const PARAM_LIMIT = 60_000; // PostgreSQL allows 65 535 bind parameters per statement

/** Multi-row INSERT of `rows` (objects with `cols`), chunked under the parameter limit; returns RETURNING rows. */
const insertRows = async (
    q: SqlRunner,
    table: string,
    cols: readonly string[],
    rows: readonly Row[],
    tail = '',
): Promise<Row[]> => {
    const out: Row[] = [];
    const per = Math.max(1, Math.floor(PARAM_LIMIT / cols.length));
    for (let i = 0; i < rows.length; i += per) {
        const chunk = rows.slice(i, i + per);
        const values = chunk
            .map((_, r) => `(${cols.map((_c, c) => `$${r * cols.length + c + 1}`).join(', ')})`)
            .join(', ');
        out.push(
            ...(await q(
                `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values} ${tail}`,
                chunk.flatMap((row) => cols.map((c) => row[c] ?? null)),
            )),
        );
    }
    return out;
};

const columnsOf = (rows: readonly Row[], drop: readonly string[] = []): string[] =>
    rows[0] === undefined ? [] : Object.keys(rows[0]).filter((c) => !drop.includes(c));

/** Inserts `bundle` unless its run id exists; returns whether it was inserted. */
export const importRunBundle = async (q: SqlRunner, bundle: RunBundle): Promise<boolean> => {
    const runId = String(bundle.run['id']);
    const present = await q('SELECT 1 FROM runs WHERE id = $1 FOR UPDATE', [runId]);
    if (present.length > 0) return false;
    await insertRows(q, 'models', columnsOf(bundle.models), bundle.models, 'ON CONFLICT (sha256) DO NOTHING');
    await insertRows(q, 'runs', columnsOf([bundle.run], ['rowid']), [bundle.run]);
    const probeIds = new Map<unknown, unknown>();
    // one by one: RETURNING rows of a multi-row INSERT carry no guaranteed order to pair them with the source's
    for (const p of bundle.probes) {
        const [row] = await insertRows(q, 'probes', columnsOf([p], ['id']), [p], 'RETURNING id');
        probeIds.set(p['id'], row?.['id']);
    }
    const jobIds = new Map<unknown, unknown>();
    const inserted = await insertRows(q, 'jobs', columnsOf(bundle.jobs, ['seq']), bundle.jobs, 'RETURNING seq, id');
    const seqById = new Map(inserted.map((r) => [r['id'], r['seq']]));
    for (const j of bundle.jobs) jobIds.set(j['seq'], seqById.get(j['id']));
    const remap = (rows: readonly Row[]): Row[] =>
        rows.map((r) => ({
            ...r,
            job_seq: jobIds.get(r['job_seq']),
            ...('probe_id' in r ? { probe_id: r['probe_id'] === null ? null : probeIds.get(r['probe_id']) } : {}),
        }));
    await insertRows(q, 'raw_outputs', columnsOf(bundle.rawOutputs), remap(bundle.rawOutputs));
    await insertRows(q, 'results', columnsOf(bundle.results), remap(bundle.results));
    await insertRows(q, 'op_rows', columnsOf(bundle.opRows), remap(bundle.opRows));
    await insertRows(q, 'split_checks', columnsOf(bundle.splitChecks), bundle.splitChecks);
    return true;
};
