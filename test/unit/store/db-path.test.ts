import { describe, expect, it } from 'vitest';
import { redactUrl, resolveDbPath } from '../../../src/store/db-path.js';
import { SplitbenchError } from '../../../src/errors.js';

const caught = (f: () => unknown): SplitbenchError => {
    try {
        f();
    } catch (e) {
        if (e instanceof SplitbenchError) return e;
        throw e;
    }
    throw new Error('expected a SplitbenchError');
};

describe('resolveDbPath refuses URLs until a PostgreSQL store exists', () => {
    it('refuses --db postgres://… naming the URL without its password', () => {
        const e = caught(() => resolveDbPath('postgres://lab:s3cret@127.0.0.1:5432/lab', {}, '/w'));
        expect(e.code).toBe('USAGE');
        expect(e.message).toBe(
            '--db postgres://lab:***@127.0.0.1:5432/lab: this version of splitbench stores results in SQLite files only; give a file path',
        );
        expect(e.message).not.toContain('s3cret');
    });

    it('refuses a URL in SPLITBENCH_DB and names the variable', () => {
        const e = caught(() => resolveDbPath(undefined, { SPLITBENCH_DB: 'postgres://user@127.0.0.1:5432/lab' }, '/w'));
        expect(e.message).toMatch(/^SPLITBENCH_DB postgres:\/\/user@127\.0\.0\.1:5432\/lab: .*SQLite files only/);
    });

    it('keeps paths with a colon but no "//" as paths', () => {
        expect(resolveDbPath('a:b.db', {}, '/w')).toBe('/w/a:b.db');
        expect(resolveDbPath('/data/x.db', {}, '/w')).toBe('/data/x.db');
    });

    it('redacts passwords even in URLs node:url cannot parse', () => {
        expect(redactUrl('weird://u:pw@[bad/x')).toBe('weird://u:***@[bad/x');
    });
});
