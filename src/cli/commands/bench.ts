// `splitbench bench --graph=FILE [benchmark_model flags]`: the built-in runner with benchmark_model's command line.
import type { Command } from 'commander';
import { benchmarkModelMain } from '../../tflite/bench-cli.js';

export const registerBenchCommand = (program: Command): void => {
    program
        .command('bench')
        .description(
            'Benchmark a .tflite model on the built-in TFLite runtime (benchmark_model flags; --help lists them)',
        )
        .helpOption(false)
        .allowUnknownOption()
        .allowExcessArguments()
        .argument('[flags...]', 'benchmark_model flags, --flag=value')
        .action(async (_flags: string[], _opts: unknown, cmd: Command) => {
            // Flags go through untouched: benchmark_model's parser, not commander's, decides what they mean. Bad
            // input exits 2 as everywhere in splitbench; the splitbench-benchmark-model drop-in keeps benchmark_model's 1.
            process.exitCode = await benchmarkModelMain(cmd.args, undefined, {
                badInput: 2,
                program: 'splitbench bench',
            });
        });
};
