// The sub-model manifest: a cached pair is reused only when both files are exactly what was written, by this
// splitbench, for this model and split; each other case names what differs.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCachedPair, manifestPath, writeManifest, type Expected } from '../../../src/runner/sub-model-cache.js';

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');
const version = (JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string })
    .version;

describe('sub-model manifest', () => {
    let dir: string;
    let e: Expected;
    const head = Buffer.from('head bytes 0123456789');
    const tail = Buffer.from('tail bytes');
    beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), 'splitbench-manifest-'));
        e = {
            modelId: 'pose',
            modelSha256: 'cd'.repeat(32),
            k: 11,
            head: join(dir, 'pose.split11.head.tflite'),
            tail: join(dir, 'pose.split11.tail.tflite'),
        };
        writeFileSync(e.head, head);
        writeFileSync(e.tail, tail);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('writes the sha256 and size of both files, the model, the split and the verdict', () => {
        writeManifest(e, { status: 'pass' });
        const m = JSON.parse(readFileSync(join(dir, 'pose.split11.manifest.json'), 'utf8')) as unknown;
        expect(m).toEqual({
            format: 1,
            splitbenchVersion: version,
            model: { id: 'pose', sha256: 'cd'.repeat(32) },
            split: { after: 11 },
            head: { file: 'pose.split11.head.tflite', sha256: sha(head), bytes: 21 },
            tail: { file: 'pose.split11.tail.tflite', sha256: sha(tail), bytes: 10 },
            check: { status: 'pass' },
        });
        expect(checkCachedPair(e)).toEqual(m);
    });

    it('names each reason a pair cannot be reused', () => {
        expect(checkCachedPair(e)).toBe('no manifest (written by an older splitbench or cut short)');
        writeManifest(e, undefined);
        // same size, one byte changed
        writeFileSync(e.head, Buffer.from('head bytes 0123456780'));
        expect(checkCachedPair(e)).toMatch(
            new RegExp(
                `^head file changed \\(sha256 ${sha('head bytes 0123456780').slice(0, 12)}, manifest ${sha(head).slice(0, 12)}\\)$`,
            ),
        );
        writeFileSync(e.head, head.subarray(0, 5));
        expect(checkCachedPair(e)).toBe('head file truncated (5 of 21 bytes)');
        writeFileSync(e.head, head);
        rmSync(e.tail);
        expect(checkCachedPair(e)).toBe('tail file missing');
        writeFileSync(e.tail, tail);
        expect(checkCachedPair({ ...e, k: 12 })).toBe('manifest is for split 11');
        expect(checkCachedPair({ ...e, modelSha256: 'ef'.repeat(32) })).toBe(
            `cut from another model file (sha256 ${'cd'.repeat(6)})`,
        );
        const m = JSON.parse(readFileSync(manifestPath(e.head), 'utf8')) as Record<string, unknown>;
        writeFileSync(manifestPath(e.head), JSON.stringify({ ...m, splitbenchVersion: '0.0.1-old' }));
        expect(checkCachedPair(e)).toBe(`written by splitbench 0.0.1-old, this is ${version}`);
        writeFileSync(manifestPath(e.head), '{"format": 1, "head"');
        expect(checkCachedPair(e)).toMatch(/^manifest unreadable \(/);
        rmSync(e.head);
        rmSync(e.tail);
        expect(checkCachedPair(e)).toBe('not written yet');
    });
});
