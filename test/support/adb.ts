// Test support: the REAL adb server (Debian `adb`) with simulated phones (src/sim) connected to it.
//
// Usage (one private adb server per test file, so files running in parallel never share state):
//
//   import { startAdbServer, startSimPhone } from '../../support/adb.js';
//   let adb: AdbServer; let phone: SimPhone;
//   beforeAll(async () => {
//       adb = await startAdbServer();                  // `adb -P <free port> start-server`
//       phone = await startSimPhone(adb);              // in-process simulator + `adb connect`, waits for `device`
//   });
//   afterAll(async () => { await phone?.close(); await adb?.close(); });
//
//   await adb.run(['-s', phone.serial, 'shell', 'getprop', 'ro.product.model']);   // -P is added for you
//   // adbkit: Adb.createClient({ host: '127.0.0.1', port: adb.port }).getDevice(phone.serial)
//   // other code that reads ANDROID_ADB_SERVER_PORT: { ...process.env, ...adb.env }
//
// phone.root is the host directory standing for /data/local/tmp; phone.setFaults({ dropPushAfterBytes: N })
// changes faults at run time; phone.sim is the in-process AdbdSimulator (streams(), dropConnections()).
// startSimPhone(adb, { faults: { refuseAuth: true } }) waits for `unauthorized` instead ({ offline: true }:
// `offline`, after adb connect's ~10 s wait). `features: []` gives a device without shell_v2 (the host then uses
// plain `shell:`). startSimPhoneProcess(adb, opts) runs `node bin/splitbench.js sim adbd` as a child instead
// (needs dist/), so the simulator does not share this process's event loop (benchmarks).
// Everything started here is stopped by close(); temp directories are removed.
// The in-process simulator answers on this process's event loop: never call adb with execFileSync (or any
// blocking call) while it runs — use adb.run(), which is asynchronous — or the two deadlock.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdbdSimulator, type AdbdSimulator, type SimulatorOptions } from '../../src/sim/adbd-server.js';
import type { Faults } from '../../src/sim/faults.js';
import { spawnAdbdSimulator } from '../../src/sim/sim-process.js';
import { freePort } from './net.js';

export interface AdbRun {
    code: number;
    stdout: string;
    stderr: string;
}

export interface AdbServer {
    /** Port of this private adb server. */
    port: number;
    /** Environment that points adb-using code at this server. */
    env: { ANDROID_ADB_SERVER_PORT: string };
    /** Run the adb CLI against this server (never throws on a non-zero exit). */
    run(args: readonly string[], opts?: { timeoutMs?: number | undefined }): Promise<AdbRun>;
    /** Start the adb CLI against this server without waiting (for kill tests). */
    spawn(args: readonly string[]): ChildProcess;
    close(): Promise<void>;
}

export type DeviceState = 'device' | 'unauthorized' | 'offline' | 'absent';

export interface SimPhone {
    /** The in-process simulator (streams(), dropConnections(), setFaults()). */
    sim: AdbdSimulator;
    /** Change faults at run time (same as sim.setFaults). */
    setFaults(faults: Faults): void;
    /** host:port as adb lists it. */
    serial: string;
    /** Host directory standing for the phone's /data/local/tmp. */
    root: string;
    /** `adb disconnect`, then stop the simulator and remove its root. */
    close(): Promise<void>;
}

const ADB = process.env['SPLITBENCH_ADB'] ?? 'adb';

/** Throws naming what to install when there is no adb CLI. */
export const requireAdb = async (): Promise<void> => {
    const ok = await new Promise<boolean>((resolve) => execFile(ADB, ['version'], (err) => resolve(err === null)));
    if (ok) return;
    if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
        await new Promise<void>((resolve, reject) =>
            execFile('apt-get', ['install', '-y', 'adb'], { timeout: 300_000 }, (err) =>
                err === null ? resolve() : reject(new Error(`apt-get install adb failed: ${err.message}`)),
            ),
        );
        return;
    }
    throw new Error('the adb CLI is missing: install the Debian package "adb" (apt-get install adb)');
};

const runAdb = (port: number, args: readonly string[], timeoutMs = 60_000): Promise<AdbRun> =>
    new Promise((resolve) => {
        execFile(
            ADB,
            ['-P', String(port), ...args],
            { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
            (err, stdout, stderr) => {
                const code =
                    err === null
                        ? 0
                        : typeof (err as { code?: unknown }).code === 'number'
                          ? (err as { code: number }).code
                          : 1;
                resolve({ code, stdout, stderr });
            },
        );
    });

/** Start a private adb server on a free port. */
export const startAdbServer = async (): Promise<AdbServer> => {
    await requireAdb();
    let port = 0;
    let last: AdbRun | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
        port = await freePort();
        last = await runAdb(port, ['start-server'], 30_000);
        if (last.code === 0) break;
    }
    if (last === undefined || last.code !== 0) {
        throw new Error(`adb start-server failed: ${last?.stderr.trim() ?? 'not run'}`);
    }
    const p = port;
    return {
        port: p,
        env: { ANDROID_ADB_SERVER_PORT: String(p) },
        run: (args, opts) => runAdb(p, args, opts?.timeoutMs),
        spawn: (args) => spawn(ADB, ['-P', String(p), ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
        close: async () => {
            await runAdb(p, ['kill-server'], 10_000);
        },
    };
};

/** State of a serial in `adb devices`. */
export const deviceState = async (adb: AdbServer, serial: string): Promise<DeviceState> => {
    const r = await adb.run(['devices'], { timeoutMs: 10_000 });
    for (const line of r.stdout.split('\n')) {
        const [s, state] = line.trim().split(/\s+/);
        if (s === serial && state !== undefined) {
            return state === 'device' || state === 'unauthorized' || state === 'offline' ? state : 'offline';
        }
    }
    return 'absent';
};

export const waitForState = async (
    adb: AdbServer,
    serial: string,
    want: DeviceState,
    timeoutMs = 15_000,
): Promise<void> => {
    const until = Date.now() + timeoutMs;
    let seen: DeviceState = 'absent';
    while (Date.now() < until) {
        seen = await deviceState(adb, serial);
        if (seen === want) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`device ${serial}: still "${seen}" after ${timeoutMs} ms, expected "${want}"`);
};

/** Connect a serial and wait for the wanted state. */
export const connectSerial = async (adb: AdbServer, serial: string, want: DeviceState = 'device'): Promise<void> => {
    await adb.run(['connect', serial], { timeoutMs: 15_000 });
    await waitForState(adb, serial, want);
};

export interface SimPhoneOptions extends Omit<SimulatorOptions, 'root' | 'profile'> {
    /** Host dir for /data/local/tmp; a fresh temp dir (removed by close) by default. */
    root?: string | undefined;
    /** Profile YAML path or a loaded profile. */
    profile?: SimulatorOptions['profile'];
}

/** A simulated phone running as a child process (`node bin/splitbench.js sim adbd`, needs dist/). */
export interface SimPhoneProcess {
    serial: string;
    root: string;
    pid: number;
    /** Change faults at run time; they apply from the next stream or connection. */
    setFaults(faults: Faults): void;
    close(): Promise<void>;
}

export interface SimPhoneProcessOptions {
    root?: string | undefined;
    port?: number | undefined;
    profile?: string | undefined;
    faults?: Faults | undefined;
}

const wantedState = (f: Faults | undefined): DeviceState =>
    f?.offline === true ? 'offline' : f?.refuseAuth === true ? 'unauthorized' : 'device';

/** Start an in-process simulated phone and `adb connect` it to the given server. */
export const startSimPhone = async (adb: AdbServer, opts: SimPhoneOptions = {}): Promise<SimPhone> => {
    const root = opts.root ?? mkdtempSync(join(tmpdir(), 'splitbench-phone-'));
    const ownRoot = opts.root === undefined ? root : undefined;
    const sim = await startAdbdSimulator({ ...opts, root });
    const stop = async (): Promise<void> => {
        await sim.close();
        if (ownRoot !== undefined) rmSync(ownRoot, { recursive: true, force: true });
    };
    try {
        await connectSerial(adb, sim.serial, wantedState(opts.faults));
    } catch (e) {
        await stop();
        throw e;
    }
    return {
        sim,
        serial: sim.serial,
        root: sim.root,
        setFaults: (f) => sim.setFaults(f),
        close: async () => {
            await adb.run(['disconnect', sim.serial], { timeoutMs: 10_000 });
            await stop();
        },
    };
};

/**
 * Same as startSimPhone, but the simulator runs as a child process, so it does not share this process's
 * event loop (benchmarks measuring adbkit in this process against the adb CLI).
 */
export const startSimPhoneProcess = async (
    adb: AdbServer,
    opts: SimPhoneProcessOptions = {},
): Promise<SimPhoneProcess> => {
    const root = opts.root ?? mkdtempSync(join(tmpdir(), 'splitbench-phone-'));
    const ownRoot = opts.root === undefined ? root : undefined;
    const child = await spawnAdbdSimulator({ root, port: opts.port, profile: opts.profile, faults: opts.faults });
    const stop = async (): Promise<void> => {
        await child.close();
        if (ownRoot !== undefined) rmSync(ownRoot, { recursive: true, force: true });
    };
    try {
        await connectSerial(adb, child.serial, wantedState(opts.faults));
    } catch (e) {
        await stop();
        throw e;
    }
    return {
        serial: child.serial,
        root: realpathSync(root),
        pid: child.pid,
        setFaults: (f) => child.setFaults(f),
        close: async () => {
            await adb.run(['disconnect', child.serial], { timeoutMs: 10_000 });
            await stop();
        },
    };
};
