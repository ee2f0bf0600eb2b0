// `splitbench devices add/list/probe/check/trust` end to end through the built CLI, against this machine,
// the simulated phone behind the real adb server, and a real OpenSSH server on loopback.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { startSshd, type SshdHandle } from '../../support/sshd.js';

const CLI = fileURLToPath(new URL('../../../bin/splitbench.js', import.meta.url));

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

const run = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
        execFile(
            process.execPath,
            [CLI, ...args],
            // No ssh-agent: the device files name their keys.
            { env: { ...process.env, SSH_AUTH_SOCK: '', ...env }, timeout: 120_000, encoding: 'utf8' },
            (err, stdout, stderr) => {
                const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
                resolve({ code, stdout, stderr });
            },
        );
    });

let dir: string;
const dev = (...args: string[]): Promise<Run> => run(['devices', '--devices', dir, ...args]);
const file = (name: string): Record<string, unknown> =>
    parseYaml(readFileSync(join(dir, `${name}.yaml`), 'utf8')) as Record<string, unknown>;

beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-devices-cli-'));
});
afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('devices --local', () => {
    it('add probes and writes the file; list, probe --json and check use it', async () => {
        const add = await dev('add', 'here', '--local');
        expect(add.stderr).toBe('');
        expect(add.code).toBe(0);
        expect(add.stdout).toMatch(/^added here \(local\): .*\d+ cores/);
        const f = file('here');
        expect(f).toMatchObject({ name: 'here', kind: 'local', local: {} });
        expect((f['probe'] as { kind: string }).kind).toBe('local');

        const list = await dev('list');
        expect(list.code).toBe(0);
        expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+ADDRESS\s+MODEL\/CPU\s+ABI\s+CORES\s+LAST PROBED$/);
        expect(list.stdout).toMatch(/^here\s+local\s+local\s+/m);

        const probe = await dev('probe', 'here', '--json');
        expect(probe.code).toBe(0);
        const p = JSON.parse(probe.stdout) as { kind: string; cores: number; probedAt: string };
        expect(p.kind).toBe('local');
        expect(p.cores).toBeGreaterThan(0);
        // the device file stays as `add` wrote it; the probe goes to the ignored cache, and list shows it
        const before = readFileSync(join(dir, 'here.yaml'), 'utf8');
        expect((file('here')['probe'] as { probedAt: string }).probedAt).not.toBe(p.probedAt);
        const cached = JSON.parse(readFileSync(join(dir, '.probes', 'here.json'), 'utf8')) as { probedAt: string };
        expect(cached.probedAt).toBe(p.probedAt);
        expect((await dev('list')).stdout).toMatch(
            new RegExp(`^here\\s+local\\s+.*${p.probedAt.replace(/[.]/g, '\\.')}$`, 'm'),
        );
        expect(readFileSync(join(dir, 'here.yaml'), 'utf8')).toBe(before);

        const check = await dev('check', 'here');
        expect(check.code).toBe(0);
        expect(check.stdout).toMatch(/^ok\s+here\s+local\s+reachable, .* free/m);

        const tight = await dev('check', 'here', '--min-free-mb', '999999999999');
        expect(tight.code).toBe(1);
        expect(tight.stdout).toMatch(/^FAIL\s+here\s+local\s+only .* free in .* \(need .*\)/m);
    });

    it('refuses bad input with exit 2 and writes nothing', async () => {
        const both = await dev('add', 'x', '--local', '--adb', 'S');
        expect(both.code).toBe(2);
        expect(both.stderr).toContain('give exactly one of --adb');
        const name = await dev('add', '../evil', '--local');
        expect(name.code).toBe(2);
        const again = await dev('add', 'here', '--local');
        expect(again.code).toBe(2);
        expect(again.stderr).toContain('device "here" already exists');
        const server = await dev('add', 'y', '--adb', 'S', '--adb-server', 'nohostport', '--no-probe');
        expect(server.code).toBe(2);
        expect(server.stderr).toContain('adb.server: expected host:port');
        expect(existsSync(join(dir, 'x.yaml')) || existsSync(join(dir, 'y.yaml'))).toBe(false);
        const unknown = await dev('probe', 'nope');
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(
            /unknown device "nope" \(known: .*here.*\) — add it with splitbench devices add/,
        );
    });

    it('a broken device file is reported as file:line:col and does not hide the others', async () => {
        const d2 = mkdtempSync(join(tmpdir(), 'sb-devices-bad-'));
        try {
            writeFileSync(join(d2, 'bad.yaml'), 'name: bad\nkind: adb\nadb:\n  serial: S\n  sever: 1.2.3.4:5037\n');
            writeFileSync(join(d2, 'ok.yaml'), 'name: ok\nkind: local\n');
            const list = await run(['devices', '--devices', d2, 'list']);
            expect(list.code).toBe(2);
            expect(list.stderr).toContain(`${join(d2, 'bad.yaml')}:5:3 adb.sever: unknown key "sever"`);
            expect(list.stdout).toMatch(/^ok\s+local/m);
        } finally {
            rmSync(d2, { recursive: true, force: true });
        }
    });
});

describe('devices --adb (simulated phone behind the real adb server)', () => {
    let adb: AdbServer;
    let phone: SimPhone;
    let locked: SimPhone;
    beforeAll(async () => {
        adb = await startAdbServer();
        phone = await startSimPhone(adb);
        locked = await startSimPhone(adb, { faults: { refuseAuth: true } });
    });
    afterAll(async () => {
        await locked?.close();
        await phone?.close();
        await adb?.close();
    });

    it('add prints the probe summary and stores serial, server and probe', async () => {
        const r = await dev('add', 'a01', '--adb', phone.serial, '--adb-server', `127.0.0.1:${adb.port}`);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(
            `added a01 (adb ${phone.serial}@127.0.0.1:${adb.port}): samsung SM-A015F, Android 10 (SDK 29), SDM439, 8 cores (big f0), arm64-v8a`,
        );
        const f = file('a01') as { adb: unknown; probe: { android: { model: string }; bigCoreMask: string } };
        expect(f.adb).toEqual({ serial: phone.serial, server: `127.0.0.1:${adb.port}` });
        expect(f.probe.android.model).toBe('SM-A015F');
        expect(f.probe.bigCoreMask).toBe('f0');
        const list = await dev('list');
        expect(list.stdout).toMatch(/^a01\s+adb\s+\S+\s+SM-A015F \(SDM439\)\s+arm64-v8a\s+8\s+\d{4}-/m);
    });

    it('add of an unauthorized phone says what to do and writes nothing', async () => {
        const r = await dev('add', 'locked', '--adb', locked.serial, '--adb-server', `127.0.0.1:${adb.port}`);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(
            `device locked (${locked.serial}) is unauthorized: accept the USB debugging prompt on the phone`,
        );
        expect(existsSync(join(dir, 'locked.yaml'))).toBe(false);
        // no device file was written, so the hint cannot be "devices check"
        expect(r.stderr).toContain('then run this devices add command again');
        expect(r.stderr).not.toContain('devices check');
    });

    it('check reports every device in parallel, one line each, and exits 1 when one is unhealthy', async () => {
        const add = await dev(
            'add',
            'locked',
            '--adb',
            locked.serial,
            '--adb-server',
            `127.0.0.1:${adb.port}`,
            '--no-probe',
        );
        expect(add.code).toBe(0);
        const r = await dev('check', '--timeout', '20');
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^ok\s+a01\s+adb\s+reachable, .* free, max \d+\.\d °C, battery 87%(, load [\d.]+)?$/m);
        expect(r.stdout).toMatch(
            /^FAIL\s+locked\s+adb\s+device locked \(.*\) is unauthorized: .*splitbench devices check$/m,
        );
        const json = await dev('check', 'a01', '--json');
        expect(json.code).toBe(0);
        expect((JSON.parse(json.stdout) as { name: string; healthy: boolean }[])[0]).toMatchObject({
            name: 'a01',
            healthy: true,
        });
        rmSync(join(dir, 'locked.yaml'));
    });
});

describe('devices --ssh (real OpenSSH on loopback)', () => {
    let sshd: SshdHandle;
    beforeAll(async () => {
        sshd = await startSshd();
    });
    afterAll(async () => {
        await sshd?.stop();
    });

    it('add with known_hosts probes the host', async () => {
        const r = await dev(
            'add',
            'srv',
            '--ssh',
            `${sshd.user}@${sshd.host}:${sshd.port}`,
            '--identity',
            sshd.identityFile,
            '--known-hosts',
            sshd.knownHostsFile,
        );
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(
            new RegExp(`^added srv \\(ssh ${sshd.user}@${sshd.host.replaceAll('.', '\\.')}:${sshd.port}\\): `),
        );
        expect(file('srv')).toMatchObject({ kind: 'ssh', ssh: { host: sshd.host, port: sshd.port, user: sshd.user } });
        const check = await dev('check', 'srv');
        expect(check.code).toBe(0);
    });

    it('an unknown host key is refused; trust pins the fingerprint; probe then works', async () => {
        const empty = join(dir, 'empty_known_hosts');
        writeFileSync(empty, '');
        const r = await dev(
            'add',
            'srv2',
            '--ssh',
            `${sshd.user}@${sshd.host}:${sshd.port}`,
            '--identity',
            sshd.identityFile,
            '--known-hosts',
            empty,
        );
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(sshd.hostKeyFingerprint);
        expect(r.stderr).toContain('splitbench devices trust srv2');
        expect(file('srv2')['probe']).toBeUndefined();
        const wrong = await dev('trust', 'srv2', '--fingerprint', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
        expect(wrong.code).toBe(1);
        expect((file('srv2')['ssh'] as { fingerprint?: string }).fingerprint).toBeUndefined();
        const trust = await dev('trust', 'srv2', '--fingerprint', sshd.hostKeyFingerprint);
        expect(trust.code).toBe(0);
        expect((file('srv2')['ssh'] as { fingerprint?: string }).fingerprint).toBe(sshd.hostKeyFingerprint);
        const probe = await dev('probe', 'srv2');
        expect(probe.code).toBe(0);
        expect(probe.stdout).toMatch(/^srv2: .*cores/);
    });

    it('a changed pinned key names the device file field ssh.fingerprint at its file:line:col', async () => {
        const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
        // the value of line 8 starts after 4 spaces and "fingerprint: " (13 characters): column 18
        writeFileSync(
            join(dir, 'srv3.yaml'),
            `name: srv3\nkind: ssh\nssh:\n    host: ${sshd.host}\n    port: ${sshd.port}\n    user: ${sshd.user}\n` +
                `    identity: ${sshd.identityFile}\n    fingerprint: ${wrong}\n`,
        );
        const r = await dev('probe', 'srv3');
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`host key CHANGED: server presented`);
        expect(r.stderr).toContain(
            `update ssh.fingerprint in ${join(dir, 'srv3.yaml')}:8:18 (splitbench devices trust srv3`,
        );
        expect(r.stderr).not.toContain('hostKeyFingerprint');
    });
});
