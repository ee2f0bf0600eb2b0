// What a new user meets first, through the built CLI (issue 14): one-line usage errors with exit 2, a database
// URL refused before anything is created, and a campaign in another folder whose relative paths resolve against
// that folder, run on two `kind: local` devices with the built-in runner, leaving no scratch behind.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestModel, type ModelSpec } from '../../../src/model/build.js';
import { freePort } from '../../support/net.js';
import { runCli } from '../../support/cli.js';

const TINY: ModelSpec = {
    inputs: [{ name: 'x', shape: [1, 8, 8, 3] }],
    layers: [
        { op: 'CONV_2D', name: 'k1', input: 'x', filters: 4, kernel: 3, activation: 'RELU' },
        { op: 'CONV_2D', name: 'k2', input: 'k1', filters: 4, kernel: 1 },
    ],
    outputs: ['k2'],
    seed: 3,
};

const ROLE = '{ runtime: builtin, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }';

let root: string;
let project: string;

beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-new-user-'));
    project = join(root, 'project');
    mkdirSync(join(project, 'devices'), { recursive: true });
    writeFileSync(join(project, 'devices', 'phone.yaml'), 'name: phone\nkind: local\nlocal: {}\n');
    writeFileSync(join(project, 'devices', 'edge.yaml'), 'name: edge\nkind: local\nlocal: {}\n');
    // the campaign and its model live in a sibling folder; nothing there names the project
    mkdirSync(join(root, 'elsewhere', 'nets'), { recursive: true });
    writeFileSync(join(root, 'elsewhere', 'nets', 'tiny.tflite'), buildTestModel(TINY));
    writeFileSync(
        join(root, 'elsewhere', 'campaign.yaml'),
        [
            'name: elsewhere',
            'models: [{ id: tiny, path: nets/tiny.tflite }]',
            'splits: [0]',
            'roles: { ue: [phone], server: [edge] }',
            `settings: { ue: ${ROLE}, server: ${ROLE} }`,
            'modes: [measure]',
            'report: { formats: [markdown, json], outDir: out }',
            '',
        ].join('\n'),
    );
});
afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('usage errors', () => {
    it('print one line and where to read more, not the whole help, and exit 2', async () => {
        const none = await runCli(['run'], project);
        expect(none.code).toBe(2);
        expect(none.stderr.trim().split('\n')).toEqual([
            "splitbench: missing required argument 'campaign'",
            "see 'splitbench run --help'",
        ]);
        const flag = await runCli(['run', 'x.yaml', '--bogus'], project);
        expect(flag.code).toBe(2);
        expect(flag.stderr.trim().split('\n')).toEqual([
            "splitbench: unknown option '--bogus'",
            "see 'splitbench run --help'",
        ]);
        const fmt = await runCli(['run', 'x.yaml', '--report', 'markdwn'], project);
        expect(fmt.code).toBe(2);
        expect(fmt.stderr.trim().split('\n')).toEqual([
            'splitbench: --report: unknown format "markdwn" (did you mean "markdown"?); allowed: md, markdown, csv, json, html, xlsx',
            "see 'splitbench run --help'",
        ]);
    });

    it('run --help says what an interrupted run exits with', async () => {
        const help = await runCli(['run', '--help'], project);
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(/130 interrupted/);
        expect(help.stdout).not.toMatch(/1 some job failed or the run was interrupted/);
    });

    it('a database URL is a database, never a folder: an unreachable one fails in one line (password hidden), nothing created', async () => {
        const port = await freePort();
        const r = await runCli(
            ['run', '../elsewhere/campaign.yaml', '--db', `postgres://lab:secret@127.0.0.1:${port}/lab`],
            project,
        );
        expect(r.code).toBe(2);
        expect(r.stderr.split('\n')[0]).toBe(
            `splitbench: cannot reach the results database postgres://lab:***@127.0.0.1:${port}/lab: connect ECONNREFUSED 127.0.0.1:${port}`,
        );
        expect(r.stderr).not.toContain('secret');
        expect(readdirSync(project).sort()).toEqual(['devices']);
    });
});

describe('a campaign in another folder', () => {
    it('resolves its paths against its own folder; results stay in the project; scratch is removed', async () => {
        // a temp dir of its own: other runs on this machine (tests in parallel) make and remove scratch too
        const tmp = join(root, 'tmp');
        mkdirSync(tmp);
        const r = await runCli(['run', '../elsewhere/campaign.yaml', '--db', 'results.db'], project, { TMPDIR: tmp });
        expect(r.stderr).toContain('4 done, 0 failed');
        expect(r.code).toBe(0);
        const id = /run (\S+) finished/.exec(r.stderr)?.[1] ?? '';
        // report.outDir is relative to the campaign's folder; md and markdown are the same format
        expect(readdirSync(join(root, 'elsewhere', 'out')).sort()).toEqual([`${id}.json`, `${id}.md`]);
        expect(existsSync(join(project, 'results.db'))).toBe(true);
        expect(existsSync(join(project, 'results', 'logs', `${id}.jsonl`))).toBe(true);
        expect(existsSync(join(project, 'results', '.scratch'))).toBe(false);
        // the devices' per-run working folders and the launcher scratch are gone
        expect(readdirSync(tmp)).toEqual([]);
        // the run's probes reach the devices' probe cache, and the device files are untouched
        expect(readdirSync(join(project, 'devices', '.probes')).sort()).toEqual(['edge.json', 'phone.json']);
        const list = await runCli(['devices', 'list'], project);
        expect(list.stdout).not.toMatch(/never/);
    });
});

describe('a run whose devices cannot be reached', () => {
    it('names each device once per message, and report does not say "yet" about a finished run', async () => {
        // nothing listens on port 1; a missing key file fails before connecting: either way the device is out
        writeFileSync(
            join(project, 'devices', 'gone.yaml'),
            'name: gone\nkind: ssh\nssh: { host: 127.0.0.1, port: 1, user: nobody, identity: /nonexistent/key }\n',
        );
        writeFileSync(
            join(root, 'elsewhere', 'gone.yaml'),
            [
                'name: gone',
                'models: [{ id: tiny, path: nets/tiny.tflite }]',
                'splits: [0]',
                'roles: { ue: [gone], server: [edge] }',
                `settings: { ue: ${ROLE}, server: ${ROLE} }`,
                'modes: [measure]',
                'report: { formats: [json], outDir: out-gone }',
                'retries: { count: 0 }',
                '',
            ].join('\n'),
        );
        // (the exit code of a run with an unreachable device is run accounting's business, not checked here)
        const r = await runCli(['run', '../elsewhere/gone.yaml', '--db', 'gone.db'], project);
        const lines = r.stderr.split('\n').filter((l) => l.includes('device gone'));
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) expect(l.split('device gone').length).toBe(2);
        const id = /run (\S+) finished/.exec(r.stderr)?.[1] ?? '';
        const rep = await runCli(['report', id, '--db', 'gone.db', '--format', 'md'], project);
        expect(rep.code).toBe(0);
        expect(rep.stderr).toContain(`run ${id} has no usable results (run failed; see splitbench runs show ${id})`);
        expect(rep.stderr).not.toContain('yet');
    });
});
