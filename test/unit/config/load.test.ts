import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCampaignText, loadCampaign, type ConfigIssue } from '../../../src/config/load.js';
import { isSplitbenchError, SplitbenchError } from '../../../src/errors.js';
import { ctx, DEVICES, FILES, fileFacts, SHA_A } from '../../support/config-fixtures.js';

const errorOf = (fn: () => unknown): SplitbenchError => {
    try {
        fn();
    } catch (e) {
        if (e instanceof SplitbenchError) return e;
        throw e;
    }
    throw new Error('expected a SplitbenchError');
};

const check = (text: string, extra = {}) => checkCampaignText(text, 'c.yaml', ctx(extra), fileFacts(FILES));

const MINIMAL = `name: minimal
models:
    - path: models/net.tflite
roles:
    ue: [pixel7]
    server: [linux-pc]
settings:
    ue:
        runtime: { benchmarkModel: { arm64-v8a: tools/bm-arm64 } }
`;

describe('loadCampaign: valid campaigns', () => {
    it('fills defaults, resolves paths and model ids, and hands over plan inputs', () => {
        const r = check(MINIMAL);
        expect(r.warnings).toEqual([]);
        const c = r.campaign;
        expect(c.models).toEqual([
            {
                id: 'net',
                path: 'models/net.tflite',
                absPath: '/proj/models/net.tflite',
                splits: 'all',
                ownSplits: false,
            },
        ]);
        expect(c.settings.ue).toMatchObject({
            threads: 1,
            useXnnpack: false,
            delegate: 'none',
            cpuAffinity: 'big',
            runs: 50,
        });
        expect(c.settings.server.runtime).toBe('builtin');
        expect(c).toMatchObject({ repetitions: 1, modes: ['estimate'], network: [], jobTimeoutSecs: 600 });
        expect(c.retries).toEqual({ count: 2, backoffMs: 2000 });
        expect(r.planModels).toEqual([
            { id: 'net', path: '/proj/models/net.tflite', sha256: SHA_A, opCount: 30, splits: [...Array(29).keys()] },
        ]);
        expect(r.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it('replaces role devices with --ue/--server overrides', () => {
        const r = check(MINIMAL, { roleOverrides: { ue: ['pixel7'], server: ['local-server'] } });
        expect(r.campaign.roles).toEqual({ ue: ['pixel7'], server: ['local-server'] });
    });

    it('reports an unknown override device against the role, naming the flag', () => {
        const e = errorOf(() =>
            check(MINIMAL.replace('arm64-v8a', 'armeabi-v7a'), { roleOverrides: { ue: ['ghost'] } }),
        );
        expect(e.message).toBe(
            'c.yaml:5:9 roles.ue: unknown device "ghost" (given with --ue) (known: a01, linux-pc, local-server, local-ue, pixel7)',
        );
    });

    it('warns (without failing) about delegates in estimate mode and the builtin runner on adb devices', () => {
        const text = MINIMAL.replace('runtime: {', 'useXnnpack: true\n        runtime: {').replace(
            'server: [linux-pc]',
            'server: [sim]',
        );
        const devices = new Map([...DEVICES, ['sim', { abis: ['x86_64'], kind: 'adb' as const }]]);
        const r = checkCampaignText(text, 'c.yaml', ctx({ knownDevices: devices }), fileFacts(FILES));
        expect(r.warnings).toEqual([
            "c.yaml:8:5 settings.server.runtime: the built-in runner needs this host's Node on sim; a real phone needs a benchmark_model binary",
            'c.yaml:9:21 settings.ue.useXnnpack: a delegate replaces ops by partitions, so estimate mode gets no per-op rows inside them; useXnnpack: false and delegate: none keep one row per op',
        ]);
    });
});

describe('loadCampaign: every problem in one pass', () => {
    const BAD = `# yaml-language-server: $schema=./campaign.schema.json
name: bad
models:
  - path: models/net.tflite
    splits: [3, 29, 40]
  - path: models/missing.tflite
roles:
  ue: [pixel7, phone9]
  server: [linux-pc]
settings:
  ue:
    thread: 4
    runs: fifty
    runtime:
      benchmarkModel:
        x86_64: tools/bm-x86_64
  server:
    cpuAffinity: big-cores
repetitions: 0
modes: [estimate, measure, guess]
network:
  - { name: LTE, uplinkMbps: 10, rttMs: 50, jitter: 3 }
`;

    it('lists schema errors and cross-field errors together, sorted by position, one line each', () => {
        const e = errorOf(() => check(BAD));
        expect(e.code).toBe('CONFIG_INVALID');
        expect(e.message.split('\n')).toEqual([
            'c.yaml:5:17 models[0].splits[1]: split point 29 is beyond model net (30 ops: valid 0..28)',
            'c.yaml:5:21 models[0].splits[2]: split point 40 is beyond model net (30 ops: valid 0..28)',
            'c.yaml:6:11 models[1].path: model file not found: /proj/models/missing.tflite',
            'c.yaml:8:16 roles.ue[1]: unknown device "phone9" (known: a01, linux-pc, local-server, local-ue, pixel7)',
            'c.yaml:12:5 settings.ue.thread: unknown key (did you mean "threads"?)',
            'c.yaml:13:11 settings.ue.runs: expected a number, got "fifty"',
            'c.yaml:16:9 settings.ue.runtime.benchmarkModel: no benchmark_model binary for device pixel7 (ABIs: arm64-v8a, armeabi-v7a; given: x86_64)',
            "c.yaml:18:18 settings.server.cpuAffinity: expected 'big', 'none' or a hex CPU mask such as 0x3",
            'c.yaml:19:14 repetitions: must be ≥ 1, got 0',
            'c.yaml:20:28 modes[2]: unknown value "guess"; allowed: estimate, measure',
            'c.yaml:22:45 network[0].jitter: unknown key (allowed: name, uplinkMbps, downlinkMbps, rttMs, includeResultReturn)',
        ]);
        const issues = e.details['issues'] as ConfigIssue[];
        expect(issues).toHaveLength(11);
        expect(issues[4]).toEqual({
            severity: 'error',
            file: 'c.yaml',
            line: 12,
            col: 5,
            path: 'settings.ue.thread',
            message: 'unknown key (did you mean "threads"?)',
        });
    });

    it("says what was found and what is allowed, in splitbench's words, with did-you-mean for values", () => {
        const text = [
            'name: words',
            'models: [{ path: models/net.tflite }]',
            'splits: { evry: 10 }',
            'roles: { ue: [local-ue], server: [local-server] }',
            'settings:',
            '  ue: { warmupRuns: -1, runs: 2.5, delegate: gpuu, useXnnpack: yes, minSecs: "1" }',
            'modes: [measur]',
            'report: { formats: [markdown, md, mdd] }',
            'network: [{ name: n, uplinkMbps: 0, rttMs: 5 }]',
            '',
        ].join('\n');
        expect(errorOf(() => check(text)).message.split('\n')).toEqual([
            `c.yaml:3:9 splits: expected 'all', a list of split indices, {every: N} or {tensors: [names]}: unknown key "evry" (did you mean "every"?)`,
            'c.yaml:6:21 settings.ue.warmupRuns: must be ≥ 0, got -1',
            'c.yaml:6:31 settings.ue.runs: expected a whole number, got 2.5',
            'c.yaml:6:46 settings.ue.delegate: unknown value "gpuu" (did you mean "gpu"?); allowed: none, gpu, nnapi, hexagon',
            'c.yaml:6:64 settings.ue.useXnnpack: expected true or false, got "yes" (use true or false)',
            'c.yaml:6:78 settings.ue.minSecs: expected a number, got "1" (write it without quotes)',
            'c.yaml:7:9 modes[0]: unknown value "measur" (did you mean "measure"?); allowed: estimate, measure',
            'c.yaml:8:35 report.formats[2]: unknown value "mdd" (did you mean "md"?); allowed: md, markdown, csv, json, html, xlsx',
            'c.yaml:9:34 network[0].uplinkMbps: must be > 0, got 0',
        ]);
    });

    it('reports YAML syntax errors with their positions and runs no further checks', () => {
        const e = errorOf(() => check('name: x\nmodels:\n  - path: a\n    path: b\nroles: [\n'));
        expect(e.code).toBe('CONFIG_INVALID');
        const lines = e.message.split('\n');
        expect(lines[0]).toBe('c.yaml:4:5 YAML: Map keys must be unique');
        expect(lines.length).toBeGreaterThan(1);
        for (const l of lines) expect(l).toMatch(/^c\.yaml:\d+:\d+ YAML: [^\n]+$/);
    });

    it('names missing keys, wrong types and an empty document', () => {
        expect(errorOf(() => check('name: x\nmodels: {path: a}\n')).message.split('\n')).toEqual([
            'c.yaml:1:1 roles: missing (a mapping is required)',
            'c.yaml:2:9 models: expected a list, got a mapping',
        ]);
        expect(errorOf(() => check('# nothing\n')).message).toBe(
            'c.yaml:1:1 (top level): expected a mapping with name, models and roles',
        );
    });

    it('checks model sources, tensors, split specs, binaries, masks and duplicates', () => {
        const text = `name: many
models:
  - { id: m, path: models/net.tflite, sha256: "${'f'.repeat(64)}" }
  - { id: m, path: models/other.tflite, splits: { tensors: [conv1, nope] } }
  - { url: "https://example.org/x.tflite" }
  - { id: z }
splits: { every: 50 }
roles: { ue: [a01, a01], server: [linux-pc] }
settings:
  ue: { runtime: { benchmarkModel: { armeabi-v7a: tools/missing-bm } }, cpuAffinity: "0x30", minSecs: 9, maxSecs: 2 }
  server: { runtime: builtin, cpuAffinity: "0x0" }
network: [{ name: a, uplinkMbps: 1, rttMs: 1 }, { name: a, uplinkMbps: 2, rttMs: 2 }]
`;
        const e = errorOf(() =>
            checkCampaignText(
                text,
                'c.yaml',
                ctx({
                    modelInfo: (p: string) =>
                        p.endsWith('other.tflite')
                            ? { opCount: 12, tensorProducers: new Map([['conv1', 4]]) }
                            : { opCount: 30 },
                }),
                fileFacts(FILES),
            ),
        );
        expect(e.message.split('\n')).toEqual([
            `c.yaml:3:47 models[0].sha256: models/net.tflite has sha256 ${SHA_A}, expected ${'f'.repeat(64)}`,
            'c.yaml:4:11 models[1].id: model id "m" is already used by models[0]',
            'c.yaml:4:68 models[1].splits.tensors[1]: model m has no tensor "nope" produced by an op',
            'c.yaml:5:12 models[2].url: a url needs sha256 so the download can be checked',
            'c.yaml:6:5 models[3]: missing path (or url with sha256)',
            'c.yaml:7:9 splits: every: 50 selects no split point of model m (30 ops: valid 0..28)',
            'c.yaml:8:20 roles.ue[1]: device "a01" listed twice as UE',
            'c.yaml:10:51 settings.ue.runtime.benchmarkModel.armeabi-v7a: benchmark_model binary not found: /proj/tools/missing-bm',
            'c.yaml:10:86 settings.ue.cpuAffinity: CPU mask 0x30 names cores that device a01 lacks (4 cores)',
            'c.yaml:10:103 settings.ue.minSecs: minSecs (9) is larger than maxSecs (2)',
            'c.yaml:11:44 settings.server.cpuAffinity: CPU mask 0x0 selects no core',
            'c.yaml:12:57 network[1].name: network profile "a" is defined twice',
        ]);
    });

    it('refuses the built-in runner on a device that cannot run it, and reports unreadable models', () => {
        const text = MINIMAL.replace(/settings:[\s\S]*$/, '');
        const e = errorOf(() =>
            check(text, {
                modelInfo: () => {
                    throw new SplitbenchError(
                        'MODEL_INVALID',
                        "model net.tflite: not a TFLite file (identifier 'ABCD', expected 'TFL3')",
                    );
                },
            }),
        );
        expect(e.message.split('\n')).toEqual(
            [
                "c.yaml:3:13 models[0].path: model net.tflite: not a TFLite file (identifier 'ABCD', expected 'TFL3')",
                'c.yaml:1:1 settings.ue.runtime: device pixel7 cannot run the built-in runner; give a benchmark_model binary for arm64-v8a or armeabi-v7a',
            ].sort((a, b) => Number(a.split(':')[1]) - Number(b.split(':')[1])),
        );
    });
});

describe('loadCampaign: files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'splitbench-config-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the file, hashes models, and throws NOT_FOUND for a missing campaign', () => {
        mkdirSync(join(dir, 'models'));
        writeFileSync(join(dir, 'models', 'net.tflite'), 'not really a model');
        const file = join(dir, 'c.yaml');
        writeFileSync(
            file,
            'name: f\nmodels: [{ path: models/net.tflite }]\nroles: { ue: [local-ue], server: [local-server] }\n',
        );
        const r = loadCampaign(file, { knownDevices: DEVICES, baseDir: dir });
        expect(r.models[0]).toMatchObject({ id: 'net', exists: true, sizeBytes: 18 });
        expect(r.models[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(r.planModels).toBeUndefined(); // no modelInfo: op counts unknown
        const e = errorOf(() => loadCampaign(join(dir, 'nope.yaml'), { knownDevices: DEVICES }));
        expect(isSplitbenchError(e, 'NOT_FOUND')).toBe(true);
        expect(e.message).toBe(`campaign file ${join(dir, 'nope.yaml')}: not found`);
    });

    it("resolves the campaign's relative paths against its own folder, caches against the project folder", () => {
        // dir/elsewhere/campaign.yaml names ../models/net.tflite and a report folder; loaded from dir/project
        mkdirSync(join(dir, 'elsewhere'), { recursive: true });
        mkdirSync(join(dir, 'project'), { recursive: true });
        // the binary exists only beside the campaign: the check fails unless bin/bm resolves there
        mkdirSync(join(dir, 'elsewhere', 'bin'), { recursive: true });
        writeFileSync(join(dir, 'elsewhere', 'bin', 'bm'), '#!/bin/sh\n');
        const file = join(dir, 'elsewhere', 'campaign.yaml');
        writeFileSync(
            file,
            [
                'name: rel',
                'models: [{ path: ../models/net.tflite }]',
                'roles: { ue: [local-ue], server: [local-server] }',
                'settings: { server: { runtime: { benchmarkModel: { x86_64: bin/bm } } } }',
                'report: { outDir: out/reports }',
                '',
            ].join('\n'),
        );
        const r = loadCampaign(join(dir, 'project', '..', 'elsewhere', 'campaign.yaml'), {
            knownDevices: DEVICES,
            projectDir: join(dir, 'project'),
        });
        expect(r.models[0]).toMatchObject({ absPath: join(dir, 'models', 'net.tflite'), exists: true });
        expect(r.campaign.report.outDir).toBe(join(dir, 'elsewhere', 'out', 'reports'));
        expect(r.paths).toEqual({
            baseDir: join(dir, 'elsewhere'),
            projectDir: join(dir, 'project'),
            modelCacheDir: join(dir, 'project', 'models'),
            toolCacheDir: join(dir, 'project', '.cache', 'tools'),
        });
        // without report.outDir the runner uses results/reports in the project folder
        writeFileSync(
            file,
            'name: rel\nmodels: [{ path: ../models/net.tflite }]\nroles: { ue: [local-ue], server: [local-server] }\n',
        );
        expect(loadCampaign(file, { knownDevices: DEVICES }).campaign.report.outDir).toBeUndefined();
    });
});

describe('example campaigns in configs/', () => {
    const configs = resolve(import.meta.dirname, '../../../configs');
    const files = readdirSync(configs).filter((f) => f.endsWith('.yaml'));

    it('ships the demo, the study setup and a nightly campaign', () => {
        expect(files).toEqual(
            expect.arrayContaining(['demo.yaml', 'study-posenet-a01.yaml', 'study-posenet-sim.yaml', 'nightly.yaml']),
        );
    });

    it.each(files)('%s starts with the schema comment and passes every check', (f) => {
        const text = readFileSync(join(configs, f), 'utf8');
        expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./campaign.schema.json');
        const devices = new Map([
            ...DEVICES,
            ['a01', { abis: ['arm64-v8a', 'armeabi-v7a'], kind: 'adb' as const, canRunBuiltin: false }],
            ['a01-sim', { abis: ['arm64-v8a', 'armeabi-v7a'], kind: 'adb' as const, canRunBuiltin: true }],
        ]);
        const r = checkCampaignText(
            text,
            f,
            { knownDevices: devices, baseDir: '/proj', modelInfo: () => ({ opCount: 40 }) },
            () => ({
                exists: true,
            }),
        );
        expect(r.warnings).toEqual([]);
    });

    it('the demo plays UE on one pinned core and server on all cores with the built-in runner', () => {
        const text = readFileSync(join(configs, 'demo.yaml'), 'utf8');
        const r = checkCampaignText(
            text,
            'configs/demo.yaml',
            { knownDevices: DEVICES, baseDir: '/proj/configs' },
            () => ({ exists: true }),
        );
        const c = r.campaign;
        expect(c.models[0]?.absPath).toBe('/proj/node_modules/@mediapipe/pose/pose_landmark_lite.tflite');
        expect(c.roles).toEqual({ ue: ['local-ue'], server: ['local-server'] });
        expect(c.settings.ue).toMatchObject({ runtime: 'builtin', threads: 1, cpuAffinity: '0x1' });
        expect(c.settings.server).toMatchObject({ runtime: 'builtin', threads: 'all', cpuAffinity: 'none' });
        expect(c.modes).toEqual(['estimate', 'measure']);
    });
});
