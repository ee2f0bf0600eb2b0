import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSshDriver } from '../../../src/drivers/ssh/ssh-driver.js';
import { runDriverContract } from '../../support/driver-contract.js';
import { startSshd, sshdDriverOptions } from '../../support/sshd.js';

runDriverContract('ssh (real OpenSSH on loopback)', async () => {
    const sshd = await startSshd();
    const workDir = `${sshd.dir}/work`;
    return {
        driver: createSshDriver({
            name: 'ssh-test',
            ...sshdDriverOptions(sshd),
            workDir,
            killGraceMs: 500,
        }),
        cleanup: () => sshd.stop(),
    };
});

describe('ssh driver without a workDir: a private per-run folder on the host', () => {
    it('creates /tmp/splitbench-<campaign>-<random> mode 0700 on first use and removes it on close', async () => {
        const sshd = await startSshd();
        try {
            const a = createSshDriver({ name: 'a', campaign: 'same', ...sshdDriverOptions(sshd) });
            const b = createSshDriver({ name: 'b', campaign: 'same', ...sshdDriverOptions(sshd) });
            expect(a.workDir()).not.toBe(b.workDir());
            expect(a.workDir()).toMatch(/^\/tmp\/splitbench-same-[0-9a-f]{12}$/);
            const r = await a.exec(['sh', '-c', 'touch f; pwd']);
            expect(r.stdout.trim()).toBe(a.workDir());
            expect(statSync(a.workDir()).mode & 0o777).toBe(0o700); // loopback: the host's /tmp is ours
            const kept = createSshDriver({
                name: 'k',
                campaign: 'same',
                keepWorkDir: true,
                ...sshdDriverOptions(sshd),
            });
            await kept.exec(['true']);
            await Promise.all([a.close(), b.close(), kept.close()]);
            expect(existsSync(a.workDir())).toBe(false);
            expect(existsSync(kept.workDir())).toBe(true);
            rmSync(kept.workDir(), { recursive: true, force: true });
        } finally {
            await sshd.stop();
        }
    });
});

describe('ssh driver without any key', () => {
    it('says how to give one: the --identity flag or the device file, or an agent', async () => {
        const home = mkdtempSync(join(tmpdir(), 'sb-nokey-home-'));
        const saved = process.env['HOME'];
        process.env['HOME'] = home; // no ~/.ssh/id_* here
        try {
            const d = createSshDriver({ name: 'nokey', host: '127.0.0.1', port: 1, user: 'x', agent: false });
            const e = await d.exec(['true']).then(
                () => undefined,
                (err: unknown) => err,
            );
            expect(e).toBeInstanceOf(Error);
            const msg = (e as Error).message;
            expect(msg).toMatch(/^device nokey: no SSH key: /);
            expect(msg).toContain('--identity FILE');
            expect(msg).toContain('identity: FILE under ssh: in the device file');
            expect(msg).toContain('ssh-agent');
            expect(msg.split('device nokey')).toHaveLength(2);
            await d.close();
        } finally {
            if (saved === undefined) delete process.env['HOME'];
            else process.env['HOME'] = saved;
            rmSync(home, { recursive: true, force: true });
        }
    });
});
