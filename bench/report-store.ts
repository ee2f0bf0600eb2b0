// Report benchmark on a REAL store: what `splitbench report RUN --format F` does (read the run out of SQLite, load
// the model for cut sizes, analyse, render), timed per format on a store of 100 runs × 100 split points ×
// 10 repetitions of one nightly campaign. The results are synthetic numbers written through the store API
// (createRun / upsertJobs / recordResult, as the runner writes them); the model is a real generated .tflite file
// with 102 ops. Every format runs in its own child process so its peak RSS is its own. Target: all formats
// together < 5 s. The pure-analysis variant (no store) is bench/report.ts.
// Usage: npx tsx bench/report-store.ts [--runs 100] [--splits 100] [--reps 10] [--samples 20] [--keep DIR]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RoleSettingsSchema } from '../src/config/schema.js';
import type { DeviceProbe } from '../src/drivers/types.js';
import { buildTestModel, type LayerSpec, type ModelSpec } from '../src/model/build.js';
import type { BenchmarkResult, OpRow } from '../src/parse/types.js';
import type { Job, JobKind } from '../src/plan/types.js';
import { renderReport } from '../src/report/render.js';
import type { ReportFormat } from '../src/report/types.js';
import { buildReportInput } from '../src/runner/report-input.js';
import { openStore } from '../src/store/sqlite-store.js';
import { SqliteBackend } from '../src/store/sqlite-backend.js';
import { mulberry32 } from '../src/random.js';

const arg = (name: string, dflt: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const strArg = (name: string): string | undefined => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = arg('runs', 100);
const SPLITS = arg('splits', 100);
const REPS = arg('reps', 10);
const SAMPLES = arg('samples', 20);
const OPS = SPLITS + 2;
const FORMATS: ReportFormat[] = ['md', 'csv', 'json', 'xlsx', 'html'];

const rng = mulberry32;

/** A chain of 1×1 convolutions: OPS ops, every op but the last a split point, one tensor per cut. */
const chainModel = (): ModelSpec => {
    const layers: LayerSpec[] = [];
    let prev = 'x';
    for (let i = 0; i < OPS; i++) {
        layers.push({ op: 'CONV_2D', name: `l${i}`, input: prev, filters: 8, kernel: 1, activation: 'RELU' });
        prev = `l${i}`;
    }
    return { inputs: [{ name: 'x', shape: [1, 28, 28, 8] }], layers, outputs: [prev], seed: 1 };
};

const probeOf = (device: string, night: number): DeviceProbe =>
    ({
        kind: device === 'phone' ? 'adb' : 'local',
        probedAt: new Date(Date.UTC(2026, 0, 1 + night)).toISOString(),
        os: device === 'phone' ? 'Android' : 'Linux',
        arch: 'arm64',
        abis: ['arm64-v8a'],
        cores: 8,
        governors: ['schedutil'],
        thermalC: { cpu: 30 + (night % 10) },
        ...(device === 'phone'
            ? {
                  android: {
                      model: 'SM-A015F',
                      manufacturer: 'samsung',
                      release: '12',
                      sdk: 31,
                      build: `B${night >> 4}`,
                  },
              }
            : {}),
    }) as unknown as DeviceProbe;

const result = (r: () => number, meanMs: number, ops: OpRow[]): BenchmarkResult => {
    const samplesUs = Array.from({ length: SAMPLES }, () => meanMs * 1000 * (0.9 + r() * 0.2));
    const sorted = [...samplesUs].sort((a, b) => a - b);
    const avgUs = samplesUs.reduce((s, x) => s + x, 0) / SAMPLES;
    return {
        parserVersion: 'bench',
        origin: 'runner',
        params: { 'Num threads': '1' },
        inference: {
            avgUs,
            count: SAMPLES,
            minUs: sorted[0],
            maxUs: sorted[SAMPLES - 1],
            medianUs: sorted[SAMPLES >> 1],
            initUs: 2000,
            firstUs: avgUs,
            warmupAvgUs: avgUs,
        },
        memory: { peakMb: 40 },
        delegates: [],
        initProfile: [],
        profile: [],
        ops,
        samplesUs,
        truncated: false,
        unknownLines: 0,
    };
};

const populate = (dir: string): { db: string; runIds: string[] } => {
    const model = join(dir, 'chain.tflite');
    writeFileSync(model, buildTestModel(chainModel()));
    const sha = 'c'.repeat(64);
    const db = join(dir, 'bench.db');
    const store = openStore(db);
    const ueSettings = RoleSettingsSchema.parse({ threads: 1, cpuAffinity: 'big', runs: SAMPLES });
    const srvSettings = RoleSettingsSchema.parse({ threads: 8, cpuAffinity: 'none', runs: SAMPLES });
    const splits = Array.from({ length: SPLITS }, (_, k) => k);
    const jobs: Job[] = [];
    const add = (kind: JobKind, role: 'ue' | 'server', split: number | null, repetition: number): void => {
        const device = role === 'ue' ? 'phone' : 'edge';
        jobs.push({
            id: `${kind}-${role}-${split ?? 'full'}-${repetition}`,
            kind,
            mode: kind === 'estimate' ? 'estimate' : 'measure',
            modelId: 'chain',
            modelSha256: sha,
            modelPath: model,
            split,
            device,
            role,
            repetition,
            profile: kind === 'estimate',
            settings: role === 'ue' ? ueSettings : srvSettings,
            label: `${kind} chain${split === null ? '' : `@${split}`} on ${device} #${repetition + 1}`,
        });
    };
    for (let rep = 0; rep < REPS; rep++) {
        for (const role of ['ue', 'server'] as const) {
            add('estimate', role, null, rep);
            add('baseline', role, null, rep);
        }
        for (const k of splits) {
            add('measure-head', 'ue', k, rep);
            add('measure-tail', 'server', k, rep);
        }
    }
    store.upsertModel({ sha256: sha, path: model, sizeBytes: statSync(model).size, opCount: OPS });
    const runIds: string[] = [];
    const opMs = Array.from({ length: OPS }, (_, i) => 0.2 + ((i * 7919) % 13) / 10);
    const cum = opMs.map(
        (
            (s) => (x: number) =>
                (s += x)
        )(0),
    );
    const total = cum[OPS - 1] as number;
    const t0 = performance.now();
    for (let night = 0; night < RUNS; night++) {
        const r = rng(night + 1);
        const run = store.createRun({
            id: `night-${String(night).padStart(3, '0')}`,
            campaignName: 'nightly-bench',
            campaignPath: join(dir, 'nightly.yaml'),
            campaignSha256: 'a'.repeat(64),
            campaignYaml: 'name: nightly-bench\n',
            splitbenchVersion: '0.1.0',
            gitCommit: 'bench',
            options: {
                splits: { [sha]: splits },
                networks: [
                    { name: '5G-UL-50', uplinkMbps: 50, downlinkMbps: 300, rttMs: 10, includeResultReturn: true },
                    { name: 'LTE', uplinkMbps: 10, rttMs: 50 },
                ],
                settings: { ue: ueSettings, server: srvSettings, repetitions: REPS, modes: ['estimate', 'measure'] },
                reused: [],
                fresh: true,
            },
            startedAt: new Date(Date.UTC(2026, 0, 1 + night, 2)),
        });
        runIds.push(run.id);
        const probes = {
            phone: store.recordProbe(run.id, 'phone', probeOf('phone', night)),
            edge: store.recordProbe(run.id, 'edge', probeOf('edge', night)),
        };
        store.upsertJobs(run.id, jobs);
        for (const j of jobs) {
            const scale = j.role === 'ue' ? 1 : 1 / 8;
            let ops: OpRow[] = [];
            let mean: number;
            if (j.kind === 'estimate') {
                ops = opMs.map((ms, i) => {
                    const avgMs = ms * scale * (0.95 + r() * 0.1);
                    return {
                        nodeIndex: i,
                        type: 'CONV_2D',
                        firstMs: avgMs,
                        avgMs,
                        pct: 0,
                        cdfPct: 0,
                        memKb: 0,
                        timesCalled: SAMPLES,
                        name: `[l${i}]:${i}`,
                        outputs: [`l${i}`],
                    };
                });
                mean = total * scale * 1.05;
            } else if (j.kind === 'baseline') mean = total * scale;
            else if (j.kind === 'measure-head') mean = cum[j.split ?? 0] as number;
            else mean = (total - (cum[j.split ?? 0] as number)) * scale;
            store.markJobRunning(run.id, j.id, 1);
            store.recordResult(run.id, j.id, {
                attempt: 1,
                raw: {
                    argv: ['splitbench-benchmark-model', `--graph=${j.id}.tflite`],
                    stdout: `synthetic result of ${j.label}\n`,
                    stderr: '',
                    exitCode: 0,
                    durationMs: 1500,
                },
                parsed: result(r, mean, ops),
                probeId: j.device === 'phone' ? probes.phone : probes.edge,
            });
        }
        store.setRunState(run.id, 'done');
        if (night % 10 === 9)
            process.stderr.write(
                `  store: ${night + 1}/${RUNS} runs written (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
            );
    }
    store.close();
    return { db, runIds };
};

const REBENCH_RUN = 'rebench-newphone';

/**
 * `splitbench run nightly.yaml --ue newphone` after the nights: the new UE's share is measured, the server's share
 * (estimate, baseline, tails) is reused from the earlier runs, so the report reads results of other runs too.
 */
const addRebenchRun = (db: string): void => {
    const store = openStore(db);
    try {
        const last = store.getRun('latest');
        if (last.id === REBENCH_RUN) return;
        const serverJobs = store.jobs(last.id).filter((j) => j.role === 'server');
        const ueJobs = store.jobs(last.id).filter((j) => j.role === 'ue');
        const model = store.jobResults({ runId: last.id }).find((r) => r.modelPath !== null)?.modelPath ?? '';
        const jobs: Job[] = ueJobs.map((j) => ({
            id: `newphone-${j.id}`,
            kind: j.kind,
            mode: j.kind === 'estimate' ? 'estimate' : 'measure',
            modelId: j.modelId,
            modelSha256: j.modelSha256,
            modelPath: model,
            split: j.split,
            device: 'newphone',
            role: 'ue',
            repetition: j.repetition,
            profile: j.kind === 'estimate',
            settings: j.settings,
            label: `${j.kind} on newphone`,
        }));
        const run = store.createRun({
            id: REBENCH_RUN,
            campaignName: last.campaignName,
            campaignPath: last.campaignPath,
            campaignSha256: last.campaignSha256,
            campaignYaml: last.campaignYaml,
            splitbenchVersion: last.splitbenchVersion,
            options: { ...last.options, reused: serverJobs.map((j) => j.id), ue: ['newphone'] },
            startedAt: new Date(Date.parse(last.startedAt) + 86_400_000),
        });
        const probe = store.recordProbe(run.id, 'newphone', probeOf('phone', 999));
        store.upsertJobs(run.id, jobs);
        const byId = new Map(store.jobResults({ runId: last.id }).map((r) => [r.id, r]));
        const r = rng(999);
        for (const j of jobs) {
            const src = byId.get(j.id.slice('newphone-'.length));
            const ops = (src?.ops ?? []).map((o) => ({ ...o, avgMs: o.avgMs * 0.7 }));
            store.markJobRunning(run.id, j.id, 1);
            store.recordResult(run.id, j.id, {
                attempt: 1,
                raw: { stdout: 'synthetic\n', stderr: '', exitCode: 0, durationMs: 1500 },
                parsed: result(r, ((src?.summary.avgUs ?? 1000) / 1000) * 0.7, ops),
                probeId: probe,
            });
        }
        store.setRunState(run.id, 'done');
    } finally {
        store.close();
    }
};

interface ChildOut {
    buildMs: number;
    renders: { format: ReportFormat; ms: number; bytes: number }[];
    peakKb: number;
    rows: number;
}

/** One child: open the store, build the run's report input, render the given formats (what the CLI does). */
const child = async (db: string, runId: string, formats: ReportFormat[]): Promise<void> => {
    const t0 = performance.now();
    const store = new SqliteBackend(db, { mustExist: true });
    const input = await buildReportInput(store, await store.getRun(runId), (m) =>
        process.stderr.write(`warning: ${m}\n`),
    );
    await store.close();
    const buildMs = performance.now() - t0;
    const renders: ChildOut['renders'] = [];
    for (const f of formats) {
        const t = performance.now();
        const body = await renderReport(input, f);
        renders.push({ format: f, ms: performance.now() - t, bytes: body.length });
    }
    const out: ChildOut = {
        buildMs,
        renders,
        peakKb: process.resourceUsage().maxRSS,
        rows: input.analyses.reduce((s, a) => s + a.rows.length, 0),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
};

const runChild = (db: string, runId: string, formats: ReportFormat[]): ChildOut => {
    const self = fileURLToPath(import.meta.url);
    const out = execFileSync(process.execPath, [...process.execArgv, self, '--child', db, runId, formats.join(',')], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(out.trim().split('\n').pop() ?? '{}') as ChildOut;
};

const main = (): void => {
    const keep = strArg('keep');
    const dir = keep ?? mkdtempSync(join(tmpdir(), 'splitbench-bench-report-'));
    mkdirSync(dir, { recursive: true });
    try {
        console.log(
            `report-store bench: ${RUNS} runs × ${SPLITS} split points × ${REPS} repetitions (${SAMPLES} raw samples per job), node ${process.version}, load ${loadavg()[0]?.toFixed(1)}`,
        );
        let db = join(dir, 'bench.db');
        let runIds = Array.from({ length: RUNS }, (_, i) => `night-${String(i).padStart(3, '0')}`);
        if (keep === undefined || !existsSync(db)) {
            const t = performance.now();
            ({ db, runIds } = populate(dir));
            console.log(
                `store written through the store API in ${((performance.now() - t) / 1000).toFixed(1)} s: ${(statSync(db).size / 1e6).toFixed(0)} MB, ${RUNS * REPS * (4 + 2 * SPLITS)} jobs`,
            );
        } else console.log(`reusing the store in ${dir}`);
        addRebenchRun(db);
        const target = runIds[runIds.length - 1] as string;
        console.log(`report of run ${target} (the last night), each format in its own process:\n`);
        console.log(
            `${'format'.padEnd(8)} ${'store → input'.padStart(14)} ${'render'.padStart(9)} ${'total'.padStart(9)} ${'output'.padStart(10)} ${'peak RSS'.padStart(9)}`,
        );
        let sum = 0;
        for (const f of FORMATS) {
            const r = runChild(db, target, [f]);
            const render = r.renders[0];
            const total = r.buildMs + (render?.ms ?? 0);
            sum += total;
            console.log(
                `${f.padEnd(8)} ${`${r.buildMs.toFixed(0)} ms`.padStart(14)} ${`${render?.ms.toFixed(0)} ms`.padStart(9)} ${`${total.toFixed(0)} ms`.padStart(9)} ${`${((render?.bytes ?? 0) / 1e6).toFixed(2)} MB`.padStart(10)} ${`${(r.peakKb / 1024).toFixed(0)} MB`.padStart(9)}  (${r.rows} rows)`,
            );
        }
        const all = runChild(db, target, FORMATS);
        const allMs = all.buildMs + all.renders.reduce((s, x) => s + x.ms, 0);
        const verdict = (ms: number): string => (ms < 5000 ? 'OK' : 'OVER');
        console.log(
            `\nfive separate reports (store → input each time): ${sum.toFixed(0)} ms (target < 5000 ms) ${verdict(sum)}`,
        );
        console.log(
            `one process, input once, all five formats:       ${allMs.toFixed(0)} ms (input ${all.buildMs.toFixed(0)} ms + renders ${all.renders.map((x) => `${x.format} ${x.ms.toFixed(0)}`).join(', ')}), peak RSS ${(all.peakKb / 1024).toFixed(0)} MB (target < 5000 ms) ${verdict(allMs)}`,
        );
        // A run that reuses the server's results from earlier runs (a new UE re-benchmarked on its own).
        const re = runChild(db, REBENCH_RUN, FORMATS);
        const reMs = re.buildMs + re.renders.reduce((s, x) => s + x.ms, 0);
        console.log(
            `\nrun ${REBENCH_RUN} (new UE measured, server share reused from earlier runs), all five formats: ${reMs.toFixed(0)} ms (input ${re.buildMs.toFixed(0)} ms), peak RSS ${(re.peakKb / 1024).toFixed(0)} MB (target < 5000 ms) ${verdict(reMs)}`,
        );
    } finally {
        if (keep === undefined) rmSync(dir, { recursive: true, force: true });
    }
};

const ci = process.argv.indexOf('--child');
if (ci >= 0) {
    const [db, runId, formats] = process.argv.slice(ci + 1);
    await child(db as string, runId as string, (formats ?? '').split(',') as ReportFormat[]);
} else main();
