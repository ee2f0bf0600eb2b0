// What a run reads before planning: the device inventory, the campaign file (checked against the devices and the
// model files), and models or benchmark binaries given by URL (downloaded once, checked by sha256).
import { existsSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { Writable } from 'node:stream';
import { deviceFacts, listDevices, type DeviceSpec } from '../config/device-file.js';
import { loadCampaign, type LoadedCampaign } from '../config/load.js';
import { fileSourcePath } from '../config/normalize.js';
import { loadModel } from '../model/load.js';
import { mainSubgraph } from '../model/read.js';
import { graphFacts, splitPointIndices } from '../model/split-points.js';
import type { TfliteModel } from '../model/types.js';
import type { ModelFacts as PlanModelFacts } from '../plan/splits.js';
import { downloadVerified } from './fetch-file.js';

/** The options loading needs (a subset of CampaignRunOptions). */
export interface InputOptions {
    file: string;
    devicesDir: string;
    baseDir: string;
    ue?: readonly string[] | undefined;
    server?: readonly string[] | undefined;
    signal: AbortSignal;
    stderr: Writable;
}

/** Facts the config rules and the planner need about a model file, from the model toolkit. */
const modelFactsFor =
    (cache: Map<string, TfliteModel>) =>
    (absPath: string): PlanModelFacts => {
        let m = cache.get(absPath);
        if (m === undefined) {
            m = loadModel(absPath);
            cache.set(absPath, m);
        }
        const sg = mainSubgraph(m);
        const producers = new Map<string, number>();
        sg.operators.forEach((op, i) => {
            for (const t of op.outputs) {
                const name = sg.tensors[t]?.name;
                if (name !== undefined) producers.set(name, i);
            }
        });
        return {
            opCount: sg.operators.length,
            splitPoints: splitPointIndices(graphFacts(m)),
            tensorProducers: producers,
        };
    };

/** The devices folder as a message shows it: relative to the working directory when inside it, with a slash. */
const shownDir = (dir: string): string => {
    const rel = relative(process.cwd(), dir);
    return `${rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? dir : rel}/`;
};

export const loadInputs = (
    opts: InputOptions,
    models: Map<string, TfliteModel>,
): { specs: Map<string, DeviceSpec>; loaded: LoadedCampaign } => {
    const listed = listDevices(opts.devicesDir);
    for (const bad of listed.errors) opts.stderr.write(`warning: ${bad.error.message}\n`);
    const specs = new Map(listed.devices.map((d) => [d.name, d]));
    const loaded = loadCampaign(opts.file, {
        knownDevices: new Map(listed.devices.map((d) => [d.name, deviceFacts(d)])),
        devicesDir: shownDir(opts.devicesDir),
        modelInfo: modelFactsFor(models),
        projectDir: opts.baseDir,
        roleOverrides: { ue: opts.ue, server: opts.server },
    });
    for (const w of loaded.warnings) opts.stderr.write(`warning: ${w}\n`);
    return { specs, loaded };
};

/** Models and benchmark binaries given by URL: downloaded once into their caches, checked by sha256. */
export const fetchMissing = async (loaded: LoadedCampaign, opts: InputOptions): Promise<number> => {
    const wanted: { url: string; sha256: string; dest: string }[] = [];
    for (const m of loaded.campaign.models)
        if (m.url !== undefined && m.sha256 !== undefined && !existsSync(m.absPath))
            wanted.push({ url: m.url, sha256: m.sha256, dest: m.absPath });
    for (const role of ['ue', 'server'] as const) {
        const rt = loaded.campaign.settings[role].runtime;
        if (rt === 'builtin') continue;
        for (const src of Object.values(rt.benchmarkModel)) {
            if (typeof src === 'string') continue;
            const dest = fileSourcePath(src, loaded.paths.baseDir, loaded.paths.toolCacheDir);
            if (!existsSync(dest) && !wanted.some((w) => w.dest === dest)) wanted.push({ ...src, dest });
        }
    }
    for (const w of wanted) {
        opts.stderr.write(`downloading ${w.url}\n`);
        const { bytes } = await downloadVerified(w.url, w.sha256, w.dest, opts.signal);
        opts.stderr.write(`  ${bytes} bytes, sha256 ok → ${w.dest}\n`);
    }
    return wanted.length;
};
