// `splitbench sim adbd`: run a simulated phone in the foreground until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { SplitbenchError } from '../../errors.js';
import { startAdbdSimulator } from '../../sim/adbd-server.js';
import { FAULT_SYNTAX, parseFaults } from '../../sim/faults.js';

interface AdbdOptions {
    port: string;
    root: string;
    host: string;
    profile?: string | undefined;
    fault?: string[] | undefined;
    control?: string | undefined;
    quiet?: boolean | undefined;
}

const parsePort = (s: string): number => {
    if (!/^\d+$/.test(s) || Number(s) > 65535) {
        throw new SplitbenchError(
            'USAGE',
            `--port ${JSON.stringify(s)}: expected a TCP port number (0 = any free port)`,
        );
    }
    return Number(s);
};

export const registerSimCommands = (program: Command): void => {
    const sim = program
        .command('sim')
        .description('Simulated devices for tests and for trying splitbench without a phone.');
    sim.command('adbd')
        .description(
            'Simulate an Android phone speaking the ADB transport protocol on TCP; use it with `adb connect 127.0.0.1:PORT`. ' +
                'Shell commands run on this host under /bin/sh with /data/local/tmp mapped to --root; getprop, /proc and /sys come from the profile.',
        )
        .requiredOption('--port <port>', 'TCP port to listen on (0 = any free port; the chosen one is printed)')
        .requiredOption('--root <dir>', "host directory standing for the phone's /data/local/tmp (created if missing)")
        .option('--host <addr>', 'listen address', '127.0.0.1')
        .option('--profile <file>', 'device profile YAML (default: the shipped Samsung Galaxy A01)')
        .option(
            '--fault <spec>',
            `inject a fault, repeatable: ${FAULT_SYNTAX}`,
            (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
        )
        .option('--control <file>', 'file of fault specs, re-read whenever a stream opens (change faults at run time)')
        .option('--quiet', 'do not log connections to stderr')
        .action(async (o: AdbdOptions) => {
            const faults = parseFaults(o.fault ?? []);
            const s = await startAdbdSimulator({
                root: o.root,
                port: parsePort(o.port),
                host: o.host,
                profile: o.profile,
                faults,
                controlFile: o.control,
                log: o.quiet === true ? undefined : (line) => process.stderr.write(`sim: ${line}\n`),
            });
            process.stdout.write(`listening on ${s.serial}\n`);
            process.stderr.write(
                `sim: ${s.profile.props['ro.product.model'] ?? s.profile.name}; /data/local/tmp = ${s.root}; adb connect ${s.serial}\n`,
            );
            await new Promise<void>((resolve) => {
                const stop = (sig: string): void => {
                    process.stderr.write(`sim: ${sig}, shutting down\n`);
                    process.off('SIGINT', onInt);
                    process.off('SIGTERM', onTerm);
                    void s.close().then(resolve, resolve);
                };
                const onInt = (): void => stop('SIGINT');
                const onTerm = (): void => stop('SIGTERM');
                process.on('SIGINT', onInt);
                process.on('SIGTERM', onTerm);
            });
        });
};
