// Keeps hot devices from measuring: waits until the hottest thermal zone (or the battery) is below the gate.
import type { DeviceDriver } from '../drivers/types.js';
import { SplitbenchError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Job } from '../plan/types.js';
import { sleep } from './retry.js';

/**
 * Waits until the device is below the gate temperature (hottest thermal zone, or the battery; °C), polling its
 * probe. Throws DEVICE_UNUSABLE after thermalGateTimeoutSecs: not a transport failure, so it is not retried.
 */
export const thermalGate = async (driver: DeviceDriver, job: Job, signal: AbortSignal, log: Logger): Promise<void> => {
    const gate = job.settings.thermalGateC;
    if (gate === undefined) return;
    const deadline = Date.now() + job.settings.thermalGateTimeoutSecs * 1000;
    for (;;) {
        const probe = await driver.probe({ signal, timeoutMs: 30_000 });
        const temps = Object.values(probe.thermalC);
        if (probe.android?.batteryTempC !== undefined) temps.push(probe.android.batteryTempC);
        const hottest = temps.length > 0 ? Math.max(...temps) : Number.NEGATIVE_INFINITY;
        if (hottest < gate) return;
        if (Date.now() > deadline)
            // not a transport failure: waiting again would only spend another timeout (the circuit breaker gives up)
            throw new SplitbenchError(
                'DEVICE_UNUSABLE',
                `${job.device} stayed at ${hottest} °C, above the ${gate} °C thermal gate, for ${job.settings.thermalGateTimeoutSecs} s`,
                { details: { thermalGate: true } },
            );
        log.info({ device: job.device, hottest, gate }, 'waiting for the device to cool down');
        await sleep(Math.max(100, Math.min(10_000, deadline - Date.now())), signal);
    }
};
