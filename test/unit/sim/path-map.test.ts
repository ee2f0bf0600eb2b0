import { describe, expect, it } from 'vitest';
import { isShellSafePath, mapDevicePath, rewriteCommand, type Mount } from '../../../src/sim/path-map.js';

const mounts: Mount[] = [
    { device: '/data/local/tmp', host: '/tmp/sim/root', writable: true },
    { device: '/proc/cpuinfo', host: '/tmp/sim/tree/proc/cpuinfo', writable: false },
    { device: '/sys/class/thermal', host: '/tmp/sim/tree/sys/class/thermal', writable: false },
];

describe('device path mapping', () => {
    it('maps mounted prefixes and refuses the rest', () => {
        expect(mapDevicePath(mounts, '/data/local/tmp/a/b')).toEqual({
            kind: 'host',
            host: '/tmp/sim/root/a/b',
            writable: true,
        });
        expect(mapDevicePath(mounts, '/data/local/tmp/')).toEqual({
            kind: 'host',
            host: '/tmp/sim/root',
            writable: true,
        });
        expect(mapDevicePath(mounts, '/proc/cpuinfo')).toMatchObject({ kind: 'host', writable: false });
        expect(mapDevicePath(mounts, '/data/local/tmp/../../../etc/passwd')).toEqual({ kind: 'unmapped' });
        expect(mapDevicePath(mounts, '/data/local/tmpx')).toEqual({ kind: 'unmapped' });
        expect(mapDevicePath(mounts, '/data')).toEqual({ kind: 'virtual-dir' });
        expect(mapDevicePath(mounts, '/')).toEqual({ kind: 'virtual-dir' });
        expect(mapDevicePath(mounts, 'relative')).toEqual({ kind: 'unmapped' });
    });

    it('rewrites prefixes that start a path, inside quotes and options too', () => {
        expect(
            rewriteCommand(
                mounts,
                'cd /data/local/tmp && ./bm --graph=/data/local/tmp/m.tflite \'x\' "/data/local/tmp/a b"',
            ),
        ).toBe('cd /tmp/sim/root && ./bm --graph=/tmp/sim/root/m.tflite \'x\' "/tmp/sim/root/a b"');
        expect(rewriteCommand(mounts, "cat /proc/cpuinfo; cat '/sys/class/thermal/thermal_zone0/temp'")).toBe(
            "cat /tmp/sim/tree/proc/cpuinfo; cat '/tmp/sim/tree/sys/class/thermal/thermal_zone0/temp'",
        );
    });

    it('leaves look-alikes alone', () => {
        for (const c of [
            'ls /data/local/tmpfoo',
            'ls /x/data/local/tmp',
            'cat /proc/cpuinfo.bak',
            'echo data/local/tmp',
        ]) {
            expect(rewriteCommand(mounts, c)).toBe(c);
        }
    });

    it('accepts only paths that need no shell quoting', () => {
        expect(isShellSafePath('/tmp/a-b_c.d/e+f')).toBe(true);
        expect(isShellSafePath('/tmp/a b')).toBe(false);
        expect(isShellSafePath("/tmp/a'b")).toBe(false);
        expect(isShellSafePath('/tmp/$(x)')).toBe(false);
    });
});
