import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalDriver } from '../../../src/drivers/local/local-driver.js';
import { runDriverContract } from '../../support/driver-contract.js';

runDriverContract(
    'local',
    async () => {
        const workDir = await mkdtemp(join(tmpdir(), 'splitbench-local-work-'));
        return {
            driver: createLocalDriver({ name: 'local-test', workDir, killGraceMs: 500 }),
            cleanup: () => rm(workDir, { recursive: true, force: true }),
        };
    },
    { execTimeoutMs: 1000 },
);

describe('local driver without a workDir: a private per-run folder', () => {
    it('makes a fresh 0700 folder under the OS temp dir on first use and removes it on close', async () => {
        const a = createLocalDriver({ name: 'a', campaign: 'same' });
        const b = createLocalDriver({ name: 'b', campaign: 'same' });
        const wa = a.workDir();
        const wb = b.workDir();
        // two drivers of the same campaign (two checkouts, two users) never share a folder
        expect(wa).not.toBe(wb);
        expect(dirname(wa)).toBe(tmpdir());
        expect(basename(wa)).toMatch(/^splitbench-same-\w{6}$/);
        expect((await stat(wa)).mode & 0o777).toBe(0o700);
        const r = await a.exec(['sh', '-c', 'echo hi > f.txt; pwd']);
        expect(r.stdout.trim()).toBe(wa);
        await a.close();
        expect(existsSync(wa)).toBe(false);
        await b.close();
        expect(existsSync(wb)).toBe(false);
    });

    it('keeps it with keepWorkDir, and never removes a workDir it was given', async () => {
        const kept = createLocalDriver({ name: 'k', campaign: 'c', keepWorkDir: true });
        const wk = kept.workDir();
        await kept.exec(['true']);
        await kept.close();
        expect(existsSync(wk)).toBe(true);
        const given = createLocalDriver({ name: 'g', workDir: wk });
        await given.exec(['true']);
        await given.close();
        expect(existsSync(wk)).toBe(true);
        await rm(wk, { recursive: true, force: true });
    });
});
