// ADB driver against the real adb server and the simulated Galaxy A01: probe facts, device states the user
// must act on, connect-on-demand, and links dropped in the middle of a push or an exec.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdbDriver, type AdbDriver } from '../../../src/drivers/adb/adb-driver.js';
import {
    deviceState,
    startAdbServer,
    startSimPhone,
    waitForState,
    type AdbServer,
    type SimPhone,
} from '../../support/adb.js';
import { caught } from '../../support/errors.js';
import { freePort } from '../../support/net.js';

describe('adb driver with the simulated A01', () => {
    let adb: AdbServer;
    let phone: SimPhone;
    let d: AdbDriver;
    let local: string;

    beforeAll(async () => {
        adb = await startAdbServer();
        phone = await startSimPhone(adb);
        d = createAdbDriver({ name: 'a01', serial: phone.serial, server: `127.0.0.1:${adb.port}`, campaign: 'faults' });
        local = await mkdtemp(join(tmpdir(), 'sb-adb-faults-'));
    });
    afterAll(async () => {
        await d?.close();
        await phone?.close();
        await adb?.close();
        if (local) await rm(local, { recursive: true, force: true });
    });

    it('probes the A01: model, SoC, ABIs, Android 10 / SDK 29, 8 cores and the big-core mask', async () => {
        const p = await d.probe();
        expect(p.kind).toBe('adb');
        expect(p.os).toBe('Android');
        expect(p.android).toMatchObject({
            model: 'SM-A015F',
            manufacturer: 'samsung',
            release: '10',
            sdk: 29,
            soc: 'SDM439',
            board: 'msm8937',
            rooted: false,
            batteryLevel: 87,
            batteryTempC: 31,
        });
        expect(p.abis).toEqual(['arm64-v8a', 'armeabi-v7a', 'armeabi']);
        expect(p.cores).toBe(8);
        expect(p.coreMaxFreqKhz).toEqual([1459200, 1459200, 1459200, 1459200, 1958400, 1958400, 1958400, 1958400]);
        expect(p.bigCoreMask).toBe('f0');
        expect(p.governors).toEqual(Array(8).fill('schedutil'));
        expect(p.thermalC['xo-therm-adc']).toBe(36);
        expect(p.cpuModel).toBe('Qualcomm Technologies, Inc SDM439');
        expect(p.memTotalMb).toBe(Math.round(1843284 / 1024));
        expect(p.freeBytes).toBeGreaterThan(0);
        expect(p.workDir).toBe('/data/local/tmp/splitbench/faults');
    });

    it('a link dropped mid-push gives TRANSFER_FAILED, no file under the final name, and the next push works', async () => {
        const src = join(local, 'big.bin');
        await writeFile(src, randomBytes(4 * 1024 * 1024));
        const dest = '/data/local/tmp/splitbench/faults/dropped.bin';
        phone.sim.setFaults({ dropPushAfterBytes: 1024 * 1024 });
        const err = await caught(d.push(src, dest));
        expect(err.code).toBe('TRANSFER_FAILED');
        expect(err.message).toMatch(/^device a01: /);
        phone.sim.setFaults({});
        expect(existsSync(join(phone.root, 'splitbench/faults/dropped.bin'))).toBe(false);
        // The driver reconnects the host:port device on demand.
        const again = await d.push(src, dest);
        expect(again.skipped).toBe(false);
        expect(readdirSync(join(phone.root, 'splitbench/faults'))).toContain('dropped.bin');
    });

    it('a link dropped mid-pull gives TRANSFER_FAILED and leaves no local file', async () => {
        const src = join(local, 'pullme.bin');
        await writeFile(src, randomBytes(4 * 1024 * 1024));
        await d.push(src, 'pullme.bin');
        // Every packet held 50 ms: the 4 MiB pull needs many of them, so the drop at 300 ms lands mid-transfer.
        phone.sim.setFaults({ delayMs: 50 });
        const dest = join(local, 'pulled.bin');
        const pulling = caught(d.pull('pullme.bin', dest));
        await new Promise((r) => setTimeout(r, 300));
        phone.sim.dropConnections();
        const err = await pulling;
        phone.sim.setFaults({});
        expect(err.code).toBe('TRANSFER_FAILED');
        expect(existsSync(dest)).toBe(false);
        expect(readdirSync(local).filter((f) => f.startsWith('pulled'))).toEqual([]);
    });

    it('a link dropped mid-exec gives DEVICE_UNREACHABLE, and the next exec reconnects', async () => {
        phone.sim.setFaults({ dropExecAfterMs: 300 });
        const err = await caught(d.exec(['sleep', '5']));
        expect(err.code).toBe('DEVICE_UNREACHABLE');
        expect(err.message).toMatch(/device a01: link lost during command sleep 5/);
        phone.sim.setFaults({});
        const r = await d.exec(['echo', 'back']);
        expect(r.stdout).toBe('back\n');
    });
});

describe('adb device states and servers', () => {
    let adb: AdbServer;
    beforeAll(async () => {
        adb = await startAdbServer();
    });
    afterAll(async () => {
        await adb?.close();
    });

    it('an unauthorized device gives an actionable DEVICE_UNREACHABLE', async () => {
        const phone = await startSimPhone(adb, { faults: { refuseAuth: true } });
        const d = createAdbDriver({
            name: 'locked',
            serial: phone.serial,
            server: `127.0.0.1:${adb.port}`,
            connectWaitMs: 2000,
        });
        try {
            const err = await caught(d.exec(['true']));
            expect(err.code).toBe('DEVICE_UNREACHABLE');
            expect(err.message).toBe(
                `device locked (${phone.serial}) is unauthorized: accept the USB debugging prompt on the phone ` +
                    '(tick "Always allow from this computer"), then run splitbench devices check',
            );
        } finally {
            await d.close();
            await phone.close();
        }
    });

    it('connects a host:port device on demand', async () => {
        const phone = await startSimPhone(adb);
        await adb.run(['disconnect', phone.serial]);
        await waitForState(adb, phone.serial, 'absent');
        const d = createAdbDriver({ name: 'wifi', serial: phone.serial, server: `127.0.0.1:${adb.port}` });
        try {
            expect((await d.exec(['getprop', 'ro.product.model'])).stdout).toBe('SM-A015F\n');
            expect(await deviceState(adb, phone.serial)).toBe('device');
        } finally {
            await d.close();
            await phone.close();
        }
    });

    it('an unknown USB serial names the attached devices', async () => {
        const d = createAdbDriver({ name: 'ghost', serial: 'R58N00NOTHERE', server: `127.0.0.1:${adb.port}` });
        const err = await caught(d.exec(['true']));
        expect(err.code).toBe('DEVICE_UNREACHABLE');
        expect(err.message).toMatch(
            /^device ghost: serial R58N00NOTHERE is not attached to the adb server at 127\.0\.0\.1:\d+ \(attached: .*\) — check the cable/,
        );
    });

    it('a server that is down and must not be started is DEVICE_UNREACHABLE naming the server', async () => {
        const port = await freePort();
        const d = createAdbDriver({ name: 'far', serial: 'X', server: `127.0.0.1:${port}`, startServer: false });
        const err = await caught(d.exec(['true']));
        expect(err.code).toBe('DEVICE_UNREACHABLE');
        expect(err.message).toContain(`adb server at 127.0.0.1:${port} is not reachable`);
    });

    it('starts a local adb server that is not running', async () => {
        const port = await freePort();
        const d = createAdbDriver({ name: 'fresh', serial: 'NOSUCHSERIAL', server: `127.0.0.1:${port}` });
        try {
            const err = await caught(d.exec(['true']));
            // The server came up (so the failure is about the serial, not the server).
            expect(err.message).toMatch(/serial NOSUCHSERIAL is not attached to the adb server/);
        } finally {
            const { execFileSync } = await import('node:child_process');
            execFileSync('adb', ['-P', String(port), 'kill-server']);
        }
    });
});
