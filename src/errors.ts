// The one error type of splitbench. Modules throw it with a code; only src/cli maps codes to exit codes.

export const ERROR_CODES = [
    'USAGE', // bad command-line arguments
    'CONFIG_INVALID', // campaign / device file problems (carries every issue found)
    'MODEL_INVALID', // not a TFLite file, truncated, bad identifier
    'SPLIT_INVALID', // split point out of range, unknown tensor
    'UNSUPPORTED', // a model feature we refuse (control flow we cannot carry, dynamic sizes where needed)
    'RUNTIME_FAILED', // the TFLite runtime refused or failed (missing op, invoke error)
    'DEVICE_UNKNOWN', // device name not in devices/
    'DEVICE_UNREACHABLE', // transport cannot reach the device (offline, unauthorized, refused, dropped)
    'DEVICE_BUSY', // another run holds the device's lease (--no-wait)
    'DEVICE_UNUSABLE', // reachable but not fit to measure now: above its thermal gate, or given up on (circuit breaker); never retried
    'HOST_KEY_REJECTED', // SSH host key unknown or changed
    'TRANSFER_FAILED', // push or pull failed part-way
    'TIMEOUT',
    'ABORTED',
    'PARSE_FAILED',
    'STORE_FAILED',
    'NOT_FOUND', // a run, file or row that does not exist
    'BAD_INPUT', // a file that exists but is the wrong kind (a README given to parse, a text file as --db)
    'UNAVAILABLE', // this host cannot give what a valid request needs (a TCP port another process holds); not bad input
    'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorOptions {
    cause?: unknown;
    details?: Readonly<Record<string, unknown>> | undefined;
}

export class SplitbenchError extends Error {
    override readonly name = 'SplitbenchError';
    readonly code: ErrorCode;
    readonly details: Readonly<Record<string, unknown>>;

    constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
        super(message, 'cause' in options ? { cause: options.cause } : undefined);
        this.code = code;
        this.details = options.details ?? {};
    }
}

export const isSplitbenchError = (e: unknown, code?: ErrorCode): e is SplitbenchError =>
    e instanceof SplitbenchError && (code === undefined || e.code === code);

/** Message of any thrown value, for one-line reports. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * `device NAME: message`, unless the message already names the device (drivers start theirs with `device NAME:`
 * or `… (device NAME)`), so reports never read "device X: device X: …".
 */
export const deviceMessage = (device: string, message: string): string =>
    // the name must end where a device name cannot continue: "device a01" is not in "device a01-sim"
    new RegExp(`\\bdevice ${device.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9._-])`).test(message)
        ? message
        : `device ${device}: ${message}`;
