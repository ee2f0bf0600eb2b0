// The device leases section of `splitbench devices list`: who holds which device, from the results database.
import { isSplitbenchError, messageOf } from '../../errors.js';
import { describeHolder } from '../../store/leases.js';
import { openResultStore, resolveStoreSpec } from '../../store/store-spec.js';
import type { DeviceLease } from '../../store/types.js';

/** One line per lease: `NAME  held by run … since …, expires …` (or `expired:` when its holder stopped renewing). */
export const formatLeases = (leases: readonly DeviceLease[], where: string): string => {
    if (leases.length === 0) return `no device leases in ${where}\n`;
    const width = Math.max(...leases.map((l) => l.device.length));
    const lines = leases.map(
        (l) =>
            `  ${l.device.padEnd(width)}  ${l.expired ? 'expired lease of' : 'held by'} ${describeHolder(l)}, ${l.expired ? 'expired' : 'expires'} ${l.expiresAt.slice(0, 19).replace('T', ' ')}Z`,
    );
    return `device leases in ${where}:\n${lines.join('\n')}\n`;
};

/**
 * Leases in the results database `db` (--db / SPLITBENCH_DB / lab file), formatted; '' when there is no database
 * yet. A database that cannot be read yields a one-line note instead of failing the listing.
 */
export const leaseSection = async (db: string | undefined): Promise<{ text: string; note?: string }> => {
    let store;
    try {
        store = await openResultStore(resolveStoreSpec(db), { mustExist: true });
    } catch (e) {
        if (isSplitbenchError(e, 'NOT_FOUND')) return { text: '' };
        return { text: '', note: `device leases unknown: ${messageOf(e)}` };
    }
    try {
        return { text: formatLeases(await store.listLeases(), store.path) };
    } finally {
        await store.close();
    }
};
