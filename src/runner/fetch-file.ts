// Downloads a model or benchmark binary once into its cache, checked by sha256. The file appears under its
// final name only when the bytes match, so an interrupted or corrupted download is never used.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SplitbenchError, messageOf } from '../errors.js';

export const downloadVerified = async (
    url: string,
    sha256: string,
    dest: string,
    signal?: AbortSignal,
): Promise<{ bytes: number }> => {
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.${randomBytes(4).toString('hex')}.part`;
    const hash = createHash('sha256');
    let bytes = 0;
    try {
        const res = await fetch(url, signal !== undefined ? { signal } : {});
        if (!res.ok || res.body === null)
            throw new SplitbenchError('TRANSFER_FAILED', `download ${url}: HTTP ${res.status} ${res.statusText}`);
        const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
        body.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            bytes += chunk.length;
        });
        await pipeline(body, createWriteStream(tmp));
        const got = hash.digest('hex');
        if (got !== sha256.toLowerCase())
            throw new SplitbenchError(
                'TRANSFER_FAILED',
                `download ${url}: sha256 ${got} does not match the campaign's ${sha256} (file not used)`,
            );
        renameSync(tmp, dest);
        return { bytes };
    } catch (e) {
        rmSync(tmp, { force: true });
        if (e instanceof SplitbenchError) throw e;
        throw new SplitbenchError('TRANSFER_FAILED', `download ${url}: ${messageOf(e)}`, { cause: e });
    }
};
