import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
