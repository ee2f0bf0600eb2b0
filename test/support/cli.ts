// Runs the built splitbench CLI (dist/, built by `npm test`'s pretest) as a user would: a child process in a
// working folder, asynchronously (in-process simulators share this event loop, so nothing here blocks).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './models.js';

export const CLI = join(REPO_ROOT, 'bin', 'splitbench.js');

export interface CliRun {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** Starts `splitbench ARGS` in cwd (`env` on top of this process's); `done` resolves when it exits. */
export const startCli = (
    args: readonly string[],
    cwd: string,
    env: Readonly<Record<string, string>> = {},
): { child: ChildProcess; done: Promise<CliRun> } => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliRun>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    return { child, done };
};

export const runCli = (
    args: readonly string[],
    cwd: string,
    env: Readonly<Record<string, string>> = {},
): Promise<CliRun> => startCli(args, cwd, env).done;
