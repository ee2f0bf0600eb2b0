// A real OpenSSH server on loopback for tests and benches: throwaway host and user keys, public-key auth only,
// running as the current user (root in CI). Uses node:child_process directly (test support, not product code).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

export interface SshdHandle {
    host: string;
    port: number;
    user: string;
    identityFile: string;
    /** known_hosts file that trusts this server's host key. */
    knownHostsFile: string;
    /** `SHA256:...` of the host key. */
    hostKeyFingerprint: string;
    /** Public host key line (`ssh-ed25519 AAAA...`). */
    hostPublicKey: string;
    dir: string;
    /** PID of the listening sshd. */
    pid(): number | undefined;
    /** SIGKILL every per-connection sshd process (drops all links); the listener keeps running. */
    killSessions(): number;
    /** Stop the listener and all sessions, then start again on the same port with the same keys. */
    restart(): Promise<void>;
    stop(): Promise<void>;
}

export interface StartSshdOptions {
    /** Extra sshd_config lines. */
    extraConfig?: string[] | undefined;
}

/** `ssh-ed25519 AAAA... comment` → `SHA256:...` (what `ssh-keygen -lf` prints). */
export const fingerprintOfPublicKeyLine = (line: string): string => {
    const b64 = line.trim().split(/\s+/)[1] ?? '';
    return `SHA256:${createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64').replace(/=+$/, '')}`;
};

/** A known_hosts line for host:port and a public key line, in OpenSSH's `[host]:port` form. */
export const knownHostsLineFor = (host: string, port: number, publicKeyLine: string): string => {
    const [type, b64] = publicKeyLine.trim().split(/\s+/);
    return `${port === 22 ? host : `[${host}]:${port}`} ${type ?? ''} ${b64 ?? ''}`;
};

/** Generate an ed25519 key pair; returns the private key path (public key at path + '.pub'). */
export const generateKey = (path: string): string => {
    execFileSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'splitbench-test', '-f', path], {
        stdio: 'ignore',
    });
    return path;
};

/** Resolves once the port answers with an SSH banner. */
const waitForBanner = async (
    port: number,
    child: ChildProcess,
    stderr: () => string,
    timeoutMs = 10_000,
): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) {
            throw new Error(
                `sshd exited (${child.exitCode ?? child.signalCode}) before accepting connections: ${stderr().trim()}`,
            );
        }
        const ok = await new Promise<boolean>((res) => {
            const s = connect(port, '127.0.0.1');
            let buf = '';
            s.setTimeout(1000, () => {
                s.destroy();
                res(false);
            });
            s.on('data', (d) => {
                buf += d.toString('latin1');
                if (buf.startsWith('SSH-')) {
                    s.destroy();
                    res(true);
                }
            });
            s.on('error', () => res(false));
            s.on('close', () => res(buf.startsWith('SSH-')));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`sshd on 127.0.0.1:${port} did not accept connections within ${timeoutMs} ms: ${stderr().trim()}`);
};

const childrenOf = (pid: number): number[] => {
    const out: number[] = [];
    for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
            // Field 4 (ppid) follows the parenthesised command name, which may itself contain spaces.
            const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
            if (ppid === pid) out.push(Number(entry));
        } catch {
            // Process vanished while scanning.
        }
    }
    return out;
};

/** Start a real sshd on 127.0.0.1 with an OS-assigned free port. */
export const startSshd = async (opts: StartSshdOptions = {}): Promise<SshdHandle> => {
    if (!existsSync(SSHD)) {
        throw new Error(
            `${SSHD} not found: install the Debian package openssh-server (apt-get install -y openssh-server)`,
        );
    }
    const dir = mkdtempSync(join(tmpdir(), 'splitbench-sshd-'));
    const hostKey = generateKey(join(dir, 'host_ed25519'));
    const identityFile = generateKey(join(dir, 'user_ed25519'));
    const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim();
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${identityFile}.pub`, 'utf8'), { mode: 0o600 });
    const user = userInfo().username;
    const isRoot = process.getuid?.() === 0;
    // sshd refuses to start as root without its privilege-separation directory (absent in fresh containers).
    if (isRoot) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

    let port = 0;
    let child: ChildProcess | undefined;
    let stderrText = '';

    const launch = async (): Promise<void> => {
        const config = [
            `ListenAddress 127.0.0.1:${port}`,
            `HostKey ${hostKey}`,
            `PidFile ${join(dir, 'sshd.pid')}`,
            `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
            'AuthenticationMethods publickey',
            'PubkeyAuthentication yes',
            'PasswordAuthentication no',
            'KbdInteractiveAuthentication no',
            'PermitRootLogin prohibit-password',
            'StrictModes no',
            'UsePAM no',
            'PrintMotd no',
            'MaxSessions 64',
            'MaxStartups 64',
            'Subsystem sftp internal-sftp',
            'LogLevel ERROR',
            ...(opts.extraConfig ?? []),
        ];
        writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
        stderrText = '';
        const c = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
        c.stderr?.on('data', (d: Buffer) => {
            stderrText += d.toString();
            if (stderrText.length > 20_000) stderrText = stderrText.slice(-10_000);
        });
        child = c;
        await waitForBanner(port, c, () => stderrText);
    };

    // The port is free when we ask but another process may take it before sshd binds: retry a few times.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
        port = await freePort();
        try {
            await launch();
            lastError = undefined;
            break;
        } catch (e) {
            lastError = e;
            child?.kill('SIGKILL');
        }
    }
    if (lastError !== undefined) {
        rmSync(dir, { recursive: true, force: true });
        throw lastError instanceof Error ? lastError : new Error('sshd did not start');
    }

    const knownHostsFile = join(dir, 'known_hosts');
    writeFileSync(knownHostsFile, `${knownHostsLineFor('127.0.0.1', port, hostPublicKey)}\n`);

    const killSessions = (): number => {
        const pid = child?.pid;
        if (pid === undefined) return 0;
        // The per-connection monitor, its unprivileged network child and the user's commands all go: the TCP
        // link closes at once, as when a cable is pulled or the host reboots.
        const kids: number[] = [];
        for (let frontier = childrenOf(pid); frontier.length > 0; frontier = frontier.flatMap(childrenOf)) {
            kids.push(...frontier);
        }
        for (const k of kids) {
            try {
                process.kill(k, 'SIGKILL');
            } catch {
                // already gone
            }
        }
        return kids.length;
    };

    const stopListener = async (): Promise<void> => {
        const c = child;
        if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((res) => c.once('exit', () => res()));
        killSessions();
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
    };

    return {
        host: '127.0.0.1',
        port,
        user,
        identityFile,
        knownHostsFile,
        hostKeyFingerprint: fingerprintOfPublicKeyLine(hostPublicKey),
        hostPublicKey,
        dir,
        pid: () => child?.pid,
        killSessions,
        restart: async () => {
            await stopListener();
            await launch();
        },
        stop: async () => {
            await stopListener();
            rmSync(dir, { recursive: true, force: true });
        },
    };
};

/** Options that point createSshDriver at this sshd with its throwaway user key and known_hosts (no agent). */
export const sshdDriverOptions = (
    sshd: SshdHandle,
): { host: string; port: number; user: string; identityFile: string; knownHostsFile: string; agent: false } => ({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.identityFile,
    knownHostsFile: sshd.knownHostsFile,
    agent: false,
});
