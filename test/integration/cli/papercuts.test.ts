// What a fresh-clone review tripped over after issue 14, through the built CLI: the bare command, a busy port
// (not a usage error), a misspelt campaign name for compare/history, and more threads than the device has CPUs
// (a simulated phone behind the real adb server counts its host's CPUs; a local device runs and reports it).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestModel, type ModelSpec } from '../../../src/model/build.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { newRun } from '../../support/store-fixtures.js';
import { runCli } from '../../support/cli.js';
import { REPO_ROOT } from '../../support/models.js';

let dir: string;
beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-papercuts-'));
});
afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('splitbench with no arguments', () => {
    it('prints a short usage naming the main commands and where to read more, and exits 2', async () => {
        const r = await runCli([], dir);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        const lines = r.stderr.trimEnd().split('\n');
        expect(lines.length).toBeLessThanOrEqual(16);
        expect(lines[0]).toMatch(/^splitbench: split-inference benchmarking/);
        for (const cmd of ['run FILE', 'report [RUN]', 'compare RUN_A RUN_B', 'devices add NAME', 'model inspect FILE'])
            expect(r.stderr).toContain(`  ${cmd}`);
        // one column of descriptions, at least two spaces after the longest command
        const rows = lines.filter((l) => l.startsWith('  '));
        expect(rows).toHaveLength(6);
        expect(new Set(rows.map((l) => /^ {2}\S.*? {2,}(?=\S)/.exec(l)?.[0].length)).size).toBe(1);
        expect(lines.at(-1)).toBe("'splitbench --help' lists every command; 'splitbench COMMAND --help' explains one.");
        // not commander's full help: that one lists `help [command]` and every option
        expect(r.stderr).not.toContain('help [command]');
        expect(r.stderr).not.toContain('--version');
    });

    it('--help still prints every command, on stdout, exit 0', async () => {
        const r = await runCli(['--help'], dir);
        expect(r.code).toBe(0);
        for (const cmd of ['model', 'bench', 'parse', 'devices', 'sim', 'run', 'report', 'table', 'compare'])
            expect(r.stdout).toMatch(new RegExp(`^ {2}${cmd}\\b`, 'm'));
    });
});

describe('a mistyped command or option', () => {
    it('gets its suggestion on the error line, then the hint', async () => {
        const cmd = await runCli(['rn', 'x.yaml'], dir);
        expect(cmd.code).toBe(2);
        expect(cmd.stderr.trimEnd().split('\n')).toEqual([
            `splitbench: unknown command 'rn' (did you mean "run"?)`,
            "see 'splitbench --help'",
        ]);
        const opt = await runCli(['report', '--formt', 'md'], dir);
        expect(opt.code).toBe(2);
        expect(opt.stderr.trimEnd().split('\n')).toEqual([
            `splitbench: unknown option '--formt' (did you mean "--format"?)`,
            "see 'splitbench report --help'",
        ]);
    });

    it('a --log-level pino does not know is a usage error (exit 2), not an internal error (exit 70)', async () => {
        for (const extra of [[], ['--dry-run']]) {
            const r = await runCli(['run', 'x.yaml', '--log-level', 'debgu', ...extra], dir);
            expect(r.code).toBe(2);
            expect(r.stderr.trimEnd().split('\n')).toEqual([
                'splitbench: --log-level: unknown level "debgu" (did you mean "debug"?); allowed: silent, fatal, error, warn, info, debug, trace',
                "see 'splitbench run --help'",
            ]);
        }
    });
});

describe('bench --help', () => {
    it('names the command the user typed; the drop-in keeps its own name', async () => {
        const r = await runCli(['bench', '--help'], dir);
        expect(r.code).toBe(0);
        expect(r.stdout.split('\n')[0]).toBe('usage: splitbench bench --graph=model.tflite [--flag=value ...]');
        const dropIn = await new Promise<string>((resolve, reject) => {
            execFile(
                process.execPath,
                [join(REPO_ROOT, 'bin', 'splitbench-benchmark-model.js'), '--help'],
                { encoding: 'utf8' },
                (err, stdout) => (err === null ? resolve(stdout) : reject(new Error(err.message))),
            );
        });
        expect(dropIn.split('\n')[0]).toBe('usage: splitbench-benchmark-model --graph=model.tflite [--flag=value ...]');
    });
});

describe('devices list in a project without devices', () => {
    it('names the folder as a folder', async () => {
        const empty = join(dir, 'no-devices');
        mkdirSync(join(empty, 'devices'), { recursive: true });
        const r = await runCli(['devices', 'list'], empty);
        expect(r.code).toBe(0);
        expect(`${r.stdout}${r.stderr}`.trimEnd()).toBe('no devices in devices/ — add one with splitbench devices add');
    });

    it('a campaign naming devices says which folder it read, also with --devices', async () => {
        const empty = join(dir, 'no-devices');
        writeFileSync(
            join(empty, 'c.yaml'),
            'name: c\nmodels: [{ id: m, path: m.tflite }]\nsplits: all\nroles: { ue: [phone], server: [edge] }\n',
        );
        const here = await runCli(['run', 'c.yaml', '--dry-run', '--db', 'c.db'], empty);
        expect(here.code).toBe(2);
        expect(here.stderr).toContain(
            'roles.ue[0]: unknown device "phone" (no devices in devices/; add one with "splitbench devices add")',
        );
        const other = join(dir, 'elsewhere-devices');
        mkdirSync(other, { recursive: true });
        const there = await runCli(['run', 'c.yaml', '--dry-run', '--db', 'c.db', '--devices', other], empty);
        expect(there.code).toBe(2);
        expect(there.stderr).toContain(
            `roles.server[0]: unknown device "edge" (no devices in ${other}/; add one with "splitbench devices add")`,
        );
    });
});

describe('sim adbd on a port another process holds', () => {
    let holder: Server;
    let port: number;
    beforeAll(async () => {
        holder = createServer();
        await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
        port = (holder.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

    it('fails in one line saying so, exit 1, without the usage hint', async () => {
        const r = await runCli(['sim', 'adbd', '--port', String(port), '--root', join(dir, 'sim')], dir);
        expect(r.code).toBe(1);
        expect(r.stderr.trimEnd().split('\n')).toEqual([
            `splitbench: sim adbd: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use ` +
                `127.0.0.1:${port} (another process holds it; --port 0 picks a free one)`,
        ]);
    });

    it('a malformed --port is still a usage error with the hint', async () => {
        const r = await runCli(['sim', 'adbd', '--port', 'http', '--root', join(dir, 'sim')], dir);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd().split('\n')).toEqual([
            'splitbench: --port "http": expected a TCP port number (0 = any free port)',
            "see 'splitbench sim adbd --help'",
        ]);
    });
});

describe('compare and history --campaign with a name the store does not hold', () => {
    let db: string;
    let empty: string;
    beforeAll(() => {
        db = join(dir, 'two.db');
        const s = new SqliteStore(db);
        // two campaigns, one with two runs: the list names each once, sorted
        s.createRun(newRun({ campaignName: 'beta' }));
        s.createRun(newRun({ campaignName: 'alpha' }));
        s.createRun(
            newRun({
                id: '20260102-000000-beta',
                campaignName: 'beta',
                startedAt: new Date('2026-01-02T00:00:00Z'),
                options: { fresh: true, ue: ['a01-sim'] },
            }),
        );
        s.close();
        empty = join(dir, 'empty.db');
        new SqliteStore(empty).close();
    });

    it('compare names the campaign, the database and the campaigns there; exit 2 (not found)', async () => {
        const r = await runCli(['compare', '--campaign', 'nosuch', '--db', db], dir);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd().split('\n')).toEqual([
            `splitbench: no runs of campaign "nosuch" in ${db}; campaigns there: alpha, beta`,
        ]);
    });

    it('history says the same', async () => {
        const r = await runCli(['history', '--model', 'm', '--device', 'd', '--campaign', 'nosuch', '--db', db], dir);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd().split('\n')).toEqual([
            `splitbench: no runs of campaign "nosuch" in ${db}; campaigns there: alpha, beta`,
        ]);
    });

    it('an empty store says it holds no runs', async () => {
        const r = await runCli(['compare', '--campaign', 'nosuch', '--db', empty], dir);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd()).toBe(`splitbench: no runs of campaign "nosuch" in ${empty}; it holds no runs`);
    });

    it('runs list --campaign says the same; runs show puts one option a line', async () => {
        const r = await runCli(['runs', 'list', '--campaign', 'nosuch', '--db', db], dir);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd()).toBe(
            `splitbench: no runs of campaign "nosuch" in ${db}; campaigns there: alpha, beta`,
        );
        const ok = await runCli(['runs', 'list', '--campaign', 'beta', '--db', db], dir);
        expect(ok.code).toBe(0);
        expect(ok.stdout.split('\n').filter((l) => / beta /.test(l))).toHaveLength(2);
        const show = await runCli(['runs', 'show', '20260102-000000-beta', '--db', db], dir);
        expect(show.code).toBe(0);
        expect(show.stdout).toContain('options    fresh: true\n           ue: ["a01-sim"]\n');
    });

    it('a known campaign with too few finished runs still says that', async () => {
        const r = await runCli(['compare', '--campaign', 'alpha', '--db', db], dir);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd()).toBe('splitbench: campaign alpha: fewer than 2 finished runs');
    });
});

const TINY: ModelSpec = {
    inputs: [{ name: 'x', shape: [1, 8, 8, 3] }],
    layers: [
        { op: 'CONV_2D', name: 'k1', input: 'x', filters: 4, kernel: 3, activation: 'RELU' },
        { op: 'CONV_2D', name: 'k2', input: 'k1', filters: 4, kernel: 1 },
    ],
    outputs: ['k2'],
    seed: 5,
};

const role = (threads: number): string =>
    `{ runtime: builtin, threads: ${threads}, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }`;

const campaign = (name: string, ue: string, ueThreads: number): string =>
    [
        `name: ${name}`,
        'models: [{ id: tiny, path: tiny.tflite }]',
        'splits: [0]',
        `roles: { ue: [${ue}], server: [edge] }`,
        `settings: { ue: ${role(ueThreads)}, server: ${role(1)} }`,
        'modes: [measure]',
        'report: { formats: [md] }',
        '',
    ].join('\n');

// every line that speaks of threads: the warning must come once, not echoed by the run log too
const warningsOf = (stderr: string): string[] => stderr.split('\n').filter((l) => /threads/i.test(l));

describe('more threads than the device has CPUs', () => {
    // this process's CPUs: the simulator (in this process) and the local devices run on exactly these
    const cpus = availableParallelism();
    let project: string;
    let adb: AdbServer | undefined;
    let phone: SimPhone | undefined;
    beforeAll(() => {
        project = join(dir, 'oversub');
        mkdirSync(join(project, 'devices'), { recursive: true });
        writeFileSync(join(project, 'devices', 'phone.yaml'), 'name: phone\nkind: local\nlocal: {}\n');
        writeFileSync(join(project, 'devices', 'edge.yaml'), 'name: edge\nkind: local\nlocal: {}\n');
        writeFileSync(join(project, 'tiny.tflite'), buildTestModel(TINY));
    });
    afterAll(async () => {
        await phone?.close();
        await adb?.close();
    });

    it("--dry-run on a simulated phone counts its host's CPUs, not the profile's eight: one warning", async () => {
        adb = await startAdbServer();
        phone = await startSimPhone(adb);
        const add = await runCli(
            ['devices', 'add', 'a01', '--adb', phone.serial, '--adb-server', `127.0.0.1:${adb.port}`],
            project,
        );
        expect(add.code).toBe(0);
        writeFileSync(join(project, 'sim.yaml'), campaign('sim', 'a01', cpus + 1));
        const r = await runCli(['run', 'sim.yaml', '--dry-run', '--db', 'sim.db'], project);
        expect(r.code).toBe(0);
        expect(warningsOf(r.stderr)).toEqual([
            `warning: a01: ${cpus + 1} threads asked on ${cpus} CPU(s) (a simulated phone: the CPUs of the host ` +
                'that runs it): the threads take turns on the cores, so its times include waiting for one; fewer ' +
                'threads measure the device without that wait (docs/measurement-conditions.md)',
        ]);
        // as many threads as the host has CPUs is no oversubscription, though the profile claims 8 cores
        writeFileSync(join(project, 'sim-fits.yaml'), campaign('sim-fits', 'a01', cpus));
        const fits = await runCli(['run', 'sim-fits.yaml', '--dry-run', '--db', 'sim.db'], project);
        expect(fits.code).toBe(0);
        expect(warningsOf(fits.stderr)).toEqual([]);
    });

    it('run on a local device warns once, measures anyway, and the report lists it under Measurement conditions', async () => {
        writeFileSync(join(project, 'local.yaml'), campaign('local', 'phone', cpus + 1));
        const dry = await runCli(['run', 'local.yaml', '--dry-run', '--db', 'local.db'], project);
        expect(warningsOf(dry.stderr)).toEqual([
            `warning: phone: ${cpus + 1} threads asked on ${cpus} CPU(s): the threads take turns on the cores, so ` +
                'its times include waiting for one; fewer threads measure the device without that wait ' +
                '(docs/measurement-conditions.md)',
        ]);
        // --server edge runs only the server's share: the phone's threads are not this run's business
        const edgeOnly = await runCli(
            ['run', 'local.yaml', '--dry-run', '--db', 'local.db', '--server', 'edge'],
            project,
        );
        expect(edgeOnly.code).toBe(0);
        expect(warningsOf(edgeOnly.stderr)).toEqual([]);
        const r = await runCli(['run', 'local.yaml', '--db', 'local.db'], project);
        expect(r.code).toBe(0);
        expect(warningsOf(r.stderr)).toEqual(warningsOf(dry.stderr));
        const id = /run (\S+) finished/.exec(r.stderr)?.[1] ?? '';
        const rep = await runCli(['report', id, '--db', 'local.db', '--format', 'md'], project);
        expect(rep.code).toBe(0);
        // measure mode on the UE: the full-model baseline and the head of split 0, each with cpus + 1 threads
        expect(rep.stdout).toContain(
            `- Threads above CPUs: phone ran ${cpus + 1} threads on ${cpus} CPU(s) (2 result(s)): the threads took ` +
                'turns on the cores, so its times include waiting for one.',
        );
        expect(rep.stdout).not.toContain('Threads above CPUs: edge');
        // and the terminal's table says it under the table, as the run did
        const table = await runCli(['table', id, '--db', 'local.db'], project);
        expect(table.code).toBe(0);
        expect(table.stdout).toContain(
            `caution: phone ran ${cpus + 1} threads on ${cpus} CPU(s): its times include waiting for a core\n`,
        );
        expect(r.stdout).toContain(`caution: phone ran ${cpus + 1} threads on ${cpus} CPU(s)`);
    });
});
