// `splitbench devices …`: the device inventory in devices/NAME.yaml, later probes in devices/.probes/ —
// add, list, probe, check, trust.
import type { Command } from 'commander';
import { addAllFromAdbServer } from './devices-add-all.js';
import { leaseSection } from './lease-list.js';
import {
    DEVICE_NAME,
    deviceAddress,
    deviceFilePath,
    listDevices,
    loadDevice,
    saveDevice,
    saveProbe,
    validateDeviceSpec,
    type DeviceSpec,
} from '../../config/device-file.js';
import type { DeviceProbe } from '../../drivers/types.js';
import { SplitbenchError, isSplitbenchError } from '../../errors.js';
import { existsSync } from 'node:fs';
import { checkDevices, type CheckOptions } from './devices-check.js';
import { devicesDir, note, out, probeDevice, probeSummary, seconds, shown, table } from './devices-common.js';

// ---- add -----------------------------------------------------------------------------------------------

interface AddOptions {
    adb?: string | undefined;
    adbServer?: string | undefined;
    ssh?: string | undefined;
    identity?: string | undefined;
    knownHosts?: string | undefined;
    fingerprint?: string | undefined;
    local?: boolean | undefined;
    workDir?: string | undefined;
    probe: boolean;
    force?: boolean | undefined;
    timeout: string;
    json?: boolean | undefined;
    all?: boolean | undefined;
}

/** USER@HOST[:PORT], HOST may be [v6]. */
export const parseSshTarget = (s: string): { user: string; host: string; port: number } => {
    const m = /^([^@\s]+)@(\[[^\]\s]+\]|[^\s:@[\]]+)(?::(\d{1,5}))?$/.exec(s);
    const port = m?.[3] !== undefined ? Number(m[3]) : 22;
    if (m?.[1] === undefined || m[2] === undefined || port < 1 || port > 65535) {
        throw new SplitbenchError('USAGE', `--ssh ${JSON.stringify(s)}: expected USER@HOST or USER@HOST:PORT`);
    }
    return { user: m[1], host: m[2].replace(/^\[|\]$/g, ''), port };
};

const buildSpec = (name: string, o: AddOptions): DeviceSpec => {
    const chosen = [o.adb !== undefined, o.ssh !== undefined, o.local === true].filter(Boolean).length;
    if (chosen !== 1)
        throw new SplitbenchError(
            'USAGE',
            'devices add: give exactly one of --adb SERIAL|HOST:PORT, --ssh USER@HOST[:PORT] or --local',
        );
    const adbOnly = o.adbServer !== undefined;
    const sshOnly = o.identity !== undefined || o.knownHosts !== undefined || o.fingerprint !== undefined;
    if (adbOnly && o.adb === undefined) throw new SplitbenchError('USAGE', 'devices add: --adb-server goes with --adb');
    if (sshOnly && o.ssh === undefined) {
        throw new SplitbenchError('USAGE', 'devices add: --identity, --known-hosts and --fingerprint go with --ssh');
    }
    const common = { name, ...(o.workDir !== undefined ? { workDir: o.workDir } : {}) };
    if (o.adb !== undefined) {
        return {
            ...common,
            kind: 'adb',
            adb: { serial: o.adb, ...(o.adbServer !== undefined ? { server: o.adbServer } : {}) },
        };
    }
    if (o.ssh !== undefined) {
        const t = parseSshTarget(o.ssh);
        return {
            ...common,
            kind: 'ssh',
            ssh: {
                ...t,
                ...(o.identity !== undefined ? { identity: o.identity } : {}),
                ...(o.knownHosts !== undefined ? { knownHosts: o.knownHosts } : {}),
                ...(o.fingerprint !== undefined ? { fingerprint: o.fingerprint } : {}),
            },
        };
    }
    return { ...common, kind: 'local', local: {} };
};

const kindAndAddress = (spec: DeviceSpec): string =>
    spec.kind === 'local' ? 'local' : `${spec.kind} ${deviceAddress(spec)}`;

const addDevice = async (dir: string, name: string, o: AddOptions): Promise<void> => {
    if (!DEVICE_NAME.test(name)) {
        throw new SplitbenchError(
            'USAGE',
            `device name ${JSON.stringify(name)}: use letters, digits, ".", "_" or "-" (starting with a letter or digit)`,
        );
    }
    const file = deviceFilePath(dir, name);
    if (existsSync(file) && o.force !== true) {
        throw new SplitbenchError(
            'USAGE',
            `device "${name}" already exists (${shown(file)}): use --force to replace it, or splitbench devices probe ${name} to refresh it`,
        );
    }
    const spec = buildSpec(name, o);
    // Validate before touching the device, so a typo in --adb-server or --fingerprint fails at once.
    validateDeviceSpec(spec);
    if (!o.probe) {
        const written = saveDevice(dir, spec);
        out(`added ${name} (${kindAndAddress(spec)}) without a probe\nwrote ${shown(written)}`);
        return;
    }
    let probe: DeviceProbe;
    try {
        probe = await probeDevice(spec, seconds('--timeout', o.timeout) * 1000);
    } catch (e) {
        if (isSplitbenchError(e, 'HOST_KEY_REJECTED')) {
            // Keep the device so `devices trust NAME` can pin the key; the probe follows with `devices probe`.
            const written = saveDevice(dir, spec);
            note(
                `wrote ${shown(written)} without a probe; trust the host key, then run splitbench devices probe ${name}`,
            );
        } else {
            note(`nothing written: ${shown(file)} is only created when the device answers`);
            // the driver's hint ("then run splitbench devices check") needs a device file, and there is none
            if (isSplitbenchError(e) && e.message.endsWith('then run splitbench devices check'))
                throw new SplitbenchError(
                    e.code,
                    e.message.replace(/then run splitbench devices check$/, 'then run this devices add command again'),
                    { cause: e, details: e.details },
                );
        }
        throw e;
    }
    const saved = { ...spec, probe } as DeviceSpec;
    const written = saveDevice(dir, saved);
    if (o.json === true) out(JSON.stringify(saved, null, 2));
    else out(`added ${name} (${kindAndAddress(spec)}): ${probeSummary(probe)}\nwrote ${shown(written)}`);
};

// ---- trust ---------------------------------------------------------------------------------------------

interface TrustOptions {
    fingerprint?: string | undefined;
    yes?: boolean | undefined;
    timeout: string;
}

const trustDevice = async (dir: string, name: string, o: TrustOptions): Promise<void> => {
    const spec = loadDevice(dir, name);
    if (spec.kind !== 'ssh')
        throw new SplitbenchError(
            'USAGE',
            `devices trust: ${name} is a ${spec.kind} device; only ssh devices have host keys`,
        );
    const { scanSshHostKey } = await import('../../drivers/ssh/ssh-driver.js');
    const key = await scanSshHostKey({
        host: spec.ssh.host,
        port: spec.ssh.port,
        timeoutMs: seconds('--timeout', o.timeout) * 1000,
    });
    out(`${name}: ${spec.ssh.host}:${spec.ssh.port} presents ${key.keyType} ${key.fingerprint}`);
    if (o.fingerprint !== undefined && o.fingerprint !== key.fingerprint) {
        throw new SplitbenchError(
            'HOST_KEY_REJECTED',
            `devices trust ${name}: the server presents ${key.fingerprint}, not the expected ${o.fingerprint}; nothing pinned`,
        );
    }
    if (o.fingerprint === undefined && o.yes !== true) {
        note(
            `not pinned: compare the fingerprint with the server's (ssh-keygen -lf /etc/ssh/ssh_host_${key.keyType.replace(/^ssh-/, '')}_key.pub), then re-run with --yes or --fingerprint ${key.fingerprint}`,
        );
        process.exitCode = 1;
        return;
    }
    const file = saveDevice(dir, { ...spec, ssh: { ...spec.ssh, fingerprint: key.fingerprint } });
    out(`pinned ${key.fingerprint} in ${shown(file)}`);
};

// ---- registration --------------------------------------------------------------------------------------

export const registerDevicesCommands = (program: Command): void => {
    const devices = program
        .command('devices')
        .description(
            'Device inventory: devices/NAME.yaml files saying how to reach each phone or host, with its last probe.',
        )
        .option('--devices <dir>', 'device folder (default: $SPLITBENCH_DEVICES, else ./devices)');

    devices
        .command('add [name]')
        .description(
            'Probe a device and write devices/NAME.yaml; with --adb-server H:P --all, every phone that adb server sees (NAME is then a name prefix).',
        )
        .option('--adb <serial>', 'Android device: USB serial (adb devices) or HOST:PORT (connected on demand)')
        .option('--adb-server <host:port>', 'adb server to use (default 127.0.0.1:5037, started if not running)')
        .option('--ssh <user@host[:port]>', 'Linux host over SSH')
        .option('--identity <file>', 'SSH private key (default: ssh-agent, then ~/.ssh/id_*)')
        .option('--known-hosts <file>', 'known_hosts file to verify the host key (default ~/.ssh/known_hosts)')
        .option('--fingerprint <SHA256:...>', 'pin the host key fingerprint instead of using known_hosts')
        .option('--local', 'this machine')
        .option('--work-dir <dir>', 'root of the working directories on the device (one sub-directory per campaign)')
        .option('--no-probe', 'write the file without contacting the device')
        .option('--force', 'replace an existing device file')
        .option('--timeout <secs>', 'probe timeout', '60')
        .option('--json', 'print the written device as JSON')
        .option('--all', 'with --adb-server: add every phone the server sees, named PREFIX-SERIAL (or SERIAL)')
        .action(async (name: string | undefined, o: AddOptions, cmd: Command) => {
            const dir = devicesDir(cmd);
            if (o.all === true) {
                if (o.adbServer === undefined || o.adb !== undefined || o.ssh !== undefined || o.local === true)
                    throw new SplitbenchError(
                        'USAGE',
                        'devices add --all goes with --adb-server H:P (and no --adb, --ssh, --local)',
                    );
                const server = o.adbServer;
                const r = await addAllFromAdbServer(dir, server, name, o.force === true, (n, serial) =>
                    addDevice(dir, n, { ...o, all: false, adb: serial, adbServer: server }),
                );
                if (r.failed.length > 0) process.exitCode = 1;
                return;
            }
            if (name === undefined)
                throw new SplitbenchError('USAGE', 'devices add: give a NAME (or --adb-server H:P --all)');
            await addDevice(dir, name, o);
        });

    devices
        .command('list')
        .description('List the devices with address, model or CPU, ABI and when they were last probed.')
        .option('--json', 'print the device files as JSON')
        .option(
            '--db <file|url>',
            'results database whose device leases to show (default: $SPLITBENCH_DB, lab.yaml store:, results/splitbench.db)',
        )
        .action(async (o: { json?: boolean | undefined; db?: string | undefined }, cmd: Command) => {
            const dir = devicesDir(cmd);
            const { devices: list, errors } = listDevices(dir);
            for (const bad of errors) note(`splitbench: ${bad.error.message}`);
            if (errors.length > 0) process.exitCode = 2;
            if (o.json === true) {
                out(JSON.stringify(list, null, 2));
                return;
            }
            if (list.length === 0) {
                if (errors.length === 0)
                    note(`no devices in ${shown(dir) || '.'}/ — add one with splitbench devices add`);
                return;
            }
            const rows = [['NAME', 'KIND', 'ADDRESS', 'MODEL/CPU', 'ABI', 'CORES', 'LAST PROBED']];
            for (const d of list) {
                const p = d.probe;
                const model =
                    p === undefined
                        ? '-'
                        : p.android !== undefined
                          ? `${p.android.model} (${p.android.soc ?? p.android.manufacturer})`
                          : (p.cpuModel ?? p.os);
                rows.push([
                    d.name,
                    d.kind,
                    deviceAddress(d),
                    model,
                    p?.abis[0] ?? p?.arch ?? '-',
                    p !== undefined ? String(p.cores) : '-',
                    p?.probedAt ?? 'never',
                ]);
            }
            out(table(rows));
            const never = list.filter((d) => d.probe === undefined).map((d) => d.name);
            if (never.length > 0)
                note(
                    `never probed: ${never.join(', ')} — run splitbench devices probe NAME (a campaign run also records its devices' probes)`,
                );
            // who holds what: leases of runs sharing this results database (issue 13)
            const leases = await leaseSection(o.db);
            if (leases.note !== undefined) note(`splitbench: ${leases.note}`);
            if (leases.text !== '') out(leases.text.trimEnd());
        });

    devices
        .command('probe <name>')
        .description('Probe a device now and store the result in the probe cache (devices/.probes/NAME.json).')
        .option('--json', 'print the probe as JSON')
        .option('--timeout <secs>', 'probe timeout', '60')
        .action(async (name: string, o: { json?: boolean | undefined; timeout: string }, cmd: Command) => {
            const dir = devicesDir(cmd);
            const spec = loadDevice(dir, name);
            const probe = await probeDevice(spec, seconds('--timeout', o.timeout) * 1000);
            saveProbe(dir, spec, probe);
            if (o.json === true) out(JSON.stringify(probe, null, 2));
            else out(`${name}: ${probeSummary(probe)}`);
        });

    devices
        .command('check [names...]')
        .description(
            'Health of all (or the named) devices in parallel: reachable, authorized, free space, temperature. Exits 1 if any is unhealthy.',
        )
        .option('--timeout <secs>', 'per-device timeout', '30')
        .option('--min-free-mb <mb>', 'least free space in the working directory', '100')
        .option('--max-temp <celsius>', 'highest thermal zone or battery temperature', '80')
        .option('--json', 'print the reports as JSON')
        .action(async (names: string[], o: CheckOptions, cmd: Command) => {
            await checkDevices(devicesDir(cmd), names, o);
        });

    devices
        .command('trust <name>')
        .description("Fetch an SSH device's host key and pin its fingerprint in the device file.")
        .option('--fingerprint <SHA256:...>', 'pin only if the server presents this fingerprint')
        .option('--yes', 'pin whatever key the server presents (after checking it yourself)')
        .option('--timeout <secs>', 'connect timeout', '15')
        .action(async (name: string, o: TrustOptions, cmd: Command) => {
            await trustDevice(devicesDir(cmd), name, o);
        });
};
