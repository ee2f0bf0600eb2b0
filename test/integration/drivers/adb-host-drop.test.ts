// A phone's adb server dying under a command (its host dropped): the exec is a transport failure naming the device
// and the cause, never a command that "exited with no output" (which a benchmark step would store as no_output).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdbDriver, type AdbDriver } from '../../../src/drivers/adb/adb-driver.js';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { caught } from '../../support/errors.js';

describe('adb server killed during a command', () => {
    let adb: AdbServer;
    let phone: SimPhone;
    let d: AdbDriver;

    beforeAll(async () => {
        adb = await startAdbServer();
        phone = await startSimPhone(adb);
        // the driver may start a new loopback server on the port after the kill (as a campaign's driver does)
        d = createAdbDriver({ name: 'a01', serial: phone.serial, server: `127.0.0.1:${adb.port}`, campaign: 'drop' });
    });
    afterAll(async () => {
        await d?.close();
        await phone?.close();
        await adb?.close();
    });

    it('killed while the command runs: DEVICE_UNREACHABLE naming the device and the cause', async () => {
        const running = d.exec(['sleep', '30'], { timeoutMs: 60_000 });
        running.catch(() => undefined);
        // the command is running on the phone when its server goes: its stream is open on the simulator
        while (!phone.sim.streams().some((s) => s.service.includes('sleep 30')))
            await new Promise((r) => setTimeout(r, 20));
        await adb.close();
        const err = await caught(running);
        expect(err.code).toBe('DEVICE_UNREACHABLE');
        expect(err.message).toMatch(/^device a01: link lost during command sleep 30 \(.+\)$/);
    });

    it('killed after the command ended silently, before its stream did: a transport failure, not an empty output', async () => {
        // The command exits 1 without a word, leaving a child that holds its output open and then kills the adb
        // server: the wrapper's exit status reaches the driver first, then the stream ends with the server.
        // Without a check the driver would return "exit 1, no output" and a benchmark would be stored as no_output.
        const kill = [
            'sh',
            '-c',
            '(sleep 0.3; adb -P "$1" kill-server >/dev/null 2>&1; sleep 5) & exit 1',
            'sh',
            String(adb.port),
        ];
        for (let i = 0; i < 2; i++) {
            const err = await caught(d.exec(kill, { timeoutMs: 60_000 }));
            expect(err.code).toBe('DEVICE_UNREACHABLE');
            expect(err.message).toMatch(
                /^device a01: link lost during command sh -c .* \(exit 1 with no output; the adb server at 127\.0\.0\.1:\d+ (no longer lists|is gone)/,
            );
            // the next command reaches the phone again (through a server the driver started)
            expect((await d.exec(['echo', 'back'], { timeoutMs: 60_000 })).stdout).toBe('back\n');
        }
    });
});
