// SSH failure modes against a real OpenSSH server: host keys that must be refused, links that drop in the
// middle of a transfer or a command, and a server that restarts between calls.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshDriver, scanSshHostKey, type SshDriverOptions } from '../../../src/drivers/ssh/ssh-driver.js';
import type { DeviceDriver } from '../../../src/drivers/types.js';
import { generateKey, knownHostsLineFor, startSshd, type SshdHandle, sshdDriverOptions } from '../../support/sshd.js';
import { caught } from '../../support/errors.js';

describe('ssh driver faults (real OpenSSH)', () => {
    let sshd: SshdHandle;
    let dir: string;
    const drivers: DeviceDriver[] = [];

    const driver = (over: Partial<SshDriverOptions> = {}): DeviceDriver => {
        const d = createSshDriver({
            name: 'lab-server',
            ...sshdDriverOptions(sshd),
            workDir: join(dir, 'work'),
            killGraceMs: 300,
            connectTimeoutMs: 5000,
            ...over,
        });
        drivers.push(d);
        return d;
    };

    beforeAll(async () => {
        sshd = await startSshd();
        dir = await mkdtemp(join(tmpdir(), 'splitbench-ssh-faults-'));
    });

    afterAll(async () => {
        await Promise.all(drivers.map((d) => d.close()));
        await sshd.stop();
        await rm(dir, { recursive: true, force: true });
    });

    it('refuses an unknown host key and says how to trust it', async () => {
        const empty = join(dir, 'empty_known_hosts');
        writeFileSync(empty, '');
        const e = await caught(driver({ knownHostsFile: empty }).exec(['true']));
        expect(e.code).toBe('HOST_KEY_REJECTED');
        expect(e.message).toContain(`${sshd.host}:${sshd.port}`);
        expect(e.message).toContain('unknown host key');
        expect(e.message).toContain(sshd.hostKeyFingerprint);
        expect(e.message).toContain('splitbench devices trust lab-server');
        expect(e.message).toContain(`ssh-keyscan -p ${sshd.port} ${sshd.host}`);
        // A missing known_hosts file is the same as an empty one.
        expect((await caught(driver({ knownHostsFile: join(dir, 'nope') }).exec(['true']))).code).toBe(
            'HOST_KEY_REJECTED',
        );
    });

    it('refuses a changed host key (known_hosts holds another key for this host:port)', async () => {
        const other = generateKey(join(dir, 'other_host_key'));
        const kh = join(dir, 'changed_known_hosts');
        writeFileSync(kh, `${knownHostsLineFor(sshd.host, sshd.port, readFileSync(`${other}.pub`, 'utf8'))}\n`);
        const e = await caught(driver({ knownHostsFile: kh }).exec(['true']));
        expect(e.code).toBe('HOST_KEY_REJECTED');
        expect(e.message).toContain('CHANGED');
        expect(e.message).toContain(sshd.hostKeyFingerprint);
        expect(e.message).toContain(`ssh-keygen -R '[${sshd.host}]:${sshd.port}'`);
    });

    it('refuses a wrong pinned fingerprint and accepts the right one without known_hosts', async () => {
        const wrong = `SHA256:${randomBytes(32).toString('base64').replace(/=+$/, '')}`;
        const e = await caught(driver({ hostKeyFingerprint: wrong }).exec(['true']));
        expect(e.code).toBe('HOST_KEY_REJECTED');
        expect(e.message).toContain(wrong);
        const ok = driver({ hostKeyFingerprint: sshd.hostKeyFingerprint, knownHostsFile: join(dir, 'nope') });
        expect((await ok.exec(['echo', 'pinned'])).stdout).toBe('pinned\n');
    });

    it('accepts a hashed known_hosts written by ssh-keygen -H, and keyscan reports the same key', async () => {
        const kh = join(dir, 'hashed_known_hosts');
        writeFileSync(kh, readFileSync(sshd.knownHostsFile));
        execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
        expect(readFileSync(kh, 'utf8')).toMatch(/^\|1\|/);
        expect((await driver({ knownHostsFile: kh }).exec(['true'])).exitCode).toBe(0);
        const scanned = await scanSshHostKey({ host: sshd.host, port: sshd.port });
        expect(scanned.fingerprint).toBe(sshd.hostKeyFingerprint);
        expect(scanned.knownHostsLine).toBe(knownHostsLineFor(sshd.host, sshd.port, sshd.hostPublicKey));
    });

    it('authenticates through a real ssh-agent when no identity file is given', async () => {
        const sock = join(dir, 'agent.sock');
        const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
        try {
            // The socket file appears at bind(), before the agent listens: ssh-add can be
            // refused for a moment, so retry it until the agent answers (5 s at most).
            const deadline = Date.now() + 5000;
            for (;;) {
                try {
                    if (!existsSync(sock)) throw new Error(`no agent socket at ${sock}`);
                    execFileSync('ssh-add', ['-q', sshd.identityFile], {
                        env: { ...process.env, SSH_AUTH_SOCK: sock },
                        stdio: ['ignore', 'ignore', 'pipe'],
                    });
                    break;
                } catch (e) {
                    if (Date.now() > deadline) throw e;
                    await new Promise((r) => setTimeout(r, 50));
                }
            }
            const d = driver({ identityFile: undefined, agent: sock });
            expect((await d.exec(['echo', 'via agent'])).stdout).toBe('via agent\n');
            await d.close();
        } finally {
            agent.kill();
        }
    });

    it('reports refused connections and rejected keys as DEVICE_UNREACHABLE with the reason', async () => {
        const stranger = generateKey(join(dir, 'stranger'));
        const auth = await caught(driver({ identityFile: stranger }).exec(['true']));
        expect(auth.code).toBe('DEVICE_UNREACHABLE');
        expect(auth.message).toContain('authentication failed');
        // A port nothing listens on: bind-and-close gives one.
        const { createServer } = await import('node:net');
        const port = await new Promise<number>((res) => {
            const s = createServer().listen(0, '127.0.0.1', () => {
                const a = s.address();
                s.close(() => res(typeof a === 'object' && a ? a.port : 1));
            });
        });
        const refused = await caught(driver({ port }).exec(['true']));
        expect(refused.code).toBe('DEVICE_UNREACHABLE');
        expect(refused.message).toContain('connection refused');
    });

    it('a link dropped mid-push gives a typed error and no file under the final name; the next call reconnects', async () => {
        const d = driver();
        const src = join(dir, 'big.bin');
        const out = createWriteStream(src);
        for (let i = 0; i < 80; i++) if (!out.write(randomBytes(1 << 20))) await once(out, 'drain');
        out.end();
        await once(out, 'finish');
        const remoteDir = join(dir, 'work', 'drop');
        await mkdir(remoteDir, { recursive: true });
        const final = join(remoteDir, 'model.bin');
        expect((await d.exec(['true'])).exitCode).toBe(0);

        const pushing = d.push(src, final);
        pushing.catch(() => undefined);
        // The "remote" is this machine: watch for the temp file, then pull the plug while it is being written.
        const deadline = Date.now() + 30_000;
        while (!readdirSync(remoteDir).some((n) => n.includes('.splitbench-tmp-'))) {
            if (Date.now() > deadline) throw new Error('push never started writing');
            await new Promise((r) => setTimeout(r, 5));
        }
        expect(sshd.killSessions()).toBeGreaterThan(0);
        const e = await caught(pushing);
        expect(['TRANSFER_FAILED', 'DEVICE_UNREACHABLE']).toContain(e.code);
        expect(existsSync(final)).toBe(false);

        const again = await d.push(src, final);
        expect(again.skipped).toBe(false);
        expect(existsSync(final)).toBe(true);
    });

    it('abort mid-push gives ABORTED, no final file and no leftover temp file', async () => {
        const d = driver();
        const src = join(dir, 'big.bin'); // written by the drop test above
        const remoteDir = join(dir, 'work', 'abort-push');
        await mkdir(remoteDir, { recursive: true });
        const final = join(remoteDir, 'model.bin');
        const ctl = new AbortController();
        const pushing = d.push(src, final, { signal: ctl.signal });
        pushing.catch(() => undefined);
        const deadline = Date.now() + 30_000;
        while (!readdirSync(remoteDir).some((n) => n.includes('.splitbench-tmp-'))) {
            if (Date.now() > deadline) throw new Error('push never started writing');
            await new Promise((r) => setTimeout(r, 5));
        }
        ctl.abort();
        expect((await caught(pushing)).code).toBe('ABORTED');
        expect(readdirSync(remoteDir)).toEqual([]);
        // The connection survives an aborted transfer.
        expect((await d.exec(['echo', 'still here'])).stdout).toBe('still here\n');
    });

    it('a link dropped mid-exec gives DEVICE_UNREACHABLE', async () => {
        const d = driver();
        const pidFile = join(dir, 'exec-drop.pid');
        const running = d.exec(['sh', '-c', 'echo $$ > "$1"; exec sleep 60', 'sh', pidFile]);
        running.catch(() => undefined);
        while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '')
            await new Promise((r) => setTimeout(r, 20));
        sshd.killSessions();
        const e = await caught(running);
        expect(e.code).toBe('DEVICE_UNREACHABLE');
        expect(e.message).toContain('dropped');
        expect((await d.exec(['echo', 'back'])).stdout).toBe('back\n');
    });

    it('close() stops commands still running on the host', async () => {
        const d = driver();
        const pidFile = join(dir, 'close.pid');
        const running = d.exec(['sh', '-c', 'echo $$ > "$1"; while :; do sleep 1; done', 'sh', pidFile]);
        running.catch(() => undefined);
        while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '')
            await new Promise((r) => setTimeout(r, 20));
        const pid = Number(readFileSync(pidFile, 'utf8'));
        await d.close();
        expect((await caught(running)).code).toBe('ABORTED');
        expect(() => process.kill(pid, 0)).toThrow();
        expect((await caught(d.exec(['true']))).code).toBe('DEVICE_UNREACHABLE');
    });

    it('reconnects after sshd restarts between calls', async () => {
        const d = driver();
        expect((await d.exec(['echo', 'one'])).stdout).toBe('one\n');
        await sshd.restart();
        expect((await d.exec(['echo', 'two'])).stdout).toBe('two\n');
        const probe = await d.probe();
        expect(probe.kind).toBe('ssh');
    });
});
