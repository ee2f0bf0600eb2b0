// adb's plain `shell:` service carries one byte stream and no exit status (the status only travels with
// shell protocol v2, Android 7+, which adbkit does not speak). So every command runs inside a small wrapper
// script that prints, through the same stream: the remote PID first (so an abort can kill it from a second
// shell), then the command's stdout, then a marker with the exit status, then the command's stderr, which the
// wrapper had redirected into a temp file on the device. The marker carries a random token so no output
// can forge it.
import { randomBytes } from 'node:crypto';

export interface Marker {
    /** Random token that no command output contains by accident. */
    token: string;
    pidTag: string;
    exitTag: string;
    /** Printed instead of the exit tag when the working directory does not exist. */
    noCwdTag: string;
}

export const newMarker = (): Marker => {
    const token = `SBX${randomBytes(9).toString('hex')}`;
    return { token, pidTag: `${token}:pid:`, exitTag: `${token}:exit:`, noCwdTag: `${token}:nocwd` };
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface WrapInput {
    marker: Marker;
    /** The command, already quoted for sh (quoteArgv output of argv). */
    argvQuoted: string;
    /** Already-quoted working directory, or undefined for the shell's default. */
    cwdQuoted?: string | undefined;
    /** Already-quoted `NAME=value` words for env(1). */
    envQuoted?: readonly string[] | undefined;
    /** Already-quoted path of the stderr capture file on the device. */
    stderrFileQuoted: string;
}

/** Whether `name` may be passed as an environment variable name. */
export const isEnvName = (name: string): boolean => ENV_NAME.test(name);

/**
 * The shell line sent to `shell:`. The inner `sh -c 'echo pid; exec "$@"'` prints its own PID and then becomes
 * the command, so the PID we kill on abort is the command itself. stdin comes from /dev/null so a command that
 * reads stdin ends instead of waiting on the adb socket.
 */
export const wrapCommand = (w: WrapInput): string => {
    const { marker: m } = w;
    const env = w.envQuoted !== undefined && w.envQuoted.length > 0 ? `env ${w.envQuoted.join(' ')} ` : '';
    const launcher = `${env}sh -c 'echo ${m.pidTag}$$; exec "$@"' sh ${w.argvQuoted}`;
    // The status is captured right after the command; `cat` of the stderr file follows the exit tag.
    const run = `${launcher} </dev/null 2>${w.stderrFileQuoted}; echo ${m.exitTag}$?; cat ${w.stderrFileQuoted} 2>/dev/null`;
    const body =
        w.cwdQuoted !== undefined ? `if cd ${w.cwdQuoted} 2>/dev/null; then ${run}; else echo ${m.noCwdTag}; fi` : run;
    return `${body}; rm -f ${w.stderrFileQuoted}`;
};

export interface ParsedOutput {
    /** The working directory did not exist; nothing ran. */
    noCwd?: boolean | undefined;
    /** Remote PID of the command, when the launcher got as far as printing it. */
    pid?: number | undefined;
    stdout: Buffer;
    stderr: Buffer;
    exitCode: number;
}

/** Finds the PID tag at the very start of the stream; returns it once the whole line has arrived. */
export const parsePid = (head: Buffer, marker: Marker): { pid: number; rest: number } | undefined => {
    const tag = Buffer.from(marker.pidTag);
    if (head.length < tag.length || !head.subarray(0, tag.length).equals(tag)) return undefined;
    const nl = head.indexOf(0x0a, tag.length);
    if (nl < 0) return undefined;
    const pid = Number(head.subarray(tag.length, nl).toString('latin1').trim());
    return Number.isInteger(pid) && pid > 0 ? { pid, rest: nl + 1 } : undefined;
};

/**
 * Splits the whole stream of a finished wrapper. Returns undefined when the exit tag is missing, which means the
 * stream ended before the command did (link dropped, adbd killed).
 */
export const parseWrappedOutput = (all: Buffer, marker: Marker): ParsedOutput | undefined => {
    let start = 0;
    let pid: number | undefined;
    const p = parsePid(all, marker);
    if (p !== undefined) {
        pid = p.pid;
        start = p.rest;
    }
    const exitTag = Buffer.from(marker.exitTag);
    const at = all.indexOf(exitTag, start);
    if (at < 0) {
        const noCwd = all.indexOf(Buffer.from(`${marker.noCwdTag}\n`), start) >= 0;
        return noCwd ? { noCwd, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 126 } : undefined;
    }
    const nl = all.indexOf(0x0a, at + exitTag.length);
    if (nl < 0) return undefined;
    const exitCode = Number(
        all
            .subarray(at + exitTag.length, nl)
            .toString('latin1')
            .trim(),
    );
    if (!Number.isInteger(exitCode)) return undefined;
    return {
        pid,
        stdout: all.subarray(start, at),
        // No pty is involved, so the bytes after the tag are the stderr file verbatim.
        stderr: all.subarray(nl + 1),
        exitCode,
    };
};
