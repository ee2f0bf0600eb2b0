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

/** NUL bytes never occur in console text; a file with them is binary (a model, an archive, a core dump). */
const looksBinary = (buf: Buffer): boolean => buf.subarray(0, 65536).includes(0);

const readText = async (file: string): Promise<string> => {
    try {
        const buf = await readFile(file);
        if (looksBinary(buf)) {
            throw new SplitbenchError('BAD_INPUT', `${file}: a binary file, not a benchmark_model console output`);
        }
        return buf.toString('utf8');
    } catch (e) {
        if (e instanceof SplitbenchError) throw e;
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
            'Parse a benchmark_model console output (any TFLite/LiteRT version, logcat, glog or CI-timestamped logs, CSV mode) into typed results; exits 2 when the file holds no TFLite benchmark_model output.',
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
            // Text without any benchmark_model line (a README, another tool's log) is bad input, not a failed run. The
            // arguments were right, so not USAGE (main adds a --help hint to those): BAD_INPUT, exit 2, one line.
            const kinds = new Set(runs.map((r) => r.failure?.kind));
            if (kinds.size === 1 && kinds.has('no_output')) {
                throw new SplitbenchError('BAD_INPUT', `${file}: no benchmark_model output in it`);
            }
            const other = runs.find((r) => r.failure?.kind === 'not_tflite');
            if (other !== undefined && runs.every((r) => r.failure?.kind === 'not_tflite')) {
                throw new SplitbenchError(
                    'BAD_INPUT',
                    `${file}: not a TFLite benchmark_model output (full TensorFlow's benchmark_model: ${other.failure?.line ?? ''})`,
                );
            }
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
