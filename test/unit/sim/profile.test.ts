import { describe, expect, it } from 'vitest';
import { loadProfile, parseProfile, profileCores, profileFiles } from '../../../src/sim/profile.js';

describe('device profiles', () => {
    it('ships a Samsung Galaxy A01 profile', () => {
        const p = loadProfile();
        expect(p.props['ro.product.model']).toBe('SM-A015F');
        expect(p.props['ro.build.version.sdk']).toBe('29');
        expect(p.props['ro.product.cpu.abilist']?.split(',')[0]).toBe('arm64-v8a');
        const cores = profileCores(p);
        expect(cores).toHaveLength(8);
        expect(new Set(cores.map((c) => c.maxFreqKhz)).size).toBe(2);
    });

    it('generates /proc and /sys files', () => {
        const files = profileFiles(loadProfile());
        expect(files.get('/sys/devices/system/cpu/possible')).toBe('0-7\n');
        expect(files.get('/sys/devices/system/cpu/cpu7/cpufreq/cpuinfo_max_freq')).toBe('1958400\n');
        expect(files.get('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor')).toBe('schedutil\n');
        expect(files.get('/sys/class/power_supply/battery/capacity')).toBe('87\n');
        expect(files.get('/sys/class/thermal/thermal_zone0/temp')).toMatch(/^\d+\n$/);
        expect(files.get('/proc/cpuinfo')).toMatch(/Hardware\t: Qualcomm Technologies, Inc SDM439\n$/);
        expect(files.get('/proc/meminfo')).toMatch(/^MemTotal:\s+\d+ kB\n/);
    });

    it('names the file and field of a bad profile', () => {
        expect(() => parseProfile('name: x\n', 'bad.yaml')).toThrow(/^profile bad.yaml: field /);
        expect(() => parseProfile(': : :\n  - [', 'broken.yaml')).toThrow(/^profile broken.yaml: not valid YAML/);
        const text = `${JSON.stringify({ ...loadProfile(), files: { '/etc/passwd': 'x' } })}`;
        expect(() => parseProfile(text, 'p.yaml')).toThrow(/field files.\/etc\/passwd: must lie under/);
    });

    it('reports a missing profile file', () => {
        expect(() => loadProfile('/nonexistent/profile.yaml')).toThrow(
            /profile \/nonexistent\/profile.yaml: cannot read/,
        );
    });
});
