import { mkdtemp, rm, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
    isTempSiblingName,
    parseSha256sum,
    sha256Bytes,
    sha256File,
    tempSiblingPath,
} from '../../../src/drivers/hash-skip.js';

describe('hash-skip helpers', () => {
    it('parses sha256sum output from coreutils, busybox and escaped names', () => {
        const h = 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855';
        expect(parseSha256sum(`${h}  /tmp/x\n`)).toBe(h.toLowerCase());
        expect(parseSha256sum(`\\${h}  /tmp/a\\nb\n`)).toBe(h.toLowerCase());
        expect(parseSha256sum('sha256sum: /tmp/x: No such file or directory\n')).toBeUndefined();
        expect(parseSha256sum('')).toBeUndefined();
    });

    it('temp siblings stay in the same directory, are hidden and unique', () => {
        const a = tempSiblingPath('/data/local/tmp/w/model.tflite');
        const b = tempSiblingPath('/data/local/tmp/w/model.tflite');
        expect(a).not.toBe(b);
        expect(a.startsWith('/data/local/tmp/w/.model.tflite')).toBe(true);
        expect(isTempSiblingName(a.split('/').pop() ?? '')).toBe(true);
        expect(
            Buffer.from(
                tempSiblingPath(`/x/${'n'.repeat(250)}`)
                    .split('/')
                    .pop() ?? '',
            ).length,
        ).toBeLessThan(255);
    });

    it('hashes files and notices content changes despite the cache', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'sb-hash-'));
        try {
            const f = join(dir, 'f');
            await writeFile(f, 'abc');
            expect(await sha256File(f)).toBe(sha256Bytes(Buffer.from('abc')));
            await writeFile(f, 'abd');
            // Same size; force the same mtime too: ctime still changes, so the cache must not serve the old hash.
            await utimes(f, 1, 1);
            expect(await sha256File(f)).toBe(sha256Bytes(Buffer.from('abd')));
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    });
});
