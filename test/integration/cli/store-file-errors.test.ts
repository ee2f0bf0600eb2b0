// `--db` pointing at something that is not a results database, through the built CLI: read-only commands say
// so in one line, exit 2, and leave the file as it was (SQLite would otherwise initialise an empty file, and a
// migration would write splitbench's schema into someone else's database).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { REPO_ROOT } from '../../support/models.js';

let dir: string;
beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-dbfile-'));
});
afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const oneLine = (stderr: string): string[] => stderr.trimEnd().split('\n');

describe('--db that is not a results database', () => {
    it('an empty file: exit 2, one line, and the file stays empty', async () => {
        const empty = join(dir, 'empty.db');
        writeFileSync(empty, '');
        for (const args of [
            ['compare', '--campaign', 'demo', '--db', empty],
            ['runs', 'list', '--db', empty],
            ['report', 'latest', '--db', empty],
        ]) {
            const r = await runCli(args, dir);
            expect(r.code).toBe(2);
            expect(oneLine(r.stderr)).toEqual([`splitbench: ${empty} is empty: not a results database`]);
        }
        expect(statSync(empty).size).toBe(0);
    });

    it('a text file: exit 2 naming it as not an SQLite file, unchanged', async () => {
        const text = join(dir, 'README.db');
        copyFileSync(join(REPO_ROOT, 'README.md'), text);
        const before = readFileSync(text);
        const r = await runCli(['runs', 'list', '--db', text], dir);
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toEqual([`splitbench: ${text} is not a results database (not an SQLite file)`]);
        expect(readFileSync(text).equals(before)).toBe(true);
    });

    it('a folder: exit 2 saying it is a folder', async () => {
        const folder = join(dir, 'folder.db');
        mkdirSync(folder);
        const r = await runCli(['compare', 'a', 'b', '--db', folder], dir);
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toEqual([`splitbench: ${folder} is a folder, not a results database file`]);
    });

    it("another program's SQLite database: exit 2, and no splitbench table is written into it", async () => {
        const foreign = join(dir, 'foreign.db');
        const db = new Database(foreign);
        db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
        db.close();
        const r = await runCli(['runs', 'list', '--db', foreign], dir);
        expect(r.code).toBe(2);
        expect(oneLine(r.stderr)).toEqual([
            `splitbench: ${foreign} is an SQLite database without splitbench results (no splitbench schema; tables: notes); pass the --db a campaign wrote, or a new file`,
        ]);
        // a campaign (even --dry-run) does not write its schema beside another program's tables either
        const run = await runCli(
            ['run', join(REPO_ROOT, 'configs', 'demo.yaml'), '--dry-run', '--db', foreign],
            REPO_ROOT,
        );
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(`${foreign} is an SQLite database without splitbench results`);
        const after = new Database(foreign, { readonly: true });
        const tables = after
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .all()
            .map((t) => (t as { name: string }).name);
        after.close();
        expect(tables).toEqual(['notes']);
    });
});
