import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
    defaultDevicesDir,
    deviceAddress,
    deviceFacts,
    listDeviceNames,
    listDevices,
    loadDevice,
    parseDeviceFile,
    probeCachePath,
    saveDevice,
    saveProbe,
    type DeviceSpec,
} from '../../../src/config/device-file.js';
import { isSplitbenchError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-devfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const thrown = (f: () => unknown): Error & { code?: string } => {
    try {
        f();
    } catch (e) {
        return e as Error & { code?: string };
    }
    throw new Error('expected a throw');
};

const probe = {
    kind: 'adb' as const,
    probedAt: '2026-11-26T00:00:00Z',
    os: 'Android',
    arch: 'aarch64',
    abis: ['arm64-v8a'],
    cores: 8,
    coreMaxFreqKhz: [1, 1, 1, 1, 2, 2, 2, 2],
    bigCoreMask: 'f0',
    governors: [],
    thermalC: { 'xo-therm': 36.5 },
    workDir: '/data/local/tmp/splitbench/default',
    android: { model: 'SM-A015F', manufacturer: 'samsung', release: '10', sdk: 29, rooted: false },
};

describe('device files', () => {
    it('round-trips adb, ssh and local specs through save and load', () => {
        const specs: DeviceSpec[] = [
            { name: 'a01', kind: 'adb', adb: { serial: '127.0.0.1:5555', server: '10.0.0.2:5037' }, probe },
            {
                name: 'srv',
                kind: 'ssh',
                ssh: { host: 'gpu1', port: 2222, user: 'bench', fingerprint: `SHA256:${'A'.repeat(43)}` },
            },
            { name: 'here', kind: 'local', local: {}, workDir: '/scratch' },
        ];
        for (const s of specs) saveDevice(dir, s);
        expect(loadDevice(dir, 'a01')).toEqual(specs[0]);
        expect(loadDevice(dir, 'srv')).toEqual(specs[1]);
        expect(loadDevice(dir, 'here')).toEqual(specs[2]);
        const text = readFileSync(join(dir, 'a01.yaml'), 'utf8');
        expect(text.indexOf('kind: adb')).toBeLessThan(text.indexOf('probe:'));
        expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
        expect(deviceAddress(specs[0] as DeviceSpec)).toBe('127.0.0.1:5555@10.0.0.2:5037');
        expect(deviceAddress(specs[1] as DeviceSpec)).toBe('bench@gpu1:2222');
        expect(deviceFacts(specs[0] as DeviceSpec)).toEqual({ kind: 'adb', abis: ['arm64-v8a'], cores: 8 });
    });

    it('defaults the ssh port and the local section', () => {
        const s = parseDeviceFile('name: h\nkind: ssh\nssh: {host: h, user: u}\n', 'h.yaml');
        expect(s.kind === 'ssh' && s.ssh.port).toBe(22);
        expect(parseDeviceFile('name: l\nkind: local\n', 'l.yaml')).toEqual({ name: 'l', kind: 'local', local: {} });
    });

    it('reports every problem as file:line:col path: message', () => {
        const text = ['name: bad', 'kind: ssh', 'ssh:', '  host: h', '  port: "22x"', '  usr: me', 'extra: 1', ''].join(
            '\n',
        );
        const e = thrown(() => parseDeviceFile(text, 'devices/bad.yaml'));
        expect(isSplitbenchError(e, 'CONFIG_INVALID')).toBe(true);
        const lines = e.message.split('\n');
        expect(lines.sort()).toEqual([
            'devices/bad.yaml:4:3 ssh.user: missing (a text value is required)',
            'devices/bad.yaml:5:9 ssh.port: expected a number, got "22x"',
            'devices/bad.yaml:6:3 ssh.usr: unknown key "usr" (did you mean "user"?)',
            'devices/bad.yaml:7:1 extra: unknown key "extra" (allowed: name, description, workDir, benchmarkBinary, canRunBuiltin, probe, kind, ssh)',
        ]);
    });

    it('reports YAML syntax errors with their position and a kind that does not exist', () => {
        const e = thrown(() => parseDeviceFile('name: x\nkind: [adb\n', 'x.yaml'));
        expect(e.message).toMatch(/^device file x\.yaml:\d+:\d+: /);
        const k = thrown(() => parseDeviceFile('name: x\nkind: usb\n', 'x.yaml'));
        expect(k.message).toMatch(/^x\.yaml:2:7 kind: /);
    });

    it('a file whose name field differs from its file name is refused', () => {
        writeFileSync(join(dir, 'other.yaml'), 'name: else\nkind: local\n');
        expect(thrown(() => loadDevice(dir, 'other')).message).toBe(
            `${join(dir, 'other.yaml')}:1:7 name: "else" does not match the file name (expected "other")`,
        );
    });

    it('an unknown device names the known ones; listDevices keeps going past a bad file', () => {
        const e = thrown(() => loadDevice(dir, 'nope'));
        expect(e.code).toBe('DEVICE_UNKNOWN');
        expect(e.message).toBe(
            'unknown device "nope" (known: a01, here, other, srv) — add it with splitbench devices add',
        );
        mkdirSync(join(dir, 'profiles'), { recursive: true });
        writeFileSync(join(dir, 'profiles', 'p.yaml'), 'not: a device\n');
        expect(listDeviceNames(dir)).toEqual(['a01', 'here', 'other', 'srv']);
        const listed = listDevices(dir);
        expect(listed.devices.map((d) => d.name)).toEqual(['a01', 'here', 'srv']);
        expect(listed.errors.map((x) => x.name)).toEqual(['other']);
        expect(thrown(() => loadDevice(join(dir, 'empty'), 'x')).message).toContain('(no devices in');
    });

    it('saveDevice refuses an invalid spec and writes nothing', () => {
        const bad = { name: 'b', kind: 'adb', adb: { serial: 'S', server: 'no-port' } } as DeviceSpec;
        expect(thrown(() => saveDevice(dir, bad)).message).toBe('device b: adb.server: expected host:port');
        expect(listDeviceNames(dir)).not.toContain('b');
    });

    it('defaultDevicesDir: flag, then SPLITBENCH_DEVICES, then ./devices', () => {
        expect(defaultDevicesDir('/x/y')).toBe('/x/y');
        const before = process.env['SPLITBENCH_DEVICES'];
        process.env['SPLITBENCH_DEVICES'] = '/from/env';
        try {
            expect(defaultDevicesDir()).toBe('/from/env');
        } finally {
            if (before === undefined) delete process.env['SPLITBENCH_DEVICES'];
            else process.env['SPLITBENCH_DEVICES'] = before;
        }
        expect(defaultDevicesDir()).toBe(join(process.cwd(), 'devices'));
    });

    it('keeps later probes in the ignored cache beside the files, never in the device file', () => {
        const cdir = join(dir, 'cache-case');
        mkdirSync(cdir, { recursive: true });
        const text = '# shipped\nname: ue\nkind: local\nlocal: {}\n';
        writeFileSync(join(cdir, 'ue.yaml'), text);
        expect(loadDevice(cdir, 'ue').probe).toBeUndefined();
        const later = { ...probe, kind: 'local' as const, probedAt: '2026-11-27T10:00:00Z' };
        saveProbe(cdir, loadDevice(cdir, 'ue'), later);
        expect(readFileSync(join(cdir, 'ue.yaml'), 'utf8')).toBe(text);
        expect(probeCachePath(cdir, 'ue')).toBe(join(cdir, '.probes', 'ue.json'));
        expect(loadDevice(cdir, 'ue').probe).toEqual(later);
        expect(listDeviceNames(cdir)).toEqual(['ue']);
        // a device file with a newer probe of its own (devices add --force) wins over an older cache entry
        const fresh = { ...later, probedAt: '2026-11-28T00:00:00Z', cores: 4 };
        saveDevice(cdir, { name: 'ue', kind: 'local', local: {}, probe: fresh });
        expect(loadDevice(cdir, 'ue').probe?.cores).toBe(4);
        // an unreadable cache entry is ignored, not an error
        writeFileSync(probeCachePath(cdir, 'ue'), '{ not json');
        expect(loadDevice(cdir, 'ue').probe?.probedAt).toBe('2026-11-28T00:00:00Z');
    });
});
