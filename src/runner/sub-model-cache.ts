// The manifest next to each cached head/tail pair in results/submodels/<sha16>/: what the pair was cut from and
// the sha256 of both files, so a pair is reused only when its files are exactly what splitbench wrote, and the
// head→tail check's verdict, so a reused pair carries it without running the check again.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { messageOf, SplitbenchError } from '../errors.js';
import { VERSION } from '../version.js';
import type { SplitCheck } from '../report/split-checks.js';

/** Bumped when the manifest's meaning changes: an older manifest then counts as stale. */
export const MANIFEST_FORMAT = 1;

export interface ManifestFile {
    /** File name (no folder): the pair moves with its folder. */
    file: string;
    sha256: string;
    bytes: number;
}

/** `<model>.split<k>.manifest.json`: JSON of this shape. */
export interface SubModelManifest {
    format: number;
    splitbenchVersion: string;
    model: { id: string; sha256: string };
    /** The split spec: the cut is after op `after` (execution order of subgraph 0). */
    split: { after: number };
    head: ManifestFile;
    tail: ManifestFile;
    /** The head→tail check on this host's runtime; absent when the pair was written with `verify: off`. */
    check?: SplitCheck | undefined;
}

export const manifestPath = (headPath: string): string => headPath.replace(/\.head\.tflite$/, '.manifest.json');

/** sha256 (lower-case hex) of a file, read whole (sub-models are read whole by the runtime anyway). */
export const sha256OfFile = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

const fileEntry = (path: string): ManifestFile => ({
    file: basename(path),
    sha256: sha256OfFile(path),
    bytes: statSync(path).size,
});

/** What the manifest must say for a pair of this model and split, made by this splitbench. */
export interface Expected {
    modelId: string;
    modelSha256: string;
    k: number;
    head: string;
    tail: string;
}

/**
 * Why the cached pair cannot be reused (one clause: "head file truncated (30000 of 91184 bytes)"), or the manifest
 * when it can: both files exist with the manifest's size and sha256, and the manifest is of this format, this
 * splitbench version, this model and this split.
 */
export const checkCachedPair = (e: Expected): SubModelManifest | string => {
    const mpath = manifestPath(e.head);
    if (!existsSync(e.head) && !existsSync(e.tail)) return 'not written yet';
    if (!existsSync(mpath)) return 'no manifest (written by an older splitbench or cut short)';
    let m: SubModelManifest;
    try {
        m = JSON.parse(readFileSync(mpath, 'utf8')) as SubModelManifest;
    } catch (err) {
        return `manifest unreadable (${messageOf(err)})`;
    }
    if (m.format !== MANIFEST_FORMAT)
        return `manifest format ${String(m.format)}, this splitbench writes ${MANIFEST_FORMAT}`;
    if (m.splitbenchVersion !== VERSION) return `written by splitbench ${m.splitbenchVersion}, this is ${VERSION}`;
    if (m.model?.sha256 !== e.modelSha256)
        return `cut from another model file (sha256 ${String(m.model?.sha256).slice(0, 12)})`;
    if (m.split?.after !== e.k) return `manifest is for split ${String(m.split?.after)}`;
    for (const side of ['head', 'tail'] as const) {
        const path = e[side];
        const want = m[side];
        if (want === undefined) return `manifest has no ${side} entry`;
        if (!existsSync(path)) return `${side} file missing`;
        const bytes = statSync(path).size;
        if (bytes !== want.bytes)
            return `${side} file ${bytes < want.bytes ? 'truncated' : 'grown'} (${bytes} of ${want.bytes} bytes)`;
        const sha = sha256OfFile(path);
        if (sha !== want.sha256)
            return `${side} file changed (sha256 ${sha.slice(0, 12)}, manifest ${want.sha256.slice(0, 12)})`;
    }
    return m;
};

/**
 * Writes the manifest of a pair just written (or just checked): hashes both files. Written under a temporary name
 * and renamed, so a crash never leaves a half-written manifest, and written last, so a pair without one is redone.
 * Throws INTERNAL when the folder is not writable.
 */
export const writeManifest = (e: Expected, check: SplitCheck | undefined): SubModelManifest => {
    const m: SubModelManifest = {
        format: MANIFEST_FORMAT,
        splitbenchVersion: VERSION,
        model: { id: e.modelId, sha256: e.modelSha256 },
        split: { after: e.k },
        head: fileEntry(e.head),
        tail: fileEntry(e.tail),
        ...(check !== undefined ? { check } : {}),
    };
    const path = manifestPath(e.head);
    const tmp = `${path}.tmp-${process.pid}`;
    try {
        writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`);
        renameSync(tmp, path);
    } catch (err) {
        rmSync(tmp, { force: true });
        throw new SplitbenchError('INTERNAL', `cannot write ${path}: ${messageOf(err)}`, { cause: err });
    }
    return m;
};

/** Drops a pair's manifest first (so a crash mid-rewrite leaves a pair that is redone), then its files. */
export const removeCachedPair = (e: Pick<Expected, 'head' | 'tail'>): void => {
    rmSync(manifestPath(e.head), { force: true });
    rmSync(e.head, { force: true });
    rmSync(e.tail, { force: true });
};
