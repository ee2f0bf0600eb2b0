// The adb target of bench/drivers.ts: the ADB driver and the `adb push` / `adb pull` / `adb shell true` CLI, both
// through the same real adb server to the same simulated phone (src/sim), so the comparison is driver vs CLI
// over an identical link.
import { createAdbDriver } from '../src/drivers/adb/adb-driver.js';
import { startAdbServer, startSimPhone } from '../test/support/adb.js';
import type { BenchTarget } from './drivers.js';

export const adbTarget: BenchTarget = {
    name: 'adb',
    setup: async () => {
        const adb = await startAdbServer();
        const phone = await startSimPhone(adb);
        const cli = async (...args: string[]): Promise<void> => {
            const r = await adb.run(['-s', phone.serial, ...args], { timeoutMs: 300_000 });
            if (r.code !== 0) throw new Error(`adb ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
        };
        return {
            driver: createAdbDriver({
                name: 'bench-adb',
                serial: phone.serial,
                server: `127.0.0.1:${adb.port}`,
                campaign: 'bench',
            }),
            remoteDir: '/data/local/tmp/splitbench/bench/files',
            cli: {
                pushLabel: 'adb push',
                pullLabel: 'adb pull',
                execLabel: 'adb shell true',
                push: (l, r) => cli('push', l, r),
                pull: (r, l) => cli('pull', r, l),
                exec: () => cli('shell', 'true'),
                note:
                    'driver and CLI share one private adb server and one simulated phone. The adb CLI speaks shell_v2 ' +
                    '(exit status in-band); the driver uses plain shell: with an exit marker and a stderr file, so its exec ' +
                    'also starts a wrapper shell on the device.',
            },
            cleanup: async () => {
                await phone.close();
                await adb.close();
            },
        };
    },
};
