import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteArg, quoteArgv } from '../../../src/drivers/shell-quote.js';
import { isSplitbenchError } from '../../../src/errors.js';

// Parse the quoted line with a real shell and get argv back NUL-separated.
const roundTrip = (shell: string, argv: readonly string[]): string[] => {
    const r = spawnSync(shell, ['-c', `printf '%s\\0' ${quoteArgv(argv)}`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    return r.stdout.split('\0').slice(0, -1);
};

const SHELLS = ['/bin/sh', '/bin/bash', '/bin/dash', '/bin/mksh', '/bin/busybox'].filter((s) => existsSync(s));

const hostile = fc.constantFrom(
    "'",
    '"',
    '\\',
    '$',
    '`',
    '$(touch pwned)',
    '!',
    '*',
    '?',
    '~',
    '#',
    '=',
    '{a,b}',
    '\n',
    '\t',
    ' ',
    ';',
    '&',
    '|',
    '<',
    '>',
    '(',
    ')',
    '-',
    '--',
    '%',
);
const arg = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.array(hostile, { maxLength: 6 }).map((a) => a.join('')),
    fc.array(fc.oneof(hostile, fc.string({ maxLength: 3 })), { maxLength: 8 }).map((a) => a.join('')),
);
const argvArb = fc.array(
    arg.filter((s) => !s.includes('\0')),
    { minLength: 1, maxLength: 6 },
);

describe('quoteArgv', () => {
    it('leaves plain words bare and quotes the rest', () => {
        expect(quoteArgv(['ls', '-la', '/data/local/tmp', 'a.b:c@d%e,f+g'])).toBe(
            'ls -la /data/local/tmp a.b:c@d%e,f+g',
        );
        expect(quoteArg('')).toBe("''");
        expect(quoteArg("it's")).toBe(`'it'\\''s'`);
        expect(quoteArg('A=b')).toBe("'A=b'");
        expect(quoteArg('~')).toBe("'~'");
        expect(quoteArg('$(touch pwned)')).toBe("'$(touch pwned)'");
    });

    it('refuses NUL bytes with a USAGE error', () => {
        let err: unknown;
        try {
            quoteArg('a\0b');
        } catch (e) {
            err = e;
        }
        expect(isSplitbenchError(err, 'USAGE')).toBe(true);
    });

    it('a leading assignment-looking word stays a command, not an assignment', () => {
        const r = spawnSync('/bin/sh', ['-c', `${quoteArgv(['FOO=bar', 'x'])} 2>&1; echo "rc=$?"`], {
            encoding: 'utf8',
        });
        expect(r.stdout).toContain('rc=127');
    });

    it.each(SHELLS)('round-trips any argv through %s (fast-check)', (shell) => {
        fc.assert(
            fc.property(argvArb, (argv) => {
                expect(roundTrip(shell, argv)).toEqual(argv);
            }),
            { numRuns: 150 },
        );
    });
});
