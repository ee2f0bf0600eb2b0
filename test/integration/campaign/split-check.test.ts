// The head→tail check gates what is measured, on local devices with the real TFLite runtime: a split whose cached
// pair computes something else FAILs the check and is not measured (its measure jobs fail with the cause) while the
// other split is measured; the verdicts are in every report format and in `splitbench report RUN` later; a
// truncated cached head is rewritten, checked again, and measured.
import { createHash } from 'node:crypto';
import {
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    statSync,
    truncateSync,
    writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twoInTwoOut, type LayerSpec } from '../../../src/model/build.js';
import { loadModel } from '../../../src/model/load.js';
import { buildSplit } from '../../../src/model/split.js';
import { runCli } from '../../support/cli.js';
import { REPO_ROOT, writeTestModel, writeTestModels, type TestModelSet } from '../../support/models.js';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface JobRow {
    kind: string;
    split: number | null;
    state: string;
    error: string | null;
    run_id: string;
}

const jobRows = (db: string, runId: string): JobRow[] => {
    const d = new Database(db, { readonly: true });
    try {
        return d
            .prepare('SELECT kind, split, state, error, run_id FROM jobs WHERE run_id = ? ORDER BY seq')
            .all(runId) as JobRow[];
    } finally {
        d.close();
    }
};

const runIds = (db: string): string[] => {
    const d = new Database(db, { readonly: true });
    try {
        return (d.prepare('SELECT id FROM runs ORDER BY rowid').all() as { id: string }[]).map((r) => r.id);
    } finally {
        d.close();
    }
};

describe('head→tail check in a campaign (local devices, real runtime)', () => {
    let work: string;
    let models: TestModelSet;
    let subDir: string;
    const files = (k: number): { head: string; tail: string; manifest: string } => ({
        head: join(subDir, `two_in_two_out.split${k}.head.tflite`),
        tail: join(subDir, `two_in_two_out.split${k}.tail.tflite`),
        manifest: join(subDir, `two_in_two_out.split${k}.manifest.json`),
    });

    beforeAll(() => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-check-'));
        models = writeTestModels();
        mkdirSync(join(work, 'devices'));
        for (const name of ['ue1', 'srv'])
            writeFileSync(join(work, 'devices', `${name}.yaml`), `name: ${name}\nkind: local\nlocal: {}\n`);
        subDir = join(work, 'results', 'submodels', sha256(readFileSync(models.twoInTwoOut)).slice(0, 16));
    });
    afterAll(() => {
        models.cleanup();
        rmSync(work, { recursive: true, force: true });
    });

    const yaml = (verify: string): string => `
name: check
models: [{ id: two, path: ${models.twoInTwoOut} }]
splits: [2, 3]
roles: { ue: [ue1], server: [srv] }
settings:
    ue: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }
    server: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }
modes: [estimate, measure]
verify: ${verify}
report: { formats: [md, csv, json, html, xlsx], outDir: reports }
`;

    it('a split whose pair computes something else is not measured; the other is; every report gives the verdicts', async () => {
        // Split 2's cached pair comes from a model whose early_sum is a MUL (a wrong cut, as a writer bug would
        // make), with a manifest that matches those files but records no check (as `verify: off` leaves it).
        const wrongSpec = twoInTwoOut();
        wrongSpec.layers = wrongSpec.layers.map((l): LayerSpec =>
            l.op === 'ADD' && l.name === 'early_sum' ? { ...l, op: 'MUL' } : l,
        );
        const wrong = buildSplit(loadModel(writeTestModel(models.dir, 'wrong', wrongSpec)), 2);
        mkdirSync(subDir, { recursive: true });
        const f2 = files(2);
        writeFileSync(f2.head, wrong.head);
        writeFileSync(f2.tail, wrong.tail);
        const entry = (path: string, data: Uint8Array) => ({
            file: path.slice(subDir.length + 1),
            sha256: sha256(data),
            bytes: data.length,
        });
        writeFileSync(
            f2.manifest,
            JSON.stringify({
                format: 1,
                splitbenchVersion: version,
                model: { id: 'two', sha256: sha256(readFileSync(models.twoInTwoOut)) },
                split: { after: 2 },
                head: entry(f2.head, wrong.head),
                tail: entry(f2.tail, wrong.tail),
            }),
        );
        writeFileSync(join(work, 'check.yaml'), yaml('gate'));

        const r = await runCli(['run', 'check.yaml', '--db', 'check.db'], work);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/sub-models of two: 1 split\(s\) written, 1 reused .*1 pass, 1 FAIL, 0 cannot verify/);
        expect(r.stderr).toMatch(
            /split 2: FAIL: head→tail outputs differ from the full model: 'early_sum' \(max \|Δ\| ([\d.e+-]+)\), 'late' \(max \|Δ\| ([\d.e+-]+)\) \(not measured\)/,
        );

        const db = join(work, 'check.db');
        const [runId] = runIds(db);
        const jobs = jobRows(db, runId!);
        const measure = (k: number): JobRow[] => jobs.filter((j) => j.kind.startsWith('measure-') && j.split === k);
        // one head job on the UE and one tail job on the server per split
        expect(
            measure(2)
                .map((j) => j.kind)
                .sort(),
        ).toEqual(['measure-head', 'measure-tail']);
        for (const j of measure(2)) {
            expect(j.state).toBe('failed');
            expect(j.error).toMatch(
                /^model two split 2: head→tail outputs differ from the full model: 'early_sum' \(max \|Δ\| ([\d.e+-]+)\), 'late' \(max \|Δ\| ([\d.e+-]+)\); not measured/,
            );
            // both outputs depend on early_sum, which the wrong head computes with a MUL: both differ
            const m = new RegExp(
                "'early_sum' \\(max \\|Δ\\| ([\\d.e+-]+)\\), 'late' \\(max \\|Δ\\| ([\\d.e+-]+)\\)",
            ).exec(j.error ?? '');
            expect(Number(m?.[1])).toBeGreaterThan(0);
            expect(Number(m?.[2])).toBeGreaterThan(0);
        }
        expect(measure(3).map((j) => j.state)).toEqual(['done', 'done']);
        // estimates come from the full-model profile, not from the cut files: they stay
        const estimates = jobs.filter((j) => j.kind === 'estimate');
        expect(estimates.length).toBeGreaterThan(0);
        expect(estimates.every((j) => j.state === 'done')).toBe(true);

        // the verdicts are in the store with the run
        const d = new Database(db, { readonly: true });
        try {
            expect(
                d.prepare('SELECT split, status FROM split_checks WHERE run_id = ? ORDER BY split').raw().all(runId),
            ).toEqual([
                [2, 'fail'],
                [3, 'pass'],
            ]);
        } finally {
            d.close();
        }
        // the manifest now keeps the verdict
        const m2 = JSON.parse(readFileSync(f2.manifest, 'utf8')) as { check?: { status: string } };
        expect(m2.check?.status).toBe('fail');

        const reports = join(work, 'reports');
        const md = readFileSync(join(reports, `${runId}.md`), 'utf8');
        expect(md).toMatch(/## Head→tail check/);
        expect(md).toMatch(
            /\| two \| 2 \| FAIL: head→tail outputs differ from the full model: 'early_sum' \(max \\\|Δ\\\| [\d.]+\)/,
        );
        expect(md).toMatch(/\| two \| 3 \| pass \|/);
        // the gated jobs are listed with their cause where every job without a result is
        expect(md).toMatch(
            /\*\*Not measured:\*\*[\s\S]*model two split 2: head→tail outputs differ[^\n]*not measured \(campaign verify: gate/,
        );
        const html = readFileSync(join(reports, `${runId}.html`), 'utf8');
        expect(html).toMatch(/<h2>Head→tail check<\/h2>/);
        expect(html).toMatch(/<tr class="check-fail"><td class="t">two<\/td><td>2<\/td><td class="t wrap note">FAIL: /);
        const json = JSON.parse(readFileSync(join(reports, `${runId}.json`), 'utf8')) as {
            splitChecks: { modelId: string; split: number; status: string; detail?: string }[];
        };
        expect(json.splitChecks.map((c) => [c.split, c.status])).toEqual([
            [2, 'fail'],
            [3, 'pass'],
        ]);
        expect(json.splitChecks[0]?.detail).toMatch(/^head→tail outputs differ from the full model: 'early_sum'/);
        const csv = readFileSync(join(reports, `${runId}.csv`), 'utf8')
            .trim()
            .split('\r\n');
        const header = csv[0]!.split(',');
        const col = header.indexOf('head_tail_check');
        expect(col).toBeGreaterThan(0);
        const measured3 = csv.find(
            (l) => l.split(',')[header.indexOf('split_after')] === '3' && l.includes(',measured,'),
        );
        expect(measured3?.split(',')[col]).toBe('pass');
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.readFile(join(reports, `${runId}.xlsx`));
        const sheet = wb.getWorksheet('Head-tail check');
        expect(sheet?.getRow(2).values).toEqual([
            undefined,
            'two',
            sha256(readFileSync(models.twoInTwoOut)),
            2,
            'FAIL',
            expect.stringMatching(/^head→tail outputs differ from the full model: 'early_sum'/),
        ]);
        expect(sheet?.getRow(3).getCell(4).value).toBe('pass');

        // rebuilt later from the store alone
        const later = await runCli(['report', runId!, '--db', 'check.db', '--format', 'md'], work);
        expect(later.code, later.stderr).toBe(0);
        expect(later.stdout).toMatch(/\| two \| 2 \| FAIL: head→tail outputs differ from the full model: 'early_sum'/);
    }, 120_000);

    it('verify: warn measures the failing split anyway and still reports FAIL', async () => {
        writeFileSync(join(work, 'check.yaml'), yaml('warn'));
        const r = await runCli(['run', 'check.yaml', '--db', 'check.db', '--fresh'], work);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/split 2: FAIL: .*\(measured anyway: verify: warn\)/);
        const db = join(work, 'check.db');
        const runId = runIds(db).at(-1)!;
        const measure2 = jobRows(db, runId).filter((j) => j.kind.startsWith('measure-') && j.split === 2);
        expect(measure2.map((j) => j.state)).toEqual(['done', 'done']);
        const json = JSON.parse(readFileSync(join(work, 'reports', `${runId}.json`), 'utf8')) as {
            splitChecks: { split: number; status: string }[];
        };
        expect(json.splitChecks.find((c) => c.split === 2)?.status).toBe('fail');
    }, 120_000);

    it('a truncated cached head is rewritten and checked again, and the run succeeds', async () => {
        // split 3's pair was written by the first run: cut its head short
        const f3 = files(3);
        const full = readFileSync(f3.head);
        truncateSync(f3.head, 100);
        // split 2: back to the real pair (its wrong files removed, so it is written fresh)
        rmSync(files(2).manifest);
        writeFileSync(join(work, 'check.yaml'), yaml('gate'));
        const r = await runCli(['run', 'check.yaml', '--db', 'check.db', '--fresh'], work);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain(
            `sub-models of two split 3: head file truncated (100 of ${full.length} bytes); rewriting and checking it again`,
        );
        expect(r.stderr).toMatch(/split 2: no manifest .*; rewriting and checking it again/);
        expect(r.stderr).toMatch(/2 pass, 0 FAIL, 0 cannot verify/);
        expect(statSync(f3.head).size).toBe(full.length);
        expect(sha256(readFileSync(f3.head))).toBe(sha256(full));
        const db = join(work, 'check.db');
        const runId = runIds(db).at(-1)!;
        const measure = jobRows(db, runId).filter((j) => j.kind.startsWith('measure-'));
        expect(measure.length).toBe(4);
        expect(measure.every((j) => j.state === 'done')).toBe(true);
        // the manifest names the rewritten file; no temporary file is left in the folder
        const manifest = JSON.parse(readFileSync(f3.manifest, 'utf8')) as { head: { sha256: string; bytes: number } };
        expect(manifest.head).toMatchObject({ sha256: sha256(full), bytes: full.length });
        expect(readdirSync(subDir).filter((n) => n.includes('.tmp'))).toEqual([]);
    }, 120_000);
});
