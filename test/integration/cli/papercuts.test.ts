// What a fresh-clone review tripped over after issue 14, through the built CLI: the bare command, a busy port
// (not a usage error), and a misspelt campaign name for compare/history.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { newRun } from '../../support/store-fixtures.js';
import { runCli } from '../../support/cli.js';

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
        s.createRun(newRun({ campaignName: 'beta', startedAt: new Date('2026-01-02T00:00:00Z') }));
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

    it('a known campaign with too few finished runs still says that', async () => {
        const r = await runCli(['compare', '--campaign', 'alpha', '--db', db], dir);
        expect(r.code).toBe(2);
        expect(r.stderr.trimEnd()).toBe('splitbench: campaign alpha: fewer than 2 finished runs');
    });
});
