// Where the results database lives: --db, else $SPLITBENCH_DB, else results/splitbench.db.
import { resolve } from 'node:path';

export const DEFAULT_DB_PATH = 'results/splitbench.db';

export const resolveDbPath = (
    option?: string,
    env: Readonly<Record<string, string | undefined>> = process.env,
    cwd: string = process.cwd(),
): string => {
    const fromEnv = env['SPLITBENCH_DB'];
    return resolve(cwd, option ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_DB_PATH));
};
