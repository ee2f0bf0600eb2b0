// The jobs of a campaign's SQLite results file as the CLI left them (read-only, so a running CLI can keep writing).
import Database from 'better-sqlite3';

export interface JobRow {
    device: string;
    state: string;
    attempts: number;
    error: string | null;
}

/** Every job of every run in the file, in planned order. Throws while the CLI has not created the file yet. */
export const jobRows = (db: string): JobRow[] => {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
        return d.prepare('SELECT device, state, attempts, error FROM jobs ORDER BY seq').all() as JobRow[];
    } finally {
        d.close();
    }
};
