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
