// splitbench command line. The only place that turns errors into exit codes.
import { Command, CommanderError } from 'commander';
import { isSplitbenchError, messageOf, type ErrorCode } from '../errors.js';
import { VERSION } from '../version.js';
import { registerModelCommands } from './commands/model.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerParseCommand } from './commands/parse.js';
import { registerDevicesCommands } from './commands/devices.js';
import { registerSimCommands } from './commands/sim.js';
import { registerRunCommands } from './commands/run.js';
import { registerReportCommands } from './commands/report.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerHistoryCommand } from './commands/history.js';
import { registerRunsCommands } from './commands/runs.js';
import { registerStoreCommands } from './commands/store.js';

/** Exit codes: 0 ok, 1 failure or regression, 2 bad input (usage, config, model), 130 interrupted, 70 internal bug. */
const exitCodeFor = (code: ErrorCode): number => {
    switch (code) {
        case 'USAGE':
        case 'CONFIG_INVALID':
        case 'MODEL_INVALID':
        case 'SPLIT_INVALID':
        case 'DEVICE_UNKNOWN':
        case 'NOT_FOUND':
        case 'BAD_INPUT':
            return 2;
        case 'ABORTED':
            return 130;
        case 'INTERNAL':
            return 70;
        case 'UNSUPPORTED':
        case 'RUNTIME_FAILED':
        case 'DEVICE_UNREACHABLE':
        case 'DEVICE_BUSY':
        case 'DEVICE_UNUSABLE':
        case 'HOST_KEY_REJECTED':
        case 'TRANSFER_FAILED':
        case 'TIMEOUT':
        case 'PARSE_FAILED':
        case 'STORE_FAILED':
        case 'UNAVAILABLE':
            return 1;
    }
};

export const buildProgram = (): Command => {
    const program = new Command('splitbench')
        .description('Split-inference benchmarking: cut TFLite models, run head and tail on UE and server, report.')
        .version(VERSION)
        .exitOverride()
        // commander's own usage errors in splitbench's form (`splitbench: …`, a suggestion on the same line as
        // campaign checks put it: `(did you mean "run"?)`); subcommands inherit this
        .configureOutput({
            outputError: (str, write) =>
                write(
                    str
                        .replace(/^error: /, 'splitbench: ')
                        .replace(/\n\(Did you mean (\S+)\?\)/, ' (did you mean "$1"?)'),
                ),
        });
    registerModelCommands(program);
    registerBenchCommand(program);
    registerParseCommand(program);
    registerDevicesCommands(program);
    registerSimCommands(program);
    registerRunCommands(program);
    registerReportCommands(program);
    registerCompareCommand(program);
    registerHistoryCommand(program);
    registerRunsCommands(program);
    registerStoreCommands(program);
    // A usage error is one line plus where to read more, not the whole help text (commander prints the line).
    const hintAll = (cmd: Command): void => {
        cmd.showHelpAfterError(`see '${commandPath(cmd)} --help'`);
        cmd.commands.forEach(hintAll);
    };
    hintAll(program);
    return program;
};

const commandPath = (cmd: Command): string => {
    const names: string[] = [];
    for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
    return names.join(' ');
};

/**
 * What `splitbench` alone prints (stderr, exit 2): what the tool is and where to start. The full command list
 * (commander's help) is a screenful; someone who typed the bare name wants the first step, not all of it.
 */
export const SHORT_USAGE = `splitbench: split-inference benchmarking of TFLite models (3GPP TR 26.847): cut a model in two,
run the head on the UE (a phone) and the tail on a server, and report every split point.

Usage: splitbench <command> [options]

Main commands:
  run FILE             run a campaign (configs/*.yaml): benchmark, store the results, write the report
  report [RUN]         the split-point report of a run (md, csv, xlsx, html, json)
  compare RUN_A RUN_B  compare two runs metric by metric; exit 1 on a regression
  devices add NAME     probe a phone or Linux host and write devices/NAME.yaml
  model inspect FILE   the split points of a .tflite model with the bytes each cut sends
  sim adbd             a simulated phone for trying splitbench without one

'splitbench --help' lists every command; 'splitbench COMMAND --help' explains one.
`;

export const main = async (argv: readonly string[]): Promise<void> => {
    if (argv.length === 0) {
        process.stderr.write(SHORT_USAGE);
        process.exitCode = 2;
        return;
    }
    // `splitbench report | head` closes stdout early; that is not an error worth a stack trace.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
    });
    const program = buildProgram();
    let current: Command = program;
    // The command a usage error's hint names. Option parsers (--threshold abc) throw while commander parses the
    // subcommand's options, before preAction: preSubcommand has already named it by then.
    const track = (cmd: Command): void => {
        cmd.hook('preSubcommand', (_parent, sub) => {
            current = sub;
        });
        cmd.commands.forEach(track);
    };
    track(program);
    program.hook('preAction', (_program, action) => {
        current = action;
    });
    try {
        await program.parseAsync([...argv], { from: 'user' });
    } catch (e) {
        if (e instanceof CommanderError) {
            // help and version exit through here with code 0
            process.exitCode = e.exitCode === 1 ? 2 : e.exitCode;
            return;
        }
        if (isSplitbenchError(e)) {
            process.stderr.write(`splitbench: ${e.message}\n`);
            if (e.code === 'USAGE') process.stderr.write(`see '${commandPath(current)} --help'\n`);
            if (e.code === 'INTERNAL') process.stderr.write('This is a bug in splitbench; please report it.\n');
            process.exitCode = exitCodeFor(e.code);
            return;
        }
        process.stderr.write(`splitbench: internal error: ${messageOf(e)}\n`);
        if (e instanceof Error && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
        process.exitCode = 70;
    }
};
