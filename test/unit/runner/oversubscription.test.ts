// Threads above the CPUs a device has: which CPU count counts (a simulated phone's host, not its profile), and
// one warning per device at the most threads its jobs ask for.
import { describe, expect, it } from 'vitest';
import { RoleSettingsSchema } from '../../../src/config/schema.js';
import type { DeviceProbe } from '../../../src/drivers/types.js';
import type { Job } from '../../../src/plan/types.js';
import { deviceCpus, oversubscribed, oversubscribedText } from '../../../src/runner/oversubscription.js';
import { makeJob } from '../../support/store-fixtures.js';

const probe = (cores: number, host?: DeviceProbe['host']): DeviceProbe => ({
    kind: 'adb',
    probedAt: '2026-12-01T00:00:00Z',
    host,
    os: 'android',
    arch: 'aarch64',
    abis: ['arm64-v8a'],
    cores,
    coreMaxFreqKhz: [],
    governors: [],
    thermalC: {},
    workDir: '/data/local/tmp',
});

const withThreads = (job: Job, threads: number | 'all'): Job => ({
    ...job,
    settings: RoleSettingsSchema.parse({ threads, cpuAffinity: 'none' }),
});

const SIM_ON_2 = probe(8, { cpuHost: 'linux:3d1219c7c4c5404aaa1f6d2a48adfda4', simulated: true, cpus: 2 });

describe('deviceCpus', () => {
    it("a simulated phone has its host's CPUs; anything else its probed cores", () => {
        expect(deviceCpus(SIM_ON_2)).toBe(2);
        expect(deviceCpus(probe(8, { cpuHost: 'android:R58' }))).toBe(8);
        expect(deviceCpus(probe(4))).toBe(4);
        // a simulator that does not say: unknown rather than the profile's eight
        expect(deviceCpus(probe(8, { cpuHost: 'linux:x', simulated: true }))).toBeUndefined();
        expect(deviceCpus(undefined)).toBeUndefined();
    });
});

describe('oversubscribed', () => {
    it('warns once per device, at the most threads any of its jobs asks for', () => {
        const jobs = [
            withThreads(makeJob({ device: 'a01-sim', split: 1 }), 1),
            withThreads(makeJob({ device: 'a01-sim', split: 2 }), 4),
            withThreads(makeJob({ device: 'a01-sim', split: 3 }), 3),
            withThreads(makeJob({ device: 'srv', kind: 'measure-tail' }), 4),
        ];
        const probes = new Map([
            ['a01-sim', SIM_ON_2],
            ['srv', probe(4, { cpuHost: 'linux:other' })],
        ]);
        const o = oversubscribed(jobs, (d) => probes.get(d));
        // srv: 4 threads on 4 cores is not above
        expect(o).toEqual([{ device: 'a01-sim', threads: 4, cpus: 2, simulated: true }]);
        expect(oversubscribedText(o[0] as (typeof o)[0])).toBe(
            'a01-sim: 4 threads asked on 2 CPU(s) (a simulated phone: the CPUs of the host that runs it): the ' +
                'threads take turns on the cores, so its times include waiting for one; fewer threads measure the ' +
                'device without that wait (docs/measurement-conditions.md)',
        );
    });

    it("threads: all on a simulated phone is the profile's 8 cores, above a 2-CPU host", () => {
        const o = oversubscribed([withThreads(makeJob({ device: 'a01-sim' }), 'all')], () => SIM_ON_2);
        expect(o).toEqual([{ device: 'a01-sim', threads: 8, cpus: 2, simulated: true }]);
    });

    it('an unprobed device counts the fallback CPUs, or is left out', () => {
        const jobs = [withThreads(makeJob({ device: 'here' }), 3), withThreads(makeJob({ device: 'phone' }), 3)];
        const o = oversubscribed(
            jobs,
            () => undefined,
            (d) => (d === 'here' ? 2 : undefined),
        );
        expect(o).toEqual([{ device: 'here', threads: 3, cpus: 2, simulated: false }]);
    });
});
