// A simulated phone on a TCP port: speaks the ADB transport protocol (CNXN, AUTH, OPEN/OKAY/WRTE/CLSE) so the
// real adb server can `adb connect 127.0.0.1:PORT` to it, and serves shell and sync streams from the host.
//
//   const sim = await startAdbdSimulator({ root: '/tmp/phone', port: 0 });
//   // adb connect sim.serial ...; sim.setFaults({ dropPushAfterBytes: 1 << 20 }); ...
//   await sim.close();
//
// Built from adbd-connection.ts (handshake and streams of one host connection), out-queue.ts (device → host flow
// control), and the shell and sync services.
import { createServer, type Server, type Socket } from 'node:net';
import { SplitbenchError, messageOf } from '../errors.js';
import { Connection, type SimShared, type SimulatorStream } from './adbd-connection.js';
import { createDeviceEnv } from './device-env.js';
import { FaultControl, type Faults } from './faults.js';
import { loadProfile, type DeviceProfile } from './profile.js';

export type { SimulatorStream } from './adbd-connection.js';

export interface SimulatorOptions {
    /** Host directory that stands for the phone's /data/local/tmp (created if missing, never deleted). */
    root: string;
    /** TCP port; 0 (default) lets the OS choose. */
    port?: number | undefined;
    /** Listen address, 127.0.0.1 by default. */
    host?: string | undefined;
    /** A loaded profile or a profile YAML path; the shipped Samsung Galaxy A01 by default. */
    profile?: DeviceProfile | string | undefined;
    faults?: Faults | undefined;
    /** File of fault specs re-read whenever a stream opens (for simulators running as a child process). */
    controlFile?: string | undefined;
    /** Override the features advertised in the banner (e.g. [] to look like a device without shell_v2). */
    features?: readonly string[] | undefined;
    /** Diagnostics (connections, faults); silent by default. */
    log?: ((line: string) => void) | undefined;
}

export interface AdbdSimulator {
    readonly host: string;
    readonly port: number;
    /** What `adb connect` takes and `adb devices` lists: host:port. */
    readonly serial: string;
    /** Host directory standing for /data/local/tmp (realpath; a safe symlink to it if the path needs quoting). */
    readonly root: string;
    readonly profile: DeviceProfile;
    readonly faults: Faults;
    setFaults(faults: Faults): void;
    /** Open streams on all connections (services with their stream ids). */
    streams(): SimulatorStream[];
    /** Number of live host connections. */
    connectionCount(): number;
    /** Destroy every host connection at once (as if the Wi-Fi went away); the listener stays up. */
    dropConnections(): void;
    close(): Promise<void>;
}

/** Start a simulated phone. Rejects with a SplitbenchError when the port is taken or the profile is bad. */
export const startAdbdSimulator = async (opts: SimulatorOptions): Promise<AdbdSimulator> => {
    const profile =
        opts.profile === undefined || typeof opts.profile === 'string' ? loadProfile(opts.profile) : opts.profile;
    const env = createDeviceEnv(profile, opts.root);
    const shared: SimShared = {
        profile,
        env,
        faults: new FaultControl(opts.faults ?? {}, opts.controlFile),
        features: opts.features ?? profile.features,
        log: opts.log ?? (() => {}),
    };
    const connections = new Set<Connection>();
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
        sockets.add(socket);
        const c = new Connection(socket, shared, () => {
            connections.delete(c);
            sockets.delete(socket);
        });
        connections.add(c);
        shared.log(`${c.name}: connected`);
    });
    const host = opts.host ?? '127.0.0.1';
    try {
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(opts.port ?? 0, host, () => {
                server.off('error', reject);
                resolve();
            });
        });
    } catch (e) {
        env.dispose();
        // a port another process holds is no usage mistake: the flags were right, the host said no
        const busy = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
        throw new SplitbenchError(
            busy ? 'UNAVAILABLE' : 'USAGE',
            `sim adbd: cannot listen on ${host}:${opts.port ?? 0}: ${messageOf(e)}` +
                (busy ? ' (another process holds it; --port 0 picks a free one)' : ''),
            { cause: e },
        );
    }
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : (opts.port ?? 0);
    let closing: Promise<void> | undefined;
    return {
        host,
        port,
        serial: `${host}:${port}`,
        root: env.root,
        profile,
        get faults() {
            return shared.faults.current;
        },
        setFaults: (f) => shared.faults.set(f),
        streams: () => [...connections].flatMap((c) => c.openStreams()),
        connectionCount: () => connections.size,
        dropConnections: () => {
            for (const c of [...connections]) c.drop('dropConnections()');
        },
        close: () => {
            closing ??= new Promise<void>((resolve) => {
                server.close(() => resolve());
                for (const c of [...connections]) c.drop();
                for (const s of sockets) s.destroy();
            }).finally(() => env.dispose());
            return closing;
        },
    };
};
