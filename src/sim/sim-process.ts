// Run the simulator as a child process (`splitbench sim adbd`), so it does not share an event loop with the
// code under test or measurement (benchmarks compare adbkit in this process against the adb CLI).
// Faults are changed at run time through the child's --control file.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SplitbenchError } from '../errors.js';
import { formatFaults, type Faults } from './faults.js';

export interface SimProcessOptions {
    root: string;
    port?: number | undefined;
    /** Profile YAML path; the shipped A01 by default. */
    profile?: string | undefined;
    faults?: Faults | undefined;
    /** Called with each stderr line of the child (connections, faults). */
    log?: ((line: string) => void) | undefined;
}

export interface SimProcess {
    pid: number;
    port: number;
    serial: string;
    /** Replace the child's faults; they apply from the next stream or connection. */
    setFaults(faults: Faults): void;
    /** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. */
    close(): Promise<void>;
}

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'splitbench.js');

export const spawnAdbdSimulator = async (opts: SimProcessOptions): Promise<SimProcess> => {
    const ctl = mkdtempSync(join(tmpdir(), 'splitbench-simctl-'));
    const control = join(ctl, 'faults');
    writeFileSync(control, formatFaults(opts.faults ?? {}).join('\n'));
    const args = [CLI, 'sim', 'adbd', '--port', String(opts.port ?? 0), '--root', opts.root, '--control', control];
    if (opts.profile !== undefined) args.push('--profile', opts.profile);
    if (opts.log === undefined) args.push('--quiet');
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    let errText = '';
    let errLine = '';
    child.stderr.on('data', (c: Buffer) => {
        errText = (errText + c.toString()).slice(-4000);
        const lines = (errLine + c.toString()).split('\n');
        errLine = lines.pop() ?? '';
        for (const l of lines) opts.log?.(l);
    });
    let out = '';
    let port: number;
    try {
        port = await new Promise<number>((res, rej) => {
            child.stdout.on('data', (c: Buffer) => {
                out += c.toString();
                const m = /^listening on [^\s]+:(\d+)$/m.exec(out);
                if (m?.[1] !== undefined) res(Number(m[1]));
            });
            child.once('exit', (code) =>
                rej(
                    new SplitbenchError(
                        'INTERNAL',
                        `sim adbd exited with ${code}: ${errText.trim().split('\n').pop() ?? ''}`,
                    ),
                ),
            );
        });
    } catch (e) {
        rmSync(ctl, { recursive: true, force: true });
        throw e;
    }
    return {
        pid: child.pid as number,
        port,
        serial: `127.0.0.1:${port}`,
        setFaults: (f) => writeFileSync(control, formatFaults(f).join('\n')),
        close: async () => {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill('SIGTERM');
                const t = setTimeout(() => child.kill('SIGKILL'), 5000);
                await exited;
                clearTimeout(t);
            }
            rmSync(ctl, { recursive: true, force: true });
        },
    };
};
