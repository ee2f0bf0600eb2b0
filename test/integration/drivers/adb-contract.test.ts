// The shared driver contract against the ADB driver: the real adb server (Debian `adb`) with the simulated
// phone connected to it by `adb connect`.
import { createAdbDriver } from '../../../src/drivers/adb/adb-driver.js';
import { startAdbServer, startSimPhone } from '../../support/adb.js';
import { runDriverContract } from '../../support/driver-contract.js';

runDriverContract(
    'adb (real adb server + simulated phone)',
    async () => {
        const adb = await startAdbServer();
        const phone = await startSimPhone(adb);
        return {
            driver: createAdbDriver({
                name: 'sim-a01',
                serial: phone.serial,
                server: `127.0.0.1:${adb.port}`,
                campaign: 'contract',
            }),
            cleanup: async () => {
                await phone.close();
                await adb.close();
            },
        };
    },
    { execTimeoutMs: 3000 },
);
