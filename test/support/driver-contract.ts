// The behaviour every DeviceDriver must show, as one vitest suite applied to each driver (local, ssh, adb).
// Remote paths live under a fresh directory inside driver.workDir(); only POSIX sh tools are used on the device
// (sh, printf, cat, kill, sleep, rm, ls, test) so the suite runs on Android toybox as well as on Linux.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSplitbenchError, type ErrorCode } from '../../src/errors.js';
import type { DeviceDriver, ExecResult } from '../../src/drivers/types.js';

export interface DriverUnderTest {
    driver: DeviceDriver;
    cleanup: () => Promise<void>;
}

export interface DriverContractOptions {
    /** Size of the big round-trip file. @default 50 MiB */
    bigFileBytes?: number | undefined;
    /** Timeout for tests moving the big file (slow transports). @default 120000 */
    bigFileTestTimeoutMs?: number | undefined;
    /** Timeout given to exec in the timeout test; must comfortably exceed one exec round trip. @default 3000 */
    execTimeoutMs?: number | undefined;
}

/** Expect a promise to reject with a SplitbenchError of one of the given codes. */
export const expectCode = async (p: Promise<unknown>, ...codes: ErrorCode[]): Promise<void> => {
    let caught: unknown;
    try {
        await p;
    } catch (e) {
        caught = e;
    }
    expect(caught, 'expected a SplitbenchError').toBeDefined();
    if (!isSplitbenchError(caught)) throw caught instanceof Error ? caught : new Error(String(caught));
    expect(codes).toContain(caught.code);
};

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const writeRandomFile = async (path: string, bytes: number): Promise<string> => {
    const hash = createHash('sha256');
    const out = createWriteStream(path);
    const chunk = 1 << 20;
    for (let left = bytes; left > 0; left -= chunk) {
        const b = randomBytes(Math.min(chunk, left));
        hash.update(b);
        if (!out.write(b)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    return hash.digest('hex');
};

const fileSha = async (path: string): Promise<string> => sha256(await readFile(path));

/** Poll until `check` is true (bounded); the bound only guards against hanging, not a speed claim. */
const eventually = async (check: () => Promise<boolean>, what: string, limitMs = 15_000): Promise<void> => {
    const deadline = Date.now() + limitMs;
    for (;;) {
        if (await check()) return;
        if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
        await new Promise((r) => setTimeout(r, 100));
    }
};

// Names that break naive quoting. The `$(touch ...)` ones would create a file if any layer ran them through
// a shell unquoted; the last one aims at an absolute path (slashes written as \057 so the name has none).
const hostileNames = (markerDir: string): string[] => [
    'with space.bin',
    "single'quote.bin",
    'double"quote.bin',
    '$(touch pwned).bin',
    '`touch pwned`;x&y|z.bin',
    `$(touch "$(printf '${(markerDir + '/pwned-abs').replaceAll('/', '\\057')}')")`,
    '-leading-dash',
    'ünïcødé ✓.bin',
];

export const runDriverContract = (
    name: string,
    makeDriver: () => Promise<DriverUnderTest>,
    opts: DriverContractOptions = {},
): void => {
    const bigBytes = opts.bigFileBytes ?? 50 * 1024 * 1024;
    const bigTimeout = opts.bigFileTestTimeoutMs ?? 120_000;
    const execTimeoutMs = opts.execTimeoutMs ?? 3000;

    describe(`driver contract: ${name}`, () => {
        let d: DeviceDriver;
        let cleanup: (() => Promise<void>) | undefined;
        let localDir: string;
        let remoteDir: string;

        const sh = (script: string, ...args: string[]): Promise<ExecResult> =>
            d.exec(['sh', '-c', script, 'sh', ...args]);
        const remoteExists = async (p: string): Promise<boolean> => (await d.exec(['test', '-e', p])).exitCode === 0;
        const isAlive = async (pid: string): Promise<boolean> => (await d.exec(['kill', '-0', pid])).exitCode === 0;
        const readRemote = async (p: string): Promise<string> => {
            const r = await d.exec(['cat', p]);
            return r.exitCode === 0 ? r.stdout.trim() : '';
        };

        beforeAll(async () => {
            const made = await makeDriver();
            d = made.driver;
            cleanup = made.cleanup;
            localDir = await mkdtemp(join(tmpdir(), 'splitbench-contract-'));
            remoteDir = posix.join(d.workDir(), `contract-${randomBytes(4).toString('hex')}`);
            const r = await d.exec(['mkdir', '-p', remoteDir]);
            expect(r.exitCode).toBe(0);
        });

        afterAll(async () => {
            try {
                if (remoteDir) await d.exec(['rm', '-rf', remoteDir]);
            } finally {
                if (localDir) await rm(localDir, { recursive: true, force: true });
                await d.close();
                await cleanup?.();
            }
        });

        it('exec returns exit codes 0, 3 and 255 instead of throwing', async () => {
            expect((await sh('exit 0')).exitCode).toBe(0);
            expect((await sh('exit 3')).exitCode).toBe(3);
            expect((await sh('exit 255')).exitCode).toBe(255);
            const missing = await d.exec(['splitbench-no-such-command-xyz']);
            expect(missing.exitCode).toBe(127);
        });

        it('exec keeps stdout and stderr apart (or says they are merged)', async () => {
            const r = await sh('printf out; printf err >&2; exit 4');
            expect(r.exitCode).toBe(4);
            expect(r.durationMs).toBeGreaterThan(0);
            if (r.stderrMerged) {
                expect(r.stdout).toContain('out');
                expect(r.stdout).toContain('err');
            } else {
                expect(r.stdout).toBe('out');
                expect(r.stderr).toBe('err');
            }
        });

        it('exec passes argv through unchanged: spaces, quotes, $(...), globs, newlines', async () => {
            const args = [
                'a b',
                "it's",
                'say "hi"',
                '$(touch pwned)',
                '`id`',
                '*',
                '~',
                'x=1',
                'line1\nline2',
                '',
                '\\n',
            ];
            const r = await d.exec(['printf', '[%s]', ...args], { cwd: remoteDir });
            expect(r.exitCode).toBe(0);
            expect(r.stdout).toBe(args.map((a) => `[${a}]`).join(''));
            expect(await remoteExists(posix.join(remoteDir, 'pwned'))).toBe(false);
        });

        it('exec honours cwd and env, and runs in workDir() by default', async () => {
            // cwd is checked through relative file access, not `pwd`: a simulated phone may map the device path.
            const marker = join(localDir, 'cwd-marker');
            await writeFile(marker, 'in remoteDir');
            await d.push(marker, posix.join(remoteDir, 'cwd-marker'));
            const weird = `v a'l "$(touch pwned)"`;
            const r = await d.exec(['sh', '-c', 'cat cwd-marker; printf "|%s" "$SB_CONTRACT"'], {
                cwd: remoteDir,
                env: { SB_CONTRACT: weird },
            });
            expect(r.stdout).toBe(`in remoteDir|${weird}`);
            const rel = posix.join(posix.relative(d.workDir(), remoteDir), 'cwd-marker');
            expect((await d.exec(['cat', rel])).stdout).toBe('in remoteDir');
            await expectCode(d.exec(['true'], { cwd: posix.join(remoteDir, 'no-such-dir') }), 'NOT_FOUND');
        });

        it('push and pull round-trip binary bytes exactly', async () => {
            const all = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(100_003)]);
            const src = join(localDir, 'bytes.bin');
            await writeFile(src, all);
            const res = await d.push(src, posix.join(remoteDir, 'bytes.bin'));
            expect(res).toEqual({ bytesSent: all.length, skipped: false, sha256: sha256(all) });
            const back = join(localDir, 'bytes.back');
            await d.pull(posix.join(remoteDir, 'bytes.bin'), back);
            expect(sha256(await readFile(back))).toBe(sha256(all));
            const empty = join(localDir, 'empty.bin');
            await writeFile(empty, '');
            await d.push(empty, posix.join(remoteDir, 'empty.bin'));
            await d.pull(posix.join(remoteDir, 'empty.bin'), join(localDir, 'empty.back'));
            expect((await readFile(join(localDir, 'empty.back'))).length).toBe(0);
        });

        it(
            `push and pull a ${Math.round(bigBytes / 1024 / 1024)} MiB file`,
            async () => {
                const src = join(localDir, 'big.bin');
                const hash = await writeRandomFile(src, bigBytes);
                const res = await d.push(src, posix.join(remoteDir, 'big.bin'));
                expect(res.bytesSent).toBe(bigBytes);
                expect(res.sha256).toBe(hash);
                const back = join(localDir, 'big.back');
                await d.pull(posix.join(remoteDir, 'big.bin'), back);
                expect(await fileSha(back)).toBe(hash);
                await rm(back);
                await rm(src);
            },
            bigTimeout,
        );

        it('file names with spaces, quotes and $(...) round-trip and never execute', async () => {
            const names = hostileNames(remoteDir);
            for (const [i, n] of names.entries()) {
                const src = join(localDir, `hostile-${i}`);
                await writeFile(src, `content ${i}: ${n}`);
                const remote = posix.join(remoteDir, 'hostile dir $(touch pwned)', n);
                await d.push(src, remote);
                expect((await d.push(src, remote)).skipped).toBe(true);
                const back = join(localDir, `back ${n.replaceAll('/', '_')}`);
                await d.pull(remote, back);
                expect(await readFile(back, 'utf8')).toBe(`content ${i}: ${n}`);
            }
            const listed = await d.exec(['ls', '-A', posix.join(remoteDir, 'hostile dir $(touch pwned)')]);
            expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual([...names].sort());
            // Nothing ran: no `pwned` in the work dir, the default cwd, $HOME, or the absolute marker path.
            const found = await sh(
                'for d in "$1" "$2" "$(pwd)" "${HOME:-/nonexistent}"; do [ -e "$d/pwned" ] && echo "$d/pwned"; done; [ -e "$1/pwned-abs" ] && echo abs; true',
                remoteDir,
                d.workDir(),
            );
            expect(found.stdout).toBe('');
            expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
        });

        it('a second push of an unchanged file sends nothing; a changed file is sent again', async () => {
            const src = join(localDir, 'skip.bin');
            await writeFile(src, randomBytes(200_000));
            const remote = posix.join(remoteDir, 'skip.bin');
            const first = await d.push(src, remote);
            expect(first.skipped).toBe(false);
            expect(first.bytesSent).toBe(200_000);
            const second = await d.push(src, remote);
            expect(second).toEqual({ bytesSent: 0, skipped: true, sha256: first.sha256 });
            await writeFile(src, randomBytes(1000));
            const third = await d.push(src, remote);
            expect(third.skipped).toBe(false);
            expect(third.bytesSent).toBe(1000);
            await d.pull(remote, join(localDir, 'skip.back'));
            expect(await fileSha(join(localDir, 'skip.back'))).toBe(third.sha256);
        });

        it('push creates missing directories; relative paths resolve in workDir()', async () => {
            const src = join(localDir, 'nested.txt');
            await writeFile(src, 'nested');
            const remote = posix.join(remoteDir, 'a', 'b c', 'd', 'nested.txt');
            await d.push(src, remote);
            expect(await readRemote(remote)).toBe('nested');
            const rel = posix.join(posix.relative(d.workDir(), remoteDir), 'rel', 'r.txt');
            await d.push(src, rel);
            expect((await d.exec(['cat', rel])).stdout).toBe('nested');
            await d.pull(rel, join(localDir, 'rel.back'));
            expect(await readFile(join(localDir, 'rel.back'), 'utf8')).toBe('nested');
        });

        it('push with executable makes a runnable file', async () => {
            const src = join(localDir, 'tool.sh');
            await writeFile(src, '#!/bin/sh\necho "tool ran with $#: $1"\n');
            const remote = posix.join(remoteDir, 'bin', 'tool.sh');
            await d.push(src, remote, { executable: true });
            const r = await d.exec([remote, 'x y']);
            expect(r.exitCode).toBe(0);
            expect(r.stdout).toBe('tool ran with 1: x y\n');
        });

        it('pull of a missing file is NOT_FOUND and leaves no local file', async () => {
            const dest = join(localDir, 'missing.back');
            await expectCode(d.pull(posix.join(remoteDir, 'does-not-exist.bin'), dest), 'NOT_FOUND');
            expect(existsSync(dest)).toBe(false);
            await expectCode(d.push(join(localDir, 'no-such-local-file'), posix.join(remoteDir, 'x')), 'NOT_FOUND');
        });

        it('a timeout raises TIMEOUT and stops the command and its children', async () => {
            const pidFile = posix.join(remoteDir, 'timeout.pid');
            const childFile = posix.join(remoteDir, 'timeout.child');
            await expectCode(
                d.exec(['sh', '-c', 'sleep 300 & echo $! > "$2"; echo $$ > "$1"; wait', 'sh', pidFile, childFile], {
                    timeoutMs: execTimeoutMs,
                }),
                'TIMEOUT',
            );
            const pid = await readRemote(pidFile);
            const child = await readRemote(childFile);
            expect(pid).toMatch(/^\d+$/);
            expect(child).toMatch(/^\d+$/);
            await eventually(async () => !(await isAlive(pid)) && !(await isAlive(child)), 'timed-out command to die');
        });

        it('abort raises ABORTED and really stops the remote process', async () => {
            const pidFile = posix.join(remoteDir, 'abort.pid');
            const ctl = new AbortController();
            const running = d.exec(['sh', '-c', 'echo $$ > "$1"; while :; do sleep 1; done', 'sh', pidFile], {
                signal: ctl.signal,
            });
            running.catch(() => undefined);
            await eventually(async () => (await readRemote(pidFile)) !== '', 'pid file to appear');
            const pid = await readRemote(pidFile);
            expect(await isAlive(pid)).toBe(true);
            ctl.abort();
            await expectCode(running, 'ABORTED');
            await eventually(async () => !(await isAlive(pid)), 'aborted command to die');
            // An already-aborted signal fails fast, for every operation.
            await expectCode(d.exec(['true'], { signal: ctl.signal }), 'ABORTED');
            const src = join(localDir, 'abort-src.txt');
            await writeFile(src, 'x');
            await expectCode(d.push(src, posix.join(remoteDir, 'z'), { signal: ctl.signal }), 'ABORTED');
            expect(await remoteExists(posix.join(remoteDir, 'z'))).toBe(false);
        });

        it('probe reports the driver kind, cores and the work dir', async () => {
            const p = await d.probe();
            expect(p.kind).toBe(d.kind);
            expect(p.cores).toBeGreaterThanOrEqual(1);
            expect(p.os.length).toBeGreaterThan(0);
            expect(p.arch.length).toBeGreaterThan(0);
            expect(p.workDir).toBe(d.workDir());
            expect(Number.isNaN(Date.parse(p.probedAt))).toBe(false);
            // every driver under test runs on this machine (the simulated phone too): one physical host
            const machineId = readFileSync('/etc/machine-id', 'utf8').trim();
            expect(p.host?.cpuHost).toBe(`linux:${machineId}`);
            expect(p.host?.warning).toBeUndefined();
        });
    });
};
