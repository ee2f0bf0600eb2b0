// `splitbench run`: the campaign engine's entry point.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultDevicesDir } from '../../config/device-file.js';
import { closest } from '../../config/suggest.js';
import { SplitbenchError } from '../../errors.js';
import { REPORT_FORMAT_NAMES, parseReportFormat } from '../report-format.js';
import { runCampaign } from '../../runner/campaign-run.js';
import { DB_HELP, resolveStoreSpec } from '../../store/store-spec.js';

/** pino's levels (the run log's library), least to most verbose. */
const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** `--log-level`: one of LOG_LEVELS (case-insensitive). Throws SplitbenchError USAGE naming the value and the allowed ones. */
const parseLogLevel = (v: string): string => {
    const level = v.trim().toLowerCase();
    if ((LOG_LEVELS as readonly string[]).includes(level)) return level;
    const likely = closest(v, LOG_LEVELS);
    throw new SplitbenchError(
        'USAGE',
        `--log-level: unknown level "${v}"${likely !== undefined ? ` (did you mean "${likely}"?)` : ''}; allowed: ${LOG_LEVELS.join(', ')}`,
    );
};

const list = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').filter((s) => s !== '')];

interface RunFlags {
    dryRun?: boolean;
    resume?: string | true;
    fresh?: boolean;
    ue?: string[];
    server?: string[];
    db?: string;
    devices?: string;
    report?: string[];
    logLevel?: string;
    keepWorkDir?: boolean;
    wait?: boolean;
}

export const registerRunCommands = (program: Command): void => {
    program
        .command('run')
        .description('Run a campaign: plan, benchmark on every device, store results, write the report')
        .argument('<campaign>', 'campaign YAML file (see configs/)')
        .option('--dry-run', 'print the plan (jobs per device, queues per host, estimated duration) and run nothing')
        .option(
            '--resume [run]',
            'continue an interrupted run with the options it started with: its jobs without a result, nothing else (default: the latest unfinished run of this file)',
        )
        .option('--fresh', 'measure again what earlier runs of this campaign already measured (nightly reruns)')
        .option('--ue <names>', "run only this UE device's share (comma-separated); replaces the campaign's UEs", list)
        .option(
            '--server <names>',
            "run only this server's share (comma-separated); replaces the campaign's servers",
            list,
        )
        .option('--db <file|url>', DB_HELP)
        .option(
            '--no-wait',
            "fail a device's jobs at once when another run holds the device's (or its physical host's) lease, instead of waiting",
        )
        .option('--devices <dir>', 'device inventory folder (default $SPLITBENCH_DEVICES or devices/)')
        .option(
            '--report <formats>',
            `report formats instead of the campaign's (${REPORT_FORMAT_NAMES.join(',')})`,
            list,
        )
        .option(
            '--log-level <level>',
            `level of the run log in results/logs/<run>.jsonl: ${LOG_LEVELS.join(', ')}`,
            parseLogLevel,
            'info',
        )
        .option(
            '--keep-work-dir',
            "keep the run's private scratch folders (os temp dir, and on SSH hosts without a workDir) instead of removing them",
        )
        .addHelpText(
            'after',
            `
Results already measured with the same runtime and device build are reused; when nothing is left to measure no
run is recorded and the run holding the results is named. A device that cannot be reached fails its jobs; one that
keeps failing (circuitBreaker.transportFailures, default 3) or stays above its thermal gate is given up. A device
asked for more threads than it has CPUs (a simulated phone: its host's) is measured with a warning, here and with
--dry-run, and the report's Measurement conditions list it.

Each device, and each physical host (devices with the same machine-id), is leased to one run at a time through
the results database: a run waits for a device or host another run holds (naming that run, its user, host and
start), or with --no-wait fails those jobs at once (scheduling.parallelOnSharedHost: true skips the host lease).
--resume RUN refuses a run that a live process is still measuring, naming its pid and host; it takes over when that
process is gone (this host) or its lease expired (another host).

Exit codes: 0 all jobs done (or nothing left to measure); 1 some job failed (an unreachable device's too) or did not
run; 2 the campaign has errors (every one is listed as file:line:col path: message; nothing runs); 130 interrupted
(Ctrl-C or SIGTERM: finished results are kept, --resume continues).`,
        )
        .action(async (file: string, flags: RunFlags) => {
            const formats = flags.report?.map((f) => parseReportFormat('--report', f));
            const ctl = new AbortController();
            let interrupts = 0;
            const onSignal = (sig: string): void => {
                interrupts++;
                if (interrupts > 1) process.exit(130);
                process.stderr.write(
                    `\n${sig}: stopping: killing remote benchmarks, keeping finished results (again to force)\n`,
                );
                ctl.abort(new SplitbenchError('ABORTED', `interrupted by ${sig}`));
            };
            const onInt = (): void => onSignal('SIGINT');
            const onTerm = (): void => onSignal('SIGTERM');
            process.on('SIGINT', onInt);
            process.on('SIGTERM', onTerm);
            try {
                const r = await runCampaign({
                    file,
                    devicesDir: defaultDevicesDir(flags.devices),
                    dbPath: ((spec) => (spec.backend === 'sqlite' ? spec.path : spec.url))(resolveStoreSpec(flags.db)),
                    noWait: flags.wait === false,
                    baseDir: resolve('.'),
                    resume: flags.resume,
                    fresh: flags.fresh,
                    dryRun: flags.dryRun,
                    ue: flags.ue,
                    server: flags.server,
                    reportFormats: formats,
                    signal: ctl.signal,
                    stdout: process.stdout,
                    stderr: process.stderr,
                    logLevel: flags.logLevel,
                    keepWorkDir: flags.keepWorkDir,
                });
                if (r.summary !== undefined && (r.summary.failed > 0 || r.summary.aborted || r.summary.notRun > 0))
                    process.exitCode = r.summary.aborted ? 130 : 1;
            } finally {
                process.off('SIGINT', onInt);
                process.off('SIGTERM', onTerm);
            }
        });
};
