// The device's state on its adb server, checked once before the first call (connecting `host:port` devices on
// demand) and again after any failure that may have been the link's; and every failure turned into the one error
// type, with what the user should do (adb-failure.ts).
import { SplitbenchError, isSplitbenchError, messageOf } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ExecResult } from '../types.js';
import { adbFailureError, parseHostPort, type AdbOp } from './adb-failure.js';
import type { AdbTarget } from './adb-options.js';
import { AdbPortError, type AdbDeviceEntry, type AdbFailure, type AdbPort } from './adbkit-port.js';
import { race, sleep, withTimeout, type Deadline } from './deadline.js';
import type { RemoteCommands } from './remote-command.js';

export interface AdbLinkOptions {
    target: AdbTarget;
    port: AdbPort;
    /** Runs the check's one command (creating the working directory). */
    commands: RemoteCommands;
    /** How long a freshly connected `host:port` device may stay offline/connecting. */
    connectWaitMs: number;
    log: Logger;
}

export class AdbLink {
    readonly #opts: AdbLinkOptions;
    readonly #target: AdbTarget;
    readonly #port: AdbPort;
    #ready: Promise<void> | undefined;
    #closed = false;

    constructor(opts: AdbLinkOptions) {
        this.#opts = opts;
        this.#target = opts.target;
        this.#port = opts.port;
    }

    /**
     * Resolves once the device is online and its working directory exists; the check runs once and again after
     * forget() or a link failure.
     * @throws SplitbenchError ABORTED when closed, the deadline's TIMEOUT/ABORTED; AdbPortError (not-found,
     *   unauthorized, offline, ...) or SplitbenchError DEVICE_UNREACHABLE (working directory not created).
     */
    ensureReady(deadline: Deadline): Promise<void> {
        if (this.#closed) throw new SplitbenchError('ABORTED', `device ${this.#target.device}: driver is closed`);
        this.#ready ??= this.#checkState(deadline).catch((e: unknown) => {
            this.#ready = undefined;
            throw e;
        });
        return race(this.#ready, deadline);
    }

    /** The next call checks the device state again (e.g. after its working directory was removed). */
    forget(): void {
        this.#ready = undefined;
    }

    /** Every later call fails with ABORTED. */
    close(): void {
        this.#closed = true;
    }

    async #checkState(deadline: Deadline): Promise<void> {
        const { device, serial, server, workDir } = this.#target;
        const isTcp = parseHostPort(serial) !== undefined;
        let entry = (await this.#port.listDevices()).find((d) => d.serial === serial);
        if ((entry === undefined || entry.state === 'offline') && isTcp) {
            this.#opts.log.debug({ serial }, 'adb connect');
            try {
                await this.#port.connect(serial);
            } catch (e) {
                // An unauthorized device still shows up in the list; report that state rather than the connect text.
                if (!(e instanceof AdbPortError && e.failure === 'unauthorized')) throw e;
            }
            entry = await this.#waitOnline(deadline);
        }
        if (entry === undefined) {
            const all = await this.#port.listDevices();
            const known = all.map((d) => `${d.serial} (${d.state})`).join(', ') || 'none';
            throw new AdbPortError(
                'not-found',
                `device ${device}: serial ${serial} is not attached to the adb server at ${server} ` +
                    `(attached: ${known}) — check the cable or the serial with "adb devices"`,
            );
        }
        if (entry.state === 'unauthorized') throw new AdbPortError('unauthorized', 'unauthorized');
        if (entry.state === 'offline') throw new AdbPortError('offline', 'offline');
        // One cheap command proves the shell works and creates the working directory that exec defaults to.
        const r = await this.#opts.commands.run(['mkdir', '-p', workDir], { cwd: '/' }, deadline);
        if (r.exitCode !== 0) {
            throw new SplitbenchError(
                'DEVICE_UNREACHABLE',
                `device ${device}: cannot create working directory ${workDir}: ${r.stderr.trim() || `exit ${r.exitCode}`}`,
            );
        }
    }

    async #waitOnline(deadline: Deadline): Promise<AdbDeviceEntry | undefined> {
        const until = Date.now() + this.#opts.connectWaitMs;
        for (;;) {
            const entry = (await this.#port.listDevices()).find((d) => d.serial === this.#target.serial);
            // `offline` right after connect usually means the handshake is still running.
            if (entry !== undefined && (entry.state !== 'offline' || Date.now() >= until)) return entry;
            if (Date.now() >= until) return entry;
            await sleep(100, deadline.signal);
        }
    }

    /** Turns a port failure into the one error type, with what the user should do (adb-failure.ts). */
    fail(e: unknown, op: AdbOp, what: string, deadline?: Deadline): SplitbenchError {
        const fired = deadline?.reason();
        if (fired !== undefined) return fired;
        if (isSplitbenchError(e)) return e;
        const failure: AdbFailure = e instanceof AdbPortError ? e.failure : 'other';
        if (failure !== 'remote-fail' && failure !== 'aborted') this.#ready = undefined;
        const { device, serial, server } = this.#target;
        return adbFailureError(e, failure, { op, what, device, serial, server });
    }

    /**
     * A command that failed without a word may have died with its link (the phone's host dropped, its adb server
     * was killed): the wrapper's exit status can reach us before the stream ends, and the empty output would then
     * be stored as a benchmark that printed nothing. Asks the adb server whether the device is still there; throws
     * AdbPortError('dropped') with what it found when it is not. Bounded to 10 s.
     */
    async confirmLink(r: ExecResult): Promise<void> {
        const { serial, server } = this.#target;
        let found: string;
        try {
            const entry = (await withTimeout(this.#port.listDevices(), 10_000)).find((d) => d.serial === serial);
            if (entry?.state === 'device' || entry?.state === 'emulator') return;
            found =
                entry === undefined
                    ? `the adb server at ${server} no longer lists ${serial}`
                    : `${serial} is ${entry.state} on the adb server at ${server}`;
        } catch (e) {
            found = `the adb server at ${server} is gone: ${messageOf(e)}`;
        }
        throw new AdbPortError('dropped', `exit ${r.exitCode} with no output; ${found}`);
    }
}
