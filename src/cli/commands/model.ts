// `splitbench model inspect|split|verify`: read a .tflite, list its split points, write head/tail pairs, verify them.
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { SplitbenchError } from '../../errors.js';
import { inspectModel, renderInspect } from '../../model/inspect.js';
import { loadModel } from '../../model/load.js';
import { writeSplits } from '../../model/split-files.js';
import { graphFacts, splitAt } from '../../model/split-points.js';
import { parseSplitSpec, SPLIT_SPEC_HELP } from '../../model/split-spec.js';
import type { TfliteModel } from '../../model/types.js';
import { verifySplits, type VerifyResult } from '../../model/verify.js';
import { readVerifyInputs } from '../../model/verify-inputs.js';
import type { GraphFacts } from '../../model/split-points.js';

interface SplitOpts {
    at: string;
    out: string;
    json?: boolean | undefined;
}

interface VerifyOpts {
    at: string;
    xnnpack?: boolean | undefined;
    threads: string;
    seed: string;
    input?: string[] | undefined;
    json?: boolean | undefined;
    strict?: boolean | undefined;
}

const intOption = (name: string, value: string, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
        throw new SplitbenchError('USAGE', `${name} ${JSON.stringify(value)}: expected a whole number >= ${min}`);
    return n;
};

/**
 * Split points a command should act on. Selections of many points (`all`, `every:N`) leave out the ones that
 * cannot be cut (reported on stderr); an explicitly named point that cannot be cut is an error.
 */
const selectSplitPoints = (model: TfliteModel, facts: GraphFacts, spec: string): number[] => {
    const ks = parseSplitSpec(spec, model, facts);
    const many = spec.trim() === 'all' || spec.trim().startsWith('every:');
    if (!many) return ks;
    return ks.filter((k) => {
        const why = splitAt(facts, k).unsupported;
        if (why !== undefined) process.stderr.write(`splitbench: skipping split point ${k}: ${why}\n`);
        return why === undefined;
    });
};

const verifyLine = (r: VerifyResult): string => {
    const sizes = r.headBytes !== undefined ? ` (head ${r.headBytes} B, tail ${r.tailBytes ?? 0} B)` : '';
    if (r.status === 'pass') {
        const worst = Math.max(0, ...r.outputs.map((o) => o.maxAbsError ?? 0));
        const how = r.outputs.every((o) => o.identical) ? 'outputs identical' : `max abs error ${worst.toPrecision(3)}`;
        return `split ${r.k}: pass, ${how}${sizes}`;
    }
    if (r.status === 'fail') return `split ${r.k}: FAIL: ${r.reason ?? ''}${sizes}`;
    return `split ${r.k}: cannot verify: ${r.reason ?? ''}`;
};

export const registerModelCommands = (program: Command): void => {
    const model = program
        .command('model')
        .description('Read .tflite models, list split points, write and verify head/tail pairs.');

    model
        .command('inspect')
        .description('Ops, tensors and every split point with the tensors crossing it and their byte size.')
        .argument('<file>', '.tflite model')
        .option('--json', 'print one JSON object (ops, tensors, splitPoints; tensor = index in subgraph 0)')
        .action((file: string, opts: { json?: boolean | undefined }) => {
            const m = loadModel(file);
            const rep = inspectModel(m);
            process.stdout.write(opts.json === true ? `${JSON.stringify(rep, null, 2)}\n` : renderInspect(rep));
        });

    model
        .command('split')
        .description('Write <model>.split<K>.head.tflite and .tail.tflite for the chosen split points.')
        .argument('<file>', '.tflite model')
        .requiredOption('--at <spec>', SPLIT_SPEC_HELP)
        .requiredOption('--out <dir>', 'output folder (created if missing)')
        .option('--json', 'print what was written as JSON')
        .action((file: string, opts: SplitOpts) => {
            if (existsSync(opts.out) && !statSync(opts.out).isDirectory()) {
                throw new SplitbenchError('USAGE', `--out ${opts.out}: exists and is not a folder`);
            }
            const m = loadModel(file);
            const facts = graphFacts(m);
            const ks = selectSplitPoints(m, facts, opts.at);
            if (ks.length === 0) throw new SplitbenchError('SPLIT_INVALID', `model ${file}: no split point can be cut`);
            const written = writeSplits(m, ks, {
                outDir: opts.out,
                facts,
                onWritten: (w) => {
                    if (opts.json === true) return;
                    const p = w.plan.point;
                    const cut = `${p.count} tensor${p.count === 1 ? '' : 's'}, ${p.bytes === null ? 'unknown' : p.bytes} bytes`;
                    process.stdout.write(
                        `split ${w.k}: ${w.head.path} (${w.head.bytes} bytes), ${w.tail.path} (${w.tail.bytes} bytes); cut ${cut}\n`,
                    );
                },
            });
            if (opts.json === true) {
                const out = written.map((w) => ({
                    k: w.k,
                    head: w.head,
                    tail: w.tail,
                    cut: w.plan.point.cut.map((c) => c.index),
                    cutBytes: w.plan.point.bytes,
                }));
                process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
            }
        });

    model
        .command('verify')
        .description(
            'Run the full model and head→tail on the same inputs (seeded random, or --input files) and compare the outputs (native TFLite 2.9). ' +
                'Exit 1 if any split point fails.',
        )
        .argument('<file>', '.tflite model')
        .requiredOption('--at <spec>', SPLIT_SPEC_HELP)
        .option('--xnnpack', 'apply XNNPACK (float outputs then compared with a tolerance; off: must be identical)')
        .option('--threads <n>', 'interpreter threads', '1')
        .option('--seed <n>', 'seed of the random inputs', '1')
        .option(
            '--input <name=file>',
            "data for input NAME instead of random data: the tensor's raw bytes (little-endian, C order) or a .npy array of its dtype; repeat for each input (a bare FILE for a one-input model)",
            (v: string, acc: string[] | undefined) => [...(acc ?? []), v],
        )
        .option('--strict', 'also exit 1 when a split point cannot be verified')
        .option('--json', 'print results as JSON')
        .action((file: string, opts: VerifyOpts) => {
            const threads = intOption('--threads', opts.threads, 1);
            const seed = intOption('--seed', opts.seed, 0);
            const m = loadModel(file);
            const facts = graphFacts(m);
            const ks = parseSplitSpec(opts.at, m, facts);
            const inputs = opts.input !== undefined ? readVerifyInputs(m, opts.input) : undefined;
            const results = verifySplits(file, ks, {
                model: m,
                facts,
                threads,
                seed,
                inputs,
                xnnpack: opts.xnnpack === true,
            });
            if (opts.json === true) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
            else for (const r of results) process.stdout.write(`${verifyLine(r)}\n`);
            const failed = results.some((r) => r.status === 'fail');
            const unverified = results.some((r) => r.status === 'cannot-verify');
            if (failed || (opts.strict === true && unverified)) process.exitCode = 1;
        });
};
