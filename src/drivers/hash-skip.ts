// Helpers shared by every driver's push: the content hash that decides whether a file must be sent at all, and
// the temporary sibling name a transfer writes to before the final rename (so an interrupted transfer never
// leaves a half-written file under the name a benchmark will execute or read).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { posix } from 'node:path';

interface CacheEntry {
    key: string;
    sha256: string;
}

// Campaigns push the same model to many devices; re-hashing 50 MB per device would dominate a push that is
// then skipped. Keyed by what changes when the file's content changes (size, mtime, inode, ctime).
const hashCache = new Map<string, CacheEntry>();
const HASH_CACHE_LIMIT = 512;

/** sha256 (lower-case hex) of a local file; cached by path + size + mtime + inode. */
export const sha256File = async (path: string, signal?: AbortSignal): Promise<string> => {
    const st = await stat(path);
    const key = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
    const cached = hashCache.get(path);
    if (cached !== undefined && cached.key === key) return cached.sha256;
    const hash = createHash('sha256');
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash, signal ? { signal } : {});
    const sha256 = hash.digest('hex');
    if (hashCache.size >= HASH_CACHE_LIMIT) hashCache.clear();
    hashCache.set(path, { key, sha256 });
    return sha256;
};

/** Record the hash of a file we just wrote (its content is known), so the next hash-skip check is free. */
export const rememberSha256 = async (path: string, sha256: string): Promise<void> => {
    const st = await stat(path);
    if (hashCache.size >= HASH_CACHE_LIMIT) hashCache.clear();
    hashCache.set(path, { key: `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`, sha256 });
};

/** sha256 of a buffer, lower-case hex. */
export const sha256Bytes = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const TEMP_MARK = '.splitbench-tmp-';

/**
 * Temporary sibling of `finalPath` (POSIX path, same directory so the rename is atomic). The leading dot hides it
 * from globs; the random part keeps two concurrent pushes of the same file apart.
 */
export const tempSiblingPath = (finalPath: string): string => {
    const dir = posix.dirname(finalPath);
    const base = posix.basename(finalPath);
    // Keep the name under the common 255-byte limit even for long final names.
    const stem = Buffer.from(base).length > 180 ? base.slice(0, 60) : base;
    return posix.join(dir, `.${stem}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
};

export const isTempSiblingName = (name: string): boolean => name.startsWith('.') && name.includes(TEMP_MARK);

/**
 * First field of `sha256sum FILE` output (GNU coreutils, busybox and toybox all print `HEX  NAME`), or undefined
 * when the output does not start with a 64-digit hex hash (file missing, tool missing).
 */
export const parseSha256sum = (stdout: string): string | undefined => {
    const m = /^\\?([0-9a-fA-F]{64})[ \t]/.exec(stdout.trimStart());
    return m?.[1]?.toLowerCase();
};
