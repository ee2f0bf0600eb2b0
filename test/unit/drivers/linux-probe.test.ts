import { describe, expect, it } from 'vitest';
import {
    bigCoreMask,
    coreMaxFreqList,
    parseCpuinfo,
    parseDfAvailBytes,
    linuxHostIdentity,
    parseBootId,
    parseLinuxProbe,
    parseMachineId,
    parseOsRelease,
    parsePerCpuLines,
    parseThermal,
} from '../../../src/drivers/linux-probe.js';

const S = '@@splitbench:';

const X86_CPUINFO = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz
cpu MHz\t\t: 2599.998

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz
`;

// Layout of a big.LITTLE arm64 board (4 x A55 + 4 x A76), as /proc/cpuinfo prints it.
const ARM_CPUINFO = Array.from(
    { length: 8 },
    (_, i) => `processor\t: ${i}
BogoMIPS\t: 38.40
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x${i < 4 ? 2 : 1}
CPU part\t: ${i < 4 ? '0xd05' : '0xd0b'}
CPU revision\t: 0
`,
).join('\n');

const armFreq = Array.from(
    { length: 8 },
    (_, i) => `/sys/devices/system/cpu/cpu${i}/cpufreq/cpuinfo_max_freq ${i < 4 ? 1800000 : 2400000}`,
).join('\n');

describe('linux probe parsing', () => {
    it('reads os-release with quotes and escapes', () => {
        const r = parseOsRelease(
            'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME=Ubuntu\nVERSION_ID="12"\nX="a \\"b\\""\n# c\n',
        );
        expect(r).toEqual({
            PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
            NAME: 'Ubuntu',
            VERSION_ID: '12',
            X: 'a "b"',
        });
    });

    it('reads CPU model from x86 and ARM cpuinfo', () => {
        expect(parseCpuinfo(X86_CPUINFO)).toMatchObject({
            processors: 2,
            model: 'Intel(R) Xeon(R) CPU E5-2690 v4 @ 2.60GHz',
        });
        expect(parseCpuinfo(ARM_CPUINFO)).toMatchObject({ processors: 8, model: 'Cortex-A55' });
        expect(
            parseCpuinfo(
                'Processor\t: AArch64 Processor rev 4 (aarch64)\nprocessor\t: 0\nHardware\t: Qualcomm Technologies, Inc SDM439\n',
            ),
        ).toEqual({
            processors: 1,
            model: 'AArch64 Processor rev 4 (aarch64)',
            hardware: 'Qualcomm Technologies, Inc SDM439',
        });
    });

    it('derives per-core max frequency and the big-core mask', () => {
        const freq = coreMaxFreqList(parsePerCpuLines(armFreq), 8);
        expect(freq).toEqual([1800000, 1800000, 1800000, 1800000, 2400000, 2400000, 2400000, 2400000]);
        expect(bigCoreMask(freq)).toBe('f0');
        expect(bigCoreMask([2000000, 2000000])).toBe('3');
        expect(bigCoreMask([])).toBeUndefined();
        // A core missing from sysfs (offline) stays 0 and is not in the mask.
        expect(
            coreMaxFreqList(parsePerCpuLines('/sys/devices/system/cpu/cpu1/cpufreq/cpuinfo_max_freq 100'), 3),
        ).toEqual([0, 100, 0]);
    });

    it('reads thermal zones in millidegrees and degrees, with duplicate types', () => {
        expect(parseThermal('cpu-thermal 45123\ncpu-thermal 47000\nbattery 31\nbroken\n')).toEqual({
            'cpu-thermal': 45.123,
            'cpu-thermal#2': 47,
            battery: 31,
        });
    });

    it('reads free space from df -Pk, even with spaces in the filesystem name', () => {
        const df =
            'Filesystem     1024-blocks      Used Available Capacity Mounted on\nmy fs   100 40 60 40% /tmp/x y\n';
        expect(parseDfAvailBytes(df)).toBe(60 * 1024);
        expect(
            parseDfAvailBytes('Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 100 40 60 40% /\n'),
        ).toBe(60 * 1024);
        expect(parseDfAvailBytes('')).toBeUndefined();
    });

    it('assembles a full probe and tolerates missing sections', () => {
        const text = [
            `${S}hostname`,
            'bench-server',
            `${S}os-release`,
            'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nVERSION_ID="22.04"',
            `${S}uname`,
            'Linux\n6.5.0-41-generic\naarch64',
            `${S}cpuinfo`,
            ARM_CPUINFO,
            `${S}nproc`,
            '8',
            `${S}cpufreq`,
            armFreq,
            `${S}governors`,
            '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor schedutil\n/sys/devices/system/cpu/cpu4/cpufreq/scaling_governor performance',
            `${S}meminfo`,
            'MemTotal:       16318480 kB\nMemFree: 1 kB',
            `${S}loadavg`,
            '0.52 0.58 0.59 1/1234 5678',
            `${S}thermal`,
            'x86_pkg_temp 52000',
            `${S}df`,
            'Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/nvme0n1p2 100 40 2048 40% /',
            `${S}machine-id`,
            '5C2F0E3A9B8D4F1E8A7B6C5D4E3F2A1B',
            `${S}boot-id`,
            '0b6cf3e2-8c1d-4b7a-9e5f-3a2d1c0b9e8f',
        ].join('\n');
        const p = parseLinuxProbe(text, { kind: 'ssh', workDir: '/tmp/w', probedAt: '2026-01-01T00:00:00.000Z' });
        expect(p).toEqual({
            kind: 'ssh',
            probedAt: '2026-01-01T00:00:00.000Z',
            host: {
                cpuHost: 'linux:5c2f0e3a9b8d4f1e8a7b6c5d4e3f2a1b',
                machineId: '5c2f0e3a9b8d4f1e8a7b6c5d4e3f2a1b',
                bootId: '0b6cf3e2-8c1d-4b7a-9e5f-3a2d1c0b9e8f',
            },
            hostname: 'bench-server',
            os: 'Ubuntu 22.04.4 LTS',
            osRelease: '22.04',
            kernel: '6.5.0-41-generic',
            arch: 'aarch64',
            abis: ['aarch64'],
            cpuModel: 'Cortex-A55',
            cores: 8,
            coreMaxFreqKhz: [1800000, 1800000, 1800000, 1800000, 2400000, 2400000, 2400000, 2400000],
            bigCoreMask: 'f0',
            governors: ['schedutil', 'performance'],
            memTotalMb: 15936,
            loadAvg: [0.52, 0.58, 0.59],
            thermalC: { x86_pkg_temp: 52 },
            workDir: '/tmp/w',
            freeBytes: 2048 * 1024,
        });
        const bare = parseLinuxProbe(`${S}uname\nLinux\n5.10\nx86_64\n`, {
            kind: 'local',
            workDir: '/w',
            probedAt: 't',
        });
        expect(bare).toMatchObject({ os: 'Linux', cores: 1, coreMaxFreqKhz: [], governors: [], thermalC: {} });
        expect(bare.bigCoreMask).toBeUndefined();
        // no machine-id section: an identity with a warning, never a failed probe
        expect(bare.host?.cpuHost).toBe('unknown');
        expect(bare.host?.warning).toMatch(/machine-id .*queue of its own/);
    });

    it('reads machine-id and boot_id, and rejects what is not one', () => {
        expect(parseMachineId('3d1219c7c4c5404aaa1f6d2a48adfda4\n')).toBe('3d1219c7c4c5404aaa1f6d2a48adfda4');
        expect(parseMachineId('  ABCDEF0123456789ABCDEF0123456789  ')).toBe('abcdef0123456789abcdef0123456789');
        // first boot before systemd wrote it; a truncated file; an all-zero id some images ship; nothing
        expect(parseMachineId('uninitialized\n')).toBeUndefined();
        expect(parseMachineId('3d1219c7c4c5404a\n')).toBeUndefined();
        expect(parseMachineId('00000000000000000000000000000000')).toBeUndefined();
        expect(parseMachineId('')).toBeUndefined();
        expect(parseBootId('df35dd3b-3586-484c-8019-28a29234f43c\n')).toBe('df35dd3b-3586-484c-8019-28a29234f43c');
        expect(parseBootId('df35dd3b35864')).toBeUndefined();
        expect(linuxHostIdentity('3d1219c7c4c5404aaa1f6d2a48adfda4', '')).toEqual({
            cpuHost: 'linux:3d1219c7c4c5404aaa1f6d2a48adfda4',
            machineId: '3d1219c7c4c5404aaa1f6d2a48adfda4',
        });
        const unreadable = linuxHostIdentity('', 'df35dd3b-3586-484c-8019-28a29234f43c');
        expect(unreadable).toMatchObject({ cpuHost: 'unknown', bootId: 'df35dd3b-3586-484c-8019-28a29234f43c' });
        expect(unreadable.warning?.split('\n')).toHaveLength(1);
    });
});
