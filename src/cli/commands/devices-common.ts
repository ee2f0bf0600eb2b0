// Helpers shared by the `splitbench devices …` commands: output, flag values, probe formatting, one-shot probes.
import type { Command } from 'commander';
import { relative } from 'node:path';
import { defaultDevicesDir, fingerprintSource, type DeviceSpec } from '../../config/device-file.js';
import { createDriver } from '../../drivers/create.js';
import type { DeviceProbe } from '../../drivers/types.js';
import { SplitbenchError } from '../../errors.js';

interface GroupOptions {
    devices?: string | undefined;
}

export const out = (s: string): void => {
    process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
export const note = (s: string): void => {
    process.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
};

export const devicesDir = (cmd: Command): string => defaultDevicesDir(cmd.optsWithGlobals<GroupOptions>().devices);

export const shown = (file: string): string => {
    const rel = relative(process.cwd(), file);
    return rel.startsWith('..') ? file : rel;
};

export const seconds = (flag: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0)
        throw new SplitbenchError('USAGE', `${flag} ${JSON.stringify(v)}: expected a positive number of seconds`);
    return n;
};

export const nonNegative = (flag: string, v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0)
        throw new SplitbenchError('USAGE', `${flag} ${JSON.stringify(v)}: expected a number ≥ 0`);
    return n;
};

// ---- formatting ----------------------------------------------------------------------------------------

export const gib = (bytes: number): string =>
    bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;

export const maxTemp = (p: DeviceProbe): { zone: string; c: number } | undefined => {
    let best: { zone: string; c: number } | undefined;
    for (const [zone, c] of Object.entries(p.thermalC)) if (best === undefined || c > best.c) best = { zone, c };
    return best;
};

/** One-line description of a probe: what the device is and its state. */
export const probeSummary = (p: DeviceProbe): string => {
    const parts: string[] = [];
    if (p.android !== undefined) {
        const a = p.android;
        parts.push(`${a.manufacturer} ${a.model}`, `Android ${a.release} (SDK ${a.sdk})`);
        if (a.soc !== undefined) parts.push(a.soc);
    } else {
        parts.push([p.hostname, p.os].filter(Boolean).join(', '));
        if (p.kernel !== undefined) parts.push(`kernel ${p.kernel}`);
        if (p.cpuModel !== undefined) parts.push(p.cpuModel);
    }
    parts.push(`${p.cores} cores${p.bigCoreMask !== undefined ? ` (big ${p.bigCoreMask})` : ''}`);
    parts.push(p.abis[0] ?? p.arch);
    if (p.memTotalMb !== undefined) parts.push(`${(p.memTotalMb / 1024).toFixed(1)} GiB RAM`);
    if (p.freeBytes !== undefined) parts.push(`${gib(p.freeBytes)} free in ${p.workDir}`);
    const t = maxTemp(p);
    if (t !== undefined) parts.push(`max ${t.c.toFixed(1)} °C (${t.zone})`);
    if (p.android?.batteryLevel !== undefined) parts.push(`battery ${p.android.batteryLevel}%`);
    if (p.android?.rooted === true) parts.push('rooted');
    return parts.join(', ');
};

export const table = (rows: string[][]): string => {
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    return rows
        .map((r) =>
            r
                .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
                .join('  ')
                .trimEnd(),
        )
        .join('\n');
};

// ---- driver helpers ------------------------------------------------------------------------------------

export const probeDevice = async (spec: DeviceSpec, timeoutMs: number): Promise<DeviceProbe> => {
    const driver = await createDriver(spec, { fingerprintSource: fingerprintSource(spec) });
    try {
        return await driver.probe({ timeoutMs });
    } finally {
        await driver.close();
    }
};
