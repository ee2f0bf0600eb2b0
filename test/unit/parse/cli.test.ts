// `splitbench parse FILE [--json] [--all]` on a temp file written from a hand-written snippet.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerParseCommand } from '../../../src/cli/commands/parse.js';
import { isSplitbenchError } from '../../../src/errors.js';
import { parseBenchmarkOutput } from '../../../src/parse/benchmark-model.js';
import { runCli } from '../../support/cli.js';
import { currentRun, FIXTURE_DIR, HAVE_FIXTURES } from '../../support/parse-snippets.js';

const dir = mkdtempSync(join(tmpdir(), 'splitbench-parse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (...args: string[]): Promise<string> => {
    const program = new Command('splitbench').exitOverride();
    registerParseCommand(program);
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out += String(chunk);
        return true;
    });
    try {
        await program.parseAsync(['parse', ...args], { from: 'user' });
    } finally {
        vi.restoreAllMocks();
    }
    return out;
};

describe('splitbench parse', () => {
    const file = join(dir, 'run.txt');
    writeFileSync(file, currentRun());

    it('prints a readable summary', async () => {
        const out = await run(file, '--top', '2');
        expect(out).toContain('inference  avg 14.291 ms  min 13.728 ms  max 16.145 ms  std 0.452 ms  count 70');
        expect(out).toContain('p5 13.750 ms  median 14.200 ms  p95 15.400 ms');
        expect(out).toContain('init       52.687 ms');
        expect(out).toContain('XNNPACK (3/5 nodes, 2 partitions)');
        expect(out).toContain('memory     init 21.9492 MB  overall 34.5234 MB  peak 41.25 MB  VmRSS 40 MB');
        expect(out).toContain('5 rows in the regular-run Run Order');
        expect(out.split('\n').filter((l) => / ms {2}\S/.test(l) && l.includes('['))).toHaveLength(2);
        expect(out).not.toContain('failure');
    });

    it('prints the JSON result', async () => {
        const out = await run(file, '--json');
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(parseBenchmarkOutput(currentRun()))));
    });

    it('shows the failure and truncation of a cut output', async () => {
        const cut = join(dir, 'cut.txt');
        writeFileSync(cut, currentRun().split('INFO: Inference timings')[0] as string);
        const out = await run(cut);
        expect(out).toMatch(/^failure {4}truncated: /m);
        expect(out).toContain('truncated  the output ends before the run finished');
    });

    it('prints every run with --all', async () => {
        const two = join(dir, 'two.txt');
        writeFileSync(two, currentRun() + currentRun());
        const out = await run(two, '--all', '--json');
        expect(JSON.parse(out)).toHaveLength(2);
    });

    it('refuses a text with no benchmark_model output (a README) as bad input', async () => {
        const readme = join(dir, 'README.md');
        writeFileSync(readme, '# yolov5s on Android\n\nRun `benchmark_model --graph=m.tflite` and read the timings.\n');
        const err: unknown = await run(readme).catch((e: unknown) => e);
        expect(isSplitbenchError(err, 'BAD_INPUT')).toBe(true);
        expect((err as Error).message).toBe(`${readme}: no benchmark_model output in it`);
    });

    it('refuses a binary file as bad input', async () => {
        const bin = join(dir, 'model.tflite');
        writeFileSync(bin, Buffer.from([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0x12, 0]));
        const err: unknown = await run(bin).catch((e: unknown) => e);
        expect(isSplitbenchError(err, 'BAD_INPUT')).toBe(true);
        expect((err as Error).message).toBe(`${bin}: a binary file, not a benchmark_model console output`);
    });

    it("refuses full TensorFlow's benchmark_model output, saying so", async () => {
        const tf = join(dir, 'tf.txt');
        const line = 'Running benchmark for max 2 iterations, max -1 seconds without detailed stat logging';
        writeFileSync(tf, `Graph: [/tmp/g.pb]\n${line}\ncount=2 first=3 curr=3 min=3 max=3 avg=3 std=0\n`);
        const err: unknown = await run(tf).catch((e: unknown) => e);
        expect(isSplitbenchError(err, 'BAD_INPUT')).toBe(true);
        expect((err as Error).message).toBe(
            `${tf}: not a TFLite benchmark_model output (full TensorFlow's benchmark_model: ${line})`,
        );
    });

    it('exits 2 on a README through the built CLI', async () => {
        const readme = join(dir, 'README2.md');
        writeFileSync(readme, 'Nothing to see here.\n');
        const r = await runCli(['parse', readme], dir);
        expect(r.code).toBe(2);
        // one line, no "see 'splitbench parse --help'": the command was used right, the file is wrong
        expect(r.stderr).toBe(`splitbench: ${readme}: no benchmark_model output in it\n`);
        expect(r.stdout).toBe('');
        const bin = join(dir, 'model2.tflite');
        writeFileSync(bin, Buffer.from([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0, 0x12, 0]));
        const b = await runCli(['parse', bin], dir);
        expect(b.code).toBe(2);
        expect(b.stderr).toBe(`splitbench: ${bin}: a binary file, not a benchmark_model console output\n`);
        const top = await runCli(['parse', readme, '--top', 'x'], dir);
        expect(top.code).toBe(2);
        expect(top.stderr).toBe(
            `splitbench: --top "x": expected a non-negative integer\nsee 'splitbench parse --help'\n`,
        );
    });

    it('exits 2 on a TSV that quotes failure messages in its cells', async () => {
        const tsv = join(dir, 'SOURCES.tsv');
        const quoted =
            "FAILURE: '/system/bin/sh: ./benchmark_model: not executable: 64-bit ELF file' on 32-bit userspace";
        const flex = "'ERROR: Regular TensorFlow ops are not supported by this interpreter.', 'Benchmarking failed.'";
        writeFileSync(tsv, `file\tnotes\nelf.txt\t${quoted}\nflex.txt\t${flex}\n`);
        const r = await runCli(['parse', tsv], dir);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`${tsv}: no benchmark_model output in it`);
        expect(r.stdout).toBe('');
    });

    it.runIf(HAVE_FIXTURES)("refuses the shared fixtures' SOURCES.tsv as no benchmark output", async () => {
        const sources = join(FIXTURE_DIR, 'SOURCES.tsv');
        const err: unknown = await run(sources).catch((e: unknown) => e);
        expect(isSplitbenchError(err, 'BAD_INPUT')).toBe(true);
        expect((err as Error).message).toBe(`${sources}: no benchmark_model output in it`);
    });

    it('reports a missing file as NOT_FOUND naming it', async () => {
        const missing = join(dir, 'nope.txt');
        const err: unknown = await run(missing).catch((e: unknown) => e);
        expect(isSplitbenchError(err, 'NOT_FOUND')).toBe(true);
        expect((err as Error).message).toBe(`file ${missing}: not found`);
    });
});
