// One host connection to the simulated phone: the ADB transport handshake (CNXN, AUTH — refused when the
// refuse-auth fault is set), and the streams the host opens on it (OPEN/OKAY/WRTE/CLSE), each served by the shell
// or sync service.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { messageOf } from '../errors.js';
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
import type { DeviceEnv } from './device-env.js';
import type { FaultControl } from './faults.js';
import { OutQueue } from './out-queue.js';
import type { DeviceProfile } from './profile.js';
import { parseShellService } from './shell-protocol.js';
import { openShell } from './shell-service.js';
import type { ServiceContext, StreamHandler } from './stream.js';
import { openSyncService } from './sync-service.js';

export interface SimulatorStream {
    id: number;
    service: string;
}

interface Stream {
    localId: number;
    remoteId: number;
    service: string;
    handler: StreamHandler | undefined;
    out: OutQueue;
}

/** What every connection of one simulator shares. */
export interface SimShared {
    profile: DeviceProfile;
    env: DeviceEnv;
    faults: FaultControl;
    features: readonly string[];
    log: (line: string) => void;
}

export class Connection {
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
