// AdbDriver decisions that need no device: states the adb server reports and how they are explained.
// The port is an object literal (the same five calls the real adbkit port offers).
import { describe, expect, it } from 'vitest';
import { AdbPortError, type AdbDeviceEntry, type AdbPort } from '../../../../src/drivers/adb/adbkit-port.js';
import { createAdbDriver, parseHostPort } from '../../../../src/drivers/adb/adb-driver.js';
import { isSplitbenchError } from '../../../../src/errors.js';

const portWith = (list: AdbDeviceEntry[], connect: AdbPort['connect'] = () => Promise.reject(new Error('no'))) =>
    ({
        listDevices: () => Promise.resolve(list),
        connect,
        shell: () => Promise.reject(new AdbPortError('dropped', 'no shell in this test')),
        pushFile: () => Promise.reject(new Error('unused')),
        pullFile: () => Promise.reject(new Error('unused')),
    }) satisfies AdbPort;

const failure = async (p: Promise<unknown>) => {
    try {
        await p;
    } catch (e) {
        if (isSplitbenchError(e)) return e;
        throw e;
    }
    throw new Error('expected a failure');
};

describe('AdbDriver device states', () => {
    it('an offline USB device says to replug', async () => {
        const d = createAdbDriver({ name: 'p7', serial: 'ABC', port: portWith([{ serial: 'ABC', state: 'offline' }]) });
        const e = await failure(d.exec(['true']));
        expect(e.code).toBe('DEVICE_UNREACHABLE');
        expect(e.message).toBe(
            'device p7 (ABC) is offline: replug the USB cable or run "adb reconnect offline", then run splitbench devices check',
        );
    });

    it('a host:port device that stays offline after connect names adb disconnect', async () => {
        let connects = 0;
        const d = createAdbDriver({
            name: 'w',
            serial: '10.1.2.3:5555',
            connectWaitMs: 200,
            port: portWith([{ serial: '10.1.2.3:5555', state: 'offline' }], () => {
                connects++;
                return Promise.resolve('10.1.2.3:5555');
            }),
        });
        const e = await failure(d.exec(['true']));
        expect(connects).toBe(1);
        expect(e.message).toMatch(/^device w \(10\.1\.2\.3:5555\) is offline: .*adb disconnect 10\.1\.2\.3:5555/);
    });

    it('a failed adb connect is DEVICE_UNREACHABLE with the server text', async () => {
        const d = createAdbDriver({
            name: 'w',
            serial: '10.1.2.3:5555',
            port: portWith([], () =>
                Promise.reject(new AdbPortError('connect-failed', 'failed to connect to 10.1.2.3:5555')),
            ),
        });
        const e = await failure(d.exec(['true']));
        expect(e.code).toBe('DEVICE_UNREACHABLE');
        expect(e.message).toBe('device w: adb connect 10.1.2.3:5555 failed: failed to connect to 10.1.2.3:5555');
    });

    it('timeouts and aborts win over a hanging server', async () => {
        const hanging = {
            ...portWith([]),
            listDevices: () => new Promise<AdbDeviceEntry[]>(() => undefined),
        } satisfies AdbPort;
        const d = createAdbDriver({ name: 'h', serial: 'S', port: hanging });
        expect((await failure(d.exec(['true'], { timeoutMs: 50 }))).code).toBe('TIMEOUT');
        const ctl = new AbortController();
        const p = failure(d.exec(['true'], { signal: ctl.signal }));
        ctl.abort();
        expect((await p).code).toBe('ABORTED');
    });

    it('rejects a bad server address and an empty argv', async () => {
        expect(() => createAdbDriver({ name: 'x', serial: 'S', server: 'nope' })).toThrow(
            /adb server "nope" is not host:port/,
        );
        const d = createAdbDriver({ name: 'x', serial: 'S', port: portWith([]) });
        expect((await failure(d.exec([]))).code).toBe('USAGE');
    });

    it('parseHostPort', () => {
        expect(parseHostPort('127.0.0.1:5037')).toEqual({ host: '127.0.0.1', port: 5037 });
        expect(parseHostPort('[::1]:5555')).toEqual({ host: '::1', port: 5555 });
        expect(parseHostPort('R58N71SIM01')).toBeUndefined();
        expect(parseHostPort('h:70000')).toBeUndefined();
    });
});
