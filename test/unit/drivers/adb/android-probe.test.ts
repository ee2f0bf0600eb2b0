import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
    ANDROID_PROBE_SCRIPT,
    countCpuList,
    SIM_HOST_CPUS_PROP,
    SIM_HOST_MACHINE_ID_PROP,
    androidHostIdentity,
    parseAndroidProbe,
    parseGetprop,
} from '../../../../src/drivers/adb/android-probe.js';

const S = '@@SB@@';
// What ANDROID_PROBE_SCRIPT prints on a Galaxy A01 (SDM439: cpu0-3 at 1.45 GHz, cpu4-7 at 1.95 GHz).
const A01 = [
    `${S} props`,
    '[ro.board.platform]: [msm8937]',
    '[ro.build.fingerprint]: [samsung/a01qxx/a01q:10/QP1A.190711.020/A015FXXU3ATJ1:user/release-keys]',
    '[ro.build.version.release]: [10]',
    '[ro.build.version.sdk]: [29]',
    '[ro.hardware]: [qcom]',
    '[ro.product.board]: [msm8937]',
    '[ro.product.cpu.abi]: [arm64-v8a]',
    '[ro.product.cpu.abilist]: [arm64-v8a,armeabi-v7a,armeabi]',
    '[ro.product.manufacturer]: [samsung]',
    '[ro.product.model]: [SM-A015F]',
    '[persist.sys.empty]: []',
    `${S} kernel`,
    '4.9.190-perf-g0a2b1c4',
    `${S} machine`,
    'aarch64',
    `${S} hostname`,
    'localhost',
    `${S} cpus`,
    '0 1451000 schedutil',
    '1 1451000 schedutil',
    '2 1451000 schedutil',
    '3 1451000 schedutil',
    '4 1958400 schedutil',
    '5 1958400 schedutil',
    '6 1958400 schedutil',
    '7 1958400 schedutil',
    `${S} possible`,
    '0-7',
    `${S} cpuinfo`,
    'Processor\t: AArch64 Processor rev 4 (aarch64)',
    'Hardware\t: Qualcomm Technologies, Inc SDM439',
    `${S} thermal`,
    'xo-therm-adc 36500',
    'pa-therm0 38',
    'cpuss-0-usr 41200',
    'cpuss-0-usr 40100',
    ' ',
    `${S} battery`,
    'capacity 87',
    'temp 294',
    `${S} dumpsys`,
    `${S} df`,
    'Filesystem       1K-blocks    Used Available Use% Mounted on',
    '/dev/block/dm-2   24169728 9876544  14293184  41% /data',
    `${S} meminfo`,
    'MemTotal:        1876480 kB',
    `${S} loadavg`,
    '3.12 2.85 2.40 2/1203 12345',
    `${S} uid`,
    '2000',
    `${S} su`,
    `${S} end`,
    '',
].join('\n');

describe('parseAndroidProbe', () => {
    const p = parseAndroidProbe(A01, { workDir: '/data/local/tmp/splitbench/c1', probedAt: '2026-11-26T00:00:00Z' });

    it('reads identity facts from getprop', () => {
        expect(p.kind).toBe('adb');
        expect(p.os).toBe('Android');
        expect(p.osRelease).toBe('10');
        expect(p.android).toMatchObject({
            model: 'SM-A015F',
            manufacturer: 'samsung',
            board: 'msm8937',
            soc: 'msm8937',
            release: '10',
            sdk: 29,
            rooted: false,
            build: 'samsung/a01qxx/a01q:10/QP1A.190711.020/A015FXXU3ATJ1:user/release-keys',
        });
        expect(p.abis).toEqual(['arm64-v8a', 'armeabi-v7a', 'armeabi']);
        expect(p.arch).toBe('aarch64');
        expect(p.kernel).toBe('4.9.190-perf-g0a2b1c4');
        expect(p.cpuModel).toBe('Qualcomm Technologies, Inc SDM439');
    });

    it('derives cores, frequencies, governors and the big-core mask', () => {
        expect(p.cores).toBe(8);
        expect(p.coreMaxFreqKhz).toEqual([1451000, 1451000, 1451000, 1451000, 1958400, 1958400, 1958400, 1958400]);
        expect(p.bigCoreMask).toBe('f0');
        expect(p.governors).toEqual(Array(8).fill('schedutil'));
    });

    it('reads thermal zones (milli- and whole degrees, duplicates kept), battery, memory, load and free space', () => {
        expect(p.thermalC).toEqual({
            'xo-therm-adc': 36.5,
            'pa-therm0': 38,
            'cpuss-0-usr': 41.2,
            'cpuss-0-usr#2': 40.1,
        });
        expect(p.android?.batteryLevel).toBe(87);
        expect(p.android?.batteryTempC).toBeCloseTo(29.4);
        expect(p.memTotalMb).toBe(1833);
        expect(p.loadAvg).toEqual([3.12, 2.85, 2.4]);
        expect(p.freeBytes).toBe(14293184 * 1024);
        expect(p.workDir).toBe('/data/local/tmp/splitbench/c1');
        expect(p.probedAt).toBe('2026-11-26T00:00:00Z');
    });

    it('falls back to dumpsys battery, ro.soc.model, root by uid 0 and offline cores', () => {
        const text = [
            `${S} props`,
            '[ro.soc.model]: [SM8550]',
            '[ro.board.platform]: [kalama]',
            '[ro.product.cpu.abi]: [arm64-v8a]',
            `${S} cpus`,
            '0 2016000 walt',
            '1 2016000 walt',
            '7 3187200 walt',
            `${S} possible`,
            '0-7',
            `${S} battery`,
            'capacity ',
            'temp ',
            `${S} dumpsys`,
            'Current Battery Service state:',
            '  AC powered: false',
            '  level: 55',
            '  temperature: 310',
            `${S} uid`,
            '0',
            `${S} su`,
            `${S} end`,
        ].join('\n');
        const q = parseAndroidProbe(text, { workDir: '/w', probedAt: 't' });
        expect(q.android?.soc).toBe('SM8550');
        expect(q.abis).toEqual(['arm64-v8a']);
        expect(q.cores).toBe(8);
        expect(q.coreMaxFreqKhz).toEqual([2016000, 2016000, 0, 0, 0, 0, 0, 3187200]);
        expect(q.bigCoreMask).toBe('80');
        expect(q.android?.batteryLevel).toBe(55);
        expect(q.android?.batteryTempC).toBeCloseTo(31);
        expect(q.android?.rooted).toBe(true);
        expect(q.android?.sdk).toBe(0);
    });

    it('treats a device with su on PATH as rooted and survives empty output', () => {
        expect(
            parseAndroidProbe(`${S} uid\n2000\n${S} su\n/system/xbin/su\n`, { workDir: '/w', probedAt: 't' }).android
                ?.rooted,
        ).toBe(true);
        const empty = parseAndroidProbe('', { workDir: '/w', probedAt: 't' });
        expect(empty.cores).toBe(0);
        expect(empty.coreMaxFreqKhz).toEqual([]);
        expect(empty.bigCoreMask).toBeUndefined();
    });
});

describe('android host identity', () => {
    const props = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));
    const FP = 'samsung/a01qxx/a01q:10/QP1A.190711.020/A015FXXU3ATJ1:user/release-keys';

    it('a real phone is its own CPUs: ro.serialno, else the adb serial, else the build fingerprint', () => {
        expect(
            androidHostIdentity(props({ 'ro.serialno': 'R58N71ABCDE', 'ro.build.fingerprint': FP }), 'usb1', ''),
        ).toEqual({
            cpuHost: 'android:R58N71ABCDE',
            serial: 'R58N71ABCDE',
            buildFingerprint: FP,
        });
        expect(androidHostIdentity(props({ 'ro.serialno': '' }), '192.168.1.7:5555', '').cpuHost).toBe(
            'android:192.168.1.7:5555',
        );
        expect(androidHostIdentity(props({ 'ro.build.fingerprint': FP }), undefined, '').cpuHost).toBe(`android:${FP}`);
    });

    it('a simulated phone (ro.kernel.qemu or ro.boot.qemu) runs on the host named by the splitbench property', () => {
        const id = androidHostIdentity(
            props({
                'ro.kernel.qemu': '1',
                'ro.serialno': 'R58N71SIM01',
                [SIM_HOST_MACHINE_ID_PROP]: '3d1219c7c4c5404aaa1f6d2a48adfda4',
            }),
            '127.0.0.1:40001',
            'df35dd3b-3586-484c-8019-28a29234f43c\n',
        );
        expect(id).toEqual({
            cpuHost: 'linux:3d1219c7c4c5404aaa1f6d2a48adfda4',
            machineId: '3d1219c7c4c5404aaa1f6d2a48adfda4',
            serial: 'R58N71SIM01',
            bootId: 'df35dd3b-3586-484c-8019-28a29234f43c',
            simulated: true,
        });
        expect(androidHostIdentity(props({ 'ro.boot.qemu': '1' }), 'emulator-5554', '')).toMatchObject({
            cpuHost: 'unknown',
            simulated: true,
            warning: expect.stringMatching(/simulated .*queue of its own/) as unknown,
        });
    });

    it("a simulated phone's host CPU count comes from its property, not from the profile's cores", () => {
        const base = { 'ro.kernel.qemu': '1', [SIM_HOST_MACHINE_ID_PROP]: '3d1219c7c4c5404aaa1f6d2a48adfda4' };
        expect(androidHostIdentity(props({ ...base, [SIM_HOST_CPUS_PROP]: '2' }), 's', '').cpus).toBe(2);
        // absent or nonsense: unknown, never a guess
        expect(androidHostIdentity(props(base), 's', '').cpus).toBeUndefined();
        expect(androidHostIdentity(props({ ...base, [SIM_HOST_CPUS_PROP]: '0' }), 's', '').cpus).toBeUndefined();
        expect(androidHostIdentity(props({ ...base, [SIM_HOST_CPUS_PROP]: '2.5' }), 's', '').cpus).toBeUndefined();
        // a real phone's CPUs are its own: the property means nothing there
        expect(androidHostIdentity(props({ 'ro.serialno': 'R5', [SIM_HOST_CPUS_PROP]: '2' }), 's', '').cpus).toBe(
            undefined,
        );
    });

    it('nothing readable: unknown, with a one-line warning', () => {
        const id = androidHostIdentity(props({}), undefined, '');
        expect(id.cpuHost).toBe('unknown');
        expect(id.warning?.split('\n')).toHaveLength(1);
    });

    it('parseAndroidProbe fills host from getprop and the adb serial', () => {
        const q = parseAndroidProbe(A01, { workDir: '/w', probedAt: 't', adbSerial: '0123456789ABCDEF' });
        expect(q.host?.buildFingerprint).toBe(FP);
        expect(q.host?.simulated).toBeUndefined();
        expect(q.host?.cpuHost).toBe('android:0123456789ABCDEF');
    });
});

describe('probe helpers', () => {
    it('countCpuList', () => {
        expect(countCpuList('0-7')).toBe(8);
        expect(countCpuList('0-3,6,8-9\n')).toBe(7);
        expect(countCpuList('')).toBe(0);
    });
    it('parseGetprop ignores malformed lines', () => {
        expect([...parseGetprop(['[a]: [1]', 'junk', '[b]: []'])]).toEqual([
            ['a', '1'],
            ['b', ''],
        ]);
    });
    it('the script runs under a real POSIX sh and yields every section', () => {
        const dir = mkdtempSync(join(tmpdir(), 'sb-probe-'));
        try {
            const out = execFileSync('/bin/sh', ['-c', ANDROID_PROBE_SCRIPT, 'sh', join(dir, 'w')]).toString();
            for (const s of ['props', 'cpus', 'thermal', 'battery', 'df', 'uid', 'end'])
                expect(out).toContain(`@@SB@@ ${s}\n`);
            const p = parseAndroidProbe(out, { workDir: '/w', probedAt: 't' });
            expect(p.freeBytes).toBeGreaterThan(0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
