// What compare and history say around the numbers, through the CLI on constructed runs in a real SQLite store
// (test/support/constructed-runs.ts: every repetition value known): a changed model file, campaign and measurement
// settings; runs given newest first or twice; one-repetition and clipped intervals; filters that match nothing;
// flags out of range. Expected values by hand or with scipy, as noted.
// h1, h2: campaign demo, model file seed 9, UE { runs: 5, threads: 1 }, 3 repetitions, head ≈ 3000 µs.
// h3: campaign r2, model file seed 10 (same model id "two"), UE { runs: 10, threads: 2 }, 2 repetitions, head 4230
// 4240 µs. h4: as h3, 1 repetition (head 4235 µs). h5: as h3, head 100 and 5000 µs (an interval reaching below 0).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoleSettingsSchema } from '../../../src/config/schema.js';
import { runCli } from '../../support/cli.js';
import { writeRuns, type ModelShas, type RunSpec } from '../../support/constructed-runs.js';

const R2_UE = RoleSettingsSchema.parse({ runs: 10, threads: 2 });
const RUNS: RunSpec[] = [
    { id: 'h1', campaign: 'demo', head: [3000, 3010, 2990], tail: [2500, 2510, 2490], full: [6000, 6010, 5990] },
    { id: 'h2', campaign: 'demo', head: [3005, 2995, 3000], tail: [2500, 2510, 2490], full: [6000, 6010, 5990] },
    ...[
        { id: 'h3', head: [4230, 4240], tail: [2500, 2510], full: [6000, 6010] },
        { id: 'h4', head: [4235], tail: [2505], full: [6005] },
        { id: 'h5', head: [100, 5000], tail: [2500, 2510], full: [6000, 6010] },
    ].map((r) => ({ ...r, campaign: 'r2', modelSeed: 10, ueSettings: R2_UE })),
];

let work = '';
let shas: ModelShas = new Map();
const sha = (seed: number): string => (shas.get(seed) ?? '?').slice(0, 12);
const cli = (args: readonly string[]) => runCli([...args, '--db', 'results.db'], work);
const HEAD = ['history', '--model', 'two', '--device', 'phone', '--metric', 'ueMs', '--mode', 'measured'];

beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'splitbench-compare-context-'));
    shas = writeRuns(work, RUNS);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('compare names what changed between the runs besides the numbers', () => {
    it('campaign, model file and per-device measurement settings, in text, md and json', async () => {
        const r = await cli(['compare', 'h2', 'h3']);
        expect(r.stderr).toBe('');
        // h3 has 2 repetitions: nothing tested, exit 1
        expect(r.code).toBe(1);
        // devices in name order, settings in a fixed order; repetitions = repetitions measured (3 vs 2)
        expect(r.stdout).toContain(
            'Measurement settings that changed:\n' +
                '  edge repetitions: 3 → 2\n' +
                '  phone threads: 1 → 2\n' +
                '  phone runs: 5 → 10\n' +
                '  phone repetitions: 3 → 2\n',
        );
        expect(r.stdout).toContain('campaign changed: demo → r2\n');
        expect(r.stdout).toContain(`model two changed: ${sha(9)} → ${sha(10)}`);
        // beside the metric measured on that device, as device facts are
        expect(r.stdout).toMatch(
            /measured split 0 ueMs: 3\.000 → 4\.235 ms .*\[phone threads: 1 → 2; phone runs: 5 → 10; phone repetitions: 3 → 2\]$/m,
        );
        expect(r.stdout).toMatch(/measured split 0 serverMs: .*\[edge repetitions: 3 → 2\]$/m);

        const md = await cli(['compare', 'h2', 'h3', '--format', 'md']);
        expect(md.stdout).toContain(
            '## Measurement settings that changed\n\n| Device | Fact | A | B |\n|---|---|---|---|\n| edge | repetitions | 3 | 2 |\n',
        );
        expect(md.stdout).toContain('- campaign changed: demo → r2');

        const j = JSON.parse((await cli(['compare', 'h2', 'h3', '--format', 'json'])).stdout) as Record<
            string,
            unknown
        >;
        expect(j['campaignChange']).toEqual({ a: 'demo', b: 'r2' });
        expect(j['settingsChanges']).toEqual([
            { device: 'edge', fact: 'repetitions', a: '3', b: '2' },
            { device: 'phone', fact: 'threads', a: '1', b: '2' },
            { device: 'phone', fact: 'runs', a: '5', b: '10' },
            { device: 'phone', fact: 'repetitions', a: '3', b: '2' },
        ]);
        // same campaign and settings: nothing listed
        const same = await cli(['compare', 'h1', 'h2', '--format', 'json']);
        expect(JSON.parse(same.stdout)).toMatchObject({ campaignChange: null, settingsChanges: [] });
    });

    it('warns (one stderr line) when run A started after run B, and when both are one run; compares as asked', async () => {
        const swapped = await cli(['compare', 'h2', 'h1']);
        expect(swapped.code).toBe(0);
        expect(swapped.stdout).toContain('compare h2 → h1: no regression');
        const lines = swapped.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^warning: run A h2 started after run B h1 \(.*\): B is compared against A as asked/);
        const self = await cli(['compare', 'h1', 'h1']);
        expect(self.stderr).toBe(
            'warning: run A and run B are the same run, h1: every metric is compared with itself\n',
        );
        expect((await cli(['compare', 'h1', 'h2'])).stderr).toBe('');
    });
});

describe('history marks what changed at a step and in the run list', () => {
    it('a model-file, campaign and settings change at the step, the file per run, and a warning', async () => {
        const r = await cli(HEAD);
        expect(r.code).toBe(0);
        // h2 → h3: 3000 → 4235 µs = +41.2 %; scipy Welch on logs p = 5.5e-6, Holm over 2 step tests 1.1e-5 < 0.05
        expect(r.stdout).toContain(
            `h2→h3 +41.2 % (model sha256: ${sha(9)}→${sha(10)}, campaign: demo→r2, threads: 1→2, runs: 5→10, repetitions: 3→2)`,
        );
        expect(r.stdout).toContain(
            `warning: the series span 2 different model files of model two: ${sha(9)} (h1, h2), ${sha(10)} (h3, h4, h5); ` +
                'split points are op indices of one file, so a split series across them compares different cuts\n',
        );
        const line = (id: string): string => r.stdout.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
        expect(line('h1')).toMatch(new RegExp(`3\\.000 ms \\[[0-9.]+–[0-9.]+\\]  model ${sha(9)}$`));
        // one repetition: no interval to give
        expect(line('h4')).toMatch(
            new RegExp(`  4\\.235 ms \\(n=1, no interval\\)  model ${sha(10)}  changed: repetitions 2→1$`),
        );
        // 0.100 and 5.000 ms: mean 2.550, t(0.975, 1)·s/√2 = 31.130 (scipy): [−28.580, 33.680], low clipped at 0
        expect(line('h5')).toMatch(
            /  2\.550 ms \[0 \(clipped\)–33\.680\]  model [0-9a-f]{12}  changed: repetitions 1→2$/,
        );
    });

    it('one run: no CV (and no step or change figures)', async () => {
        const r = await cli([...HEAD, '--last', '1']);
        expect(r.code).toBe(0);
        const row = r.stdout.split('\n').find((l) => l.startsWith('two ')) ?? '';
        expect(row).toContain(' 2.550 ');
        expect(row).not.toContain('%');
    });

    it('md: the steps note is a paragraph and the runs a table', async () => {
        const r = await cli([...HEAD, '--format', 'md']);
        expect(r.stdout).toMatch(/\n\nSteps: [^\n]+\n\n/);
        expect(r.stdout).toContain(
            'Runs (5, oldest first):\n\n| Run | Started | Value | Loaded | Model file | Changed since previous run |\n' +
                '|---|---|---|---|---|---|\n| h1 |',
        );
        expect(r.stdout).toContain('| 4.235 ms (n=1, no interval) |');
    });

    it('json: the model files with their runs and the warning', async () => {
        const j = JSON.parse((await cli([...HEAD, '--format', 'json'])).stdout) as {
            warnings: string[];
            modelFiles: { sha256: string; runs: string[] }[];
        };
        expect(j.modelFiles).toEqual([
            { sha256: shas.get(9), runs: ['h1', 'h2'] },
            { sha256: shas.get(10), runs: ['h3', 'h4', 'h5'] },
        ]);
        expect(j.warnings).toHaveLength(1);
    });

    it('a filter that matches nothing is named, with what exists for the model and device (exit 2)', async () => {
        const there = 'there: splits 0, full; metrics fullUeMs, ueMs, totalMs; modes measured';
        const cases: [string[], string][] = [
            [['--split', '50'], `model two on phone: --split 50 matched nothing; ${there}`],
            [['--metric', 'serverMs'], `model two on phone: --metric serverMs matched nothing; ${there}`],
            [
                ['--split', 'full', '--metric', 'ueMs'],
                `model two on phone: --split full with --metric ueMs match nothing together; ${there}`,
            ],
            [
                ['--split', 'full', '--mode', 'estimated'],
                `model two on phone: --mode estimated matched nothing; ${there}`,
            ],
        ];
        for (const [flags, message] of cases) {
            const r = await cli(['history', '--model', 'two', '--device', 'phone', ...flags]);
            expect(r.code).toBe(2);
            expect(r.stderr).toBe(`splitbench: ${message}\n`);
        }
        const none = await cli(['history', '--model', 'nope', '--device', 'phone']);
        expect(none.stderr).toBe(
            'splitbench: no runs measured model nope on phone; the 5 run(s) selected measured model(s) two\n',
        );
        const nodev = await cli(['history', '--model', 'two', '--device', 'nodev']);
        expect(nodev.code).toBe(2);
        expect(nodev.stderr).toBe(
            'splitbench: no runs measured model two on nodev; model two was measured on edge, phone\n',
        );
    });
});

describe('rule flags out of range and unparsable numbers', () => {
    it("exit 2, the flag and value on one line, and the subcommand's help named", async () => {
        const cases: [string[], string][] = [
            [
                ['compare', 'h1', 'h2', '--alpha', '2'],
                '--alpha: expected a significance level between 0 and 1 (exclusive), got "2"',
            ],
            [
                ['compare', 'h1', 'h2', '--alpha', '0'],
                '--alpha: expected a significance level between 0 and 1 (exclusive), got "0"',
            ],
            [['compare', 'h1', 'h2', '--alpha', 'abc'], '--alpha: expected a number, got "abc"'],
            [['compare', 'h1', 'h2', '--threshold', '-5'], '--threshold: expected a number ≥ 0, got "-5"'],
            [['compare', 'h1', 'h2', '--threshold', 'abc'], '--threshold: expected a number, got "abc"'],
            [['compare', 'h1', 'h2', '--floor-ms', '-1'], '--floor-ms: expected a number ≥ 0, got "-1"'],
            [['compare', 'h1', 'h2', '--min-reps', 'abc'], '--min-reps: expected a number, got "abc"'],
            [[...HEAD, '--alpha', '5'], '--alpha: expected a significance level between 0 and 1 (exclusive), got "5"'],
            [
                [...HEAD, '--alpha', '-1'],
                '--alpha: expected a significance level between 0 and 1 (exclusive), got "-1"',
            ],
            [[...HEAD, '--threshold', 'abc'], '--threshold: expected a number, got "abc"'],
            [[...HEAD, '--floor-ms', '-1'], '--floor-ms: expected a number ≥ 0, got "-1"'],
        ];
        for (const [args, message] of cases) {
            const r = await cli(args);
            expect(r.code, args.join(' ')).toBe(2);
            expect(r.stdout).toBe('');
            expect(r.stderr).toBe(`splitbench: ${message}\nsee 'splitbench ${args[0] ?? ''} --help'\n`);
        }
    });

    it('history --help says it prints every matching metric, not one', async () => {
        const r = await cli(['history', '--help']);
        expect(r.stdout).not.toContain('One metric over every run');
        expect(r.stdout).toMatch(/metrics on a device over every run/);
    });
});
