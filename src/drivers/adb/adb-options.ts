// The adb driver's options and the device they name (serial on an adb server). Apart from adb-driver.ts so the
// modules the driver is built from can read them without importing the driver.
import { posix } from 'node:path';
import { SplitbenchError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { parseHostPort } from './adb-failure.js';
import type { AdbPort } from './adbkit-port.js';

export const DEFAULT_ADB_SERVER = '127.0.0.1:5037';
/** Every Android device lets the shell user write here; campaign directories live below it. */
export const ANDROID_TMP = '/data/local/tmp';
export const DEFAULT_WORK_ROOT = `${ANDROID_TMP}/splitbench`;

export interface AdbDriverOptions {
    /** Device name from the device file; used in every message. */
    name: string;
    /** USB serial as `adb devices` shows it, or `host:port` of a device reached with `adb connect`. */
    serial: string;
    /**
     * adb server `host:port`. A loopback server that is not running is started with `adbBin start-server`;
     * a remote one (lab host, STF) must already run.
     * @default `127.0.0.1:$ANDROID_ADB_SERVER_PORT`, else 127.0.0.1:5037
     */
    server?: string | undefined;
    /** @default 'adb' */
    adbBin?: string | undefined;
    /** Start a loopback adb server that is not running (never done for a remote one). @default true */
    startServer?: boolean | undefined;
    /** Campaign name: the working directory is `workRoot/campaign`. @default 'default' */
    campaign?: string | undefined;
    /** @default /data/local/tmp/splitbench */
    workRoot?: string | undefined;
    /** Exact working directory; overrides workRoot/campaign. */
    workDir?: string | undefined;
    /** How long a freshly connected `host:port` device may stay offline/connecting. @default 10000 */
    connectWaitMs?: number | undefined;
    logger?: Logger | undefined;
    /** Replaces the adbkit port (unit tests). */
    port?: AdbPort | undefined;
}

/** The device every message names: its name, its serial and the adb server (`host:port`) it is attached to. */
export interface AdbTarget {
    device: string;
    serial: string;
    server: string;
    /** `server` parsed. */
    address: { host: string; port: number };
    /** The campaign's working directory on the device (absolute). */
    workDir: string;
}

const defaultServer = (): string => {
    const p = process.env['ANDROID_ADB_SERVER_PORT'];
    return p !== undefined && /^\d+$/.test(p) ? `127.0.0.1:${p}` : DEFAULT_ADB_SERVER;
};

/** @throws SplitbenchError CONFIG_INVALID when the server is not `host:port` or the serial is empty. */
export const adbTarget = (opts: AdbDriverOptions): AdbTarget => {
    const serial = opts.serial.trim();
    const server = opts.server ?? defaultServer();
    const address = parseHostPort(server);
    if (address === undefined) {
        throw new SplitbenchError('CONFIG_INVALID', `device ${opts.name}: adb server "${server}" is not host:port`);
    }
    if (serial === '') throw new SplitbenchError('CONFIG_INVALID', `device ${opts.name}: empty adb serial`);
    const root = opts.workRoot ?? DEFAULT_WORK_ROOT;
    const workDir = opts.workDir ?? posix.join(root, opts.campaign ?? 'default');
    return { device: opts.name, serial, server, address, workDir };
};

/** A device path: absolute as given, else below the working directory. */
export const onDevice = (target: AdbTarget, p: string): string =>
    p.startsWith('/') ? p : posix.join(target.workDir, p);
