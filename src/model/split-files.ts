// Writes head/tail .tflite pairs to a folder. Every split point is planned (and so validated) before the first
// byte is written, and each file is written under a temporary name and renamed, so a failure leaves no partial
// file behind.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writevSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SplitbenchError, messageOf } from '../errors.js';
import { planSplit, type SplitPlan } from './split.js';
import { graphFacts, type GraphFacts } from './split-points.js';
import type { TfliteModel } from './types.js';
import { buildSubModel, SubModelWriter, type SubModelBytes, type SubModelPlan } from './write.js';

export interface WrittenFile {
    path: string;
    bytes: number;
}

export interface WrittenSplit {
    k: number;
    plan: SplitPlan;
    head: WrittenFile;
    tail: WrittenFile;
}

/** `<dir>/<model>.split<k>.head.tflite` / `.tail.tflite`. */
export const splitFileNames = (outDir: string, modelName: string, k: number): { head: string; tail: string } => ({
    head: join(outDir, `${modelName}.split${k}.head.tflite`),
    tail: join(outDir, `${modelName}.split${k}.tail.tflite`),
});

export const modelBaseName = (path: string): string => basename(path).replace(/\.tflite$/i, '');

/** writev may write less than asked; continue from where it stopped. */
const writeAll = (fd: number, bytes: SubModelBytes): void => {
    let segs = bytes.segments.filter((s) => s.length > 0);
    while (segs.length > 0) {
        let n = writevSync(fd, segs.slice(0, 1024));
        const rest: Uint8Array[] = [];
        for (const s of segs) {
            if (n >= s.length) n -= s.length;
            else {
                rest.push(n > 0 ? s.subarray(n) : s);
                n = 0;
            }
        }
        segs = rest;
    }
};

export const writeAtomically = (path: string, bytes: SubModelBytes): void => {
    const tmp = `${path}.tmp-${process.pid}`;
    try {
        const fd = openSync(tmp, 'w');
        try {
            writeAll(fd, bytes);
        } finally {
            closeSync(fd);
        }
        renameSync(tmp, path);
    } catch (e) {
        rmSync(tmp, { force: true });
        throw new SplitbenchError('INTERNAL', `cannot write ${path}: ${messageOf(e)}`, { cause: e });
    }
};

export interface WriteSplitsOptions {
    outDir: string;
    /** File name stem; default: the model file's name without .tflite. */
    modelName?: string | undefined;
    facts?: GraphFacts | undefined;
    /** Called after each pair is written (progress output). */
    onWritten?: ((w: WrittenSplit) => void) | undefined;
}

/** Writes the head/tail pair of every split point in `ks`; validates all of them first. */
export const writeSplits = (model: TfliteModel, ks: readonly number[], opts: WriteSplitsOptions): WrittenSplit[] => {
    const facts = opts.facts ?? graphFacts(model);
    const plans = ks.map((k) => planSplit(model, k, facts));
    const name = opts.modelName ?? modelBaseName(model.label);
    try {
        mkdirSync(opts.outDir, { recursive: true });
    } catch (e) {
        throw new SplitbenchError('USAGE', `output folder ${opts.outDir}: ${messageOf(e)}`, { cause: e });
    }
    const writer = new SubModelWriter();
    const one = (plan: SubModelPlan, path: string): WrittenFile => {
        const bytes = buildSubModel(model, plan, writer);
        writeAtomically(path, bytes);
        return { path, bytes: bytes.length };
    };
    return plans.map((plan) => {
        const k = plan.point.after;
        const files = splitFileNames(opts.outDir, name, k);
        const written: WrittenSplit = { k, plan, head: one(plan.head, files.head), tail: one(plan.tail, files.tail) };
        opts.onWritten?.(written);
        return written;
    });
};

/** Writes one split point's pair. */
export const writeSplit = (model: TfliteModel, k: number, opts: WriteSplitsOptions): WrittenSplit => {
    const [w] = writeSplits(model, [k], opts);
    if (w === undefined) throw new SplitbenchError('INTERNAL', 'no split written');
    return w;
};
