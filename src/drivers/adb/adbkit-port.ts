// The only module that imports @devicefarmer/adbkit. It turns adbkit's Bluebird promises into native ones,
// its PushTransfer/PullTransfer events into promises that settle exactly once, and its errors into a small
// set of reasons the driver can explain. AdbDriver depends only on the AdbPort interface, so it can be
// exercised with an object literal that `satisfies AdbPort`.
import type { Duplex } from 'node:stream';
import { SyncWireError, openSync, type SyncSession as WireSession } from './sync-wire.js';
import { createRequire } from 'node:module';
import type * as Adbkit from '@devicefarmer/adbkit';
import type { Device } from '@devicefarmer/adbkit';

// adbkit is CommonJS with an `exports.default`; Node's ESM loader and vitest's disagree about what a default
// import of it is, so load it with require, which both resolve the same way.
const adbkit = createRequire(import.meta.url)('@devicefarmer/adbkit') as typeof Adbkit;

// adbkit's declarations use Bluebird, whose types are not installed; this is the part we call, typed.
interface TransportConnection {
    socket: Duplex;
    on(event: 'error', f: (e: unknown) => void): unknown;
}

/** Why an adb call failed, as far as the adb server told us. */
export type AdbFailure =
    | 'server-unreachable' // no adb server at host:port (and none could be started)
    | 'not-found' // the server does not know the serial
    | 'unauthorized' // the phone has not accepted this host's key
    | 'offline' // the server sees the device but cannot talk to it
    | 'connect-failed' // `adb connect host:port` failed
    | 'dropped' // the stream ended early: link lost mid-transfer or mid-command
    | 'remote-fail' // the device refused the request (sync FAIL: no such file, read-only...)
    | 'aborted'
    | 'other';

/** Error thrown by the port. The driver turns it into a SplitbenchError that names the device. */
export class AdbPortError extends Error {
    override readonly name = 'AdbPortError';
    readonly failure: AdbFailure;
    constructor(failure: AdbFailure, message: string, cause?: unknown) {
        super(message, cause === undefined ? undefined : { cause });
        this.failure = failure;
    }
}

export type AdbDeviceState = 'device' | 'emulator' | 'offline' | 'unauthorized' | 'unknown';

export interface AdbDeviceEntry {
    serial: string;
    state: AdbDeviceState;
}

export interface AdbPort {
    /** Devices the adb server knows, with their state. */
    listDevices(): Promise<AdbDeviceEntry[]>;
    /** `adb connect host:port`; resolves with the serial the server gives the device. */
    connect(hostPort: string): Promise<string>;
    /** Opens `shell:COMMAND` and returns the raw stream (stdout and stderr merged, no exit status). */
    shell(serial: string, command: string): Promise<Duplex>;
    /** Sends a local file over the sync service. Resolves with the bytes sent. */
    pushFile(serial: string, local: string, remote: string, mode: number, signal?: AbortSignal): Promise<number>;
    /**
     * Receives a remote regular file into a local path: its size as the device stated it and the bytes received,
     * or undefined when there is no such file.
     */
    pullFile(
        serial: string,
        remote: string,
        local: string,
        signal?: AbortSignal,
    ): Promise<{ size: number; received: number } | undefined>;
}

export interface AdbServerAddress {
    host: string;
    port: number;
    /** adb binary used to start a local server that is not running; undefined for a remote server. */
    adbBin?: string | undefined;
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || host.startsWith('127.');

/** Reads an adb server FAIL message or socket error into a reason. */
export const classifyAdbError = (e: unknown): AdbFailure => {
    if (e instanceof AdbPortError) return e.failure;
    if (e instanceof SyncWireError) {
        switch (e.kind) {
            case 'dropped':
                return 'dropped';
            case 'remote':
                return 'remote-fail';
            case 'aborted':
                return 'aborted';
            case 'protocol':
                return 'other';
        }
    }
    const err = e as { code?: unknown; message?: unknown; cmd?: unknown; path?: unknown; spawnargs?: unknown } | null;
    const code = typeof err?.code === 'string' ? err.code : '';
    const msg = typeof err?.message === 'string' ? err.message : String(e);
    // adbkit tried `BIN -P PORT start-server` after a refused connection, and that failed (or BIN is missing).
    const spawned = `${typeof err?.cmd === 'string' ? err.cmd : ''} ${Array.isArray(err?.spawnargs) ? err.spawnargs.join(' ') : ''}`;
    if (spawned.includes('start-server')) return 'server-unreachable';
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'ETIMEDOUT')
        return 'server-unreachable';
    if (/\bunauthorized\b|failed to authenticate/i.test(msg)) return 'unauthorized';
    if (/\boffline\b/i.test(msg)) return 'offline';
    if (/device .*not found|no devices?\/emulators? found/i.test(msg)) return 'not-found';
    if (/unable to connect|failed to connect|cannot connect|connection refused/i.test(msg)) return 'connect-failed';
    if (
        e instanceof adbkit.Parser.PrematureEOFError ||
        code === 'ECONNRESET' ||
        code === 'EPIPE' ||
        /premature/i.test(msg)
    )
        return 'dropped';
    if (e instanceof adbkit.Parser.FailError) return 'remote-fail';
    return 'other';
};

const wrap = (e: unknown): AdbPortError => {
    if (e instanceof AdbPortError) return e;
    const failure = classifyAdbError(e);
    let msg = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    if (failure === 'server-unreachable' && /start-server|ENOENT/.test(msg))
        msg = `connection refused, and no server could be started (${msg})`;
    return new AdbPortError(failure, msg, e);
};

/** Runs an adbkit call and rethrows anything as an AdbPortError. */
const call = async <T>(f: () => PromiseLike<T>): Promise<T> => {
    try {
        return await Promise.resolve(f());
    } catch (e) {
        throw wrap(e);
    }
};

export const createAdbkitPort = (addr: AdbServerAddress): AdbPort => {
    // adbkit starts `BIN -P PORT start-server` once when the server refuses the connection. That is right for
    // a local server only; for a remote one a local start would hide the real problem, so give it `false`.
    const bin = addr.adbBin !== undefined && isLoopback(addr.host) ? addr.adbBin : 'false';
    const client = adbkit.Adb.createClient({ host: addr.host, port: addr.port, bin });

    // File transfers open their own host:transport connection and speak sync: on it (see sync-wire.ts).
    const withSync = async <T>(serial: string, f: (sync: WireSession) => Promise<T>): Promise<T> => {
        const conn = await call(
            () => client.getDevice(serial).transport() as unknown as PromiseLike<TransportConnection>,
        );
        // adbkit re-emits socket errors on the connection when nobody else listens; never let that be unhandled.
        conn.on('error', () => undefined);
        try {
            return await f(await openSync(conn.socket));
        } catch (e) {
            throw wrap(e);
        }
    };

    return {
        listDevices: async () => {
            const list = await call(() => client.listDevices() as unknown as PromiseLike<Device[]>);
            return list.map((d) => ({ serial: d.id, state: d.type }));
        },
        connect: (hostPort) => {
            const i = hostPort.lastIndexOf(':');
            const host = hostPort.slice(0, i);
            const port = Number(hostPort.slice(i + 1));
            return call(() => client.connect(host, port) as unknown as PromiseLike<string>);
        },
        shell: (serial, command) =>
            call(() => client.getDevice(serial).shell(command) as unknown as PromiseLike<Duplex>),
        pushFile: (serial, local, remote, mode, signal) =>
            withSync(serial, (sync) => sync.push(local, remote, mode, signal)),
        pullFile: (serial, remote, local, signal) => withSync(serial, (sync) => sync.pull(remote, local, signal)),
    };
};
