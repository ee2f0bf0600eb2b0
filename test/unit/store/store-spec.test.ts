import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactUrl, resolveStoreSpec } from '../../../src/store/store-spec.js';
import { caught } from '../../support/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'splitbench-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveStoreSpec', () => {
    it('takes --db, then SPLITBENCH_DB, then the lab file, then results/splitbench.db', () => {
        const env = { SPLITBENCH_DB: 'postgres://u:pw@db:5432/lab' };
        expect(resolveStoreSpec('x.db', env, '/w')).toEqual({ backend: 'sqlite', path: '/w/x.db', from: '--db' });
        expect(resolveStoreSpec(undefined, env, '/w')).toEqual({
            backend: 'postgres',
            url: 'postgres://u:pw@db:5432/lab',
            from: 'SPLITBENCH_DB',
        });
        expect(resolveStoreSpec('postgresql://h/lab', {}, '/w')).toMatchObject({ backend: 'postgres' });
        // a colon without `//` is a file name, not a URL
        expect(resolveStoreSpec('a:b.db', {}, '/w')).toMatchObject({ backend: 'sqlite', path: '/w/a:b.db' });
        expect(resolveStoreSpec(undefined, {}, '/nonexistent-folder')).toEqual({
            backend: 'sqlite',
            path: '/nonexistent-folder/results/splitbench.db',
            from: 'default',
        });
    });

    it('reads `store:` from lab.yaml in the working folder or from $SPLITBENCH_LAB; relative files resolve beside it', () => {
        const labFile = join(dir, 'shared-lab.yaml');
        writeFileSync(labFile, 'store: ../results/lab.db\n');
        expect(resolveStoreSpec(undefined, { SPLITBENCH_LAB: labFile }, '/w')).toEqual({
            backend: 'sqlite',
            path: join(dir, '..', 'results', 'lab.db'),
            from: `${labFile} store:`,
        });
        writeFileSync(join(dir, 'lab.yaml'), '# the lab database\nstore: postgres://bench@10.0.0.5/lab\n');
        expect(resolveStoreSpec(undefined, {}, dir)).toMatchObject({
            backend: 'postgres',
            url: 'postgres://bench@10.0.0.5/lab',
        });
        expect(resolveStoreSpec('local.db', {}, dir)).toMatchObject({ backend: 'sqlite' });
    });

    it('bad values: one line naming the file:line:col or the option, never the password', async () => {
        const bad = join(dir, 'bad-lab.yaml');
        writeFileSync(bad, 'name: lab\nstore: 5432\n');
        expect(
            (await caught(Promise.resolve().then(() => resolveStoreSpec(undefined, { SPLITBENCH_LAB: bad })))).message,
        ).toBe(`${bad}:2:8 store: expected a postgres:// URL or an SQLite file path`);
        const mysql = await caught(Promise.resolve().then(() => resolveStoreSpec('mysql://root:hunter2@h/lab')));
        expect(mysql.code).toBe('USAGE');
        expect(mysql.message).toBe(
            '--db mysql://root:***@h/lab: not a results database (give a postgres:// URL or an SQLite file path)',
        );
        const missing = await caught(
            Promise.resolve().then(() => resolveStoreSpec(undefined, { SPLITBENCH_LAB: join(dir, 'none.yaml') })),
        );
        expect(missing.code).toBe('CONFIG_INVALID');
        expect(missing.message).toMatch(/none\.yaml: cannot read the lab file: ENOENT/);
    });

    it('redacts passwords in user info and in parameters', () => {
        expect(redactUrl('postgres://u:p%40ss@h:5432/lab')).toBe('postgres://u:***@h:5432/lab');
        expect(redactUrl('postgres://u@h/lab?password=x&sslmode=require')).toBe(
            'postgres://u@h/lab?password=***&sslmode=require',
        );
        expect(redactUrl('postgres://u@h/lab')).toBe('postgres://u@h/lab');
    });
});
