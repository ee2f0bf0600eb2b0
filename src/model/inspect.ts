// What `splitbench model inspect` shows: a JSON-ready summary of a model and its split points, and a text table.
import { graphFacts, splitPoints, type GraphFacts, type SplitPoint } from './split-points.js';
import type { Quantization, TfliteModel } from './types.js';

export interface InspectTensor {
    index: number;
    name: string;
    shape: number[];
    shapeSignature?: number[] | undefined;
    dtype: string;
    bytes: number | null;
    bytesUnknown?: string | undefined;
    constant: boolean;
    /** Computed from constants only (e.g. DEQUANTIZE of fp16 weights): never crosses a cut. */
    constantFolded?: boolean | undefined;
    variable?: boolean | undefined;
    input?: boolean | undefined;
    output?: boolean | undefined;
    quantization?: Quantization | undefined;
}

/** Data kept after the flatbuffer and pointed at by file offset (bytes). */
export interface InspectExternalData {
    /** `buffer` (Buffer.offset/size), `custom options` (large_custom_options_*), or an op's options key (`bytecode`). */
    what: string;
    buffer?: number | undefined;
    op?: number | undefined;
    subgraph?: number | undefined;
    opType?: string | undefined;
    offset: number;
    size: number;
}

export interface InspectReport {
    file: string;
    fileBytes: number;
    /** Present when the file keeps data outside its flatbuffer (sub-models carry it along). */
    externalData?: InspectExternalData[] | undefined;
    version: number;
    description?: string | undefined;
    subgraphs: { index: number; name: string; ops: number; tensors: number }[];
    signatures: { key: string; subgraph: number }[];
    metadata: string[];
    inputs: number[];
    outputs: number[];
    ops: { index: number; type: string; inputs: number[]; outputs: number[]; constantFolding?: boolean | undefined }[];
    tensors: InspectTensor[];
    splitPoints: {
        after: number;
        /** Tensor indices crossing the cut. */
        tensors: number[];
        count: number;
        bytes: number | null;
        bytesUnknown?: string | undefined;
        outputsAlreadyProduced: number[];
        headOps: number;
        tailOps: number;
        unsupported?: string | undefined;
    }[];
}

/** Every range of the file that the model reaches by file offset rather than through the flatbuffer. */
export const externalData = (model: TfliteModel): InspectExternalData[] => {
    const out: InspectExternalData[] = [];
    for (const b of model.buffers) {
        if (!b.external) continue;
        out.push({
            what: 'buffer',
            buffer: b.index,
            offset: b.data.byteOffset - model.bytes.byteOffset,
            size: b.data.length,
        });
    }
    for (const g of model.subgraphs) {
        for (const o of g.operators) {
            const at = { subgraph: g.index, op: o.index, opType: o.type };
            if (o.largeCustomOptions !== undefined)
                out.push({ what: 'custom options', ...at, ...o.largeCustomOptions });
            for (const r of o.externalData ?? []) out.push({ what: r.key, ...at, offset: r.offset, size: r.size });
        }
    }
    return out;
};

export const inspectModel = (model: TfliteModel, facts: GraphFacts = graphFacts(model)): InspectReport => {
    const { sg } = facts;
    const points: SplitPoint[] = splitPoints(model, facts);
    const external = externalData(model);
    return {
        file: model.label,
        fileBytes: model.bytes.length,
        ...(external.length > 0 ? { externalData: external } : {}),
        version: model.version,
        ...(model.description !== undefined ? { description: model.description } : {}),
        subgraphs: model.subgraphs.map((g) => ({
            index: g.index,
            name: g.name,
            ops: g.operators.length,
            tensors: g.tensors.length,
        })),
        signatures: model.signatures.map((s) => ({ key: s.key, subgraph: s.subgraphIndex })),
        metadata: model.metadata.map((m) => m.name),
        inputs: sg.inputs,
        outputs: sg.outputs,
        ops: sg.operators.map((o) => ({
            index: o.index,
            type: o.type,
            inputs: o.inputs,
            outputs: o.outputs,
            ...(facts.constOp[o.index] === true ? { constantFolding: true } : {}),
        })),
        tensors: sg.tensors.map((t) => {
            const r: InspectTensor = {
                index: t.index,
                name: t.name,
                shape: t.shape,
                dtype: t.dtype,
                bytes: t.bytes ?? null,
                constant: t.constant,
            };
            if (t.shapeSignature !== undefined) r.shapeSignature = t.shapeSignature;
            if (t.bytesUnknown !== undefined) r.bytesUnknown = t.bytesUnknown;
            if (facts.constDerived[t.index] === true) r.constantFolded = true;
            if (t.variable) r.variable = true;
            if (t.isInput) r.input = true;
            if (t.isOutput) r.output = true;
            if (t.quantization !== undefined) r.quantization = t.quantization;
            return r;
        }),
        splitPoints: points.map((p) => ({
            after: p.after,
            tensors: p.cut.map((c) => c.index),
            count: p.count,
            bytes: p.bytes,
            ...(p.bytesUnknown !== undefined ? { bytesUnknown: p.bytesUnknown } : {}),
            outputsAlreadyProduced: p.outputsAlreadyProduced.map((o) => o.index),
            headOps: p.headOpCount,
            tailOps: p.tailOpCount,
            ...(p.unsupported !== undefined ? { unsupported: p.unsupported } : {}),
        })),
    };
};

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const shapeText = (t: { shape: number[]; shapeSignature?: number[] | undefined }): string =>
    `[${(t.shapeSignature ?? t.shape).join(',')}]`;

const table = (rows: string[][]): string[] => {
    const widths: number[] = [];
    for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
    return rows.map((r) =>
        r
            .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
            .join('  ')
            .trimEnd(),
    );
};

/** Human-readable inspect output. */
export const renderInspect = (rep: InspectReport): string => {
    const t = (i: number): InspectTensor | undefined => rep.tensors[i];
    const describe = (i: number): string => {
        const x = t(i);
        return x === undefined ? `#${i}` : `#${i} ${clip(x.name, 48)} ${shapeText(x)} ${x.dtype}`;
    };
    const lines: string[] = [];
    lines.push(`model ${rep.file}: ${rep.fileBytes} bytes, schema version ${rep.version}`);
    if (rep.description !== undefined && rep.description !== '') lines.push(`description: ${rep.description}`);
    lines.push(
        `subgraphs: ${rep.subgraphs.map((s) => `${s.index}${s.name !== '' ? ` ${s.name}` : ''} (${s.ops} ops, ${s.tensors} tensors)`).join(', ')}`,
    );
    if (rep.signatures.length > 0)
        lines.push(`signatures: ${rep.signatures.map((s) => `${s.key}→subgraph ${s.subgraph}`).join(', ')}`);
    if (rep.metadata.length > 0) lines.push(`metadata: ${rep.metadata.join(', ')}`);
    if (rep.externalData !== undefined) {
        const total = rep.externalData.reduce((n, e) => n + e.size, 0);
        lines.push(`external data: ${total} bytes after the flatbuffer, by file offset (sub-models carry it):`);
        for (const e of rep.externalData) {
            const owner =
                e.buffer !== undefined
                    ? `buffer ${e.buffer}`
                    : `op ${e.op ?? '?'}${e.subgraph !== 0 ? ` (subgraph ${e.subgraph ?? '?'})` : ''} ${e.opType ?? ''} ${e.what}`;
            lines.push(`  ${owner}: ${e.size} bytes at ${e.offset}`);
        }
    }
    lines.push(`inputs:  ${rep.inputs.map(describe).join('; ')}`);
    lines.push(`outputs: ${rep.outputs.map(describe).join('; ')}`);
    const folded = rep.ops.filter((o) => o.constantFolding === true).length;
    lines.push('');
    lines.push(
        `ops (${rep.ops.length}${folded > 0 ? `, ${folded} constant-folding: they go with their consumers` : ''}):`,
    );
    lines.push(
        ...table([
            ['op', 'type', 'inputs', 'outputs'],
            ...rep.ops.map((o) => [
                String(o.index),
                o.type + (o.constantFolding === true ? ' (const)' : ''),
                o.inputs.map((i) => (i < 0 ? '-' : `#${i}${t(i)?.constant === true ? 'c' : ''}`)).join(','),
                o.outputs
                    .map((i) => `#${i} ${clip(t(i)?.name ?? '', 40)} ${shapeText(t(i) ?? { shape: [] })}`)
                    .join(', '),
            ]),
        ]).map((l) => `  ${l}`),
    );
    lines.push('');
    lines.push(`split points (${rep.splitPoints.length}; k = ops 0..k on the UE):`);
    lines.push(
        ...table([
            ['k', 'after op', 'tensors', 'bytes', 'head/tail ops', 'cut'],
            ...rep.splitPoints.map((p) => [
                String(p.after),
                rep.ops[p.after]?.type ?? '?',
                String(p.count),
                p.bytes === null ? `unknown (${p.bytesUnknown ?? ''})` : String(p.bytes),
                `${p.headOps}/${p.tailOps}`,
                p.tensors.map((i) => `#${i}`).join(',') +
                    (p.outputsAlreadyProduced.length > 0
                        ? `; outputs done: ${p.outputsAlreadyProduced.map((i) => `#${i}`).join(',')}`
                        : '') +
                    (p.unsupported !== undefined ? `; cannot split: ${p.unsupported}` : ''),
            ]),
        ]).map((l) => `  ${l}`),
    );
    return `${lines.join('\n')}\n`;
};
