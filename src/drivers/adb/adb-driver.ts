// Android devices through an adb server (local, started on demand, or remote): USB serials, `host:port`
// devices connected on demand, and devices on another machine's server (lab host, STF farm). Built from:
// - adb-link.ts: the device's state on its server, checked before the first call and after a link failure;
// - remote-command.ts: exec through the exit-marker wrapper, and timeout/abort by killing the command on the device;
// - transfers.ts: push/pull over adb sync with hash skip and atomic rename;
// - adbkit-port.ts: the only module that imports adbkit; commands are quoted by the shared quoteArgv.
import { SplitbenchError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type {
    CallOptions,
    DeviceDriver,
    DeviceProbe,
    ExecOptions,
    ExecResult,
    PushOptions,
    PushResult,
} from '../types.js';
import { AdbLink } from './adb-link.js';
import { ANDROID_TMP, adbTarget, onDevice, type AdbDriverOptions, type AdbTarget } from './adb-options.js';
import { createAdbkitPort } from './adbkit-port.js';
import { ANDROID_PROBE_SCRIPT, parseAndroidProbe } from './android-probe.js';
import { createDeadline } from './deadline.js';
import { RemoteCommands } from './remote-command.js';
import { Transfers } from './transfers.js';

/** host:port parsing, shared with `devices add --adb-server`. */
export { parseHostPort } from './adb-failure.js';
export { ANDROID_TMP, DEFAULT_ADB_SERVER, DEFAULT_WORK_ROOT, type AdbDriverOptions } from './adb-options.js';

export const createAdbDriver = (opts: AdbDriverOptions): AdbDriver => new AdbDriver(opts);

export class AdbDriver implements DeviceDriver {
    readonly name: string;
    readonly kind = 'adb' as const;
    readonly serial: string;
    readonly server: string;
    readonly #target: AdbTarget;
    readonly #log: Logger;
    readonly #commands: RemoteCommands;
    readonly #link: AdbLink;
    readonly #transfers: Transfers;

    constructor(opts: AdbDriverOptions) {
        this.name = opts.name;
        const target = adbTarget(opts);
        this.#target = target;
        this.serial = target.serial;
        this.server = target.server;
        const port =
            opts.port ??
            createAdbkitPort({
                host: target.address.host,
                port: target.address.port,
                adbBin: opts.startServer === false ? undefined : (opts.adbBin ?? 'adb'),
            });
        this.#log = (opts.logger ?? silentLogger()).child({ device: opts.name, driver: 'adb' });
        this.#commands = new RemoteCommands(target, port, this.#log);
        this.#link = new AdbLink({
            target,
            port,
            commands: this.#commands,
            connectWaitMs: opts.connectWaitMs ?? 10_000,
            log: this.#log,
        });
        this.#transfers = new Transfers(target, port, this.#link, this.#commands, this.#log);
    }

    workDir(): string {
        return this.#target.workDir;
    }

    async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
        if (argv.length === 0) throw new SplitbenchError('USAGE', `device ${this.name}: exec with an empty argv`);
        const what = `command ${argv.join(' ')}`;
        const deadline = createDeadline(opts, this.name, what);
        try {
            const fired = deadline.reason();
            if (fired !== undefined) throw fired;
            await this.#link.ensureReady(deadline);
            const r = await this.#commands.run(argv, opts, deadline);
            this.#log.debug({ argv, exitCode: r.exitCode, durationMs: r.durationMs }, 'exec');
            if (r.exitCode !== 0 && r.stdout.trim() === '' && r.stderr.trim() === '') await this.#link.confirmLink(r);
            return r;
        } catch (e) {
            throw this.#link.fail(e, 'exec', what, deadline);
        } finally {
            deadline.done();
        }
    }

    push(local: string, remote: string, opts: PushOptions = {}): Promise<PushResult> {
        return this.#transfers.push(local, onDevice(this.#target, remote), opts);
    }

    pull(remote: string, local: string, opts: CallOptions = {}): Promise<void> {
        return this.#transfers.pull(onDevice(this.#target, remote), local, opts);
    }

    async probe(opts: CallOptions = {}): Promise<DeviceProbe> {
        const workDir = this.#target.workDir;
        const r = await this.exec(['sh', '-c', ANDROID_PROBE_SCRIPT, 'sh', workDir], opts);
        if (!r.stdout.includes('@@SB@@ end')) {
            throw new SplitbenchError(
                'PARSE_FAILED',
                `device ${this.name}: probe output was cut short (exit ${r.exitCode})`,
                {
                    details: { device: this.name, stdoutTail: r.stdout.slice(-500), stderr: r.stderr.slice(-500) },
                },
            );
        }
        return parseAndroidProbe(r.stdout, { workDir, probedAt: new Date().toISOString(), adbSerial: this.serial });
    }

    /** Deletes this campaign's working directory on the device. */
    async removeWorkDir(opts: CallOptions = {}): Promise<void> {
        const workDir = this.#target.workDir;
        if (!workDir.startsWith(`${ANDROID_TMP}/`)) {
            throw new SplitbenchError(
                'USAGE',
                `device ${this.name}: refusing to delete ${workDir} (outside ${ANDROID_TMP})`,
            );
        }
        const r = await this.exec(['rm', '-rf', workDir], { ...opts, cwd: '/' });
        this.#link.forget();
        if (r.exitCode !== 0) {
            throw new SplitbenchError('TRANSFER_FAILED', `device ${this.name}: rm -rf ${workDir}: ${r.stderr.trim()}`);
        }
    }

    close(): Promise<void> {
        this.#link.close();
        this.#commands.destroyAll();
        return Promise.resolve();
    }
}
