// Serialises a sub-model of a TfliteModel (some ops of subgraph 0, chosen inputs and outputs) as a new .tflite.
//
// Speed: writing every split point of a model re-emits the same tensors and operators over and over. So each
// Tensor / Operator / OperatorCode table is encoded ONCE per model into a self-contained "blob" (its own vtable,
// strings and vectors, built in a scratch Builder; all flatbuffer offsets are relative, so the blob works at any
// 16-aligned position). A sub-model then places blobs with one memcpy each (as the payload of a byte vector, which
// nothing references) and patches the few numbers that differ per sub-model: buffer, opcode, tensor and subgraph
// indices. Nothing is re-encoded per split point except the small lists.
//
// Buffer bytes (nearly all of a model) never enter the Builder: their vectors are reserved as holes, and the file
// is written as segments (builder bytes, source bytes, builder bytes, ...) with one writev, straight from the
// source file's memory.
import { Builder } from 'flatbuffers';
import { storeFor, unsupported, type Blob, type BlobStore } from './blob-store.js';
import { writeUint, type OptionsDataRef } from './external-data.js';
import { SplitbenchError } from '../errors.js';
import { BUFFER, FILE_IDENTIFIER, METADATA, MODEL, SUBGRAPH } from './schema.js';
import { int32Vector } from './table-copy.js';
import type { OperatorInfo, SubgraphInfo, TfliteModel } from './types.js';

/** What goes into a sub-model: ops of subgraph 0 and the tensors that become its inputs and outputs. */
export interface SubModelPlan {
    /** Op indices of subgraph 0, ascending (execution order is kept). */
    ops: readonly number[];
    /** Tensor indices of subgraph 0. */
    inputs: readonly number[];
    outputs: readonly number[];
    /** Written into the model's description field. */
    description?: string | undefined;
}

/** Metadata entries worth carrying into a sub-model (the rest describe the original model's I/O). */
const KEPT_METADATA = new Set(['min_runtime_version']);

/** A serialised sub-model as consecutive pieces (write them in order, or `joinSegments`). */
export interface SubModelBytes {
    length: number;
    segments: Uint8Array[];
}

export const joinSegments = (s: SubModelBytes): Uint8Array => {
    const out = new Uint8Array(s.length);
    let at = 0;
    for (const seg of s.segments) {
        out.set(seg, at);
        at += seg.length;
    }
    return out;
};

/**
 * Reserves `n` bytes at the builder's write position without touching them (they are filled from the source
 * when the file is written). The flatbuffers Builder has no public call for this; `space` is its write cursor.
 */
const reserve = (b: Builder, n: number): void => {
    (b as unknown as { space: number }).space -= n;
};

/** A Builder reused across writes: avoids allocating a model-sized buffer for every sub-model. */
export class SubModelWriter {
    private builder: Builder | undefined;

    builderFor(estimate: number): Builder {
        if (this.builder === undefined || this.builder.dataBuffer().capacity() < estimate) {
            this.builder = new Builder(Math.max(estimate, 1024));
        } else {
            this.builder.clear();
        }
        return this.builder;
    }
}

/** Subgraphs reachable from the given ops through control flow, ascending. */
const referencedSubgraphs = (model: TfliteModel, ops: readonly OperatorInfo[]): number[] => {
    const seen = new Set<number>();
    const stack: number[] = [];
    for (const o of ops) if (o.subgraphRefs.length > 0) stack.push(...o.subgraphRefs);
    if (stack.length === 0) return [];
    while (stack.length > 0) {
        const s = stack.pop() ?? 0;
        if (s === 0) unsupported(model, 'control flow refers back to subgraph 0');
        if (seen.has(s)) continue;
        seen.add(s);
        for (const o of model.subgraphs[s]?.operators ?? []) stack.push(...o.subgraphRefs);
    }
    return [...seen].sort((a, c) => a - c);
};

/** Tensors an op list touches plus the chosen inputs/outputs, ascending. */
const usedTensors = (
    count: number,
    ops: readonly OperatorInfo[],
    io: { inputs: readonly number[]; outputs: readonly number[] },
): number[] => {
    const mark = new Uint8Array(count);
    for (const t of io.inputs) mark[t] = 1;
    for (const t of io.outputs) mark[t] = 1;
    for (const op of ops) {
        for (const t of op.inputs) if (t >= 0) mark[t] = 1;
        for (const t of op.outputs) mark[t] = 1;
        for (const t of op.intermediates) mark[t] = 1;
    }
    const used: number[] = [];
    for (let t = 0; t < count; t++) if (mark[t] === 1) used.push(t);
    return used;
};

/** Original index → index in the sub-model (-1: not kept). `tensor` undefined = identity (whole subgraph). */
interface Maps {
    buffer: Int32Array;
    opcode: Int32Array;
    subgraph: Int32Array;
    tensor: Int32Array | undefined;
    /** Collects the custom-options file offsets placed so far (position counted from the buffer's end). */
    ext: ExtSlot[];
}

interface ExtSlot {
    fromEnd: number;
    ref: OptionsDataRef;
    op: OperatorInfo;
}

const indexMap = (size: number, kept: readonly number[], first = 0): Int32Array => {
    const m = new Int32Array(size).fill(-1);
    kept.forEach((orig, i) => (m[orig] = i + first));
    return m;
};

/**
 * Places blobs as ONE reserved byte vector (no table references it; flatbuffers does not care what surrounds a
 * table), copies each blob in, rewrites its patch slots, and returns the offsets of the blobs' tables.
 */
const placeBlobs = (b: Builder, blobs: readonly Blob[], maps: Maps): number[] => {
    let total = 0;
    for (const blob of blobs) total += blob.bytes.length; // each a multiple of 16
    b.startVector(1, total, 16);
    reserve(b, total);
    const vec = b.endVector();
    const bb = b.dataBuffer();
    const bytes = bb.bytes();
    const dataStart = bb.capacity() - vec + 4;
    const offsets = new Array<number>(blobs.length);
    let at = 0;
    blobs.forEach((blob, i) => {
        const start = dataStart + at;
        bytes.set(blob.bytes, start);
        for (let p = 0; p < blob.patchPos.length; p++) {
            const orig = blob.patchValue[p] ?? 0;
            const kind = blob.patchKind[p];
            let value: number;
            if (kind === 'buffer') value = orig === 0 ? 0 : (maps.buffer[orig] ?? -1);
            else if (kind === 'opcode') value = maps.opcode[orig] ?? -1;
            else if (kind === 'subgraph') value = maps.subgraph[orig] ?? -1;
            else value = maps.tensor === undefined ? orig : (maps.tensor[orig] ?? -1);
            if (value < 0) throw new SplitbenchError('INTERNAL', `sub-model lost ${kind ?? '?'} ${orig}`);
            bb.writeInt32(start + (blob.patchPos[p] ?? 0), value);
        }
        for (const e of blob.ext ?? [])
            maps.ext.push({ fromEnd: bb.capacity() - (start + e.pos), ref: e.ref, op: e.op });
        offsets[i] = vec - 4 - at - blob.root;
        at += blob.bytes.length;
    });
    return offsets;
};

const tablesVector = (b: Builder, offs: readonly number[]): number => {
    b.startVector(4, offs.length, 4);
    for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i] ?? 0);
    return b.endVector();
};

const writeSubgraph = (
    b: Builder,
    store: BlobStore,
    sg: SubgraphInfo,
    parts: {
        tensors: readonly number[];
        ops: readonly OperatorInfo[];
        inputs: readonly number[];
        outputs: readonly number[];
    },
    maps: Maps,
): number => {
    const tensorOffsets = placeBlobs(
        b,
        parts.tensors.map((ti) => store.tensor(sg, ti)),
        maps,
    );
    const opOffsets = placeBlobs(
        b,
        parts.ops.map((op) => store.op(sg, op)),
        maps,
    );
    const remap = (t: number): number => (maps.tensor === undefined ? t : (maps.tensor[t] ?? -1));
    const tensorsVec = tablesVector(b, tensorOffsets);
    const inputsVec = int32Vector(b, parts.inputs.map(remap));
    const outputsVec = int32Vector(b, parts.outputs.map(remap));
    const opsVec = tablesVector(b, opOffsets);
    const name = sg.name === '' ? 0 : b.createString(sg.name);
    b.startObject(SUBGRAPH.count);
    b.addFieldOffset(SUBGRAPH.tensors, tensorsVec, 0);
    b.addFieldOffset(SUBGRAPH.inputs, inputsVec, 0);
    b.addFieldOffset(SUBGRAPH.outputs, outputsVec, 0);
    b.addFieldOffset(SUBGRAPH.operators, opsVec, 0);
    if (name !== 0) b.addFieldOffset(SUBGRAPH.name, name, 0);
    return b.endObject();
};

/**
 * Serialises the sub-model described by `plan`. The segments view the writer's buffer and the source model: write
 * or join them before the next call with the same writer.
 */
export const buildSubModel = (model: TfliteModel, plan: SubModelPlan, writer = new SubModelWriter()): SubModelBytes => {
    const main = model.subgraphs[0];
    if (main === undefined) throw new SplitbenchError('INTERNAL', 'model without subgraph 0');
    const ops = plan.ops.map((i) => {
        const op = main.operators[i];
        if (op === undefined) throw new SplitbenchError('INTERNAL', `no op ${i}`);
        return op;
    });
    const store = storeFor(model);
    const extra = referencedSubgraphs(model, ops);
    const mainTensors = usedTensors(main.tensors.length, ops, plan);

    // Kept buffers and operator codes, in ascending order of their original indices.
    const bufferMark = new Uint8Array(model.buffers.length + 1);
    const opcodeMark = new Uint8Array(model.operatorCodes.length);
    const note = (sg: SubgraphInfo, tensors: Iterable<number>, sgOps: readonly OperatorInfo[]): void => {
        for (const t of tensors) {
            const info = sg.tensors[t];
            if (info?.constant === true) bufferMark[info.buffer] = 1;
        }
        for (const op of sgOps) opcodeMark[op.opcodeIndex] = 1;
    };
    note(main, mainTensors, ops);
    const extraSgs = extra.map((s) => {
        const sg = model.subgraphs[s];
        if (sg === undefined) throw new SplitbenchError('INTERNAL', `no subgraph ${s}`);
        note(sg, sg.tensors.keys(), sg.operators);
        return sg;
    });
    const metadata = model.metadata.filter((m) => KEPT_METADATA.has(m.name));
    for (const m of metadata) bufferMark[m.buffer] = 1;
    const buffers: number[] = [];
    for (let i = 1; i < bufferMark.length; i++) if (bufferMark[i] === 1) buffers.push(i);
    const opcodes: number[] = [];
    for (let i = 0; i < opcodeMark.length; i++) if (opcodeMark[i] === 1) opcodes.push(i);
    const maps: Maps = {
        buffer: indexMap(Math.max(model.buffers.length, 1), buffers, 1),
        opcode: indexMap(model.operatorCodes.length, opcodes),
        subgraph: indexMap(model.subgraphs.length, [0, ...extra]),
        tensor: indexMap(main.tensors.length, mainTensors),
        ext: [],
    };

    // Encode (or fetch) every blob first, so the builder can be sized exactly once.
    let estimate = 4096 + 64 * buffers.length;
    for (const t of mainTensors) estimate += store.tensor(main, t).bytes.length + 32;
    for (const op of ops) estimate += store.op(main, op).bytes.length + 32;
    for (const oi of opcodes) estimate += store.code(oi).bytes.length + 32;
    for (const sg of extraSgs) {
        for (const t of sg.tensors.keys()) estimate += store.tensor(sg, t).bytes.length + 32;
        for (const op of sg.operators) estimate += store.op(sg, op).bytes.length + 32;
    }
    const b = writer.builderFor(estimate + 16 * (mainTensors.length + ops.length + buffers.length));

    // Buffer bytes first: they end up at the end of the file, after all the tables.
    const emptyBuffer = (): number => {
        b.startObject(BUFFER.count);
        return b.endObject();
    };
    const holes: { fromEnd: number; data: Uint8Array }[] = [];
    const bufferOffsets = [emptyBuffer()];
    for (const bi of buffers) {
        const data = model.buffers[bi]?.data;
        if (data === undefined || data.length === 0) {
            bufferOffsets.push(emptyBuffer());
            continue;
        }
        b.startVector(1, data.length, 16); // schema: data:[ubyte] (force_align: 16)
        reserve(b, data.length);
        holes.push({ fromEnd: b.offset(), data });
        const vec = b.endVector();
        b.startObject(BUFFER.count);
        b.addFieldOffset(BUFFER.data, vec, 0);
        bufferOffsets.push(b.endObject());
    }
    const codeOffsets = placeBlobs(
        b,
        opcodes.map((oi) => store.code(oi)),
        maps,
    );
    const subgraphOffsets = [
        writeSubgraph(b, store, main, { tensors: mainTensors, ops, inputs: plan.inputs, outputs: plan.outputs }, maps),
    ];
    for (const sg of extraSgs) {
        const whole = { tensors: [...sg.tensors.keys()], ops: sg.operators, inputs: sg.inputs, outputs: sg.outputs };
        subgraphOffsets.push(writeSubgraph(b, store, sg, whole, { ...maps, tensor: undefined }));
    }
    const metadataOffsets = metadata.map((m) => {
        const name = b.createString(m.name);
        b.startObject(METADATA.count);
        b.addFieldOffset(METADATA.name, name, 0);
        b.addFieldInt32(METADATA.buffer, maps.buffer[m.buffer] ?? 0, 0);
        return b.endObject();
    });

    const buffersVec = tablesVector(b, bufferOffsets);
    const codesVec = tablesVector(b, codeOffsets);
    const subgraphsVec = tablesVector(b, subgraphOffsets);
    const metadataVec = metadata.length > 0 ? tablesVector(b, metadataOffsets) : 0;
    const description = plan.description !== undefined ? b.createString(plan.description) : 0;
    b.startObject(MODEL.count);
    b.addFieldInt32(MODEL.version, model.version, 0);
    b.addFieldOffset(MODEL.operatorCodes, codesVec, 0);
    b.addFieldOffset(MODEL.subgraphs, subgraphsVec, 0);
    if (description !== 0) b.addFieldOffset(MODEL.description, description, 0);
    b.addFieldOffset(MODEL.buffers, buffersVec, 0);
    if (metadataVec !== 0) b.addFieldOffset(MODEL.metadata, metadataVec, 0);
    b.finish(b.endObject(), FILE_IDENTIFIER);
    const all = b.asUint8Array();
    const segments: Uint8Array[] = [];
    let at = 0;
    for (let i = holes.length - 1; i >= 0; i--) {
        const hole = holes[i];
        if (hole === undefined) continue;
        const start = all.length - hole.fromEnd;
        segments.push(all.subarray(at, start), hole.data);
        at = start + hole.data.length;
    }
    segments.push(all.subarray(at));
    const appended = appendOptionsData(model, all, maps.ext);
    segments.push(...appended);
    return { length: all.length + appended.reduce((n, x) => n + x.length, 0), segments };
};

/** Alignment of data appended after the flatbuffer (LiteRT's AOT compiler aligns the bytecode it appends). */
const APPENDED_ALIGN = 64;

/**
 * Carries the file data that ops' custom options point at (DISPATCH_OP's NPU bytecode) into the sub-model: each
 * range once, after the flatbuffer, 64-byte aligned; the offsets in the options are rewritten in place (`all` is
 * the serialised flatbuffer). Returns the segments to append. UNSUPPORTED, naming the op, when a new offset does not
 * fit the width the options store it in (the FlexBuffers map would have to be re-encoded).
 */
const appendOptionsData = (model: TfliteModel, all: Uint8Array, slots: readonly ExtSlot[]): Uint8Array[] => {
    if (slots.length === 0) return [];
    const out: Uint8Array[] = [];
    const placed = new Map<string, number>();
    let end = all.length;
    for (const slot of slots) {
        const { ref, op } = slot;
        const id = `${ref.offset}+${ref.size}`;
        let at = placed.get(id);
        if (at === undefined) {
            const pad = (APPENDED_ALIGN - (end % APPENDED_ALIGN)) % APPENDED_ALIGN;
            if (pad > 0) out.push(new Uint8Array(pad));
            at = end + pad;
            out.push(model.bytes.subarray(ref.offset, ref.offset + ref.size));
            end = at + ref.size;
            placed.set(id, at);
        }
        if (!writeUint(all, all.length - slot.fromEnd, ref.width, at)) {
            unsupported(
                model,
                `op ${op.index} (${op.type}): ${ref.key}_offset is stored in ${ref.width} byte(s), too small for its offset ${at} in the sub-model; cannot carry its ${ref.size} bytes of ${ref.key} data`,
            );
        }
    }
    return out;
};
