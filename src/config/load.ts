// Campaign loading: read YAML → schema → normalize → rules → {campaign, warnings}, or one CONFIG_INVALID
// error that lists every problem as `file:line:col path: message`. The only module of src/config that
// touches the file system.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { SplitbenchError, isSplitbenchError, messageOf } from '../errors.js';
import { resolveSplits, type ModelFacts } from '../plan/splits.js';
import type { PlanModel } from '../plan/types.js';
import { normalizeCampaign, resolveLocalPath, type ResolvedCampaign, type RoleOverrides } from './normalize.js';
import {
    runRules,
    type DeviceFacts,
    type FileFacts,
    type ModelLookup,
    type RuleContext,
    type RuleIssue,
    noDevicesIn,
} from './rules.js';
import { CampaignSchema, type Campaign } from './schema.js';
import { schemaIssues, valueAt } from './issues.js';
import { formatPath, positionOf, type DataPath } from './yaml-location.js';

export interface LoadContext {
    /** Devices from devices/*.yaml: name → facts. */
    knownDevices: ReadonlyMap<string, DeviceFacts>;
    /** The folder knownDevices came from, as messages show it; default `devices/`. */
    devicesDir?: string | undefined;
    /**
     * Reads a model file (absolute path). May throw a SplitbenchError (e.g. MODEL_INVALID), which becomes an
     * issue on the model's path. Omit it to skip split-range checks.
     */
    modelInfo?: ((absPath: string) => ModelFacts | undefined) | undefined;
    /**
     * Relative paths written in the campaign (models, benchmark binaries, report.outDir) resolve against this
     * folder; default: the campaign file's folder, the convention of YAML tools (docker compose, GitHub Actions).
     */
    baseDir?: string | undefined;
    /** splitbench's own folders (download caches) live here; default: the working directory. */
    projectDir?: string | undefined;
    /** Where URL models are downloaded; default `<projectDir>/models`. */
    modelCacheDir?: string | undefined;
    /** Where URL benchmark binaries are downloaded; default `<projectDir>/.cache/tools`. */
    toolCacheDir?: string | undefined;
    /** `--ue` / `--server`: replace the campaign's devices for that role (validated like the file's). */
    roleOverrides?: RoleOverrides | undefined;
}

export interface ConfigIssue {
    severity: 'error' | 'warning';
    file: string;
    line: number;
    col: number;
    /** Dotted data path, `(top level)` for the root. */
    path: string;
    message: string;
}

export interface LoadedModel {
    id: string;
    absPath: string;
    exists: boolean;
    sha256?: string | undefined;
    sizeBytes?: number | undefined;
    facts?: ModelFacts | undefined;
    /** Resolved split indices (when facts are known). */
    splits?: number[] | undefined;
}

export interface LoadedCampaign {
    campaign: ResolvedCampaign;
    /** Formatted `file:line:col path: message` lines. */
    warnings: string[];
    source: { file: string; absPath: string; text: string; sha256: string };
    models: LoadedModel[];
    /** Ready for planCampaign when every model file is local, read and hashed; undefined otherwise. */
    planModels?: PlanModel[] | undefined;
    /**
     * Folders: `baseDir` is the one campaign paths resolved against (the campaign file's folder unless given),
     * `projectDir` the working directory splitbench keeps its data in. Benchmark binaries stay as written in the
     * settings (job ids must not change when the checkout moves): resolve them with
     * fileSourcePath(src, baseDir, toolCacheDir).
     */
    paths: { baseDir: string; projectDir: string; modelCacheDir: string; toolCacheDir: string };
}

export const formatIssue = (i: ConfigIssue): string => `${i.file}:${i.line}:${i.col} ${i.path}: ${i.message}`;

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

// ---------------------------------------------------------------------------------------------------------
// zod issues → data paths + one-line messages

const zodIssues = (issues: readonly z.core.$ZodIssue[], data: unknown): RuleIssue[] =>
    schemaIssues(issues, data, CampaignSchema).map((i) => ({ severity: 'error', ...i }));

// ---------------------------------------------------------------------------------------------------------

const oneLine = (msg: string): string => (msg.split('\n')[0] ?? msg).replace(/ at line \d+, column \d+:?$/, '').trim();

const yamlIssues = (doc: Document, lc: LineCounter, file: string): ConfigIssue[] =>
    [...doc.errors, ...doc.warnings].map((e) => {
        const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
        return {
            severity: doc.errors.includes(e) ? 'error' : 'warning',
            file,
            line: pos.line,
            col: pos.col,
            path: 'YAML',
            message: oneLine(e.message),
        };
    });

/** Devices and model files checked straight on the raw data when the schema failed, so they are not hidden. */
const rawChecks = (
    data: unknown,
    ctx: LoadContext,
    fileFacts: (p: string) => FileFacts,
    baseDir: string,
): RuleIssue[] => {
    const out: RuleIssue[] = [];
    for (const role of ['ue', 'server'] as const) {
        if ((ctx.roleOverrides?.[role]?.length ?? 0) > 0) continue;
        const list = valueAt(data, ['roles', role]).value;
        if (!Array.isArray(list)) continue;
        list.forEach((name: unknown, i) => {
            if (typeof name === 'string' && !ctx.knownDevices.has(name)) {
                const known = [...ctx.knownDevices.keys()].sort().join(', ');
                out.push({
                    severity: 'error',
                    path: ['roles', role, i],
                    message: `unknown device "${name}" (${known === '' ? noDevicesIn(ctx.devicesDir) : `known: ${known}`})`,
                });
            }
        });
    }
    const models = valueAt(data, ['models']).value;
    if (Array.isArray(models))
        models.forEach((m: unknown, i) => {
            const p = valueAt(m, ['path']).value;
            if (typeof p !== 'string' || p === '') return;
            const abs = resolveLocalPath(baseDir, p);
            if (!fileFacts(abs).exists)
                out.push({ severity: 'error', path: ['models', i, 'path'], message: `model file not found: ${abs}` });
        });
    return out;
};

const startsWith = (path: DataPath, prefix: DataPath): boolean =>
    prefix.length <= path.length && prefix.every((seg, i) => String(seg) === String(path[i]));

/**
 * Deletes every invalid value (at its nearest object key, so array indices never shift) and parses again,
 * letting defaults fill the gaps. Gives up when a required key is missing. Returns the campaign and the
 * deleted paths, so rule issues under them (about defaults, not the user's values) can be dropped.
 */
const repair = (
    data: unknown,
    issues: readonly z.core.$ZodIssue[],
): { campaign: Campaign; removed: DataPath[] } | undefined => {
    const copy = structuredClone(data);
    const removed: DataPath[] = [];
    let current = issues;
    for (let round = 0; round < 5; round++) {
        for (const issue of current) {
            const targets: DataPath[] =
                issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
            for (const t of targets) {
                let cut = t.length;
                while (cut > 0 && typeof t[cut - 1] !== 'string') cut--;
                if (cut === 0) return undefined;
                const target = t.slice(0, cut);
                const parent = valueAt(copy, target.slice(0, -1)).value;
                const key = target[target.length - 1] as string;
                if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, key)) return undefined;
                Reflect.deleteProperty(parent, key);
                removed.push(target);
            }
        }
        const again = CampaignSchema.safeParse(copy);
        if (again.success) return { campaign: again.data, removed };
        current = again.error.issues;
    }
    return undefined;
};

const fileFactsReader = (): ((absPath: string) => FileFacts) => {
    const cache = new Map<string, FileFacts>();
    return (absPath) => {
        let f = cache.get(absPath);
        if (f === undefined) {
            f =
                existsSync(absPath) && statSync(absPath).isFile()
                    ? { exists: true, sha256: sha256Hex(readFileSync(absPath)) }
                    : { exists: false };
            cache.set(absPath, f);
        }
        return f;
    };
};

/**
 * Validates campaign text. `file` labels the issues. File facts come from `fileFacts` (tests inject them);
 * the default reads and hashes the files.
 */
export const checkCampaignText = (
    text: string,
    file: string,
    ctx: LoadContext,
    fileFacts: (absPath: string) => FileFacts = fileFactsReader(),
): LoadedCampaign => {
    const baseDir = resolve(ctx.baseDir ?? dirname(resolve(file)));
    const projectDir = resolve(ctx.projectDir ?? process.cwd());
    const toolCacheDir = ctx.toolCacheDir ?? resolve(projectDir, '.cache', 'tools');
    const modelCacheDir = ctx.modelCacheDir ?? resolve(projectDir, 'models');
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, merge: true, uniqueKeys: true });
    const source = { file, absPath: resolve(file), text, sha256: sha256Hex(text) };
    const yamlProblems = yamlIssues(doc, lc, file);
    const fail = (issues: ConfigIssue[]): never => {
        const errors = issues.filter((i) => i.severity === 'error');
        errors.sort((a, b) => a.line - b.line || a.col - b.col);
        throw new SplitbenchError('CONFIG_INVALID', errors.map(formatIssue).join('\n'), {
            details: { file, issues: errors },
        });
    };
    if (yamlProblems.some((i) => i.severity === 'error')) return fail(yamlProblems);

    const place = (r: RuleIssue): ConfigIssue => ({
        severity: r.severity,
        file,
        ...positionOf(doc, lc, r.path, r.atKey ?? false),
        path: formatPath(r.path),
        message: r.message,
    });
    const data: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        return fail([
            ...yamlProblems,
            place({ severity: 'error', path: [], message: 'expected a mapping with name, models and roles' }),
        ]);
    }
    const modelCache = new Map<string, ModelLookup>();
    const model = (absPath: string): ModelLookup => {
        if (ctx.modelInfo === undefined) return undefined;
        if (!modelCache.has(absPath)) {
            let r: ModelLookup;
            try {
                const facts = ctx.modelInfo(absPath);
                r = facts === undefined ? undefined : { ok: true, facts };
            } catch (e) {
                r = { ok: false, message: isSplitbenchError(e) ? e.message : `cannot read model: ${messageOf(e)}` };
            }
            modelCache.set(absPath, r);
        }
        return modelCache.get(absPath);
    };
    const ruleContext = (): RuleContext => ({
        knownDevices: ctx.knownDevices,
        devicesDir: ctx.devicesDir,
        file: fileFacts,
        model,
        baseDir,
        toolCacheDir,
        roleOverrides: ctx.roleOverrides,
    });
    const parsed = CampaignSchema.safeParse(data);
    const normalize = (c: Campaign): ResolvedCampaign =>
        normalizeCampaign(c, { baseDir, modelCacheDir, roleOverrides: ctx.roleOverrides });
    if (!parsed.success) {
        const issues = zodIssues(parsed.error.issues, data);
        // Still run the cross-field rules on what is valid, so one pass reports everything.
        const repaired = repair(data, parsed.error.issues);
        const ruleIssues =
            repaired === undefined
                ? rawChecks(data, ctx, fileFacts, baseDir)
                : runRules(normalize(repaired.campaign), ruleContext()).filter(
                      (r) => r.severity === 'error' && !repaired.removed.some((p) => startsWith(r.path, p)),
                  );
        return fail([...yamlProblems, ...dedupe([...issues, ...ruleIssues]).map(place)]);
    }

    const campaign = normalize(parsed.data);

    const ruleIssues = runRules(campaign, ruleContext());
    const all = [...yamlProblems, ...dedupe(ruleIssues).map(place)];
    if (all.some((i) => i.severity === 'error')) fail(all);

    const models = campaign.models.map((m): LoadedModel => {
        const f = m.absPath === '' ? { exists: false } : fileFacts(m.absPath);
        const info = f.exists ? model(m.absPath) : undefined;
        const facts = info?.ok === true ? info.facts : undefined;
        return {
            id: m.id,
            absPath: m.absPath,
            exists: f.exists,
            sha256: f.sha256,
            sizeBytes: f.exists ? statSize(m.absPath) : undefined,
            facts,
            splits: facts === undefined ? undefined : resolveSplits(m.splits, facts, m.id).splits,
        };
    });
    const planModels = models.every((m) => m.sha256 !== undefined && m.facts !== undefined && m.splits !== undefined)
        ? models.map((m): PlanModel => ({
              id: m.id,
              path: m.absPath,
              sha256: m.sha256 ?? '',
              opCount: m.facts?.opCount ?? 0,
              splits: m.splits ?? [],
          }))
        : undefined;
    return {
        campaign,
        warnings: all.filter((i) => i.severity === 'warning').map(formatIssue),
        source,
        models,
        planModels,
        paths: { baseDir, projectDir, modelCacheDir, toolCacheDir },
    };
};

const statSize = (p: string): number | undefined => {
    try {
        return statSync(p).size;
    } catch {
        return undefined;
    }
};

const dedupe = (issues: RuleIssue[]): RuleIssue[] => {
    const seen = new Set<string>();
    return issues.filter((i) => {
        const k = `${formatPath(i.path)}\u0000${i.message}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
    });
};

/**
 * Loads and checks a campaign file. Throws SplitbenchError CONFIG_INVALID with every problem (one per line,
 * `file:line:col path: message`; `details.issues` holds them as ConfigIssue[]), or NOT_FOUND when the file is
 * missing.
 */
export const loadCampaign = (file: string, ctx: LoadContext): LoadedCampaign => {
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch (e) {
        const code = (e as { code?: string }).code;
        throw new SplitbenchError(
            'NOT_FOUND',
            `campaign file ${file}: ${code === 'ENOENT' ? 'not found' : messageOf(e)}`,
            {
                cause: e,
            },
        );
    }
    return checkCampaignText(text, file, ctx);
};
