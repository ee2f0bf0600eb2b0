// `splitbench devices add PREFIX --adb-server H:P --all`: every phone of a real adb server (simulated phones
// connected to it) gets a probed device file; a second call adds nothing.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nameForSerial } from '../../../src/cli/commands/devices-add-all.js';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { runCli } from '../../support/cli.js';
import { freePort } from '../../support/net.js';

let adb: AdbServer;
const phones: SimPhone[] = [];
const work = mkdtempSync(join(tmpdir(), 'splitbench-addall-'));
beforeAll(async () => {
    adb = await startAdbServer();
    for (let i = 0; i < 3; i++) phones.push(await startSimPhone(adb));
});
afterAll(async () => {
    for (const p of phones) await p.close();
    await adb?.close();
    rmSync(work, { recursive: true, force: true });
});

describe('devices add --adb-server H:P --all', () => {
    it('names devices after their serials', () => {
        expect(nameForSerial('127.0.0.1:5555', 'lab')).toBe('lab-127.0.0.1-5555');
        expect(nameForSerial('R58M#1 x')).toBe('R58M-1-x');
    });

    it('adds and probes every phone the server sees, then finds them present', async () => {
        const server = `127.0.0.1:${adb.port}`;
        const r = await runCli(['devices', 'add', 'lab', '--adb-server', server, '--all'], work);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const names = phones.map((p) => nameForSerial(p.serial, 'lab')).sort();
        expect(
            readdirSync(join(work, 'devices'))
                .filter((f) => f.endsWith('.yaml'))
                .sort(),
        ).toEqual(names.map((n) => `${n}.yaml`));
        for (const p of phones) {
            const spec = parseYaml(
                readFileSync(join(work, 'devices', `${nameForSerial(p.serial, 'lab')}.yaml`), 'utf8'),
            ) as {
                kind: string;
                adb: { serial: string; server: string };
            };
            expect(spec).toMatchObject({ kind: 'adb', adb: { serial: p.serial, server } });
        }
        expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('3 added, 0 already present, 0 not added');
        const again = await runCli(['devices', 'add', 'lab', '--adb-server', server, '--all'], work);
        expect(again.code).toBe(0);
        expect(again.stdout).toBe(
            `${names.map((n, i) => `present ${n} (${[...phones].sort((a, b) => a.serial.localeCompare(b.serial))[i]?.serial})`).join('\n')}\n0 added, 3 already present, 0 not added\n`,
        );
    });

    it('an unreachable adb server fails in one line', async () => {
        const port = await freePort();
        const r = await runCli(['devices', 'add', '--adb-server', `127.0.0.1:${port}`, '--all'], work);
        expect(r.code).toBe(1);
        expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^splitbench: adb server 127\\.0\\.0\\.1:${port}: `));
    });
});
