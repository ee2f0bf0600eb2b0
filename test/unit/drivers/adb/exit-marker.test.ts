import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newMarker, parsePid, parseWrappedOutput, wrapCommand } from '../../../../src/drivers/adb/exit-marker.js';
import { quoteArg, quoteArgv } from '../../../../src/drivers/shell-quote.js';

// The wrapper is shell text; run it through the machine's real /bin/sh, the way adbd hands it to the device shell.
const dir = mkdtempSync(join(tmpdir(), 'sb-marker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: string[], o: { cwd?: string; env?: Record<string, string> } = {}) => {
    const marker = newMarker();
    const errFile = join(dir, `${marker.token}.err`);
    const cmd = wrapCommand({
        marker,
        argvQuoted: quoteArgv(argv),
        cwdQuoted: o.cwd === undefined ? undefined : quoteArg(o.cwd),
        envQuoted: Object.entries(o.env ?? {}).map(([k, v]) => quoteArg(`${k}=${v}`)),
        stderrFileQuoted: quoteArg(errFile),
    });
    const out = execFileSync('/bin/sh', ['-c', cmd]);
    return { parsed: parseWrappedOutput(out, marker), out, marker, errFile };
};

describe('exit marker wrapper', () => {
    it('separates stdout, stderr and the exit status and reports the PID first', () => {
        const { parsed } = run(['sh', '-c', 'printf out; printf err >&2; exit 7']);
        expect(parsed?.exitCode).toBe(7);
        expect(parsed?.stdout.toString()).toBe('out');
        expect(parsed?.stderr.toString()).toBe('err');
        expect(parsed?.pid).toBeGreaterThan(1);
    });

    it('keeps output without a final newline and binary bytes intact', () => {
        const { parsed } = run(['printf', '\\001\\377a\\nb']);
        expect(parsed?.exitCode).toBe(0);
        expect([...(parsed?.stdout ?? [])]).toEqual([1, 255, 97, 10, 98]);
    });

    it('never executes $(...) or backticks in arguments', () => {
        const { parsed } = run(['echo', '$(touch pwned)', '`id`', "it's", '"q"', 'a b']);
        expect(parsed?.stdout.toString()).toBe('$(touch pwned) `id` it\'s "q" a b\n');
    });

    it('runs in the given cwd with the given environment', () => {
        const { parsed } = run(['sh', '-c', 'pwd; echo "$X"'], { cwd: dir, env: { X: 'a b$c' } });
        expect(parsed?.stdout.toString()).toBe(`${dir}\na b$c\n`);
    });

    it('reports a missing cwd instead of running', () => {
        const { parsed } = run(['touch', join(dir, 'should-not-exist')], { cwd: join(dir, 'missing') });
        expect(parsed?.noCwd).toBe(true);
    });

    it('removes its stderr file and reports 127 for a missing command', () => {
        const { parsed, errFile } = run(['definitely-not-a-command-xyz']);
        expect(parsed?.exitCode).toBe(127);
        expect(parsed?.stderr.toString()).toMatch(/not found/);
        expect(() => execFileSync('test', ['-e', errFile])).toThrow();
    });

    it('returns undefined when the stream was cut before the exit tag', () => {
        const { out, marker } = run(['echo', 'hi']);
        const cut = out.subarray(0, out.indexOf(Buffer.from(marker.exitTag)) + 3);
        expect(parseWrappedOutput(cut, marker)).toBeUndefined();
    });

    it('parsePid waits for the whole line', () => {
        const m = newMarker();
        expect(parsePid(Buffer.from(`${m.pidTag}12`), m)).toBeUndefined();
        expect(parsePid(Buffer.from(`${m.pidTag}123\nrest`), m)).toEqual({ pid: 123, rest: m.pidTag.length + 4 });
        expect(parsePid(Buffer.from(`other\n`), m)).toBeUndefined();
    });

    it('output that merely looks like a marker of another run is stdout', () => {
        const other = newMarker();
        const { parsed } = run(['echo', `${other.exitTag}0`]);
        expect(parsed?.stdout.toString()).toBe(`${other.exitTag}0\n`);
        expect(parsed?.exitCode).toBe(0);
    });
});
