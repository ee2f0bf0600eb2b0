import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
    entryMatchesHost,
    fingerprintSha256,
    keyTypeOfBlob,
    knownHostsLine,
    knownKeyTypes,
    normaliseFingerprint,
    parseKnownHosts,
    verifyHostKey,
} from '../../../../src/drivers/ssh/known-hosts.js';

// Real keys from ssh-keygen, so the blob format and fingerprints are OpenSSH's own, not our idea of them.
const dir = mkdtempSync(join(tmpdir(), 'sb-kh-'));
const keygen = (name: string, type = 'ed25519'): { blob: Buffer; line: string; fp: string } => {
    const f = join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', f]);
    const line = readFileSync(`${f}.pub`, 'utf8').trim();
    const fp =
        execFileSync('ssh-keygen', ['-lf', `${f}.pub`, '-E', 'sha256'], { encoding: 'utf8' }).split(' ')[1] ?? '';
    return { blob: Buffer.from(line.split(' ')[1] ?? '', 'base64'), line, fp };
};
const a = keygen('a');
const b = keygen('b');
const ec = keygen('c', 'ecdsa');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('known_hosts', () => {
    it('fingerprints match ssh-keygen -lf and key types come from the blob', () => {
        expect(fingerprintSha256(a.blob)).toBe(a.fp);
        expect(fingerprintSha256(ec.blob)).toBe(ec.fp);
        expect(keyTypeOfBlob(a.blob)).toBe('ssh-ed25519');
        expect(keyTypeOfBlob(ec.blob)).toBe('ecdsa-sha2-nistp256');
        expect(normaliseFingerprint(`sha256:${a.fp.slice(7)}=`)).toBe(a.fp);
    });

    it('matches plain, [host]:port, wildcard and negated patterns', () => {
        const text = [
            '# comment',
            `[127.0.0.1]:2222 ${a.line.split(' ').slice(0, 2).join(' ')}`,
            `lab-*.example.org,!lab-9.example.org ${b.line}`,
            `plain.example.org ${ec.line}`,
            'garbage line',
        ].join('\n');
        const entries = parseKnownHosts(text);
        expect(entries).toHaveLength(3);
        const [e0, e1, e2] = entries;
        if (!e0 || !e1 || !e2) throw new Error('parse');
        expect(e0.line).toBe(2);
        expect(entryMatchesHost(e0, '127.0.0.1', 2222)).toBe(true);
        expect(entryMatchesHost(e0, '127.0.0.1', 22)).toBe(false);
        expect(entryMatchesHost(e1, 'lab-3.example.org', 22)).toBe(true);
        expect(entryMatchesHost(e1, 'lab-9.example.org', 22)).toBe(false);
        expect(entryMatchesHost(e2, 'PLAIN.example.org', 22)).toBe(true);
        expect(entryMatchesHost(e2, 'plain.example.org', 2200)).toBe(false);
        expect(knownKeyTypes(entries, '127.0.0.1', 2222)).toEqual(['ssh-ed25519']);
    });

    it('matches hashed entries written by ssh-keygen -H', () => {
        const f = join(dir, 'known_hosts');
        writeFileSync(f, `[10.1.2.3]:2201 ${a.line}\nserver.lab ${b.line}\n`);
        execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
        const text = readFileSync(f, 'utf8');
        expect(text).toContain('|1|');
        expect(text).not.toContain('server.lab');
        const entries = parseKnownHosts(text);
        expect(verifyHostKey(a.blob, '10.1.2.3', 2201, { entries })).toMatchObject({ ok: true, via: 'known_hosts' });
        expect(verifyHostKey(b.blob, 'server.lab', 22, { entries })).toMatchObject({ ok: true });
        expect(verifyHostKey(a.blob, '10.1.2.3', 22, { entries })).toEqual({ ok: false, reason: 'unknown' });
        // Our own hashed line is readable by our matcher (and has OpenSSH's shape).
        const own = knownHostsLine('10.9.9.9', 2222, a.blob, { hashed: true });
        expect(own).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
        expect(verifyHostKey(a.blob, '10.9.9.9', 2222, { entries: parseKnownHosts(own) })).toMatchObject({ ok: true });
    });

    it('tells unknown from changed from revoked, and honours a pinned fingerprint', () => {
        const entries = parseKnownHosts(`[h]:2222 ${a.line}\n@revoked * ${ec.line}\n`);
        expect(verifyHostKey(a.blob, 'h', 2222, { entries })).toMatchObject({ ok: true });
        expect(verifyHostKey(b.blob, 'h', 2222, { entries })).toEqual({
            ok: false,
            reason: 'changed',
            expected: [`ssh-ed25519 ${a.fp}`],
            lines: [1],
        });
        expect(verifyHostKey(b.blob, 'other', 2222, { entries })).toEqual({ ok: false, reason: 'unknown' });
        expect(verifyHostKey(ec.blob, 'h', 2222, { entries })).toEqual({ ok: false, reason: 'revoked', line: 2 });
        expect(verifyHostKey(a.blob, 'h', 2222, { pinned: a.fp })).toEqual({ ok: true, via: 'pinned' });
        expect(verifyHostKey(b.blob, 'h', 2222, { pinned: a.fp, entries })).toMatchObject({
            ok: false,
            reason: 'changed',
        });
    });
});
