// Whether to trust the host key a server presents: a pinned fingerprint from the device file, else
// ~/.ssh/known_hosts as OpenSSH reads it. A rejection says how to trust the key, because the user's next step
// is always one of a few commands.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SplitbenchError } from '../../errors.js';
import {
    fingerprintSha256,
    hostToken,
    keyTypeOfBlob,
    knownKeyTypes,
    parseKnownHosts,
    verifyHostKey,
    type KnownHostEntry,
} from './known-hosts.js';
import { describeTarget, type SshDriverOptions, type SshTarget } from './ssh-options.js';

const DEFAULT_HOST_KEY_ALGOS = [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
] as const;

export type HostKeyAlgorithm = (typeof DEFAULT_HOST_KEY_ALGOS)[number];

/** Order host key algorithms so the server presents a key type known_hosts has (as OpenSSH's client does). */
const hostKeyAlgorithms = (knownTypes: readonly string[]): HostKeyAlgorithm[] => {
    const preferred = DEFAULT_HOST_KEY_ALGOS.filter((a) =>
        knownTypes.some((t) => t === a || (t === 'ssh-rsa' && a.startsWith('rsa-sha2'))),
    );
    return [...preferred, ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !preferred.includes(a))];
};

export interface HostKeyPolicy {
    /** Host key algorithms to offer, most wanted first. */
    algorithms: HostKeyAlgorithm[];
    /** undefined when the presented key (wire-format blob) is trusted, else the HOST_KEY_REJECTED error to fail with. */
    check(key: Buffer): SplitbenchError | undefined;
}

/** Reads known_hosts now (once per connection attempt) unless a fingerprint is pinned; a missing file trusts nothing. */
export const hostKeyPolicy = (
    target: SshTarget,
    opts: Pick<SshDriverOptions, 'knownHostsFile' | 'hostKeyFingerprint' | 'fingerprintSource'>,
): HostKeyPolicy => {
    const pinned = opts.hostKeyFingerprint;
    const kh = pinned === undefined ? readKnownHosts(opts.knownHostsFile) : { entries: [], file: '' };
    return {
        algorithms: hostKeyAlgorithms(knownKeyTypes(kh.entries, target.host, target.port)),
        check: (key) => {
            const verdict = verifyHostKey(key, target.host, target.port, { pinned, entries: kh.entries });
            return verdict.ok ? undefined : hostKeyError(target, opts, key, verdict, kh.file);
        },
    };
};

const readKnownHosts = (knownHostsFile: string | undefined): { entries: KnownHostEntry[]; file: string } => {
    const file = knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
    let text = '';
    try {
        text = readFileSync(file, 'utf8');
    } catch {
        // A missing known_hosts file simply means every host is unknown.
    }
    return { entries: parseKnownHosts(text), file };
};

const hostKeyError = (
    target: SshTarget,
    opts: Pick<SshDriverOptions, 'hostKeyFingerprint' | 'fingerprintSource'>,
    presented: Buffer,
    verdict: Exclude<ReturnType<typeof verifyHostKey>, { ok: true }>,
    file: string,
): SplitbenchError => {
    const { device: name, host, port } = target;
    const where = describeTarget(target);
    const fp = `${keyTypeOfBlob(presented) ?? 'key'} ${fingerprintSha256(presented)}`;
    const token = hostToken(host, port);
    const scan = `ssh-keyscan${port === 22 ? '' : ` -p ${port}`} ${host} >> ${file}`;
    const pinned = opts.hostKeyFingerprint !== undefined;
    let msg: string;
    switch (verdict.reason) {
        case 'unknown':
            msg = `${where}: unknown host key ${fp}; to trust it run: splitbench devices trust ${name}  (or add it to known_hosts: ${scan})`;
            break;
        case 'changed':
            msg = pinned
                ? `${where}: host key CHANGED: server presented ${fp} but the device file pins ${verdict.expected.join(', ')}; if the change is expected, update ssh.fingerprint in ${opts.fingerprintSource ?? `the device file of ${name}`} (splitbench devices trust ${name} pins the key it presents now)`
                : `${where}: host key CHANGED: server presented ${fp} but ${file} line ${verdict.lines.join(',')} has ${verdict.expected.join(', ')}; if the change is expected, run: ssh-keygen -R '${token}' -f ${file} && splitbench devices trust ${name}`;
            break;
        case 'revoked':
            msg = `${where}: host key ${fp} is marked @revoked in ${file} line ${verdict.line}`;
            break;
    }
    return new SplitbenchError('HOST_KEY_REJECTED', msg, {
        details: { device: name, host, port, fingerprint: fingerprintSha256(presented) },
    });
};
