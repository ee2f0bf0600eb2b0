// `shell:` / `exec:` / `shell,v2,...:` streams: the command runs under /bin/sh -c on the host, in its own
// process group, with the device's mounted paths rewritten (see path-map.ts) and cwd = the /data/local/tmp
// stand-in. When the host closes the stream (the adb client was killed, adbkit's connection ended) or the link
// drops, the whole process group gets SIGKILL: that is how "abort kills the remote process" works over adb.

import { spawn, type ChildProcess } from 'node:child_process';
import { rewriteCommand } from './path-map.js';
import {
    SHELL_ID_CLOSE_STDIN,
    SHELL_ID_STDERR,
    SHELL_ID_STDIN,
    SHELL_ID_STDOUT,
    ShellPacketDecoder,
    encodeShellExit,
    encodeShellPacket,
    type ShellRequest,
} from './shell-protocol.js';
import type { ServiceContext, StreamHandler } from './stream.js';

const HIGH_WATER = 4 * 1024 * 1024;

const killGroup = (child: ChildProcess): void => {
    if (child.pid === undefined) return;
    try {
        process.kill(-child.pid, 'SIGKILL');
    } catch {
        // group already gone
    }
};

const SIGNALS: Readonly<Record<string, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGTERM: 15,
};

export const openShell = (req: ShellRequest, ctx: ServiceContext): StreamHandler => {
    const command = rewriteCommand(ctx.env.mounts, req.command);
    // No pty here: an interactive request (`adb shell` with no command) gets a plain sh reading stdin.
    const argv = command === '' ? ['-i'] : ['-c', command];
    const child = spawn('/bin/sh', argv, {
        cwd: ctx.env.root,
        env: ctx.env.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
    });
    let finished = false;
    let dropTimer: NodeJS.Timeout | undefined;

    const dropAfter = ctx.faults.current.dropExecAfterMs;
    if (dropAfter !== undefined) {
        dropTimer = setTimeout(() => {
            if (!finished) ctx.dropLink(`fault drop-exec-after=${dropAfter}`);
        }, dropAfter);
    }

    const pipe = (stream: NodeJS.ReadableStream & { pause(): void; resume(): void }, id: number): void => {
        stream.on('data', (chunk: Buffer) => {
            if (ctx.out.closed) return;
            ctx.out.write(req.v2 ? encodeShellPacket(id, chunk) : chunk);
            if (ctx.out.queuedBytes > HIGH_WATER) {
                stream.pause();
                void ctx.out.drained().then(() => stream.resume());
            }
        });
    };
    pipe(child.stdout, SHELL_ID_STDOUT);
    pipe(child.stderr, req.v2 ? SHELL_ID_STDERR : SHELL_ID_STDOUT);
    child.stdin.on('error', () => {
        // the command exited without reading its stdin
    });

    child.on('error', (e) => {
        if (finished) return;
        finished = true;
        if (dropTimer !== undefined) clearTimeout(dropTimer);
        const msg = Buffer.from(`/system/bin/sh: ${e.message}\n`);
        ctx.out.write(req.v2 ? encodeShellPacket(SHELL_ID_STDERR, msg) : msg);
        if (req.v2) ctx.out.write(encodeShellExit(127));
        ctx.out.end();
    });
    child.on('close', (code, signal) => {
        if (finished) return;
        finished = true;
        if (dropTimer !== undefined) clearTimeout(dropTimer);
        if (req.v2) ctx.out.write(encodeShellExit(code ?? 128 + (signal === null ? 0 : (SIGNALS[signal] ?? 0))));
        ctx.out.end();
    });

    const decoder = req.v2 ? new ShellPacketDecoder() : undefined;
    return {
        onData: (data) => {
            if (decoder === undefined) {
                if (!child.stdin.destroyed) child.stdin.write(data);
                return;
            }
            for (const p of decoder.push(data)) {
                if (p.id === SHELL_ID_STDIN && !child.stdin.destroyed) child.stdin.write(p.data);
                else if (p.id === SHELL_ID_CLOSE_STDIN) child.stdin.end();
                // window-size changes have no terminal to go to
            }
        },
        onClose: () => {
            if (dropTimer !== undefined) clearTimeout(dropTimer);
            if (!finished) ctx.log(`stream closed before the command ended; killing process group ${child.pid ?? '?'}`);
            finished = true;
            killGroup(child);
            child.stdin.destroy();
        },
    };
};
