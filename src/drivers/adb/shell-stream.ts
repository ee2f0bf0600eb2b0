// Reading one wrapped command's stream (exit-marker.ts) to its end: its bytes, the remote PID as soon as the wrapper
// prints it, and on the deadline the command killed on the device before the stream is dropped.
import type { Duplex } from 'node:stream';
import { AdbPortError } from './adbkit-port.js';
import type { Deadline } from './deadline.js';
import { parsePid, type Marker } from './exit-marker.js';

/**
 * Resolves with every byte of the stream once it ends; rejects with AdbPortError('dropped') on a stream error, and
 * with the deadline's error when it fires (after `kill(pid)` of the command, waiting ≤ 2 s for its PID).
 */
export const readWrappedStream = (
    stream: Duplex,
    marker: Marker,
    deadline: Deadline,
    kill: (pid: number) => Promise<void>,
): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let size = 0;
    let pid: number | undefined;
    let pidWaiters: ((pid: number | undefined) => void)[] = [];
    const settlePid = (p: number | undefined): void => {
        pid ??= p;
        for (const w of pidWaiters) w(p);
        pidWaiters = [];
    };
    return new Promise<Buffer>((resolvePromise, reject) => {
        let finished = false;
        const finish = (failure: Error | undefined, out?: Buffer): void => {
            if (finished) return;
            finished = true;
            // Killing the command on abort also ends the stream normally; the call still failed.
            const err = deadline.reason() ?? failure;
            deadline.signal.removeEventListener('abort', onAbort);
            settlePid(undefined);
            if (err !== undefined) reject(err);
            else resolvePromise(out ?? Buffer.alloc(0));
        };
        stream.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
            if (pid === undefined && size < 4096) {
                const p = parsePid(Buffer.concat(chunks), marker);
                if (p !== undefined) settlePid(p.pid);
            }
        });
        stream.on('end', () => finish(undefined, Buffer.concat(chunks, size)));
        stream.on('close', () => finish(undefined, Buffer.concat(chunks, size)));
        stream.on('error', (e: Error) => finish(new AdbPortError('dropped', e.message, e)));
        const onAbort = (): void => {
            // Stop the command on the device first (closing the stream alone does not kill it on every adbd),
            // then drop the stream and report why.
            const waitPid =
                pid !== undefined
                    ? Promise.resolve(pid)
                    : new Promise<number | undefined>((r) => {
                          pidWaiters.push(r);
                          setTimeout(() => r(undefined), 2000).unref();
                      });
            void waitPid
                .then((p) => (p !== undefined ? kill(p) : undefined))
                .finally(() => {
                    stream.destroy();
                    finish(deadline.reason() ?? new AdbPortError('aborted', 'aborted'));
                });
        };
        if (deadline.signal.aborted) onAbort();
        else deadline.signal.addEventListener('abort', onAbort, { once: true });
    });
};
