// `splitbench devices add [PREFIX] --adb-server H:P --all`: one device file per phone an adb server sees (a lab
// host's server, or this machine's), each probed like `devices add NAME --adb SERIAL --adb-server H:P`.
import { DEVICE_NAME, deviceFilePath } from '../../config/device-file.js';
import { parseHostPort } from '../../drivers/adb/adb-driver.js';
import { createAdbkitPort } from '../../drivers/adb/adbkit-port.js';
import { SplitbenchError, messageOf } from '../../errors.js';
import { existsSync } from 'node:fs';
import { note, out } from './devices-common.js';

/** A device name from a serial: characters a device name may not hold become "-" (`127.0.0.1:5555` → `127.0.0.1-5555`). */
export const nameForSerial = (serial: string, prefix?: string): string => {
    const slug = serial.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
    return prefix === undefined ? slug : `${prefix}-${slug}`;
};

export interface AddAllResult {
    added: string[];
    present: string[];
    failed: string[];
}

/**
 * Lists the server's devices and adds each one in state `device` through `addOne` (which probes and writes the
 * file). Phones already in the inventory are skipped unless `force`; unauthorized and offline ones are named and
 * skipped. Throws DEVICE_UNREACHABLE when the server cannot be reached; a phone whose probe fails is reported
 * and the others still get added.
 */
export const addAllFromAdbServer = async (
    dir: string,
    server: string,
    prefix: string | undefined,
    force: boolean,
    addOne: (name: string, serial: string) => Promise<void>,
): Promise<AddAllResult> => {
    const addr = parseHostPort(server);
    if (addr === undefined)
        throw new SplitbenchError('USAGE', `--adb-server ${JSON.stringify(server)}: expected host:port`);
    if (prefix !== undefined && !DEVICE_NAME.test(prefix))
        throw new SplitbenchError(
            'USAGE',
            `name prefix ${JSON.stringify(prefix)}: use letters, digits, ".", "_" or "-"`,
        );
    let list;
    try {
        // never starts a server: one that is not running has no phones to add
        list = await createAdbkitPort(addr).listDevices();
    } catch (e) {
        throw new SplitbenchError('DEVICE_UNREACHABLE', `adb server ${server}: ${messageOf(e)}`, { cause: e });
    }
    const result: AddAllResult = { added: [], present: [], failed: [] };
    if (list.length === 0) note(`adb server ${server} sees no devices`);
    for (const d of [...list].sort((a, b) => a.serial.localeCompare(b.serial))) {
        const name = nameForSerial(d.serial, prefix);
        if (d.state !== 'device') {
            note(`skipped ${d.serial}: ${d.state} (authorize or reconnect it, then run this command again)`);
            result.failed.push(name);
            continue;
        }
        if (!force && existsSync(deviceFilePath(dir, name))) {
            out(`present ${name} (${d.serial})`);
            result.present.push(name);
            continue;
        }
        try {
            await addOne(name, d.serial);
            result.added.push(name);
        } catch (e) {
            note(`failed ${name} (${d.serial}): ${messageOf(e)}`);
            result.failed.push(name);
        }
    }
    out(`${result.added.length} added, ${result.present.length} already present, ${result.failed.length} not added`);
    return result;
};
