// Device leases on PostgreSQL (the LeaseStore half of PgStore), as statements on a caller's connection. Expiry uses
// the database's clock, so orchestrators on hosts with skewed clocks agree; changes to one device's lease are
// serialized by a transaction-scoped advisory lock on the device name.
import { LEASE_COLUMNS, leaseIsTakeable, leaseValues, newLeaseRow, toLease, type LeaseRow } from './rows.js';
import type { SqlRunner } from './pg-import.js';
import type { DeviceLease, LeaseAttempt, LeaseHolder } from './types.js';

/** Now on the database's clock, epoch ms. */
const DB_NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::float8';

/** LeaseStore.acquireLease; `q` must run inside one transaction (the advisory lock lasts until its end). */
export const acquireLeaseIn = async (
    q: SqlRunner,
    device: string,
    holder: LeaseHolder,
    ttlMs: number,
    takeOver?: Pick<DeviceLease, 'runId' | 'pid' | 'host'>,
): Promise<LeaseAttempt> => {
    await q("SELECT pg_advisory_xact_lock(hashtext('splitbench.lease'), hashtext($1))", [device]);
    const now = Number((await q(`SELECT ${DB_NOW_MS} AS now`, []))[0]?.['now'] ?? Date.now());
    const row = (await q('SELECT * FROM device_leases WHERE device = $1', [device]))[0] as unknown as
        LeaseRow | undefined;
    if (row !== undefined && !leaseIsTakeable(row, holder, now, takeOver))
        return { acquired: false, holder: toLease(row, now) };
    const next = newLeaseRow(device, holder, now, ttlMs, row);
    await q(
        `INSERT INTO device_leases (${LEASE_COLUMNS.join(', ')})
         VALUES (${LEASE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
         ON CONFLICT (device) DO UPDATE SET ${LEASE_COLUMNS.slice(1)
             .map((col) => `${col} = excluded.${col}`)
             .join(', ')}`,
        leaseValues(next),
    );
    return { acquired: true, lease: toLease(next, now) };
};

/** LeaseStore.renewLeases: one statement, so it needs no transaction. */
export const renewLeasesIn = async (
    q: SqlRunner,
    runId: string,
    devices: readonly string[],
    ttlMs: number,
): Promise<string[]> => {
    const rows = await q(
        `UPDATE device_leases SET renewed_ms = t.now, expires_ms = t.now + $3
         FROM (SELECT ${DB_NOW_MS} AS now) t
         WHERE device = ANY($1::text[]) AND run_id = $2 RETURNING device`,
        [[...devices], runId, ttlMs],
    );
    const held = new Set(rows.map((r) => r['device']));
    return devices.filter((d) => held.has(d));
};

export const releaseLeasesIn = async (q: SqlRunner, runId: string, devices: readonly string[]): Promise<void> => {
    await q('DELETE FROM device_leases WHERE device = ANY($1::text[]) AND run_id = $2', [[...devices], runId]);
};

export const listLeasesIn = async (q: SqlRunner): Promise<DeviceLease[]> => {
    const rows = (await q(
        `SELECT l.*, ${DB_NOW_MS} AS now FROM device_leases l ORDER BY device`,
        [],
    )) as unknown as (LeaseRow & {
        now: number;
    })[];
    return rows.map((r) => toLease(r, Number(r.now)));
};
