// What an adb failure means for the user: the port's reason (adbkit-port.ts) turned into the one error type, with
// the device, its serial and adb server, and what to do about it. Also the host:port parsing the driver and
// `devices add --adb-server` share.
import { SplitbenchError, messageOf, type ErrorCode } from '../../errors.js';
import type { AdbFailure } from './adbkit-port.js';

export type AdbOp = 'connect' | 'exec' | 'push' | 'pull' | 'probe';

const HOST_PORT = /^(\[[^\]]+\]|[^\s:]+):(\d{1,5})$/;

/** Parses `host:port`; undefined when it is not one. */
export const parseHostPort = (s: string): { host: string; port: number } | undefined => {
    const m = HOST_PORT.exec(s.trim());
    if (m?.[1] === undefined || m[2] === undefined) return undefined;
    const port = Number(m[2]);
    if (port < 1 || port > 65535) return undefined;
    return { host: m[1].replace(/^\[|\]$/g, ''), port };
};

const isLoopbackServer = (server: string): boolean => {
    const h = parseHostPort(server)?.host ?? '';
    return h === 'localhost' || h === '::1' || h.startsWith('127.');
};

/** The failed call: which operation, on which device (name, serial, adb server `host:port`). */
export interface AdbCall {
    op: AdbOp;
    /** The call as messages name it ("command ls -l", "push a to b"). */
    what: string;
    device: string;
    serial: string;
    server: string;
}

/** A port failure (`failure` is its reason, 'other' for anything else) as DEVICE_UNREACHABLE, TRANSFER_FAILED or ABORTED. */
export const adbFailureError = (e: unknown, failure: AdbFailure, c: AdbCall): SplitbenchError => {
    const detail = messageOf(e);
    const details = { device: c.device, serial: c.serial, server: c.server, op: c.op, failure };
    const transfer = c.op === 'push' || c.op === 'pull';
    let code: ErrorCode = transfer ? 'TRANSFER_FAILED' : 'DEVICE_UNREACHABLE';
    let msg: string;
    switch (failure) {
        case 'unauthorized':
            code = 'DEVICE_UNREACHABLE';
            msg =
                `device ${c.device} (${c.serial}) is unauthorized: accept the USB debugging prompt on the phone ` +
                `(tick "Always allow from this computer"), then run splitbench devices check`;
            break;
        case 'offline':
            code = 'DEVICE_UNREACHABLE';
            msg =
                `device ${c.device} (${c.serial}) is offline: ` +
                (parseHostPort(c.serial) !== undefined
                    ? `check it is on the network and adbd listens, run "adb disconnect ${c.serial}"`
                    : 'replug the USB cable or run "adb reconnect offline"') +
                ', then run splitbench devices check';
            break;
        case 'server-unreachable':
            code = 'DEVICE_UNREACHABLE';
            msg = `device ${c.device}: adb server at ${c.server} is not reachable (${detail})${
                isLoopbackServer(c.server)
                    ? ' — is adb installed (apt-get install adb)?'
                    : ' — start the adb server on that host or fix the device file'
            }`;
            break;
        case 'not-found':
            code = 'DEVICE_UNREACHABLE';
            msg = detail.startsWith(`device ${c.device}:`)
                ? detail
                : `device ${c.device}: serial ${c.serial} not found on the adb server at ${c.server} (${detail})`;
            break;
        case 'connect-failed':
            code = 'DEVICE_UNREACHABLE';
            msg = `device ${c.device}: adb connect ${c.serial} failed: ${detail}`;
            break;
        case 'dropped':
            msg = `device ${c.device}: link lost during ${c.what} (${detail})`;
            break;
        case 'aborted':
            code = 'ABORTED';
            msg = `device ${c.device}: ${c.what} aborted`;
            break;
        case 'remote-fail':
        case 'other':
            msg = `device ${c.device}: ${c.what} failed: ${detail}`;
            break;
    }
    return new SplitbenchError(code, msg, { cause: e, details });
};
