// Device file → driver. Each driver module (and the package behind it: adbkit, ssh2, execa) is loaded only
// when a device of that kind is used.
import { homedir } from 'node:os';
import { posix, resolve } from 'node:path';
import type { DeviceSpec } from '../config/device-file.js';
import type { Logger } from '../log.js';
import type { DeviceDriver } from './types.js';

export interface CreateDriverOptions {
    /** Campaign name; the driver's working directory is `<device workDir root>/<campaign>`. @default 'default' */
    campaign?: string | undefined;
    logger?: Logger | undefined;
    /**
     * Keep the per-run working directory local and SSH devices get when their device file names no workDir
     * (`run --keep-work-dir`). @default false
     */
    keepWorkDir?: boolean | undefined;
    /** adb binary used to start a local adb server. @default 'adb' */
    adbBin?: string | undefined;
    /** Where the device file pins `ssh.fingerprint` (`devices/x.yaml:7:18`), named when the host key changed. */
    fingerprintSource?: string | undefined;
}

const expandHome = (p: string | undefined): string | undefined => {
    if (p === undefined) return undefined;
    if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
    return resolve(p);
};

export const createDriver = async (spec: DeviceSpec, opts: CreateDriverOptions = {}): Promise<DeviceDriver> => {
    const campaign = opts.campaign ?? 'default';
    const workDir = spec.workDir !== undefined ? posix.join(spec.workDir, campaign) : undefined;
    switch (spec.kind) {
        case 'adb': {
            const { createAdbDriver } = await import('./adb/adb-driver.js');
            return createAdbDriver({
                name: spec.name,
                serial: spec.adb.serial,
                server: spec.adb.server,
                adbBin: opts.adbBin,
                campaign,
                workDir,
                logger: opts.logger,
            });
        }
        case 'ssh': {
            const { createSshDriver } = await import('./ssh/ssh-driver.js');
            return createSshDriver({
                name: spec.name,
                host: spec.ssh.host,
                port: spec.ssh.port,
                user: spec.ssh.user,
                identityFile: expandHome(spec.ssh.identity),
                knownHostsFile: expandHome(spec.ssh.knownHosts),
                hostKeyFingerprint: spec.ssh.fingerprint,
                fingerprintSource: opts.fingerprintSource,
                campaign,
                workDir,
                keepWorkDir: opts.keepWorkDir,
                logger: opts.logger,
            });
        }
        case 'local': {
            const { createLocalDriver } = await import('./local/local-driver.js');
            return createLocalDriver({
                name: spec.name,
                campaign,
                workDir,
                keepWorkDir: opts.keepWorkDir,
                logger: opts.logger,
            });
        }
    }
};
