// `splitbench parse FILE [--json] [--all]`: parse a saved benchmark_model console output.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { SplitbenchError } from '../../errors.js';
import { parseBenchmarkRuns } from '../../parse/benchmark-model.js';
import { renderSummary } from '../../parse/render-summary.js';

interface ParseOptions {
    json?: boolean | undefined;
    all?: boolean | undefined;
    top: string;
}

const readText = async (file: string): Promise<string> => {
    try {
        return await readFile(file, 'utf8');
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new SplitbenchError('NOT_FOUND', `file ${file}: not found`, { cause: e });
        if (code === 'EISDIR') throw new SplitbenchError('USAGE', `${file}: is a directory, expected a text file`);
        throw new SplitbenchError('NOT_FOUND', `${file}: cannot read (${code ?? 'error'})`, { cause: e });
    }
};

export const registerParseCommand = (program: Command): void => {
    program
        .command('parse')
        .description(
            'Parse a benchmark_model console output (any TFLite/LiteRT version, logcat, CSV mode) into typed results.',
        )
        .argument('<file>', 'saved stdout+stderr of benchmark_model')
        .option('--json', 'print the parsed result as JSON')
        .option('--all', 'every run in the file (a log with several STARTING! sections), not only the last')
        .option('--top <n>', 'ops to list in the summary', '10')
        .action(async (file: string, opts: ParseOptions) => {
            const top = Number(opts.top);
            if (!Number.isInteger(top) || top < 0) {
                throw new SplitbenchError(
                    'USAGE',
                    `--top ${JSON.stringify(opts.top)}: expected a non-negative integer`,
                );
            }
            const runs = parseBenchmarkRuns(await readText(file));
            const shown = opts.all === true ? runs : runs.slice(-1);
            if (opts.json === true) {
                const value = opts.all === true ? shown : shown[0];
                process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
                return;
            }
            process.stdout.write(
                shown
                    .map(
                        (r, i) =>
                            (shown.length > 1 ? `# run ${i + 1}\n` : '') + renderSummary(r, top, opts.all !== true),
                    )
                    .join('\n'),
            );
        });
};
