// `splitbench compare` and `history` on runs measured under load, through the CLI on a real SQLite store. The runs
// are constructed (results written with the store's own API, with load readings as the runner records them), so
// every repetition value is known: each result has 5 samples avg−2 … avg+2 µs, whose median is avg.
// Run A: clean. Run B: the head's repetitions 1 and 3 load-flagged and slow (9000, 9100 µs), the clean ones
// 3020 2980 3000 µs. Run C: every result load-flagged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { writeRuns, type RunSpec } from '../../support/constructed-runs.js';

const A_HEAD = [3000, 3100, 2900, 3050, 2950];
const TAIL = [2500, 2700, 2600, 2550, 2650];
const FULL = [6000, 6400, 6200, 6100, 6300];
const RUNS: RunSpec[] = [
    { id: 'run-a', head: A_HEAD, tail: TAIL, full: FULL },
    {
        id: 'run-b',
        head: [3020, 9000, 2980, 9100, 3000],
        tail: TAIL,
        full: FULL,
        loaded: (kind, rep) => kind === 'measure-head' && (rep === 1 || rep === 3),
    },
    { id: 'run-c', head: A_HEAD, tail: TAIL, full: FULL, loaded: () => true },
];

let work = '';
const cli = (args: readonly string[]) => runCli([...args, '--db', 'results.db'], work);

beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'splitbench-compare-load-'));
    writeRuns(work, RUNS);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('compare and history leave load-flagged repetitions out', () => {
    it('B leaves its 2 loaded head repetitions out: 3.000 → 3.000 ms, no regression (exit 0), and says so', async () => {
        const r = await cli(['compare', 'run-a', 'run-b', '--all']);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('compare run-a → run-b: no regression');
        // head: A mean of 3000 3100 2900 3050 2950 = 3000 µs; B's clean 3020 2980 3000 = 3000 µs
        expect(r.stdout).toMatch(
            /UNCHANGED +two phone\/edge measured split 0 ueMs: 3\.000 → 3\.000 ms \(\+0\.000 ms, \+0\.0 %, p=[0-9.]+, p_adj=[0-9.]+, welch \(log\), reps 5\/3; B: 2 of 5 repetitions left out: loaded\)/,
        );
        // the total (head + tail per repetition) loses the same two repetitions: A 3000 + 2600 = 5600 µs; B
        // (3020+2500 + 2980+2600 + 3000+2650)/3 = 16750/3 = 5583.333 µs: −0.017 ms, −0.3 %
        expect(r.stdout).toMatch(
            /measured split 0 totalMs: 5\.600 → 5\.583 ms \(-0\.017 ms, -0\.3 %, .*reps 5\/3; B: 2 of 5 repetitions left out: loaded\)/,
        );
        // the tail and the full model ran without load: nothing left out
        expect(r.stdout).toMatch(
            /measured split 0 serverMs: 2\.600 → 2\.600 ms \(\+0\.000 ms, \+0\.0 %, p=[0-9.]+, p_adj=[0-9.]+, welch \(log\), reps 5\/5\)\n/,
        );
        expect(r.stdout).toContain('load-flagged repetitions left out of 2 metric(s)');
    });

    it("--include-loaded keeps them: B's head is then (3020+9000+2980+9100+3000)/5 = 5420 µs", async () => {
        const r = await cli(['compare', 'run-a', 'run-b', '--all', '--include-loaded']);
        expect(r.stdout).toMatch(
            /measured split 0 ueMs: 3\.000 → 5\.420 ms \(\+2\.420 ms, \+80\.7 %, .*reps 5\/5; B: 2 of 5 repetitions loaded, kept\)/,
        );
        expect(r.stdout).toContain('load-flagged repetitions kept in 2 metric(s) (--include-loaded)');
    });

    it('a run measured under load throughout gets the verdict LOADED and exit 1, never an all-clear', async () => {
        const r = await cli(['compare', 'run-a', 'run-c']);
        expect(r.code).toBe(1);
        expect(r.stdout).toContain(
            'compare run-a → run-c: LOADED (4 metric(s) with fewer than 3 repetitions measured without load on a side: not tested, not an all-clear; --include-loaded tests them anyway)',
        );
        // B's value is the mean of the repetitions left out, and says so: none was used
        expect(r.stdout).toMatch(
            /^LOADED \(TOO FEW CLEAN REPETITIONS\) two phone\/edge measured full fullUeMs: 6\.200 → 6\.200 \(loaded\) ms \(\+0\.000 ms, \+0\.0 %, p=–, not tested, reps 5\/0; B: 5 of 5 repetitions left out: loaded\)$/m,
        );
        // nothing was tested: no "0 unchanged (hidden…)", and the output ends on its last line, no blank ones
        expect(r.stdout).toContain('; 4 metrics compared, none tested\n');
        expect(r.stdout).not.toContain('unchanged');
        expect(r.stdout.endsWith('loaded)\n')).toBe(true);
        const md = await cli(['compare', 'run-a', 'run-c', '--format', 'md']);
        expect(md.stdout).toContain('| two phone/edge measured full fullUeMs | 6.200 | 6.200 (loaded) |');
        expect(md.stdout.endsWith('|\n')).toBe(true);
        // the same data with the loaded repetitions kept: identical values, nothing to flag
        const kept = await cli(['compare', 'run-a', 'run-c', '--include-loaded']);
        expect(kept.code).toBe(0);
        expect(kept.stdout).toContain('compare run-a → run-c: no regression');
    });

    it("compare --format json carries the verdict and each metric's repetition counts", async () => {
        const r = await cli(['compare', 'run-a', 'run-c', '--format', 'json']);
        expect(r.code).toBe(1);
        const j = JSON.parse(r.stdout) as {
            verdict: string;
            settings: { includeLoaded: boolean; minReps: number };
            counts: { metrics: number; loaded: number; metricsWithLoadedReps: number };
            metrics: { metric: string; verdict: string; nA: number; nB: number; repsB: number; loadedB: number }[];
        };
        expect(j.verdict).toBe('loaded');
        expect(j.settings).toMatchObject({ includeLoaded: false, minReps: 3 });
        expect(j.counts).toMatchObject({ metrics: 4, loaded: 4, metricsWithLoadedReps: 4 });
        expect(j.metrics.map((m) => m.metric).sort()).toEqual(['fullUeMs', 'serverMs', 'totalMs', 'ueMs']);
        for (const m of j.metrics) expect(m).toMatchObject({ verdict: 'loaded', nA: 5, nB: 0, repsB: 5, loadedB: 5 });
        // never tested: no test statistic (p = 1 would read as "tested, no change"); B's value from loaded repetitions
        for (const m of j.metrics)
            expect(m).toMatchObject({
                test: 'none',
                t: null,
                df: null,
                p: null,
                pAdjusted: null,
                aValueFrom: 'used',
                bValueFrom: 'loaded',
            });
        const b = JSON.parse((await cli(['compare', 'run-a', 'run-b', '--format', 'json'])).stdout) as typeof j;
        expect(b.verdict).toBe('no regression');
        const head = b.metrics.find((m) => m.metric === 'ueMs');
        expect(head).toMatchObject({ nB: 3, repsB: 5, loadedB: 2, bValueFrom: 'used', test: 'welch' });
        expect(typeof (head as unknown as { p: unknown }).p).toBe('number');
        const bad = await cli(['compare', 'run-a', 'run-b', '--format', 'jsn']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain(
            '--format: unknown format "jsn" (did you mean "json"?); allowed: text, md, markdown, json',
        );
    });

    it('history uses only the clean repetitions and names the run measured under load throughout', async () => {
        const r = await cli([
            'history',
            '--model',
            'two',
            '--device',
            'phone',
            '--metric',
            'ueMs',
            '--mode',
            'measured',
        ]);
        expect(r.code).toBe(0);
        const lines = r.stdout.split('\n');
        expect(lines.find((l) => l.startsWith('run-a'))).toMatch(/3\.000 ms \[/);
        expect(lines.find((l) => l.startsWith('run-b'))).toMatch(
            /3\.000 ms \[.*\]  \(2 of 5 repetitions left out: loaded\)$/,
        );
        expect(lines.find((l) => l.startsWith('run-c'))).toMatch(
            /every repetition loaded: left out  \(5 of 5 repetitions left out: loaded\)$/,
        );
        // 2 + 5 of 15 repetitions left out; run-c takes no part in the figures
        expect(r.stdout).toContain('7 of 15 repetitions (all loaded: run-c)');
        const kept = await cli([
            'history',
            '--model',
            'two',
            '--device',
            'phone',
            '--metric',
            'ueMs',
            '--mode',
            'measured',
            '--include-loaded',
        ]);
        expect(kept.stdout.split('\n').find((l) => l.startsWith('run-b'))).toMatch(
            /5\.420 ms \[.*\]  \(2 of 5 repetitions loaded, kept\)$/,
        );
    });
});
