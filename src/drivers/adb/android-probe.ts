// Android probe: one shell script gathers every fact in a single exec (one round trip over a slow link),
// and a pure parser turns its sectioned output into a DeviceProbe. Parsing is separate so it can be tested
// on captured text without a device.
import {
    bigCoreMask,
    parseBootId,
    parseDfAvailBytes,
    parseLoadAvg,
    parseMachineId,
    parseMemTotalMb,
    parseThermal,
} from '../linux-probe.js';
import type { DeviceProbe, HostIdentity } from '../types.js';

const SECTION = '@@SB@@';

/**
 * The probe script. Run it as `sh -c SCRIPT sh WORKDIR`; it only reads, except for creating WORKDIR so `df`
 * reports the filesystem that will hold the campaign's files. `su` is only looked up, never run: on a rooted
 * phone `su -c` can block on a confirmation prompt.
 */
export const ANDROID_PROBE_SCRIPT = [
    'W="$1"',
    `s() { echo "${SECTION} $1"; }`,
    's props; getprop',
    's kernel; uname -r',
    's machine; uname -m',
    's hostname; hostname 2>/dev/null || cat /proc/sys/kernel/hostname 2>/dev/null',
    's cpus; for d in /sys/devices/system/cpu/cpu[0-9]*; do [ -d "$d" ] || continue; ' +
        'echo "${d##*/cpu} $(cat "$d/cpufreq/cpuinfo_max_freq" 2>/dev/null) $(cat "$d/cpufreq/scaling_governor" 2>/dev/null)"; done',
    's possible; cat /sys/devices/system/cpu/possible 2>/dev/null',
    "s cpuinfo; grep -E '^(Hardware|model name|Processor)' /proc/cpuinfo 2>/dev/null",
    's thermal; for z in /sys/class/thermal/thermal_zone*; do [ -d "$z" ] || continue; ' +
        'echo "$(cat "$z/type" 2>/dev/null || echo "${z##*/}") $(cat "$z/temp" 2>/dev/null)"; done',
    's battery; B=/sys/class/power_supply/battery; echo "capacity $(cat $B/capacity 2>/dev/null)"; echo "temp $(cat $B/temp 2>/dev/null)"',
    's dumpsys; [ -r $B/capacity ] || dumpsys battery 2>/dev/null',
    's df; mkdir -p "$W" 2>/dev/null; df -k "$W" 2>/dev/null || df -k /data/local/tmp 2>/dev/null',
    "s meminfo; grep -E '^MemTotal' /proc/meminfo 2>/dev/null",
    's loadavg; cat /proc/loadavg 2>/dev/null',
    's bootid; cat /proc/sys/kernel/random/boot_id 2>/dev/null',
    's uid; id -u',
    's su; command -v su 2>/dev/null',
    's end',
].join('\n');

/** Splits the script's output into its named sections. */
export const splitSections = (text: string): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    let current: string[] | undefined;
    for (const raw of text.split('\n')) {
        const line = raw.replace(/\r$/, '');
        if (line.startsWith(`${SECTION} `)) {
            current = [];
            out.set(line.slice(SECTION.length + 1).trim(), current);
        } else if (current !== undefined) {
            current.push(line);
        }
    }
    return out;
};

/** `getprop` output (`[key]: [value]` per line) into a map. */
export const parseGetprop = (lines: readonly string[]): Map<string, string> => {
    const props = new Map<string, string>();
    for (const line of lines) {
        const m = /^\[([^\]]+)\]:\s*\[(.*)\]\s*$/.exec(line);
        if (m?.[1] !== undefined && m[2] !== undefined) props.set(m[1], m[2]);
    }
    return props;
};

/** `0-3,5,7-8` (sysfs cpu list) → number of CPUs. */
export const countCpuList = (list: string): number => {
    let n = 0;
    for (const part of list.trim().split(',')) {
        if (part === '') continue;
        const [a, b] = part.split('-').map((x) => Number(x));
        if (a === undefined || !Number.isInteger(a)) continue;
        n += b !== undefined && Number.isInteger(b) && b >= a ? b - a + 1 : 1;
    }
    return n;
};

const num = (s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    const t = s.trim();
    if (t === '' || !/^-?\d+(\.\d+)?$/.test(t)) return undefined;
    return Number(t);
};

/** Battery temperature is in tenths of a degree both in sysfs and in `dumpsys battery`. */
const batteryTenthsToCelsius = (raw: number): number => raw / 10;

const firstNonEmpty = (...xs: (string | undefined)[]): string | undefined =>
    xs.find((x) => x !== undefined && x !== '');

/**
 * Property a device simulator sets to the /etc/machine-id of the Linux host that runs its code (splitbench's
 * `sim adbd` does), so the scheduler knows which real CPUs a simulated phone's benchmarks compete for.
 */
export const SIM_HOST_MACHINE_ID_PROP = 'ro.splitbench.host.machine_id';

/**
 * Property a device simulator sets to the number of host CPUs its code may run on: the phone's own core count
 * (from its profile) says nothing about how many threads can really run at once.
 */
export const SIM_HOST_CPUS_PROP = 'ro.splitbench.host.cpus';

/**
 * Host identity of an Android device from its properties. A simulated device says so the way the Android
 * emulator does (`ro.kernel.qemu=1`, or `ro.boot.qemu=1` from Android 12): its CPUs are those of the host named
 * by SIM_HOST_MACHINE_ID_PROP (`linux:<machine-id>`). A real phone is its own CPUs: `android:<ro.serialno>`,
 * falling back to the adb serial, then the build fingerprint. With nothing to go on, `cpuHost` is `unknown` and
 * `warning` says why (the scheduler then gives the device a queue of its own).
 */
export const androidHostIdentity = (
    props: ReadonlyMap<string, string>,
    adbSerial: string | undefined,
    bootIdText: string,
): HostIdentity => {
    const prop = (k: string): string | undefined => firstNonEmpty(props.get(k)?.trim());
    const serial = firstNonEmpty(prop('ro.serialno'), prop('ro.boot.serialno'), adbSerial);
    const buildFingerprint = prop('ro.build.fingerprint');
    const bootId = parseBootId(bootIdText);
    const known = {
        ...(serial !== undefined ? { serial } : {}),
        ...(buildFingerprint !== undefined ? { buildFingerprint } : {}),
        ...(bootId !== undefined ? { bootId } : {}),
    };
    const simulated = prop('ro.kernel.qemu') === '1' || prop('ro.boot.qemu') === '1';
    if (simulated) {
        const machineId = parseMachineId(prop(SIM_HOST_MACHINE_ID_PROP) ?? '');
        const cpus = Number(prop(SIM_HOST_CPUS_PROP));
        const onHost = Number.isInteger(cpus) && cpus > 0 ? { cpus } : {};
        if (machineId !== undefined)
            return { cpuHost: `linux:${machineId}`, machineId, ...known, simulated: true, ...onHost };
        return {
            cpuHost: 'unknown',
            ...known,
            simulated: true,
            ...onHost,
            warning:
                `host identity unknown: the device is simulated (ro.kernel.qemu=1) but does not say which host runs ` +
                `it (no ${SIM_HOST_MACHINE_ID_PROP}), so it runs in a queue of its own`,
        };
    }
    const key = serial ?? buildFingerprint;
    if (key !== undefined) return { cpuHost: `android:${key}`, ...known };
    return {
        cpuHost: 'unknown',
        ...known,
        warning:
            'host identity unknown: neither ro.serialno nor ro.build.fingerprint could be read, so the device runs in a queue of its own',
    };
};

export interface AndroidProbeContext {
    workDir: string;
    probedAt: string;
    /** The adb serial the device was reached by (identity fallback when ro.serialno is empty). */
    adbSerial?: string | undefined;
}

/** Parses the output of ANDROID_PROBE_SCRIPT. Throws nothing: a missing fact is left out. */
export const parseAndroidProbe = (text: string, ctx: AndroidProbeContext): DeviceProbe => {
    const sec = splitSections(text);
    const lines = (name: string): string[] => sec.get(name) ?? [];
    const first = (name: string): string | undefined =>
        lines(name)
            .find((l) => l.trim() !== '')
            ?.trim();

    const props = parseGetprop(lines('props'));
    const prop = (k: string): string | undefined => firstNonEmpty(props.get(k));

    // cores
    const perCore = new Map<number, { freq: number | undefined; governor: string | undefined }>();
    for (const line of lines('cpus')) {
        const [idx, ...rest] = line.trim().split(/\s+/);
        const i = num(idx);
        if (i === undefined || !Number.isInteger(i) || i < 0) continue;
        const freq = num(rest.find((r) => /^\d+$/.test(r)));
        const governor = rest.find((r) => !/^\d+$/.test(r));
        perCore.set(i, { freq, governor });
    }
    const possible = first('possible');
    const cores = Math.max(
        perCore.size === 0 ? 0 : Math.max(...perCore.keys()) + 1,
        possible ? countCpuList(possible) : 0,
    );
    const anyFreq = [...perCore.values()].some((c) => c.freq !== undefined);
    const coreMaxFreqKhz = anyFreq ? Array.from({ length: cores }, (_, i) => perCore.get(i)?.freq ?? 0) : [];
    const governors = Array.from({ length: cores }, (_, i) => perCore.get(i)?.governor).filter(
        (g): g is string => g !== undefined,
    );

    const thermalC = parseThermal(lines('thermal').join('\n'));

    // battery: sysfs first, dumpsys as fallback
    const kv = (name: string, sep: RegExp): Map<string, string> => {
        const m = new Map<string, string>();
        for (const l of lines(name)) {
            const parts = l.trim().split(sep);
            const k = parts[0];
            if (k !== undefined && parts.length > 1) m.set(k.trim().toLowerCase(), parts.slice(1).join(' ').trim());
        }
        return m;
    };
    const bat = kv('battery', /\s+/);
    const dump = kv('dumpsys', /:\s*/);
    const batteryLevel = num(bat.get('capacity')) ?? num(dump.get('level'));
    const batteryTempRaw = num(bat.get('temp')) ?? num(dump.get('temperature'));

    const cpuinfo = new Map<string, string>();
    for (const l of lines('cpuinfo')) {
        const i = l.indexOf(':');
        if (i > 0) cpuinfo.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
    }

    const memTotalMb = parseMemTotalMb(lines('meminfo').join('\n'));
    const load = parseLoadAvg(lines('loadavg').join('\n'));

    const abis = (firstNonEmpty(prop('ro.product.cpu.abilist'), prop('ro.product.cpu.abi')) ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
    // ro.soc.model exists from Android 12; Samsung builds carry ro.chipname; older ones only the platform name.
    const soc = firstNonEmpty(
        prop('ro.soc.model'),
        prop('ro.chipname'),
        prop('ro.board.platform'),
        prop('ro.hardware'),
    );
    const uid = first('uid');
    const rooted = uid === '0' || lines('su').some((l) => l.trim() !== '');
    const sdk = num(prop('ro.build.version.sdk'));
    const machine = first('machine');

    const probe: DeviceProbe = {
        kind: 'adb',
        probedAt: ctx.probedAt,
        host: androidHostIdentity(props, ctx.adbSerial, lines('bootid').join('\n')),
        os: 'Android',
        arch: machine ?? abis[0] ?? 'unknown',
        abis,
        cores,
        coreMaxFreqKhz,
        governors,
        thermalC,
        workDir: ctx.workDir,
        android: {
            model: prop('ro.product.model') ?? 'unknown',
            manufacturer: prop('ro.product.manufacturer') ?? 'unknown',
            release: prop('ro.build.version.release') ?? 'unknown',
            sdk: sdk ?? 0,
            rooted,
        },
    };
    const android = probe.android;
    if (android !== undefined) {
        const board = prop('ro.product.board');
        if (board !== undefined) android.board = board;
        if (soc !== undefined) android.soc = soc;
        const build = prop('ro.build.fingerprint');
        if (build !== undefined) android.build = build;
        if (batteryLevel !== undefined) android.batteryLevel = batteryLevel;
        if (batteryTempRaw !== undefined) android.batteryTempC = batteryTenthsToCelsius(batteryTempRaw);
    }
    const release = prop('ro.build.version.release');
    if (release !== undefined) probe.osRelease = release;
    const kernel = first('kernel');
    if (kernel !== undefined) probe.kernel = kernel;
    const hostname = first('hostname');
    if (hostname !== undefined) probe.hostname = hostname;
    const cpuModel = firstNonEmpty(cpuinfo.get('hardware'), soc, cpuinfo.get('model name'), cpuinfo.get('processor'));
    if (cpuModel !== undefined) probe.cpuModel = cpuModel;
    const mask = bigCoreMask(coreMaxFreqKhz);
    if (mask !== undefined) probe.bigCoreMask = mask;
    if (memTotalMb !== undefined) probe.memTotalMb = memTotalMb;
    if (load !== undefined) probe.loadAvg = load;
    const free = parseDfAvailBytes(lines('df').join('\n'));
    if (free !== undefined) probe.freeBytes = free;
    return probe;
};
