// Device profiles for the simulator: what getprop, /proc and /sys say. Schema and file generation are pure;
// loadProfile reads the YAML.

import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SplitbenchError, messageOf } from '../errors.js';

/** Features the simulator can honour when a profile advertises them. */
export const SUPPORTED_FEATURES = ['shell_v2', 'fixed_push_mkdir'] as const;

/** Device path prefixes whose content comes from the profile (mounted read-only). */
export const PROFILE_MOUNTS = [
    '/proc/cpuinfo',
    '/proc/meminfo',
    '/proc/version',
    '/sys/devices/system/cpu',
    '/sys/class/thermal',
    '/sys/class/power_supply',
] as const;

const cluster = z.strictObject({
    count: z.number().int().min(1).max(64),
    maxFreqKhz: z.number().int().positive(),
    minFreqKhz: z.number().int().positive(),
    governor: z.string().min(1),
    cluster: z.number().int().min(0),
});

export const profileSchema = z.strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    features: z.array(z.enum(SUPPORTED_FEATURES)).default([...SUPPORTED_FEATURES]),
    shellUser: z
        .strictObject({ uid: z.number().int().min(0), gid: z.number().int().min(0), name: z.string().min(1) })
        .default({ uid: 2000, gid: 2000, name: 'shell' }),
    hiddenCommands: z.array(z.string().regex(/^[A-Za-z0-9_.+-]+$/)).default(['su', 'sudo']),
    kernel: z.strictObject({ release: z.string(), version: z.string(), machine: z.string() }),
    props: z
        .record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.string().regex(/^[^\n]*$/))
        .refine((p) => p['ro.product.model'] !== undefined, 'props must set ro.product.model'),
    cpus: z.array(cluster).min(1),
    cpuinfo: z.strictObject({
        implementer: z.string(),
        part: z.string(),
        variant: z.string(),
        revision: z.number().int(),
        bogomips: z.string(),
        features: z.string(),
        hardware: z.string(),
    }),
    governors: z.array(z.string().min(1)).min(1),
    memory: z.strictObject({
        totalKb: z.number().int().positive(),
        freeKb: z.number().int().min(0),
        availableKb: z.number().int().min(0),
    }),
    thermal: z.array(z.strictObject({ type: z.string().min(1), tempMilliC: z.number().int() })),
    /** /data as `df` reports it (the probe's free space), instead of the host disk behind the simulator. */
    storage: z
        .strictObject({ totalKb: z.number().int().positive(), availableKb: z.number().int().min(0) })
        .default({ totalKb: 24169728, availableKb: 14293184 }),
    battery: z.strictObject({
        capacity: z.number().int().min(0).max(100),
        tempDeciC: z.number().int(),
        status: z.string(),
        health: z.string(),
        voltageUv: z.number().int(),
        technology: z.string(),
    }),
    /** Extra or overriding files, keyed by device path under one of PROFILE_MOUNTS. */
    files: z.record(z.string(), z.string()).default({}),
});

export type DeviceProfile = z.infer<typeof profileSchema>;

const packageRoot = (): string => resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The profile shipped with splitbench (devices/profiles/samsung-a01.yaml). */
export const defaultProfilePath = (): string => join(packageRoot(), 'devices', 'profiles', 'samsung-a01.yaml');

export const parseProfile = (text: string, source: string): DeviceProfile => {
    let raw: unknown;
    try {
        raw = parseYaml(text);
    } catch (e) {
        throw new SplitbenchError('CONFIG_INVALID', `profile ${source}: not valid YAML (${messageOf(e)})`, {
            cause: e,
        });
    }
    const r = profileSchema.safeParse(raw);
    if (!r.success) {
        const issue = r.error.issues[0];
        const where = issue === undefined || issue.path.length === 0 ? '' : ` field ${issue.path.join('.')}:`;
        throw new SplitbenchError('CONFIG_INVALID', `profile ${source}:${where} ${issue?.message ?? 'invalid'}`, {
            details: { issues: r.error.issues },
        });
    }
    for (const path of Object.keys(r.data.files)) {
        if (!PROFILE_MOUNTS.some((m) => path === m || path.startsWith(`${m}/`)) || path.includes('/../')) {
            throw new SplitbenchError(
                'CONFIG_INVALID',
                `profile ${source}: field files.${path}: must lie under one of ${PROFILE_MOUNTS.join(', ')}`,
            );
        }
    }
    return r.data;
};

export const loadProfile = (file: string = defaultProfilePath()): DeviceProfile => {
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch (e) {
        throw new SplitbenchError('NOT_FOUND', `profile ${file}: cannot read (${messageOf(e)})`, { cause: e });
    }
    return parseProfile(text, file);
};

export interface CpuCore {
    index: number;
    maxFreqKhz: number;
    minFreqKhz: number;
    governor: string;
    cluster: number;
}

export const profileCores = (p: DeviceProfile): CpuCore[] => {
    const cores: CpuCore[] = [];
    for (const c of p.cpus) {
        for (let i = 0; i < c.count; i++) {
            cores.push({
                index: cores.length,
                maxFreqKhz: c.maxFreqKhz,
                minFreqKhz: c.minFreqKhz,
                governor: c.governor,
                cluster: c.cluster,
            });
        }
    }
    return cores;
};

const cpuinfoText = (p: DeviceProfile): string => {
    const ci = p.cpuinfo;
    const blocks = profileCores(p).map((c) =>
        [
            `processor\t: ${c.index}`,
            `BogoMIPS\t: ${ci.bogomips}`,
            `Features\t: ${ci.features}`,
            `CPU implementer\t: ${ci.implementer}`,
            'CPU architecture: 8',
            `CPU variant\t: ${ci.variant}`,
            `CPU part\t: ${ci.part}`,
            `CPU revision\t: ${ci.revision}`,
        ].join('\n'),
    );
    return `Processor\t: AArch64 Processor rev ${ci.revision} (aarch64)\n${blocks.join('\n\n')}\n\nHardware\t: ${ci.hardware}\n`;
};

const rangeList = (xs: readonly number[]): string => {
    const parts: string[] = [];
    for (let i = 0; i < xs.length;) {
        let j = i;
        while (j + 1 < xs.length && (xs[j + 1] as number) === (xs[j] as number) + 1) j++;
        parts.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
        i = j + 1;
    }
    return parts.join(',');
};

/** Every generated file, keyed by device path. Values end with a newline, as kernel files do. */
export const profileFiles = (p: DeviceProfile): Map<string, string> => {
    const files = new Map<string, string>();
    const cores = profileCores(p);
    files.set('/proc/cpuinfo', cpuinfoText(p));
    const m = p.memory;
    files.set(
        '/proc/meminfo',
        [
            ['MemTotal', m.totalKb],
            ['MemFree', m.freeKb],
            ['MemAvailable', m.availableKb],
            ['Buffers', 5120],
            ['Cached', Math.max(0, m.availableKb - m.freeKb)],
            ['SwapTotal', 1048572],
            ['SwapFree', 742316],
        ]
            .map(([k, v]) => `${`${k}:`.padEnd(16)}${String(v).padStart(8)} kB`)
            .join('\n') + '\n',
    );
    files.set('/proc/version', `Linux version ${p.kernel.release} (build@android) (clang) ${p.kernel.version}\n`);
    const cpu = '/sys/devices/system/cpu';
    const all = rangeList(cores.map((c) => c.index));
    files.set(`${cpu}/possible`, `${all}\n`);
    files.set(`${cpu}/present`, `${all}\n`);
    files.set(`${cpu}/online`, `${all}\n`);
    files.set(`${cpu}/kernel_max`, `${Math.max(7, cores.length - 1)}\n`);
    for (const c of cores) {
        const d = `${cpu}/cpu${c.index}`;
        const siblings = cores.filter((o) => o.cluster === c.cluster).map((o) => o.index);
        files.set(`${d}/online`, '1\n');
        files.set(`${d}/cpufreq/cpuinfo_max_freq`, `${c.maxFreqKhz}\n`);
        files.set(`${d}/cpufreq/cpuinfo_min_freq`, `${c.minFreqKhz}\n`);
        files.set(`${d}/cpufreq/scaling_max_freq`, `${c.maxFreqKhz}\n`);
        files.set(`${d}/cpufreq/scaling_min_freq`, `${c.minFreqKhz}\n`);
        files.set(`${d}/cpufreq/scaling_cur_freq`, `${c.minFreqKhz}\n`);
        files.set(`${d}/cpufreq/scaling_governor`, `${c.governor}\n`);
        files.set(`${d}/cpufreq/scaling_available_governors`, `${p.governors.join(' ')} \n`);
        files.set(`${d}/cpufreq/related_cpus`, `${siblings.join(' ')}\n`);
        files.set(`${d}/cpufreq/affected_cpus`, `${siblings.join(' ')}\n`);
        files.set(`${d}/topology/physical_package_id`, `${c.cluster}\n`);
        files.set(`${d}/topology/core_id`, `${siblings.indexOf(c.index)}\n`);
        files.set(`${d}/topology/core_siblings_list`, `${rangeList(siblings)}\n`);
    }
    p.thermal.forEach((z, i) => {
        files.set(`/sys/class/thermal/thermal_zone${i}/type`, `${z.type}\n`);
        files.set(`/sys/class/thermal/thermal_zone${i}/temp`, `${z.tempMilliC}\n`);
        files.set(`/sys/class/thermal/thermal_zone${i}/mode`, 'enabled\n');
    });
    const b = p.battery;
    const bat = '/sys/class/power_supply/battery';
    files.set(`${bat}/capacity`, `${b.capacity}\n`);
    files.set(`${bat}/temp`, `${b.tempDeciC}\n`);
    files.set(`${bat}/status`, `${b.status}\n`);
    files.set(`${bat}/health`, `${b.health}\n`);
    files.set(`${bat}/present`, '1\n');
    files.set(`${bat}/voltage_now`, `${b.voltageUv}\n`);
    files.set(`${bat}/technology`, `${b.technology}\n`);
    files.set(`${bat}/type`, 'Battery\n');
    for (const [k, v] of Object.entries(p.files)) files.set(k, v);
    return files;
};
