// Linux host probe: one small POSIX sh script gathers raw text through the driver's own exec (so local and ssh
// probes are the same code path), and pure functions below turn that text into a DeviceProbe. The parsers are
// exported individually because Android exposes the same /proc and /sys files.
import type { DeviceProbe, DriverKind, HostIdentity } from './types.js';

const SECTION = '@@splitbench:';

/**
 * Script for `sh -c SCRIPT probe WORKDIR`. Every section is optional: a missing file or tool yields an empty
 * section, never a failed probe. Reads only; creates the work dir first so free space refers to it.
 */
export const LINUX_PROBE_SCRIPT = [
    `mkdir -p "$1" 2>/dev/null`,
    `echo '${SECTION}hostname'; hostname 2>/dev/null || cat /proc/sys/kernel/hostname 2>/dev/null`,
    `echo '${SECTION}os-release'; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null`,
    `echo '${SECTION}uname'; uname -s 2>/dev/null; uname -r 2>/dev/null; uname -m 2>/dev/null`,
    `echo '${SECTION}cpuinfo'; cat /proc/cpuinfo 2>/dev/null`,
    `echo '${SECTION}nproc'; getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null`,
    `echo '${SECTION}cpufreq'; for f in /sys/devices/system/cpu/cpu[0-9]*/cpufreq/cpuinfo_max_freq; do [ -r "$f" ] && echo "$f $(cat "$f")"; done`,
    `echo '${SECTION}governors'; for f in /sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor; do [ -r "$f" ] && echo "$f $(cat "$f")"; done`,
    `echo '${SECTION}meminfo'; cat /proc/meminfo 2>/dev/null`,
    `echo '${SECTION}loadavg'; cat /proc/loadavg 2>/dev/null`,
    `echo '${SECTION}thermal'; for z in /sys/class/thermal/thermal_zone*; do [ -r "$z/temp" ] && echo "$(cat "$z/type" 2>/dev/null || basename "$z") $(cat "$z/temp" 2>/dev/null)"; done`,
    `echo '${SECTION}df'; df -Pk "$1" 2>/dev/null`,
    `echo '${SECTION}machine-id'; cat /etc/machine-id 2>/dev/null || cat /var/lib/dbus/machine-id 2>/dev/null`,
    `echo '${SECTION}boot-id'; cat /proc/sys/kernel/random/boot_id 2>/dev/null`,
    `exit 0`,
].join('\n');

/** Split probe output into named sections. */
export const splitSections = (text: string): Map<string, string> => {
    const out = new Map<string, string>();
    let name: string | undefined;
    let lines: string[] = [];
    for (const line of text.split('\n')) {
        if (line.startsWith(SECTION)) {
            if (name !== undefined) out.set(name, lines.join('\n'));
            name = line.slice(SECTION.length).trim();
            lines = [];
        } else if (name !== undefined) {
            lines.push(line);
        }
    }
    if (name !== undefined) out.set(name, lines.join('\n'));
    return out;
};

/** KEY=value pairs of /etc/os-release (values unquoted). */
export const parseOsRelease = (text: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const raw of text.split('\n')) {
        const m = /^([A-Z0-9_]+)=(.*)$/.exec(raw.trim());
        if (!m?.[1] || m[2] === undefined) continue;
        let v = m[2].trim();
        if (v.length >= 2 && (v.startsWith('"') || v.startsWith("'")) && v.endsWith(v[0] ?? '')) {
            v = v.slice(1, -1).replace(/\\(["$`\\])/g, '$1');
        }
        out[m[1]] = v;
    }
    return out;
};

export interface CpuInfo {
    model?: string | undefined;
    /** Number of `processor` entries. */
    processors: number;
    /** Hardware line (Android/ARM kernels name the SoC there). */
    hardware?: string | undefined;
}

/** /proc/cpuinfo: model name (x86 `model name`, ARM `Processor`/`model name`, else CPU part), processor count. */
export const parseCpuinfo = (text: string): CpuInfo => {
    let processors = 0;
    let model: string | undefined;
    let armProcessor: string | undefined;
    let hardware: string | undefined;
    let implementer: string | undefined;
    let part: string | undefined;
    for (const line of text.split('\n')) {
        const idx = line.indexOf(':');
        if (idx < 0) continue;
        const key = line.slice(0, idx).trim().toLowerCase();
        const value = line.slice(idx + 1).trim();
        if (key === 'processor') {
            if (/^\d+$/.test(value)) processors++;
            else armProcessor ??= value;
        } else if (key === 'model name' || key === 'cpu model' || key === 'cpu') {
            model ??= value || undefined;
        } else if (key === 'hardware') {
            hardware ??= value || undefined;
        } else if (key === 'cpu implementer') {
            implementer ??= value;
        } else if (key === 'cpu part') {
            part ??= value;
        }
    }
    model ??= armProcessor;
    if (model === undefined && part !== undefined) model = armCoreName(implementer, part);
    return { model, processors, hardware };
};

// The few ARM parts that show up on phones and SBCs; anything else is reported by its raw id.
const ARM_PARTS: Record<string, string> = {
    '0xd03': 'Cortex-A53',
    '0xd04': 'Cortex-A35',
    '0xd05': 'Cortex-A55',
    '0xd07': 'Cortex-A57',
    '0xd08': 'Cortex-A72',
    '0xd09': 'Cortex-A73',
    '0xd0a': 'Cortex-A75',
    '0xd0b': 'Cortex-A76',
    '0xd0c': 'Neoverse-N1',
    '0xd0d': 'Cortex-A77',
    '0xd41': 'Cortex-A78',
    '0xd44': 'Cortex-X1',
    '0xd46': 'Cortex-A510',
    '0xd47': 'Cortex-A710',
    '0xd48': 'Cortex-X2',
    '0xd4d': 'Cortex-A715',
    '0xd4e': 'Cortex-X3',
};

const armCoreName = (implementer: string | undefined, part: string): string => {
    const name = implementer === '0x41' ? ARM_PARTS[part.toLowerCase()] : undefined;
    return name ?? `ARM implementer ${implementer ?? '?'} part ${part}`;
};

/** Lines `/sys/devices/system/cpu/cpuN/... VALUE` → Map cpu number → value. */
export const parsePerCpuLines = (text: string): Map<number, string> => {
    const out = new Map<number, string>();
    for (const line of text.split('\n')) {
        const m = /\/cpu(\d+)\/\S*\s+(\S+)\s*$/.exec(line);
        if (m?.[1] !== undefined && m[2] !== undefined) out.set(Number(m[1]), m[2]);
    }
    return out;
};

/** Per-core max frequency list (kHz), index = cpu number, 0 where unknown; empty when no core is known. */
export const coreMaxFreqList = (perCpu: Map<number, string>, cores: number): number[] => {
    const known = [...perCpu.entries()].filter(([, v]) => /^\d+$/.test(v));
    if (known.length === 0) return [];
    const n = Math.max(cores, ...known.map(([cpu]) => cpu + 1));
    const out = new Array<number>(n).fill(0);
    for (const [cpu, v] of known) out[cpu] = Number(v);
    return out;
};

/**
 * taskset-style hex mask of the cores running at the highest max frequency ("f0" for cpus 4-7). Undefined when
 * no frequency is known.
 */
export const bigCoreMask = (freqKhz: readonly number[]): string | undefined => {
    const top = Math.max(0, ...freqKhz);
    if (top <= 0) return undefined;
    let mask = 0n;
    freqKhz.forEach((f, cpu) => {
        if (f === top) mask |= 1n << BigInt(cpu);
    });
    return mask.toString(16);
};

/** /proc/meminfo MemTotal in MiB. */
export const parseMemTotalMb = (text: string): number | undefined => {
    const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
    return m?.[1] ? Math.round(Number(m[1]) / 1024) : undefined;
};

/** /proc/loadavg first three numbers. */
export const parseLoadAvg = (text: string): number[] | undefined => {
    const parts = text.trim().split(/\s+/).slice(0, 3).map(Number);
    return parts.length === 3 && parts.every((n) => Number.isFinite(n)) ? parts : undefined;
};

/**
 * Lines `TYPE MILLIDEGREES` → {type: °C}. Kernels report millidegrees, a few report degrees; values above 1000
 * are taken as millidegrees. Duplicate types get a numeric suffix.
 */
export const parseThermal = (text: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
        const m = /^(.*\S)\s+(-?\d+)\s*$/.exec(line);
        if (!m?.[1] || m[2] === undefined) continue;
        const raw = Number(m[2]);
        const c = Math.abs(raw) >= 1000 ? raw / 1000 : raw;
        let key = m[1];
        for (let i = 2; key in out; i++) key = `${m[1]}#${i}`;
        out[key] = c;
    }
    return out;
};

/** `df -Pk DIR` → available bytes. */
export const parseDfAvailBytes = (text: string): number | undefined => {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const last = lines.length >= 2 ? lines[lines.length - 1] : undefined;
    if (last === undefined) return undefined;
    // Filesystem and mount names may contain spaces: anchor on the Capacity column ("40%"), Available precedes it.
    const f = last.trim().split(/\s+/);
    const cap = f.findIndex(
        (x, i) => i >= 4 && /^\d+%$/.test(x) && /^\d+$/.test(f[i - 1] ?? '') && /^\d+$/.test(f[i - 3] ?? ''),
    );
    const avail = cap > 0 ? f[cap - 1] : undefined;
    return avail !== undefined ? Number(avail) * 1024 : undefined;
};

/**
 * /etc/machine-id (or its D-Bus copy): 32 lowercase hex digits on one line (machine-id(5)). Anything else —
 * empty, `uninitialized` on a first boot, a truncated file — is no identity. Returns the id or undefined.
 */
export const parseMachineId = (text: string): string | undefined => {
    const t = text.trim().split('\n')[0]?.trim().toLowerCase() ?? '';
    return /^[0-9a-f]{32}$/.test(t) && !/^0+$/.test(t) ? t : undefined;
};

/** /proc/sys/kernel/random/boot_id: a UUID, new at every boot (random(4)). Returns it lowercased, or undefined. */
export const parseBootId = (text: string): string | undefined => {
    const t = text.trim().split('\n')[0]?.trim().toLowerCase() ?? '';
    return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t) ? t : undefined;
};

/**
 * Host identity of a Linux host from its machine-id and boot-id texts: `cpuHost` = `linux:<machine-id>`, so a
 * host reached both locally and over SSH (or running a simulated phone) is recognised as one set of CPUs. An
 * unreadable machine-id leaves `cpuHost` = `unknown` with a `warning`; the scheduler then gives the device a
 * queue of its own.
 */
export const linuxHostIdentity = (machineIdText: string, bootIdText: string): HostIdentity => {
    const machineId = parseMachineId(machineIdText);
    const bootId = parseBootId(bootIdText);
    if (machineId === undefined)
        return {
            cpuHost: 'unknown',
            ...(bootId !== undefined ? { bootId } : {}),
            warning:
                'host identity unknown: /etc/machine-id and /var/lib/dbus/machine-id are missing or unreadable, so ' +
                'this device cannot be matched with others on the same machine and runs in a queue of its own',
        };
    return { cpuHost: `linux:${machineId}`, machineId, ...(bootId !== undefined ? { bootId } : {}) };
};

export interface LinuxProbeContext {
    kind: DriverKind;
    workDir: string;
    probedAt: string;
}

/** Turn the output of LINUX_PROBE_SCRIPT into a DeviceProbe. */
export const parseLinuxProbe = (text: string, ctx: LinuxProbeContext): DeviceProbe => {
    const s = splitSections(text);
    const get = (k: string): string => s.get(k) ?? '';
    const osRel = parseOsRelease(get('os-release'));
    const [sysname, kernel, arch] = get('uname')
        .split('\n')
        .map((l) => l.trim());
    const cpu = parseCpuinfo(get('cpuinfo'));
    const nproc = Number(get('nproc').trim());
    const cores = Number.isInteger(nproc) && nproc > 0 ? nproc : Math.max(cpu.processors, 1);
    const freq = coreMaxFreqList(parsePerCpuLines(get('cpufreq')), cores);
    const governors = [...new Set(parsePerCpuLines(get('governors')).values())];
    const hostname = get('hostname').trim().split('\n')[0]?.trim();
    const os = osRel['PRETTY_NAME'] ?? osRel['NAME'] ?? (sysname || 'Linux');
    const machine = arch || 'unknown';
    return {
        kind: ctx.kind,
        probedAt: ctx.probedAt,
        host: linuxHostIdentity(get('machine-id'), get('boot-id')),
        hostname: hostname || undefined,
        os,
        osRelease: osRel['VERSION_ID'],
        kernel: kernel || undefined,
        arch: machine,
        abis: machine === 'unknown' ? [] : [machine],
        cpuModel: cpu.model ?? cpu.hardware,
        cores,
        coreMaxFreqKhz: freq,
        bigCoreMask: bigCoreMask(freq),
        governors,
        memTotalMb: parseMemTotalMb(get('meminfo')),
        loadAvg: parseLoadAvg(get('loadavg')),
        thermalC: parseThermal(get('thermal')),
        workDir: ctx.workDir,
        freeBytes: parseDfAvailBytes(get('df')),
    };
};
