// The real adb CLI and server against the ADB device simulator.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdbDriver } from '../../../src/drivers/adb/adb-driver.js';
import { startAdbdSimulator } from '../../../src/sim/adbd-server.js';
import { startAdbServer, startSimPhone, waitForState, type AdbServer, type SimPhone } from '../../support/adb.js';

const sha256 = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

const alive = (pid: number): boolean => {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
};

const waitFor = async (what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> => {
    const until = Date.now() + timeoutMs;
    while (!cond()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
    }
};

let adb: AdbServer;
let phone: SimPhone;
let work: string;

beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'splitbench-sim-test-'));
    adb = await startAdbServer();
    phone = await startSimPhone(adb);
});

afterAll(async () => {
    await phone?.close();
    await adb?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

const sh = (...cmd: string[]) => adb.run(['-s', phone.serial, 'shell', ...cmd]);

describe('adb connect / devices / shell', () => {
    it('lists the simulator as a device with the profile model', async () => {
        const r = await adb.run(['devices', '-l']);
        const line = r.stdout.split('\n').find((l) => l.startsWith(phone.serial));
        expect(line).toMatch(/\sdevice\s/);
        // adb shows '-' in models as '_'
        expect(line).toContain('model:SM_A015F');
        expect(line).toContain('product:a01qxx');
        expect(line).toContain('device:a01q');
    });

    it('answers getprop from the profile', async () => {
        expect((await sh('getprop', 'ro.product.model')).stdout).toBe('SM-A015F\n');
        expect((await sh('getprop', 'ro.build.version.sdk')).stdout).toBe('29\n');
        expect((await sh('getprop', 'no.such.prop', 'fallback')).stdout).toBe('fallback\n');
        const all = (await sh('getprop')).stdout;
        expect(all).toContain('[ro.product.cpu.abilist]: [arm64-v8a,armeabi-v7a,armeabi]');
    });

    it('serves /proc and /sys from the profile', async () => {
        const cpuinfo = (await sh('cat /proc/cpuinfo')).stdout;
        expect(cpuinfo.match(/^processor\s*:/gm)).toHaveLength(8);
        expect(cpuinfo).toContain('CPU part\t: 0xd03');
        const freqs = (await sh('cat /sys/devices/system/cpu/cpu*/cpufreq/cpuinfo_max_freq')).stdout.trim().split('\n');
        expect(freqs).toEqual(['1459200', '1459200', '1459200', '1459200', '1958400', '1958400', '1958400', '1958400']);
        expect((await sh("cat '/sys/class/power_supply/battery/capacity'")).stdout).toBe('87\n');
        const zones = (await sh('ls /sys/class/thermal')).stdout.split('\n').filter((l) => l !== '');
        expect(zones.length).toBeGreaterThan(0);
    });

    it('runs commands under sh with shell_v2 exit codes and separate stderr', async () => {
        expect((await sh('echo $((1+2))')).stdout).toBe('3\n');
        const r = await sh('echo out; echo err >&2; exit 7');
        expect(r.code).toBe(7);
        expect(r.stdout).toBe('out\n');
        expect(r.stderr).toBe('err\n');
        expect((await sh('pwd')).code).toBe(0);
    });

    it('looks unrooted and shows /data/local/tmp as the working dir', async () => {
        expect((await sh('command -v su || echo none')).stdout).toBe('none\n');
        expect((await sh('id -u')).stdout).toBe('2000\n');
        expect((await sh('uname -m; nproc; taskset f0 echo pinned')).stdout).toBe('aarch64\n8\npinned\n');
        expect((await sh('df /data/local/tmp')).code).toBe(0);
        writeFileSync(join(phone.root, 'marker.txt'), 'x');
        expect((await sh('ls /data/local/tmp')).stdout).toContain('marker.txt');
        expect((await sh('ls', '/data/local/tmp/marker.txt')).code).toBe(0);
    });
});

describe('simulator realism', () => {
    const hostCpus = (): number[] => {
        const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
        return (m?.[1] ?? '0').split(',').flatMap((part) => {
            const [a, b] = part.split('-').map(Number) as [number, number | undefined];
            return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
        });
    };
    const allowedOf = (status: string): string => /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '?';

    it('taskset pins the started process: phone CPU i runs on host CPU i mod n', async () => {
        const cpus = hostCpus();
        // the first allowed host CPU for phone CPU 0; phone CPU 1 maps onto the second one (or the first again)
        const cpu0 = String(cpus[0]);
        const cpu1 = String(cpus[1 % cpus.length]);
        expect(allowedOf((await sh('taskset 0x1 cat /proc/self/status')).stdout)).toBe(cpu0);
        expect(allowedOf((await sh('taskset 2 cat /proc/self/status')).stdout)).toBe(cpu1);
        // unpinned commands keep every CPU the simulator has
        expect(allowedOf((await sh('cat /proc/self/status')).stdout)).toBe(
            allowedOf(readFileSync('/proc/self/status', 'utf8')),
        );
        const bad = await sh('taskset zz true');
        expect(bad.code).toBe(1);
        expect(bad.stderr).toMatch(/failed to parse CPU mask: zz/);
        // a mask that names none of the phone's 8 CPUs fails like taskset does on the phone
        expect((await sh('taskset 100 true')).code).toBe(1);
    });

    it('declares itself simulated and names the host whose CPUs run it', async () => {
        expect((await sh('getprop', 'ro.kernel.qemu')).stdout).toBe('1\n');
        const hostId = readFileSync('/etc/machine-id', 'utf8').trim();
        expect((await sh('getprop', 'ro.splitbench.host.machine_id')).stdout).toBe(`${hostId}\n`);
    });

    it('probes from the profile: hostname and free space are the phone’s, the host identity is this machine', async () => {
        const d = createAdbDriver({
            name: 'a01',
            serial: phone.serial,
            server: `127.0.0.1:${adb.port}`,
            campaign: 'probe',
        });
        try {
            const p = await d.probe({ timeoutMs: 30_000 });
            // the A01 profile sets no net.hostname: Android answers "localhost"; df /data from profile.storage
            expect(p.hostname).toBe('localhost');
            expect(p.freeBytes).toBe(14293184 * 1024);
            expect(p.android?.model).toBe('SM-A015F');
            expect(p.cores).toBe(8);
            const hostId = readFileSync('/etc/machine-id', 'utf8').trim();
            expect(p.host).toMatchObject({
                cpuHost: `linux:${hostId}`,
                machineId: hostId,
                serial: 'R58N71SIM01',
                simulated: true,
            });
            expect(p.host?.buildFingerprint).toMatch(/^samsung\/a01qxx/);
        } finally {
            await d.close();
        }
    });
});

describe('adb push / pull', () => {
    for (const size of [1024 * 1024, 50 * 1024 * 1024]) {
        it(`round-trips a ${size} byte binary file`, async () => {
            const src = join(work, `in-${size}.bin`);
            const back = join(work, `out-${size}.bin`);
            writeFileSync(src, randomBytes(size));
            const push = await adb.run(['-s', phone.serial, 'push', src, `/data/local/tmp/rt/f-${size}.bin`]);
            expect(push.code, push.stderr).toBe(0);
            expect(sha256(join(phone.root, 'rt', `f-${size}.bin`))).toBe(sha256(src));
            const pull = await adb.run(['-s', phone.serial, 'pull', `/data/local/tmp/rt/f-${size}.bin`, back]);
            expect(pull.code, pull.stderr).toBe(0);
            expect(sha256(back)).toBe(sha256(src));
            rmSync(src);
            rmSync(back);
        });
    }

    it('pushes into nested directories that do not exist yet', async () => {
        const src = join(work, 'nested.txt');
        writeFileSync(src, 'nested\n');
        const r = await adb.run(['-s', phone.serial, 'push', src, '/data/local/tmp/n1/n2/n3/nested.txt']);
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(join(phone.root, 'n1/n2/n3/nested.txt'), 'utf8')).toBe('nested\n');
        expect((await sh('cat /data/local/tmp/n1/n2/n3/nested.txt')).stdout).toBe('nested\n');
    });

    it('pushes a directory', async () => {
        const d = join(work, 'dir');
        mkdirSync(join(d, 'sub'), { recursive: true });
        writeFileSync(join(d, 'a.txt'), 'a');
        writeFileSync(join(d, 'sub', 'b.txt'), 'b');
        const r = await adb.run(['-s', phone.serial, 'push', d, '/data/local/tmp/pushed-dir']);
        expect(r.code, r.stderr).toBe(0);
        expect(readFileSync(join(phone.root, 'pushed-dir/sub/b.txt'), 'utf8')).toBe('b');
    });

    it('fails to pull a missing file', async () => {
        const r = await adb.run(['-s', phone.serial, 'pull', '/data/local/tmp/missing.bin', join(work, 'x')]);
        expect(r.code).not.toBe(0);
        expect(r.stdout + r.stderr).toMatch(/does not exist/);
        expect(existsSync(join(work, 'x'))).toBe(false);
    });

    it('refuses to push outside the mapped directories', async () => {
        const src = join(work, 'evil.txt');
        writeFileSync(src, 'x');
        const r = await adb.run(['-s', phone.serial, 'push', src, '/data/local/tmp/../../../etc/evil.txt']);
        expect(r.code).not.toBe(0);
        expect(existsSync('/etc/evil.txt')).toBe(false);
    });
});

describe('abort', () => {
    it('kills the remote process when the adb client is killed', async () => {
        const pidFile = join(phone.root, 'long.pid');
        const child = adb.spawn(['-s', phone.serial, 'shell', 'echo $$ > /data/local/tmp/long.pid; exec sleep 600']);
        await waitFor(
            'the remote process to start',
            () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'),
        );
        const pid = Number(readFileSync(pidFile, 'utf8'));
        expect(alive(pid)).toBe(true);
        child.kill('SIGKILL');
        await waitFor('the remote process to be killed', () => !alive(pid));
        await waitFor('the stream to close', () => !phone.sim.streams().some((s) => s.service.includes('long.pid')));
    });
});

describe('faults', () => {
    it('refuse-auth leaves the device unauthorized', async () => {
        const p = await startSimPhone(adb, { faults: { refuseAuth: true } });
        try {
            const r = await adb.run(['devices']);
            expect(r.stdout).toMatch(new RegExp(`${p.serial.replace(/\./g, '\\.')}\\s+unauthorized`));
            const s = await adb.run(['-s', p.serial, 'shell', 'true']);
            expect(s.code).not.toBe(0);
            expect(s.stderr).toMatch(/unauthorized/);
        } finally {
            await p.close();
        }
    });

    it('a link dropped during a push fails adb push and leaves no file under the final name', async () => {
        const p = await startSimPhone(adb);
        try {
            p.setFaults({ dropPushAfterBytes: 256 * 1024 });
            const src = join(work, 'drop.bin');
            writeFileSync(src, randomBytes(4 * 1024 * 1024));
            const r = await adb.run(['-s', p.serial, 'push', src, '/data/local/tmp/drop/target.bin']);
            expect(r.code).not.toBe(0);
            expect(existsSync(join(p.root, 'drop', 'target.bin'))).toBe(false);
            await waitFor('temp files to be removed', () => readdirSync(join(p.root, 'drop')).length === 0);
        } finally {
            await p.close();
        }
    });

    // adb 1.0.41 exits 0 when the link drops under a shell_v2 stream (no exit packet ever comes), so only
    // the device side is checked here: the process dies and the device goes offline.
    it('a link dropped during an exec ends adb shell and kills the process', async () => {
        const p = await startSimPhone(adb);
        try {
            p.setFaults({ dropExecAfterMs: 300 });
            const r = await adb.run(['-s', p.serial, 'shell', 'echo $$ > /data/local/tmp/exec.pid; exec sleep 600']);
            expect(r.stdout).toBe('');
            const pid = Number(readFileSync(join(p.root, 'exec.pid'), 'utf8'));
            await waitFor('the remote process to be killed', () => !alive(pid));
            // the simulator keeps listening: clear the fault and the host gets the device back
            p.setFaults({});
            await adb.run(['connect', p.serial]);
            await waitForState(adb, p.serial, 'device');
        } finally {
            await p.close();
        }
    });

    it('offline: the host sees the device but cannot use it', async () => {
        const root = mkdtempSync(join(tmpdir(), 'splitbench-offline-'));
        const sim = await startAdbdSimulator({ root, faults: { offline: true } });
        try {
            // `adb connect` waits ~10 s for a CNXN answer that never comes; the server keeps the transport anyway
            await adb.run(['connect', sim.serial], { timeoutMs: 1500 });
            await waitForState(adb, sim.serial, 'offline');
            const r = await adb.run(['-s', sim.serial, 'shell', 'true']);
            expect(r.code).not.toBe(0);
            expect(r.stderr).toMatch(/offline/);
        } finally {
            await adb.run(['disconnect', sim.serial]);
            await sim.close();
            rmSync(root, { recursive: true, force: true });
        }
    });

    it('delay slows packets but keeps them correct', async () => {
        const p = await startSimPhone(adb, { faults: { delayMs: 5 } });
        try {
            const r = await adb.run(['-s', p.serial, 'shell', 'getprop ro.product.manufacturer']);
            expect(r.stdout).toBe('samsung\n');
        } finally {
            await p.close();
        }
    });
});

describe('device without shell_v2', () => {
    it('uses the legacy shell service: output merged, no exit code', async () => {
        const p = await startSimPhone(adb, { features: [] });
        try {
            const r = await adb.run(['-s', p.serial, 'shell', 'echo out; echo err >&2; exit 5']);
            expect(r.stdout).toContain('out');
            expect(r.stdout).toContain('err');
            expect(r.code).toBe(0);
        } finally {
            await p.close();
        }
    });
});
