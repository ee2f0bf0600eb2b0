// Driver for Linux hosts over SSH (real OpenSSH servers). Built from:
// - ssh-link.ts: the one connection per driver (lazy, reopened after a drop) and the calls in flight on it;
// - remote-command.ts: exec with PID capture, and abort/timeout by killing the remote process group;
// - transfers.ts: push/pull over SFTP with hash skip and atomic rename;
// - ssh-connection.ts: the only module that imports ssh2; ssh-auth.ts and host-key-policy.ts feed it.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { SplitbenchError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import { LINUX_PROBE_SCRIPT, parseLinuxProbe } from '../linux-probe.js';
import type {
    CallOptions,
    DeviceDriver,
    DeviceProbe,
    ExecOptions,
    ExecResult,
    PushOptions,
    PushResult,
} from '../types.js';
import { RemoteCommands } from './remote-command.js';
import { SshLink } from './ssh-link.js';
import { sshTarget, type SshDriverOptions } from './ssh-options.js';
import { Transfers } from './transfers.js';

export type { SshDriverOptions } from './ssh-options.js';
export { scanSshHostKey, type ScannedHostKey } from './ssh-connection.js';

export const createSshDriver = (opts: SshDriverOptions): DeviceDriver => new SshDriver(opts);

class SshDriver implements DeviceDriver {
    readonly name: string;
    readonly kind = 'ssh' as const;
    readonly #opts: SshDriverOptions;
    readonly #workDir: string;
    readonly #ownWorkDir: boolean;
    readonly #log: Logger;
    readonly #link: SshLink;
    readonly #commands: RemoteCommands;
    readonly #transfers: Transfers;

    constructor(opts: SshDriverOptions) {
        this.name = opts.name;
        this.#opts = opts;
        const target = sshTarget(opts);
        this.#ownWorkDir = opts.workDir === undefined;
        this.#workDir =
            opts.workDir ??
            `/tmp/splitbench-${(opts.campaign ?? 'default').replace(/[^A-Za-z0-9._-]/g, '_')}-${randomBytes(6).toString('hex')}`;
        this.#log = (opts.logger ?? silentLogger()).child({ device: opts.name, driver: 'ssh' });
        this.#link = new SshLink(target, opts, this.#log);
        this.#commands = new RemoteCommands({
            link: this.#link,
            target,
            workDir: this.#workDir,
            ownWorkDir: this.#ownWorkDir,
            killGraceMs: opts.killGraceMs ?? 2000,
            log: this.#log,
        });
        this.#transfers = new Transfers(target, this.#link, this.#commands);
    }

    workDir(): string {
        return this.#workDir;
    }

    #abs(p: string): string {
        return posix.isAbsolute(p) ? p : posix.join(this.#workDir, p);
    }

    async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
        if (argv.length === 0) throw new SplitbenchError('USAGE', `device ${this.name}: exec with an empty argv`);
        const command = this.#commands.commandLine(
            argv,
            opts.cwd === undefined ? undefined : this.#abs(opts.cwd),
            opts.env,
        );
        const started = performance.now();
        const r = await this.#commands.run(command, argv, opts);
        const durationMs = performance.now() - started;
        if (r.noCwd) {
            throw new SplitbenchError(
                'NOT_FOUND',
                `device ${this.name}: exec cwd ${this.#abs(opts.cwd ?? this.#workDir)} is not a directory`,
                {
                    details: { device: this.name, argv },
                },
            );
        }
        this.#log.debug({ argv, exitCode: r.exitCode, durationMs }, 'exec');
        return { argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, stderrMerged: false, durationMs };
    }

    async probe(opts: CallOptions = {}): Promise<DeviceProbe> {
        const r = await this.exec(['sh', '-c', LINUX_PROBE_SCRIPT, 'probe', this.#workDir], { ...opts, cwd: '/' });
        return parseLinuxProbe(r.stdout, { kind: 'ssh', workDir: this.#workDir, probedAt: new Date().toISOString() });
    }

    push(local: string, remote: string, opts: PushOptions = {}): Promise<PushResult> {
        return this.#transfers.push(local, this.#abs(remote), opts);
    }

    pull(remote: string, local: string, opts: CallOptions = {}): Promise<void> {
        return this.#transfers.pull(this.#abs(remote), local, opts);
    }

    /** Removes the default (random) working directory over a live connection; a failure only warns. */
    async #removeWorkDir(): Promise<void> {
        if (!this.#ownWorkDir || this.#opts.keepWorkDir === true || this.#link.closed) return;
        if (!this.#link.live) return;
        try {
            await this.exec(['rm', '-rf', '--', this.#workDir], { cwd: '/', timeoutMs: 15_000 });
        } catch (e) {
            this.#log.warn({ err: e, workDir: this.#workDir }, 'removing the working directory failed');
        }
    }

    async close(): Promise<void> {
        // Stop what is still running first, so no remote command outlives the driver.
        await this.#link.stopAll();
        await this.#removeWorkDir();
        await this.#link.close();
    }
}
