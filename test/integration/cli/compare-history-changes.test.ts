// What changed between runs when no step or regression points at it, through the CLI on constructed runs in a real
// SQLite store (test/support/constructed-runs.ts): history's run list names the campaign, settings and model-file
// changes of every run, and compare across two files of one model id marks its split metrics as different cuts.
// c1: campaign demo, model seed 9, 3 repetitions. c2: campaign demo2, UE { runs: 10 }, 2 repetitions. c3: as c1.
// c4: as c1 but model seed 10 (same model id "two") and a head of ≈ 5000 µs instead of ≈ 3000 µs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoleSettingsSchema } from '../../../src/config/schema.js';
import { runCli } from '../../support/cli.js';
import { writeRuns, type ModelShas, type RunSpec } from '../../support/constructed-runs.js';

const TAIL = [2500, 2510, 2490];
const FULL = [6000, 6010, 5990];
const RUNS: RunSpec[] = [
    { id: 'c1', campaign: 'demo', head: [3000, 3010, 2990], tail: TAIL, full: FULL },
    {
        id: 'c2',
        campaign: 'demo2',
        head: [3005, 2995],
        tail: [2500, 2510],
        full: [6000, 6010],
        ueSettings: RoleSettingsSchema.parse({ runs: 10 }),
    },
    { id: 'c3', campaign: 'demo', head: [3000, 3005, 2995], tail: TAIL, full: FULL },
    { id: 'c4', campaign: 'demo', modelSeed: 10, head: [5000, 5010, 4990], tail: TAIL, full: FULL },
];

let work = '';
let shas: ModelShas = new Map();
const sha = (seed: number): string => (shas.get(seed) ?? '?').slice(0, 12);
const cli = (args: readonly string[]) => runCli([...args, '--db', 'results.db'], work);

beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'splitbench-compare-changes-'));
    shas = writeRuns(work, RUNS);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('history: the run list says what changed since the previous run, step or not', () => {
    const args = ['history', '--model', 'two', '--device', 'phone', '--mode', 'measured'];

    it('text: one line per run with the campaign, settings and model file that changed', async () => {
        const r = await cli(args);
        expect(r.code).toBe(0);
        const line = (id: string): string => r.stdout.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
        // c1 → c2 → c3: 3.000 → 3.000 → 3.000 ms, no step; the changes are in the run list all the same
        expect(r.stdout).not.toContain('c1→c2');
        expect(r.stdout).not.toContain('c2→c3');
        expect(line('c1')).toMatch(new RegExp(`  3 metric\\(s\\)  model ${sha(9)}$`));
        expect(line('c2')).toMatch(
            new RegExp(`  3 metric\\(s\\)  model ${sha(9)}  changed: campaign demo→demo2, runs 5→10, repetitions 3→2$`),
        );
        expect(line('c3')).toMatch(/ {2}changed: campaign demo2→demo, runs 10→5, repetitions 2→3$/);
        expect(line('c4')).toMatch(new RegExp(`  model ${sha(10)}  changed: model sha256 ${sha(9)}→${sha(10)}$`));
    });

    it('md: a "Changed since previous run" column', async () => {
        const r = await cli([...args, '--format', 'md']);
        expect(r.stdout).toContain('| Run | Started | Metrics | Loaded | Model file | Changed since previous run |\n');
        expect(r.stdout).toMatch(
            new RegExp(
                `\\| c2 \\| [^|]+ \\| 3 metric\\(s\\) \\|  \\| ${sha(9)} \\| campaign demo→demo2, runs 5→10, repetitions 3→2 \\|`,
            ),
        );
    });

    it('no column or note when nothing changed (one run)', async () => {
        const md = await cli([...args, '--campaign', 'demo2', '--format', 'md']);
        expect(md.code).toBe(0);
        expect(md.stdout).toContain('| Run | Started | Metrics | Loaded |\n');
        expect(md.stdout).not.toContain('Changed since previous run');
        expect((await cli([...args, '--campaign', 'demo2'])).stdout).not.toContain('changed:');
    });
});

describe('compare across two files of one model id', () => {
    it('warns under the title and marks split metrics as different cuts, not counted (exit 0)', async () => {
        const r = await cli(['compare', 'c3', 'c4']);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const lines = r.stdout.split('\n');
        // head 3.000 → 5.000 ms (scipy Welch on logs p = 5.4e-8) and the total 5.500 → 7.500 ms (p = 1.0e-7) are
        // slower past every bar, but at op 0 of another file
        expect(lines[0]).toBe(
            'compare c3 → c4: no regression (and 2 split regression(s) at a different cut, not counted)',
        );
        expect(lines[1]).toBe(
            `warning: model two is a different file in B (${sha(9)} → ${sha(10)}): split points are op indices of one ` +
                'file, so its split metrics compare different cuts (marked, not counted in the verdict); its ' +
                'full-model metrics compare as usual',
        );
        expect(r.stdout).toMatch(
            /^REGRESSION +two phone\/edge measured split 0 ueMs: 3\.000 → 5\.000 ms \(\+2\.000 ms, \+66\.7 %.*\) {2}\[different cut: model file changed, not counted in the verdict\]$/m,
        );
        expect(r.stdout).toContain(`model two changed: ${sha(9)} → ${sha(10)}`);

        const j = JSON.parse((await cli(['compare', 'c3', 'c4', '--format', 'json'])).stdout) as {
            verdict: string;
            warnings: string[];
            counts: Record<string, number>;
            metrics: { metric: string; splitAfter: number | null; verdict: string; differentCut?: boolean }[];
        };
        expect(j.verdict).toBe('no regression');
        expect(j.warnings).toEqual([lines[1]]);
        // fullUeMs, and at split 0 ueMs, serverMs and totalMs
        expect(j.counts).toMatchObject({ metrics: 4, regression: 0, differentCut: 3, differentCutRegression: 2 });
        expect(j.metrics.filter((m) => m.differentCut === true).map((m) => m.splitAfter)).toEqual([0, 0, 0]);
        expect(j.metrics.find((m) => m.metric === 'fullUeMs')).toMatchObject({ verdict: 'unchanged' });
    });

    it('same file: no warning, nothing marked', async () => {
        const j = JSON.parse((await cli(['compare', 'c1', 'c3', '--format', 'json'])).stdout) as {
            warnings: string[];
            metrics: { differentCut?: boolean }[];
        };
        expect(j.warnings).toEqual([]);
        expect(j.metrics.some((m) => m.differentCut === true)).toBe(false);
    });
});
