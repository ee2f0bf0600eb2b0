// A simulated phone on a TCP port: speaks the ADB transport protocol (CNXN, AUTH, OPEN/OKAY/WRTE/CLSE) so the
// real adb server can `adb connect 127.0.0.1:PORT` to it, and serves shell and sync streams from the host.
//
//   const sim = await startAdbdSimulator({ root: '/tmp/phone', port: 0 });
//   // adb connect sim.serial ...; sim.setFaults({ dropPushAfterBytes: 1 << 20 }); ...
//   await sim.close();

import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { SplitbenchError, messageOf } from '../errors.js';
import {
    AUTH_RSAPUBLICKEY,
    AUTH_SIGNATURE,
    AUTH_TOKEN,
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    MAX_PAYLOAD,
    MessageDecoder,
    commandName,
    deviceBanner,
    encodeHeader,
    type AdbMessage,
} from './adb-protocol.js';
import { createDeviceEnv, type DeviceEnv } from './device-env.js';
import { FaultControl, type Faults } from './faults.js';
import { loadProfile, type DeviceProfile } from './profile.js';
import { parseShellService } from './shell-protocol.js';
import { openShell } from './shell-service.js';
import type { ServiceContext, StreamHandler, StreamOutput } from './stream.js';
import { openSyncService } from './sync-service.js';

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

export interface SimulatorStream {
    id: number;
    service: string;
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

const LOW_WATER = 1024 * 1024;

interface Stream {
    localId: number;
    remoteId: number;
    service: string;
    handler: StreamHandler | undefined;
    out: OutQueue;
}

/** Device → host data of one stream: WRTE packets of at most maxData bytes, each waiting for the host's OKAY. */
class OutQueue implements StreamOutput {
    private chunks: Buffer[] = [];
    private unsent = 0;
    private awaitingAck = false;
    private ending = false;
    private isClosed = false;
    private waiters: (() => void)[] = [];
    private readonly conn: Connection;
    private readonly stream: () => Stream;

    constructor(conn: Connection, stream: () => Stream) {
        this.conn = conn;
        this.stream = stream;
    }

    get queuedBytes(): number {
        return this.unsent;
    }

    get closed(): boolean {
        return this.isClosed;
    }

    write(data: Buffer): void {
        if (this.isClosed || this.ending || data.length === 0) return;
        this.chunks.push(data);
        this.unsent += data.length;
        this.pump();
    }

    end(): void {
        if (this.isClosed) return;
        this.ending = true;
        this.pump();
    }

    drained(): Promise<void> {
        if (this.isClosed || this.unsent <= LOW_WATER) return Promise.resolve();
        return new Promise((resolve) => this.waiters.push(resolve));
    }

    onOkay(): void {
        this.awaitingAck = false;
        this.pump();
    }

    /** The stream is gone (either side closed it, or the link dropped). */
    markClosed(): void {
        this.isClosed = true;
        this.chunks = [];
        this.unsent = 0;
        this.wake();
    }

    private wake(): void {
        if (this.waiters.length === 0) return;
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
    }

    private pump(): void {
        if (this.isClosed || this.awaitingAck) return;
        const s = this.stream();
        if (this.unsent > 0) {
            const max = this.conn.maxData;
            let payload: Buffer;
            const first = this.chunks[0] as Buffer;
            if (first.length >= max) {
                payload = first.subarray(0, max);
                if (first.length === max) this.chunks.shift();
                else this.chunks[0] = first.subarray(max);
            } else {
                const parts: Buffer[] = [];
                let size = 0;
                while (this.chunks.length > 0 && size < max) {
                    const c = this.chunks[0] as Buffer;
                    const k = Math.min(c.length, max - size);
                    parts.push(k === c.length ? c : c.subarray(0, k));
                    if (k === c.length) this.chunks.shift();
                    else this.chunks[0] = c.subarray(k);
                    size += k;
                }
                payload = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
            }
            this.unsent -= payload.length;
            this.awaitingAck = true;
            this.conn.send(A_WRTE, s.localId, s.remoteId, payload);
            if (this.unsent <= LOW_WATER) this.wake();
            return;
        }
        if (this.ending) {
            this.conn.send(A_CLSE, s.localId, s.remoteId);
            this.conn.closeStream(s.localId);
        }
    }
}

interface SimShared {
    profile: DeviceProfile;
    env: DeviceEnv;
    faults: FaultControl;
    features: readonly string[];
    log: (line: string) => void;
}

class Connection {
    maxData = 4096;
    private readonly socket: Socket;
    private readonly shared: SimShared;
    private readonly decoder = new MessageDecoder();
    private readonly streams = new Map<number, Stream>();
    private nextId = 1;
    private state: 'handshake' | 'online' | 'unauthorized' = 'handshake';
    private withChecksum = true;
    private sendChain: Promise<void> = Promise.resolve();
    private dead = false;
    readonly name: string;

    constructor(socket: Socket, shared: SimShared, onGone: () => void) {
        this.socket = socket;
        this.shared = shared;
        this.name = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
        socket.setNoDelay(true);
        socket.on('data', (chunk: Buffer) => {
            let messages: AdbMessage[];
            try {
                messages = this.decoder.push(chunk);
            } catch (e) {
                this.shared.log(`${this.name}: protocol error: ${messageOf(e)}; closing`);
                this.drop();
                return;
            }
            for (const m of messages) {
                if (this.dead) return;
                this.dispatch(m);
            }
        });
        socket.on('error', () => {
            // 'close' follows
        });
        socket.on('close', () => {
            this.shutdown();
            this.shared.log(`${this.name}: disconnected`);
            onGone();
        });
    }

    openStreams(): SimulatorStream[] {
        return [...this.streams.values()].map((s) => ({ id: s.localId, service: s.service }));
    }

    send(command: number, arg0: number, arg1: number, data: Buffer = Buffer.alloc(0)): void {
        if (this.dead) return;
        const delay = this.shared.faults.current.delayMs ?? 0;
        const write = (): void => {
            if (this.dead) return;
            this.socket.cork();
            this.socket.write(encodeHeader(command, arg0, arg1, data, this.withChecksum));
            if (data.length > 0) this.socket.write(data);
            this.socket.uncork();
        };
        if (delay <= 0) {
            write();
            return;
        }
        this.sendChain = this.sendChain.then(
            () =>
                new Promise<void>((resolve) =>
                    setTimeout(() => {
                        write();
                        resolve();
                    }, delay),
                ),
        );
    }

    closeStream(localId: number): void {
        const s = this.streams.get(localId);
        if (s === undefined) return;
        this.streams.delete(localId);
        s.out.markClosed();
        try {
            s.handler?.onClose();
        } catch (e) {
            this.shared.log(`${this.name}: closing ${s.service}: ${messageOf(e)}`);
        }
    }

    /** Cut the link abruptly (fault injection, protocol errors). */
    drop(reason?: string): void {
        if (reason !== undefined) this.shared.log(`${this.name}: dropping link: ${reason}`);
        this.shutdown();
        this.socket.resetAndDestroy();
    }

    private shutdown(): void {
        if (this.dead) return;
        this.dead = true;
        for (const id of [...this.streams.keys()]) this.closeStream(id);
    }

    private dispatch(m: AdbMessage): void {
        switch (m.command) {
            case A_CNXN:
                this.onConnect(m);
                return;
            case A_AUTH:
                this.onAuth(m);
                return;
            case A_OPEN:
                if (this.state === 'online') this.onOpen(m);
                return;
            case A_OKAY: {
                const s = this.streams.get(m.arg1);
                if (s !== undefined && s.remoteId === m.arg0) s.out.onOkay();
                return;
            }
            case A_WRTE:
                this.onWrite(m);
                return;
            case A_CLSE: {
                const s = this.streams.get(m.arg1);
                if (s !== undefined && (m.arg0 === 0 || s.remoteId === m.arg0)) this.closeStream(m.arg1);
                return;
            }
            default:
                this.shared.log(`${this.name}: ignoring ${commandName(m.command)}`);
        }
    }

    private onConnect(m: AdbMessage): void {
        // A repeated CNXN means the host restarted the session: forget every stream.
        for (const id of [...this.streams.keys()]) this.closeStream(id);
        this.withChecksum = m.arg0 < A_VERSION_SKIP_CHECKSUM;
        this.maxData = Math.max(256, Math.min(m.arg1, MAX_PAYLOAD));
        const banner = m.data.toString('utf8').replace(/\0+$/, '');
        this.shared.log(
            `${this.name}: CNXN version 0x${m.arg0.toString(16)} maxdata ${m.arg1} (${banner.slice(0, 80)})`,
        );
        this.shared.faults.refresh();
        if (this.shared.faults.current.offline === true) {
            this.state = 'handshake';
            this.shared.log(`${this.name}: not answering CNXN (fault offline)`);
            return;
        }
        if (this.shared.faults.current.refuseAuth === true) {
            this.state = 'unauthorized';
            this.send(A_AUTH, AUTH_TOKEN, 0, randomBytes(20));
            return;
        }
        this.state = 'online';
        const b = deviceBanner(this.shared.profile.props, this.shared.features);
        this.send(A_CNXN, A_VERSION, MAX_PAYLOAD, Buffer.from(b, 'utf8'));
    }

    private onAuth(m: AdbMessage): void {
        if (this.state !== 'unauthorized') return;
        if (m.arg0 === AUTH_SIGNATURE) {
            // no key is ever accepted: ask again, as adbd does after a bad signature
            this.send(A_AUTH, AUTH_TOKEN, 0, randomBytes(20));
        } else if (m.arg0 === AUTH_RSAPUBLICKEY) {
            this.shared.log(`${this.name}: host offered its public key; refusing (fault refuse-auth)`);
        }
    }

    private onOpen(m: AdbMessage): void {
        const remoteId = m.arg0;
        const service = m.data.toString('utf8').replace(/\0+$/, '');
        this.shared.faults.refresh();
        const refuse = (why: string): void => {
            this.shared.log(`${this.name}: refusing ${JSON.stringify(service)}: ${why}`);
            this.send(A_CLSE, 0, remoteId);
        };
        const shell = parseShellService(service);
        const isSync = service === 'sync:';
        const isRoot = service === 'root:' || service === 'unroot:';
        if (shell === undefined && !isSync && !isRoot) {
            refuse('not supported by the simulator');
            return;
        }
        const localId = this.nextId++;
        const stream: Stream = {
            localId,
            remoteId,
            service,
            handler: undefined,
            out: undefined as unknown as OutQueue,
        };
        stream.out = new OutQueue(this, () => stream);
        this.streams.set(localId, stream);
        this.send(A_OKAY, localId, remoteId);
        this.shared.log(`${this.name}: open ${localId} ${JSON.stringify(service.slice(0, 200))}`);
        const ctx: ServiceContext = {
            out: stream.out,
            env: this.shared.env,
            faults: this.shared.faults,
            dropLink: (reason) => this.drop(reason),
            log: (line) => this.shared.log(`${this.name}: [${localId}] ${line}`),
        };
        try {
            if (shell !== undefined) stream.handler = openShell(shell, ctx);
            else if (isSync) stream.handler = openSyncService(ctx);
            else {
                // what a user build's adbd says
                stream.out.write(Buffer.from('adbd cannot run as root in production builds\n'));
                stream.out.end();
            }
        } catch (e) {
            this.shared.log(`${this.name}: ${service}: ${messageOf(e)}`);
            stream.out.end();
        }
    }

    private onWrite(m: AdbMessage): void {
        const s = this.streams.get(m.arg1);
        if (s === undefined || s.remoteId !== m.arg0) return;
        const ack = (): void => {
            if (this.streams.get(s.localId) === s) this.send(A_OKAY, s.localId, s.remoteId);
        };
        let r: void | Promise<void>;
        try {
            r = s.handler?.onData(m.data);
        } catch (e) {
            this.shared.log(`${this.name}: ${s.service}: ${messageOf(e)}`);
            s.out.end();
            return;
        }
        if (r === undefined) ack();
        else
            r.then(ack, (e: unknown) => {
                this.shared.log(`${this.name}: ${s.service}: ${messageOf(e)}`);
                s.out.end();
            });
    }
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
