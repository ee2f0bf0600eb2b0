// Cross-field checks on a schema-valid, normalized campaign: things zod cannot know (devices, model files,
// split ranges, benchmark binaries per ABI). Pure: every fact about the outside world arrives in the context,
// gathered by load.ts.
import type { DriverKind } from '../drivers/types.js';
import { resolveSplits, type ModelFacts } from '../plan/splits.js';
import { fileSourcePath, type ResolvedCampaign, type RoleOverrides } from './normalize.js';
import type { Role } from './schema.js';
import type { DataPath } from './yaml-location.js';

export interface DeviceFacts {
    /** ABIs the device runs (Android `ro.product.cpu.abilist`, `uname -m` on Linux). */
    abis: readonly string[];
    kind: DriverKind;
    /** Core count from the last probe, when known (checks CPU masks). */
    cores?: number | undefined;
    /**
     * Whether the built-in runner can run there (needs the host's Node: local, SSH on loopback, the ADB
     * simulator). Undefined: allowed for local/ssh, warned about for adb.
     */
    canRunBuiltin?: boolean | undefined;
}

export interface FileFacts {
    exists: boolean;
    sha256?: string | undefined;
}

export type ModelLookup = { ok: true; facts: ModelFacts } | { ok: false; message: string } | undefined;

export interface RuleContext {
    knownDevices: ReadonlyMap<string, DeviceFacts>;
    /** The folder knownDevices came from, as messages show it; default `devices/`. */
    devicesDir?: string | undefined;
    /** Facts about an absolute path (model files, benchmark binaries). */
    file: (absPath: string) => FileFacts;
    /** Model facts for an existing model file; undefined when nobody can read models (checks skipped). */
    model: (absPath: string) => ModelLookup;
    baseDir: string;
    toolCacheDir: string;
    roleOverrides?: RoleOverrides | undefined;
}

export interface RuleIssue {
    severity: 'error' | 'warning';
    path: DataPath;
    message: string;
    /** Point at the key rather than its value. */
    atKey?: boolean | undefined;
}

type Rule = (c: ResolvedCampaign, ctx: RuleContext) => RuleIssue[];

const error = (path: DataPath, message: string): RuleIssue => ({ severity: 'error', path, message });
const warning = (path: DataPath, message: string): RuleIssue => ({ severity: 'warning', path, message });

const ROLE_NAMES: Record<Role, string> = { ue: 'UE', server: 'server' };

const modelSources: Rule = (c, ctx) => {
    const out: RuleIssue[] = [];
    const seen = new Map<string, number>();
    c.models.forEach((m, i) => {
        const at: DataPath = ['models', i];
        const prev = seen.get(m.id);
        if (prev !== undefined) out.push(error([...at, 'id'], `model id "${m.id}" is already used by models[${prev}]`));
        else seen.set(m.id, i);
        if (m.path !== undefined && m.url !== undefined) {
            out.push(error([...at, 'url'], 'give either path or url, not both'));
            return;
        }
        if (m.path === undefined && m.url === undefined) {
            out.push(error(at, 'missing path (or url with sha256)'));
            return;
        }
        if (m.url !== undefined) {
            if (m.sha256 === undefined)
                out.push(error([...at, 'url'], 'a url needs sha256 so the download can be checked'));
            return;
        }
        const f = ctx.file(m.absPath);
        if (!f.exists) {
            out.push(error([...at, 'path'], `model file not found: ${m.absPath}`));
            return;
        }
        if (m.sha256 !== undefined && f.sha256 !== undefined && f.sha256 !== m.sha256)
            out.push(error([...at, 'sha256'], `${m.path} has sha256 ${f.sha256}, expected ${m.sha256}`));
    });
    return out;
};

const splitRanges: Rule = (c, ctx) => {
    const out: RuleIssue[] = [];
    c.models.forEach((m, i) => {
        if (m.absPath === '' || !ctx.file(m.absPath).exists) return;
        const info = ctx.model(m.absPath);
        if (info === undefined) return;
        if (!info.ok) {
            out.push(error(['models', i, m.path !== undefined ? 'path' : 'url'], info.message));
            return;
        }
        const base: DataPath = m.ownSplits ? ['models', i, 'splits'] : ['splits'];
        const spec = m.splits;
        const sub = spec !== 'all' && !Array.isArray(spec) && 'tensors' in spec ? ['tensors'] : [];
        for (const p of resolveSplits(spec, info.facts, m.id).problems) {
            const path = p.index === undefined ? base : [...base, ...sub, p.index];
            out.push(error(path, p.message));
        }
    });
    return out;
};

/** What an unknown device name is told when the inventory is empty: which folder was read, and what to do. */
export const noDevicesIn = (dir: string | undefined): string =>
    `no devices in ${dir ?? 'devices/'}; add one with "splitbench devices add"`;

const listKnown = (known: ReadonlyMap<string, DeviceFacts>, dir: string | undefined): string =>
    known.size === 0 ? noDevicesIn(dir) : `known: ${[...known.keys()].sort().join(', ')}`;

const devices: Rule = (c, ctx) => {
    const out: RuleIssue[] = [];
    for (const role of ['ue', 'server'] as const) {
        const overridden = (ctx.roleOverrides?.[role]?.length ?? 0) > 0;
        const seen = new Set<string>();
        c.roles[role].forEach((name, i) => {
            const path: DataPath = overridden ? ['roles', role] : ['roles', role, i];
            const via = overridden ? ` (given with --${role})` : '';
            if (seen.has(name)) out.push(error(path, `device "${name}" listed twice as ${ROLE_NAMES[role]}${via}`));
            seen.add(name);
            if (!ctx.knownDevices.has(name))
                out.push(
                    error(path, `unknown device "${name}"${via} (${listKnown(ctx.knownDevices, ctx.devicesDir)})`),
                );
        });
    }
    return out;
};

const runtimes: Rule = (c, ctx) => {
    const out: RuleIssue[] = [];
    for (const role of ['ue', 'server'] as const) {
        const s = c.settings[role];
        const rtPath: DataPath = ['settings', role, 'runtime'];
        if (s.runtime === 'builtin') {
            for (const name of c.roles[role]) {
                const d = ctx.knownDevices.get(name);
                if (d === undefined) continue;
                if (d.canRunBuiltin === false)
                    out.push(
                        error(
                            rtPath,
                            `device ${name} cannot run the built-in runner; give a benchmark_model binary for ${d.abis.join(' or ') || 'its ABI'}`,
                        ),
                    );
                else if (d.canRunBuiltin === undefined && d.kind === 'adb')
                    out.push(
                        warning(
                            rtPath,
                            `the built-in runner needs this host's Node on ${name}; a real phone needs a benchmark_model binary`,
                        ),
                    );
            }
            continue;
        }
        const bins = s.runtime.benchmarkModel;
        const binPath: DataPath = [...rtPath, 'benchmarkModel'];
        for (const [abi, src] of Object.entries(bins)) {
            if (typeof src !== 'string') continue; // URL binaries are downloaded and checked by sha256 later
            const abs = fileSourcePath(src, ctx.baseDir, ctx.toolCacheDir);
            if (!ctx.file(abs).exists) out.push(error([...binPath, abi], `benchmark_model binary not found: ${abs}`));
        }
        for (const name of c.roles[role]) {
            const d = ctx.knownDevices.get(name);
            if (d === undefined) continue;
            if (!d.abis.some((abi) => Object.hasOwn(bins, abi)))
                out.push(
                    error(
                        binPath,
                        d.abis.length === 0
                            ? `device ${name} has never been probed, so its ABI is unknown (given: ${Object.keys(bins).join(', ') || 'none'}): run splitbench devices probe ${name}`
                            : `no benchmark_model binary for device ${name} (ABIs: ${d.abis.join(', ')}; given: ${Object.keys(bins).join(', ') || 'none'})`,
                    ),
                );
        }
    }
    return out;
};

const timings: Rule = (c, ctx) => {
    const out: RuleIssue[] = [];
    for (const role of ['ue', 'server'] as const) {
        const s = c.settings[role];
        const at: DataPath = ['settings', role];
        if (s.minSecs > s.maxSecs)
            out.push(error([...at, 'minSecs'], `minSecs (${s.minSecs}) is larger than maxSecs (${s.maxSecs})`));
        if (c.modes.includes('estimate') && (s.useXnnpack || s.delegate !== 'none'))
            out.push(
                warning(
                    [...at, s.useXnnpack ? 'useXnnpack' : 'delegate'],
                    'a delegate replaces ops by partitions, so estimate mode gets no per-op rows inside them; useXnnpack: false and delegate: none keep one row per op',
                ),
            );
        if (s.cpuAffinity.startsWith('0x')) {
            const mask = BigInt(s.cpuAffinity);
            if (mask === 0n) out.push(error([...at, 'cpuAffinity'], 'CPU mask 0x0 selects no core'));
            for (const name of c.roles[role]) {
                const cores = ctx.knownDevices.get(name)?.cores;
                if (cores !== undefined && mask >> BigInt(cores) !== 0n)
                    out.push(
                        error(
                            [...at, 'cpuAffinity'],
                            `CPU mask ${s.cpuAffinity} names cores that device ${name} lacks (${cores} cores)`,
                        ),
                    );
            }
        }
    }
    return out;
};

const networks: Rule = (c) => {
    const out: RuleIssue[] = [];
    const seen = new Set<string>();
    c.network.forEach((n, i) => {
        if (seen.has(n.name)) out.push(error(['network', i, 'name'], `network profile "${n.name}" is defined twice`));
        seen.add(n.name);
    });
    const modes = new Set<string>();
    c.modes.forEach((m, i) => {
        if (modes.has(m)) out.push(warning(['modes', i], `mode ${m} is listed twice`));
        modes.add(m);
    });
    return out;
};

export const RULES: readonly Rule[] = [modelSources, splitRanges, devices, runtimes, timings, networks];

export const runRules = (c: ResolvedCampaign, ctx: RuleContext): RuleIssue[] => RULES.flatMap((rule) => rule(c, ctx));
