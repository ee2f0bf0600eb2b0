// `splitbench sim adbd` as a child process, driven by the real adb server.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSerial, startAdbServer, startSimPhoneProcess, type AdbServer } from '../../support/adb.js';

const CLI = fileURLToPath(new URL('../../../bin/splitbench.js', import.meta.url));

let adb: AdbServer;
let dir: string;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'splitbench-sim-cli-'));
    adb = await startAdbServer();
});

afterAll(async () => {
    await adb?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const startCli = async (
    args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; serial: string; stderr: () => string }> => {
    const child = spawn(process.execPath, [CLI, 'sim', 'adbd', ...args]);
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const serial = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
            const m = /^listening on (127\.0\.0\.1:\d+)$/m.exec(out);
            if (m?.[1] !== undefined) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`sim exited with ${code}: ${err}`)));
    });
    return { child, serial, stderr: () => err };
};

const exitOf = (child: ChildProcessWithoutNullStreams): Promise<number | null> =>
    new Promise((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.on('exit', (code) => resolve(code));
    });

describe('splitbench sim adbd', () => {
    it('prints the chosen port, serves adb, takes faults from a control file and exits on SIGTERM', async () => {
        const control = join(dir, 'faults');
        const sim = await startCli(['--port', '0', '--root', join(dir, 'root'), '--control', control]);
        try {
            await connectSerial(adb, sim.serial);
            const r = await adb.run(['-s', sim.serial, 'shell', 'getprop ro.product.model']);
            expect(r.stdout).toBe('SM-A015F\n');
            expect(sim.stderr()).toMatch(/connected/);

            writeFileSync(control, 'drop-exec-after=100\n');
            const dropped = await adb.run(['-s', sim.serial, 'shell', 'sleep 30; echo never']);
            expect(dropped.stdout).toBe('');
            expect(sim.stderr()).toMatch(/dropping link: fault drop-exec-after=100/);
        } finally {
            sim.child.kill('SIGTERM');
        }
        expect(await exitOf(sim.child)).toBe(0);
        await adb.run(['disconnect', sim.serial]);
    });

    it('runs as a child process behind startSimPhoneProcess, with faults changed at run time', async () => {
        const phone = await startSimPhoneProcess(adb);
        try {
            const src = join(dir, 'child.bin');
            writeFileSync(src, randomBytes(2 * 1024 * 1024));
            const ok = await adb.run(['-s', phone.serial, 'push', src, '/data/local/tmp/ok.bin']);
            expect(ok.code, ok.stderr).toBe(0);
            phone.setFaults({ dropPushAfterBytes: 100_000 });
            const dropped = await adb.run(['-s', phone.serial, 'push', src, '/data/local/tmp/dropped.bin']);
            expect(dropped.code).not.toBe(0);
            expect(existsSync(join(phone.root, 'dropped.bin'))).toBe(false);
            expect(existsSync(join(phone.root, 'ok.bin'))).toBe(true);
        } finally {
            await phone.close();
        }
    });

    it('rejects a bad fault spec with a one-line usage error', async () => {
        const child = spawn(process.execPath, [CLI, 'sim', 'adbd', '--port', '0', '--root', dir, '--fault', 'boom']);
        let err = '';
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        expect(await exitOf(child)).toBe(2);
        expect(err).toMatch(/^splitbench: fault "boom": unknown/);
    });
});
