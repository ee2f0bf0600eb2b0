import { describe, expect, it } from 'vitest';
import type { DeviceProbe, HostIdentity } from '../../../src/drivers/types.js';
import { dryRunQueues, groupByCpuHost, scheduleDevices } from '../../../src/runner/host-queues.js';

const HOST = 'linux:3d1219c7c4c5404aaa1f6d2a48adfda4';
const probe = (host?: HostIdentity): DeviceProbe => ({
    kind: 'local',
    probedAt: 't',
    ...(host !== undefined ? { host } : {}),
    os: 'Linux',
    arch: 'x86_64',
    abis: ['x86_64'],
    cores: 2,
    coreMaxFreqKhz: [],
    governors: [],
    thermalC: {},
    workDir: '/w',
});

describe('host queues', () => {
    const devices = [
        { name: 'ue', probe: probe({ cpuHost: HOST, machineId: HOST.slice(6) }) },
        { name: 'phone', probe: probe({ cpuHost: 'android:R58N71ABCDE', serial: 'R58N71ABCDE' }) },
        { name: 'srv', probe: probe({ cpuHost: HOST, machineId: HOST.slice(6) }) },
        { name: 'anon', probe: probe({ cpuHost: 'unknown', warning: 'host identity unknown: no machine-id' }) },
        { name: 'old', probe: probe() },
        { name: 'new' },
    ];

    it('one queue per cpuHost; unknown, old and unprobed identities each alone', () => {
        const g = groupByCpuHost(devices);
        expect(g.queues).toEqual([
            { cpuHost: HOST, devices: ['ue', 'srv'] },
            { cpuHost: 'android:R58N71ABCDE', devices: ['phone'] },
            { cpuHost: 'device:anon', devices: ['anon'] },
            { cpuHost: 'device:old', devices: ['old'] },
            { cpuHost: 'device:new', devices: ['new'] },
        ]);
        expect(g.warnings).toEqual([
            'device anon: host identity unknown: no machine-id',
            'device old: its probe has no host identity (probed by an older splitbench); own queue',
        ]);
        expect(g.unprobed).toEqual(['new']);
    });

    it('serializes shared hosts unless the campaign opts in, which is warned and recorded', () => {
        const serial = scheduleDevices(devices.slice(0, 3), false);
        expect(serial.groups).toEqual([['ue', 'srv']]);
        expect(serial.record.parallelOnSharedHost).toBe(false);
        expect(serial.lines).toEqual(['scheduling: ue, srv share linux:3d1219c7…: one queue, one job at a time']);
        const par = scheduleDevices(devices.slice(0, 3), true);
        expect(par.groups).toEqual([]);
        expect(par.record).toEqual({
            queues: [
                { cpuHost: HOST, devices: ['ue', 'srv'] },
                { cpuHost: 'android:R58N71ABCDE', devices: ['phone'] },
            ],
            parallelOnSharedHost: true,
        });
        expect(par.lines).toEqual([
            `warning: scheduling.parallelOnSharedHost: ue + srv share CPUs (${HOST}) and run at the same time; their timings include each other's load`,
        ]);
        // nothing shared: the opt-in changes nothing and says nothing
        expect(scheduleDevices(devices.slice(1, 2), true).lines).toEqual([]);
    });

    it('dry run: a device never probed is "identity unknown until probed"', () => {
        const d = dryRunQueues([{ name: 'new' }, { name: 'phone', probe: devices[1]?.probe }], false);
        expect(d.queues).toEqual([
            { devices: ['new'], cpuHost: undefined, note: 'identity unknown until probed' },
            { devices: ['phone'], cpuHost: 'android:R58N71ABCDE', note: undefined },
        ]);
    });
});
