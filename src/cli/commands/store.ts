// `splitbench store copy --from FILE.db --to postgres://…`: moves an SQLite results history into a lab database.
import type { Command } from 'commander';
import { SplitbenchError } from '../../errors.js';
import { SqliteBackend } from '../../store/sqlite-backend.js';
import { copyRuns } from '../../store/store-copy.js';
import { describeSpec, resolveStoreSpec } from '../../store/store-spec.js';

export const registerStoreCommands = (program: Command): void => {
    const store = program.command('store').description('Results databases: copy an SQLite history into PostgreSQL');
    store
        .command('copy')
        .description(
            'Copy every run of an SQLite results file into a PostgreSQL database; runs already there are skipped, so a second copy adds nothing',
        )
        .requiredOption('--from <file>', 'SQLite results file (e.g. results/splitbench.db)')
        .requiredOption('--to <url>', 'PostgreSQL URL, postgres://user[:password]@host[:port]/database')
        .action(async (opts: { from: string; to: string }) => {
            const from = resolveStoreSpec(opts.from, {});
            const to = resolveStoreSpec(opts.to, {});
            if (from.backend !== 'sqlite')
                throw new SplitbenchError('USAGE', `--from ${describeSpec(from)}: give an SQLite results file`);
            if (to.backend !== 'postgres')
                throw new SplitbenchError('USAGE', `--to ${describeSpec(to)}: give a postgres:// URL`);
            const src = new SqliteBackend(from.path, { mustExist: true });
            try {
                // loaded here only: pg is needed by lab commands alone
                const { PgStore } = await import('../../store/pg-store.js');
                const dst = await PgStore.open(to.url);
                try {
                    const report = await copyRuns(src.sync, dst, (id, copied) =>
                        process.stdout.write(`${copied ? 'copied ' : 'present'} ${id}\n`),
                    );
                    process.stdout.write(
                        `${report.copied.length} runs copied (${report.jobs} jobs, ${report.results} results), ${report.skipped.length} already in ${dst.path}\n`,
                    );
                } finally {
                    await dst.close();
                }
            } finally {
                await src.close();
            }
        });
};
