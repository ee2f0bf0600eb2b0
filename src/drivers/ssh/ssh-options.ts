// The SSH driver's options and the host they name. Apart from ssh-driver.ts so the modules the driver is built
// from can read them without importing the driver.
import { userInfo } from 'node:os';
import { SplitbenchError } from '../../errors.js';
import type { Logger } from '../../log.js';

export interface SshDriverOptions {
    /** Device name from the device file; used in messages and in the "how to trust" hint. */
    name: string;
    host: string;
    /** @default 22 */
    port?: number | undefined;
    /** @default the local user name */
    user?: string | undefined;
    /** Private key file. Without it the ssh-agent at `SSH_AUTH_SOCK` is used, else ~/.ssh/id_ed25519|id_ecdsa|id_rsa. */
    identityFile?: string | undefined;
    passphrase?: string | undefined;
    /** ssh-agent socket; `false` disables the agent. @default process.env.SSH_AUTH_SOCK */
    agent?: string | false | undefined;
    /** @default ~/.ssh/known_hosts */
    knownHostsFile?: string | undefined;
    /** Pinned host key fingerprint (`SHA256:...`, as printed by `ssh-keygen -lf`); when set, known_hosts is not read. */
    hostKeyFingerprint?: string | undefined;
    /** Where the pin comes from (`devices/x.yaml:7:18`): the host-key-changed message names the file's field there. */
    fingerprintSource?: string | undefined;
    /** @default 10000 */
    connectTimeoutMs?: number | undefined;
    /** Keepalive probe interval; 3 missed probes count as a dropped link. @default 5000 */
    keepaliveIntervalMs?: number | undefined;
    /**
     * Per-campaign working directory on the host; relative push/pull paths and exec without `cwd` resolve here.
     * Given: kept (persistent, so unchanged pushes are skipped across runs). Not given: a private folder
     * `/tmp/splitbench-<campaign>-<12 random hex digits>` (created mode 0700 on first use, the remote
     * equivalent of mkdtemp) that close() removes, so two checkouts or two users never share files.
     */
    workDir?: string | undefined;
    /** Keep the default working directory after close(). @default false */
    keepWorkDir?: boolean | undefined;
    /** @default 'default' */
    campaign?: string | undefined;
    /** Time between TERM and KILL when stopping a remote command. @default 2000 */
    killGraceMs?: number | undefined;
    logger?: Logger | undefined;
}

/** The host one driver talks to, as every message and error detail names it. */
export interface SshTarget {
    /** Device name from the device file. */
    device: string;
    host: string;
    port: number;
    user: string;
}

/** Fills in the defaults: port 22, the local user name. */
export const sshTarget = (opts: SshDriverOptions): SshTarget => ({
    device: opts.name,
    host: opts.host,
    port: opts.port ?? 22,
    user: opts.user ?? userInfo().username,
});

/** `ssh host HOST:PORT (device NAME)`, the prefix of the driver's messages. */
export const describeTarget = (t: SshTarget): string => `ssh host ${t.host}:${t.port} (device ${t.device})`;

/** DEVICE_UNREACHABLE: `what` went wrong talking to the target; details carry device, host and port. */
export const unreachableError = (t: SshTarget, what: string, cause?: unknown): SplitbenchError =>
    new SplitbenchError('DEVICE_UNREACHABLE', `${describeTarget(t)}: ${what}`, {
        cause,
        details: { device: t.device, host: t.host, port: t.port },
    });
