// `splitbench devices check`: every (or the named) device probed in parallel and judged healthy or not.
import { deviceAddress, listDevices, loadDevice, saveProbe, type DeviceSpec } from '../../config/device-file.js';
import type { DeviceProbe } from '../../drivers/types.js';
import { SplitbenchError, isSplitbenchError, messageOf } from '../../errors.js';
import { gib, maxTemp, nonNegative, out, probeDevice, seconds, shown } from './devices-common.js';

// ---- check ---------------------------------------------------------------------------------------------

export interface CheckOptions {
    timeout: string;
    minFreeMb: string;
    maxTemp: string;
    json?: boolean | undefined;
}

export interface HealthReport {
    name: string;
    kind: DeviceSpec['kind'];
    address: string;
    healthy: boolean;
    problems: string[];
    probe?: DeviceProbe | undefined;
    errorCode?: string | undefined;
}

export const judgeHealth = (p: DeviceProbe, limits: { minFreeBytes: number; maxTempC: number }): string[] => {
    const problems: string[] = [];
    if (p.freeBytes !== undefined && p.freeBytes < limits.minFreeBytes) {
        problems.push(`only ${gib(p.freeBytes)} free in ${p.workDir} (need ${gib(limits.minFreeBytes)})`);
    }
    const t = maxTemp(p);
    if (t !== undefined && t.c > limits.maxTempC)
        problems.push(`${t.zone} at ${t.c.toFixed(1)} °C (limit ${limits.maxTempC} °C)`);
    const bt = p.android?.batteryTempC;
    if (bt !== undefined && bt > limits.maxTempC)
        problems.push(`battery at ${bt.toFixed(1)} °C (limit ${limits.maxTempC} °C)`);
    return problems;
};

export const checkDevices = async (dir: string, names: string[], o: CheckOptions): Promise<void> => {
    const timeoutMs = seconds('--timeout', o.timeout) * 1000;
    const limits = {
        minFreeBytes: nonNegative('--min-free-mb', o.minFreeMb) * 1024 * 1024,
        maxTempC: nonNegative('--max-temp', o.maxTemp),
    };
    let specs: DeviceSpec[];
    const reports: HealthReport[] = [];
    if (names.length > 0) {
        specs = names.map((n) => loadDevice(dir, n));
    } else {
        const listed = listDevices(dir);
        specs = listed.devices;
        for (const bad of listed.errors) {
            reports.push({
                name: bad.name,
                kind: 'local',
                address: shown(bad.file),
                healthy: false,
                problems: [bad.error.message],
                errorCode: bad.error.code,
            });
        }
        if (specs.length === 0 && listed.errors.length === 0) {
            throw new SplitbenchError(
                'DEVICE_UNKNOWN',
                `no devices in ${shown(dir) || '.'}/ — add one with splitbench devices add`,
            );
        }
    }
    const checked = await Promise.all(
        specs.map(async (spec): Promise<HealthReport> => {
            const base = { name: spec.name, kind: spec.kind, address: deviceAddress(spec) };
            try {
                const probe = await probeDevice(spec, timeoutMs);
                saveProbe(dir, spec, probe);
                const problems = judgeHealth(probe, limits);
                return { ...base, healthy: problems.length === 0, problems, probe };
            } catch (e) {
                return {
                    ...base,
                    healthy: false,
                    problems: [messageOf(e)],
                    errorCode: isSplitbenchError(e) ? e.code : 'INTERNAL',
                };
            }
        }),
    );
    reports.unshift(...checked);
    if (o.json === true) {
        out(JSON.stringify(reports, null, 2));
    } else {
        const width = Math.max(...reports.map((r) => r.name.length));
        for (const r of reports) {
            const state = r.healthy ? 'ok  ' : 'FAIL';
            const detail = r.healthy && r.probe !== undefined ? healthLine(r.probe) : r.problems.join('; ');
            out(`${state}  ${r.name.padEnd(width)}  ${r.kind.padEnd(5)}  ${detail}`);
        }
    }
    if (reports.some((r) => !r.healthy)) process.exitCode = 1;
};

const healthLine = (p: DeviceProbe): string => {
    const parts = ['reachable'];
    if (p.freeBytes !== undefined) parts.push(`${gib(p.freeBytes)} free`);
    const t = maxTemp(p);
    if (t !== undefined) parts.push(`max ${t.c.toFixed(1)} °C`);
    if (p.android?.batteryLevel !== undefined) parts.push(`battery ${p.android.batteryLevel}%`);
    if (p.loadAvg?.[0] !== undefined) parts.push(`load ${p.loadAvg[0]}`);
    return parts.join(', ');
};
