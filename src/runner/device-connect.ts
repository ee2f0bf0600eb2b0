// Connects and probes a run's devices before any job starts, in parallel, retrying transport failures like jobs do.
// A device that stays unreachable is reported with its cause; the caller fails its jobs with it.
import { fingerprintSource, saveProbe, type DeviceSpec } from '../config/device-file.js';
import { createDriver } from '../drivers/create.js';
import type { DeviceDriver, DeviceProbe } from '../drivers/types.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { backoffMs, isTransportFailure, sleep } from './retry.js';

export interface ConnectedDevices {
    drivers: Map<string, DeviceDriver>;
    probes: Map<string, DeviceProbe>;
    /** Device → why it could not be connected or probed (one line). */
    unreachable: Map<string, string>;
}

export interface ConnectArgs {
    devices: readonly string[];
    specs: ReadonlyMap<string, DeviceSpec>;
    campaign: string;
    retries: { count: number; backoffMs: number };
    signal: AbortSignal;
    log: Logger;
    /** Where `devices list` finds the probe a run made (devices/.probes/); undefined: not cached. */
    devicesDir?: string | undefined;
    /** Keep default per-run working folders on the devices after the run. */
    keepWorkDir?: boolean | undefined;
}

/** `devices list` and later campaign checks see the probe a run made (devices/.probes/; a failure only warns). */
const cacheProbe = (devicesDir: string, spec: DeviceSpec, probe: DeviceProbe, log: Logger): void => {
    try {
        saveProbe(devicesDir, spec, probe);
    } catch (e) {
        log.warn({ err: e, device: spec.name }, 'probe cache not written');
    }
};

/** Never throws for a device's failure: it lands in `unreachable`. Probe timeout: 60 s per attempt. */
export const connectDevices = async (a: ConnectArgs): Promise<ConnectedDevices> => {
    const out: ConnectedDevices = { drivers: new Map(), probes: new Map(), unreachable: new Map() };
    await Promise.all(
        a.devices.map(async (name) => {
            const spec = a.specs.get(name);
            if (spec === undefined) {
                out.unreachable.set(name, `unknown device "${name}" (no devices/${name}.yaml)`);
                return;
            }
            for (let attempt = 1; ; attempt++) {
                try {
                    const driver =
                        out.drivers.get(name) ??
                        (await createDriver(spec, {
                            campaign: a.campaign,
                            keepWorkDir: a.keepWorkDir,
                            logger: a.log.child({ device: name }),
                            fingerprintSource: fingerprintSource(spec),
                        }));
                    out.drivers.set(name, driver);
                    const probe = await driver.probe({ signal: a.signal, timeoutMs: 60_000 });
                    out.probes.set(name, probe);
                    if (a.devicesDir !== undefined) cacheProbe(a.devicesDir, spec, probe, a.log);
                    return;
                } catch (e) {
                    if (isTransportFailure(e) && attempt <= a.retries.count && !a.signal.aborted) {
                        await sleep(backoffMs(attempt, a.retries.backoffMs), a.signal).catch(() => undefined);
                        continue;
                    }
                    out.unreachable.set(name, messageOf(e).split('\n')[0] ?? 'unreachable');
                    return;
                }
            }
        }),
    );
    return out;
};

/** Closes every driver; a close failure is logged, never thrown. */
export const closeDevices = async (drivers: ReadonlyMap<string, DeviceDriver>, log: Logger): Promise<void> => {
    await Promise.all(
        [...drivers.values()].map((d) =>
            d.close().catch((e: unknown) => log.warn({ err: e, device: d.name }, 'closing the device failed')),
        ),
    );
};
