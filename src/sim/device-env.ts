// The host-side environment a simulated phone's shell runs in: a private directory holding
//   bin/   wrappers that answer like the phone: getprop, id, uname, hostname, nproc, df (from the profile), and
//          taskset, which pins for real: phone CPU i → the i-th (mod n) CPU this host lets the simulator use;
//   tree/  the profile's /proc and /sys files;  props  the property list getprop reads.
// /proc/loadavg and /proc/stat are NOT simulated: they are the host's, because the host's CPUs are where the
// phone's benchmarks really run, and the per-job load check must see work competing for them (see
// docs/measurement-conditions.md).
// PATH is bin/ then a shared directory of symlinks to every host command except the profile's hiddenCommands
// (su, sudo), so `command -v su` fails as on an unrooted phone.

import { createHash } from 'node:crypto';
import {
    existsSync,
    mkdirSync,
    mkdtempSync,
    readFileSync,
    readdirSync,
    realpathSync,
    renameSync,
    rmSync,
    statSync,
    symlinkSync,
    writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SIM_HOST_CPUS_PROP, SIM_HOST_MACHINE_ID_PROP } from '../drivers/adb/android-probe.js';
import { parseMachineId } from '../drivers/linux-probe.js';
import { quoteArg } from '../drivers/shell-quote.js';
import { SplitbenchError } from '../errors.js';
import { isShellSafePath, type Mount } from './path-map.js';
import { PROFILE_MOUNTS, profileCores, profileFiles, type DeviceProfile } from './profile.js';

export const DEVICE_WORK_DIR = '/data/local/tmp';

export interface DeviceEnv {
    /** Private directory of this simulator instance (removed by dispose). */
    dir: string;
    /** Host directory standing for /data/local/tmp. */
    root: string;
    mounts: Mount[];
    env: Record<string, string>;
    dispose(): void;
}

const HOST_BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

const script = (body: string): string => `#!/bin/sh\n${body}\n`;

const dfLine = (p: DeviceProfile): string => {
    const { totalKb, availableKb } = p.storage;
    const used = Math.max(0, totalKb - availableKb);
    const pct = totalKb > 0 ? Math.ceil((100 * used) / totalKb) : 0;
    return `/dev/block/dm-2 ${String(totalKb).padStart(10)} ${String(used).padStart(8)} ${String(availableKb).padStart(9)} ${String(pct).padStart(3)}% /data`;
};

/** CPUs this process may run on (Cpus_allowed_list of /proc/self/status), all online CPUs when unreadable. */
export const allowedHostCpus = (statusText?: string): number[] => {
    let text = statusText;
    if (text === undefined) {
        try {
            text = readFileSync('/proc/self/status', 'utf8');
        } catch {
            text = '';
        }
    }
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(text);
    const out: number[] = [];
    for (const part of (m?.[1] ?? '').split(',')) {
        const [a, b] = part.split('-').map(Number);
        if (a === undefined || !Number.isInteger(a)) continue;
        const end = b !== undefined && Number.isInteger(b) ? b : a;
        for (let c = a; c <= end; c++) out.push(c);
    }
    return out.length > 0 ? out : [0];
};

/** The host's /etc/machine-id (or D-Bus copy), so the phone can say whose CPUs run it; undefined if unreadable. */
const hostMachineId = (): string | undefined => {
    for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
        try {
            const id = parseMachineId(readFileSync(f, 'utf8'));
            if (id !== undefined) return id;
        } catch {
            // try the next one
        }
    }
    return undefined;
};

/**
 * Host CPU for each phone CPU: phone CPU i runs on the (i mod n)-th of the n host CPUs the simulator may use.
 * A phone has more cores than a test host, so several phone CPUs share one host CPU; a mask of one phone core
 * is still one host core, which is what pinning is for.
 */
export const phoneToHostCpus = (phoneCores: number, hostCpus: readonly number[]): number[] =>
    Array.from({ length: phoneCores }, (_, i) => hostCpus[i % hostCpus.length] ?? 0);

const findHostCommand = (name: string): string | undefined =>
    HOST_BIN_DIRS.map((d) => join(d, name)).find((f) => existsSync(f));

// taskset [-a] MASK CMD... and taskset [-a]p [MASK] PID, as util-linux and toybox take them. The phone's mask is
// turned into a host CPU list and applied by the host's own taskset, so the started process is really pinned.
const tasksetWrapper = (p: DeviceProfile, hostTaskset: string | undefined): string => {
    const cores = profileCores(p).length;
    const map = phoneToHostCpus(cores, allowedHostCpus()).join(' ');
    const all = ((1n << BigInt(Math.min(cores, 64))) - 1n).toString(16);
    const apply =
        hostTaskset === undefined
            ? // no util-linux on this host: the command runs unpinned, as the simulator did before
              ['pin() { shift 2; exec "$@"; }', 'pinpid() { :; }']
            : [
                  `pin() { a=$1; l=$2; shift 2; exec ${quoteArg(hostTaskset)} $a -c "$l" "$@"; }`,
                  `pinpid() { ${quoteArg(hostTaskset)} $1 -p -c "$2" "$3" >/dev/null; }`,
              ];
    return script(
        [
            `map=${quoteArg(map)}`,
            'hostlist() {',
            '  m=${1#0x}; m=${m#0X}',
            '  case "$m" in \'\'|*[!0-9a-fA-F]*) echo "taskset: failed to parse CPU mask: $1" >&2; exit 1 ;; esac',
            '  m=$(echo "$m" | sed \'s/^0*//\'); [ -n "$m" ] || m=0',
            '  [ ${#m} -le 15 ] || { echo "taskset: CPU mask $1 is wider than this phone" >&2; exit 1; }',
            "  v=$((0x$m)); list=''",
            '  for c in $map; do [ $((v & 1)) -eq 1 ] && list="$list${list:+,}$c"; v=$((v >> 1)); done',
            '  [ -n "$list" ] || { echo "taskset: failed to set pid 0\'s affinity: Invalid argument" >&2; exit 1; }',
            '  echo "$list"',
            '}',
            ...apply,
            "all=''",
            'case "$1" in -a) all=-a; shift ;; -ap|-pa) all=-a; shift; set -- -p "$@" ;; esac',
            'if [ "$1" = -p ]; then',
            `  if [ $# -ge 3 ]; then l=$(hostlist "$2") || exit 1; pinpid "$all" "$l" "$3" || exit 1; exit 0; fi`,
            `  echo "pid $2's current affinity mask: ${all}"; exit 0`,
            'fi',
            'if [ $# -lt 2 ]; then echo "usage: taskset [-ap] [mask] [PID | cmd [args...]]" >&2; exit 1; fi',
            'l=$(hostlist "$1") || exit 1',
            'shift',
            'pin "$all" "$l" "$@"',
        ].join('\n'),
    );
};

const wrappers = (p: DeviceProfile, propsFile: string): Record<string, string> => {
    const u = p.shellUser;
    const idLine = `uid=${u.uid}(${u.name}) gid=${u.gid}(${u.name}) groups=${u.gid}(${u.name}),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),3011(uhid) context=u:r:shell:s0`;
    const host = p.props['net.hostname'] ?? 'localhost';
    return {
        getprop: script(
            [
                `f=${quoteArg(propsFile)}`,
                `if [ $# -eq 0 ]; then exec awk '{ i = index($0, "="); printf "[%s]: [%s]\\n", substr($0, 1, i - 1), substr($0, i + 1) }' "$f"; fi`,
                `exec awk -v k="$1" -v d="$2" 'BEGIN { n = length(k) + 1 } substr($0, 1, n) == k "=" { print substr($0, n + 1); found = 1; exit } END { if (!found) print d }' "$f"`,
            ].join('\n'),
        ),
        id: script(
            [
                'case "$*" in',
                `  '') echo ${quoteArg(idLine)} ;;`,
                `  -u) echo ${u.uid} ;;`,
                `  -g) echo ${u.gid} ;;`,
                `  -un|-nu|'-u -n'|'-n -u'|-n) echo ${quoteArg(u.name)} ;;`,
                `  -gn|-ng|'-g -n'|'-n -g') echo ${quoteArg(u.name)} ;;`,
                `  -G) echo ${u.gid} 1004 1007 1011 1015 1028 3001 3002 3003 3006 3009 3011 ;;`,
                `  *) echo "id: unsupported option $*" >&2; exit 1 ;;`,
                'esac',
            ].join('\n'),
        ),
        uname: script(
            [
                "flags=''",
                'for a in "$@"; do case "$a" in -*) flags="$flags${a#-}" ;; *) echo "uname: extra operand $a" >&2; exit 1 ;; esac; done',
                '[ -z "$flags" ] && flags=s',
                'case "$flags" in *a*) flags=snrvm ;; esac',
                "out=''",
                'add() { if [ -z "$out" ]; then out=$1; else out="$out $1"; fi; }',
                'case "$flags" in *s*) add Linux ;; esac',
                `case "$flags" in *n*) add ${quoteArg(host)} ;; esac`,
                `case "$flags" in *r*) add ${quoteArg(p.kernel.release)} ;; esac`,
                `case "$flags" in *v*) add ${quoteArg(p.kernel.version)} ;; esac`,
                `case "$flags" in *m*|*p*) add ${quoteArg(p.kernel.machine)} ;; esac`,
                'echo "$out"',
            ].join('\n'),
        ),
        nproc: script(`echo ${profileCores(p).length}`),
        hostname: script(`echo ${quoteArg(host)}`),
        // toybox df -k: one line for /data whatever the path asked, sized by the profile (not the host's disk)
        df: script(
            [
                "echo 'Filesystem       1K-blocks     Used Available Use% Mounted on'",
                `echo ${quoteArg(dfLine(p))}`,
            ].join('\n'),
        ),
        taskset: tasksetWrapper(p, findHostCommand('taskset')),
    };
};

/**
 * A directory of symlinks to every host command except `hidden`. Building it costs a few thousand syscalls,
 * so it is shared by all simulators on this host (keyed by the command list) and never deleted.
 */
const hostCommandFarm = (base: string, hidden: readonly string[]): string => {
    const hide = new Set(hidden);
    const links = new Map<string, string>();
    for (const d of HOST_BIN_DIRS) {
        let names: string[];
        try {
            names = readdirSync(d).sort();
        } catch {
            continue;
        }
        for (const name of names) if (!hide.has(name) && !links.has(name)) links.set(name, join(d, name));
    }
    const key = createHash('sha256')
        .update(JSON.stringify([...hide].sort()))
        .update(JSON.stringify([...links]))
        .digest('hex')
        .slice(0, 16);
    const farm = join(base, `splitbench-sim-bin-${key}`);
    if (existsSync(farm)) return farm;
    const building = mkdtempSync(`${farm}.tmp-`);
    for (const [name, target] of links) symlinkSync(target, join(building, name));
    try {
        renameSync(building, farm);
    } catch {
        // another simulator finished first
        rmSync(building, { recursive: true, force: true });
    }
    return farm;
};

/** Build the environment for one simulator instance. `root` (the /data/local/tmp stand-in) is created if missing. */
export const createDeviceEnv = (profile: DeviceProfile, rootDir: string): DeviceEnv => {
    mkdirSync(rootDir, { recursive: true });
    if (!statSync(rootDir).isDirectory()) {
        throw new SplitbenchError('USAGE', `sim root ${rootDir}: not a directory`);
    }
    const base = realpathSync(tmpdir());
    if (!isShellSafePath(base)) {
        throw new SplitbenchError(
            'USAGE',
            `temporary directory ${base}: contains characters the simulator cannot splice into shell commands; set TMPDIR`,
        );
    }
    const dir = mkdtempSync(join(base, 'splitbench-sim-'));
    try {
        // Command text gets host paths spliced in; a root with spaces or quotes is reached through a safe symlink.
        let root = realpathSync(rootDir);
        if (!isShellSafePath(root)) {
            symlinkSync(root, join(dir, 'root'));
            root = join(dir, 'root');
        }
        const tree = join(dir, 'tree');
        for (const [devicePath, content] of profileFiles(profile)) {
            const f = join(tree, devicePath);
            mkdirSync(dirname(f), { recursive: true });
            writeFileSync(f, content);
        }
        const propsFile = join(dir, 'props');
        // Declared simulated the way the Android emulator is (ro.kernel.qemu), plus whose CPUs run the code and
        // how many of them it may use.
        const machineId = hostMachineId();
        // A profile may override both (an empty host id stands for an emulator that does not say where it runs).
        const allProps: Record<string, string> = {
            'ro.kernel.qemu': '1',
            ...(machineId !== undefined ? { [SIM_HOST_MACHINE_ID_PROP]: machineId } : {}),
            [SIM_HOST_CPUS_PROP]: String(allowedHostCpus().length),
            ...profile.props,
        };
        const props = Object.entries(allProps).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        writeFileSync(propsFile, props.map(([k, v]) => `${k}=${v}\n`).join(''));

        const bin = join(dir, 'bin');
        mkdirSync(bin);
        const own = wrappers(profile, propsFile);
        for (const [name, body] of Object.entries(own)) writeFileSync(join(bin, name), body, { mode: 0o755 });
        const hostBin = hostCommandFarm(base, profile.hiddenCommands);

        const mounts: Mount[] = [{ device: DEVICE_WORK_DIR, host: root, writable: true }];
        for (const m of PROFILE_MOUNTS) mounts.push({ device: m, host: join(tree, m), writable: false });
        const env: Record<string, string> = {
            PATH: `${bin}:${hostBin}`,
            HOME: root,
            TMPDIR: root,
            ANDROID_DATA: '/data',
            ANDROID_ROOT: '/system',
            EXTERNAL_STORAGE: '/sdcard',
            HOSTNAME: profile.props['net.hostname'] ?? 'localhost',
            USER: profile.shellUser.name,
            LOGNAME: profile.shellUser.name,
            SHELL: '/bin/sh',
            LANG: 'C.UTF-8',
        };
        return {
            dir,
            root,
            mounts,
            env,
            dispose: () => rmSync(dir, { recursive: true, force: true }),
        };
    } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
    }
};
