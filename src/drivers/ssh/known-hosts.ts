// OpenSSH known_hosts handling (pure): parse the file format sshd(8) documents under SSH_KNOWN_HOSTS FILE FORMAT,
// look a host up (plain, wildcard and hashed `|1|salt|hmac` entries, `[host]:port` for non-default ports), and
// decide whether a presented key is known, unknown or changed.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
    /** 1-based line number in the file, for messages. */
    line: number;
    marker?: 'revoked' | 'cert-authority' | undefined;
    /** Comma-separated host patterns, or a hashed host. */
    hosts: { kind: 'patterns'; patterns: string[] } | { kind: 'hashed'; salt: Buffer; hash: Buffer };
    keyType: string;
    key: Buffer;
}

/** Parse known_hosts text; malformed lines are skipped (OpenSSH does the same). */
export const parseKnownHosts = (text: string): KnownHostEntry[] => {
    const out: KnownHostEntry[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const trimmed = raw.trim();
        if (trimmed === '' || trimmed.startsWith('#')) return;
        const fields = trimmed.split(/\s+/);
        let marker: KnownHostEntry['marker'];
        if (fields[0]?.startsWith('@')) {
            const m = fields.shift();
            if (m === '@revoked') marker = 'revoked';
            else if (m === '@cert-authority') marker = 'cert-authority';
            else return;
        }
        const [hostField, keyType, keyB64] = fields;
        if (hostField === undefined || keyType === undefined || keyB64 === undefined) return;
        const key = Buffer.from(keyB64, 'base64');
        if (key.length === 0) return;
        let hosts: KnownHostEntry['hosts'];
        if (hostField.startsWith('|1|')) {
            const [, , salt, hash] = hostField.split('|');
            if (salt === undefined || hash === undefined) return;
            hosts = { kind: 'hashed', salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
        } else {
            hosts = { kind: 'patterns', patterns: hostField.split(',') };
        }
        out.push({ line: i + 1, marker, hosts, keyType, key });
    });
    return out;
};

/** The name OpenSSH writes and looks up: `host` on port 22, `[host]:port` otherwise. */
export const hostToken = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

const globToRegExp = (pattern: string): RegExp =>
    new RegExp(
        `^${pattern
            .split('')
            .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
            .join('')}$`,
        'i',
    );

/** Does this entry name the host? A matching negated pattern (`!pat`) excludes it, as in OpenSSH. */
export const entryMatchesHost = (entry: KnownHostEntry, host: string, port: number): boolean => {
    const token = hostToken(host, port);
    if (entry.hosts.kind === 'hashed') {
        const mac = createHmac('sha1', entry.hosts.salt).update(token).digest();
        return mac.length === entry.hosts.hash.length && timingSafeEqual(mac, entry.hosts.hash);
    }
    let matched = false;
    for (const p of entry.hosts.patterns) {
        const negated = p.startsWith('!');
        const re = globToRegExp(negated ? p.slice(1) : p);
        if (re.test(token)) {
            if (negated) return false;
            matched = true;
        }
    }
    return matched;
};

/** SSH wire-format key blob → its type name (`ssh-ed25519`, `ssh-rsa`, ...). */
export const keyTypeOfBlob = (blob: Buffer): string | undefined => {
    if (blob.length < 4) return undefined;
    const len = blob.readUInt32BE(0);
    if (len <= 0 || len > 64 || 4 + len > blob.length) return undefined;
    return blob.subarray(4, 4 + len).toString('latin1');
};

/** OpenSSH's default fingerprint: `SHA256:` + unpadded base64 of sha256(blob). */
export const fingerprintSha256 = (blob: Buffer): string =>
    `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

/** Normalise a pinned fingerprint for comparison (`SHA256:abc=` and `sha256:abc` mean the same). */
export const normaliseFingerprint = (fp: string): string => {
    const m = /^sha256:(.+)$/i.exec(fp.trim());
    return m?.[1] ? `SHA256:${m[1].replace(/=+$/, '')}` : fp.trim();
};

/** A known_hosts line for this host and key; `hashed` writes the `|1|salt|hmac` form. */
export const knownHostsLine = (host: string, port: number, blob: Buffer, opts: { hashed?: boolean } = {}): string => {
    const type = keyTypeOfBlob(blob) ?? 'ssh-ed25519';
    const token = hostToken(host, port);
    let name = token;
    if (opts.hashed) {
        const salt = randomBytes(20);
        const mac = createHmac('sha1', salt).update(token).digest();
        name = `|1|${salt.toString('base64')}|${mac.toString('base64')}`;
    }
    return `${name} ${type} ${blob.toString('base64')}`;
};

export type HostKeyVerdict =
    | { ok: true; via: 'known_hosts' | 'pinned'; line?: number | undefined }
    | { ok: false; reason: 'unknown' }
    | { ok: false; reason: 'changed'; expected: string[]; lines: number[] }
    | { ok: false; reason: 'revoked'; line: number };

/** Check a presented host key against a pinned fingerprint (if given) or the known_hosts entries. */
export const verifyHostKey = (
    presented: Buffer,
    host: string,
    port: number,
    trust: { pinned?: string | undefined; entries?: readonly KnownHostEntry[] | undefined },
): HostKeyVerdict => {
    const fp = fingerprintSha256(presented);
    if (trust.pinned !== undefined) {
        const pinned = normaliseFingerprint(trust.pinned);
        return pinned === fp
            ? { ok: true, via: 'pinned' }
            : { ok: false, reason: 'changed', expected: [pinned], lines: [] };
    }
    const matching = (trust.entries ?? []).filter(
        (e) => e.marker !== 'cert-authority' && entryMatchesHost(e, host, port),
    );
    const revoked = (trust.entries ?? []).find((e) => e.marker === 'revoked' && e.key.equals(presented));
    if (revoked) return { ok: false, reason: 'revoked', line: revoked.line };
    const plain = matching.filter((e) => e.marker === undefined);
    const hit = plain.find((e) => e.key.equals(presented));
    if (hit) return { ok: true, via: 'known_hosts', line: hit.line };
    if (plain.length === 0) return { ok: false, reason: 'unknown' };
    return {
        ok: false,
        reason: 'changed',
        expected: plain.map((e) => `${e.keyType} ${fingerprintSha256(e.key)}`),
        lines: plain.map((e) => e.line),
    };
};

/** Key types known_hosts holds for this host, so the client can ask the server for one of those first. */
export const knownKeyTypes = (entries: readonly KnownHostEntry[], host: string, port: number): string[] => [
    ...new Set(entries.filter((e) => e.marker === undefined && entryMatchesHost(e, host, port)).map((e) => e.keyType)),
];
