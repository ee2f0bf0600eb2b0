// What a service (shell, sync) sees of one ADB stream.

import type { DeviceEnv } from './device-env.js';
import type { FaultControl } from './faults.js';

export interface StreamOutput {
    /** Queue bytes for the host; they go out as WRTE packets, one in flight at a time (ADB flow control). */
    write(data: Buffer): void;
    /** Bytes queued and not yet acknowledged by the host. */
    readonly queuedBytes: number;
    /** Resolves when the queue is below the low-water mark (or the stream is closed). */
    drained(): Promise<void>;
    /** Close the stream once everything queued has been acknowledged. */
    end(): void;
    readonly closed: boolean;
}

export interface ServiceContext {
    out: StreamOutput;
    env: DeviceEnv;
    faults: FaultControl;
    /** Destroy the whole TCP link (fault injection). */
    dropLink(reason: string): void;
    log(message: string): void;
}

export interface StreamHandler {
    /** Host WRTE payload. The OKAY goes back when the returned promise settles, which throttles the host. */
    onData(data: Buffer): void | Promise<void>;
    /** The host closed the stream, or the link went away. Must release everything (processes, temp files). */
    onClose(): void;
}
