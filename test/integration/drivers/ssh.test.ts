import { existsSync, rmSync, statSync } from 'node:fs';
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
