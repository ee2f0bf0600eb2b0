// Device facts that explain a change in timings (Android build, governor, temperature…): what compare and history
// print next to the numbers measured on that device.
import type { ProbeInfo } from './types.js';

/** The devices of a run with their probe snapshots (RunData in compare.ts satisfies it). */
export interface RunDevices {
    devices: readonly { name: string; probe?: ProbeInfo | null | undefined }[];
}

export interface ProbeChange {
    device: string;
    fact: string;
    a: string | null;
    b: string | null;
}

/** Facts that explain a change in timings; compared as strings. */
export const probeFacts = (p: ProbeInfo | null | undefined): Record<string, string> => {
    if (p === null || p === undefined) return {};
    const f: Record<string, string> = {};
    const set = (k: string, v: string | number | undefined): void => {
        if (v !== undefined && v !== '') f[k] = String(v);
    };
    set('os', [p.os, p.osRelease].filter((x) => x !== undefined).join(' '));
    set('kernel', p.kernel);
    set('cpu', p.cpuModel);
    set('cores', p.cores);
    set('big core mask', p.bigCoreMask);
    set('governor', [...new Set(p.governors ?? [])].join(','));
    const temps = Object.values(p.thermalC ?? {});
    if (temps.length > 0) set('max temperature °C', Math.max(...temps).toFixed(1));
    if (p.android !== undefined) {
        set('android build', p.android.build);
        if (p.android.release !== undefined)
            set('android release', `${p.android.release} (SDK ${p.android.sdk ?? '?'})`);
        set('battery temperature °C', p.android.batteryTempC);
        if (p.android.rooted !== undefined) set('rooted', String(p.android.rooted));
    }
    return f;
};

/** Every fact that differs between two runs' probes of the same device name (a device in one run only: all its facts). */
export const diffProbes = (a: RunDevices, b: RunDevices): ProbeChange[] => {
    const out: ProbeChange[] = [];
    const names = new Set([...a.devices.map((d) => d.name), ...b.devices.map((d) => d.name)]);
    for (const name of names) {
        const fa = probeFacts(a.devices.find((d) => d.name === name)?.probe);
        const fb = probeFacts(b.devices.find((d) => d.name === name)?.probe);
        for (const fact of new Set([...Object.keys(fa), ...Object.keys(fb)])) {
            const va = fa[fact] ?? null;
            const vb = fb[fact] ?? null;
            if (va !== vb) out.push({ device: name, fact, a: va, b: vb });
        }
    }
    return out;
};
