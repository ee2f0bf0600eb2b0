// Second step of the config pipeline (parse → normalize → rules): fills derived fields (model ids, absolute
// paths, per-model split specs, role overrides from the command line). Pure: node:path only computes strings.
import { basename, isAbsolute, resolve } from 'node:path';
import type { Campaign, FileSource, ModelEntry, Role, SplitSpec } from './schema.js';

export interface ResolvedModel extends Omit<ModelEntry, 'id' | 'splits'> {
    id: string;
    /** Absolute local file: the given path, or the cache location of a URL model (may not exist yet). */
    absPath: string;
    /** The model's own splits, or the campaign-wide ones. */
    splits: SplitSpec;
    /** True when `splits` came from the model entry (for error positions). */
    ownSplits: boolean;
}

export interface ResolvedCampaign extends Omit<Campaign, 'models'> {
    models: ResolvedModel[];
}

export interface RoleOverrides {
    ue?: readonly string[] | undefined;
    server?: readonly string[] | undefined;
}

export interface NormalizeOptions {
    /** Relative paths in the campaign resolve against this folder (the campaign file's folder). */
    baseDir: string;
    /** Folder URL models are downloaded into; default `<baseDir>/models`. */
    modelCacheDir?: string | undefined;
    /** `--ue` / `--server` from the command line replace the campaign's devices for that role. */
    roleOverrides?: RoleOverrides | undefined;
}

const lastUrlSegment = (url: string): string => {
    const seg = new URL(url).pathname.split('/').filter((s) => s !== '');
    return seg[seg.length - 1] ?? 'model.tflite';
};

/** File name of a downloaded file in its cache: sha prefix keeps two same-named files apart. */
export const cacheFileName = (url: string, sha256: string): string => `${sha256.slice(0, 12)}-${lastUrlSegment(url)}`;

export const resolveLocalPath = (baseDir: string, p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));

/** Absolute path of a file source (local path, or the cache file a URL is downloaded to). */
export const fileSourcePath = (src: FileSource, baseDir: string, cacheDir: string): string =>
    typeof src === 'string' ? resolveLocalPath(baseDir, src) : resolve(cacheDir, cacheFileName(src.url, src.sha256));

const defaultModelId = (m: ModelEntry, index: number): string => {
    const file = m.path ?? (m.url !== undefined ? lastUrlSegment(m.url) : `model-${index}`);
    return (basename(file).replace(/\.tflite$/i, '') || `model-${index}`).replace(/[^A-Za-z0-9._-]/g, '_');
};

export const normalizeCampaign = (c: Campaign, opts: NormalizeOptions): ResolvedCampaign => {
    const cacheDir = opts.modelCacheDir ?? resolve(opts.baseDir, 'models');
    const models = c.models.map((m, index): ResolvedModel => {
        const { id, splits, ...rest } = m;
        const absPath =
            m.path !== undefined
                ? resolveLocalPath(opts.baseDir, m.path)
                : m.url !== undefined && m.sha256 !== undefined
                  ? resolve(cacheDir, cacheFileName(m.url, m.sha256))
                  : '';
        return {
            ...rest,
            id: id ?? defaultModelId(m, index),
            absPath,
            splits: splits ?? c.splits,
            ownSplits: splits !== undefined,
        };
    });
    const roles = { ...c.roles };
    for (const role of ['ue', 'server'] as const satisfies readonly Role[]) {
        const o = opts.roleOverrides?.[role];
        if (o !== undefined && o.length > 0) roles[role] = [...o];
    }
    const outDir = c.report.outDir !== undefined ? resolveLocalPath(opts.baseDir, c.report.outDir) : undefined;
    return { ...c, models, roles, report: { ...c.report, outDir } };
};
