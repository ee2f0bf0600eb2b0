// Pre-encoded flatbuffer tables of one source model (tensors, operators, operator codes), cached per model so that
// writing many sub-models of it copies bytes instead of re-encoding tables. Used by write.ts only.
import { Builder } from 'flatbuffers';
import { type OptionsDataRef } from './external-data.js';
import { SplitbenchError } from '../errors.js';
import { FbReader } from './fb-reader.js';
import { MODEL, OPERATOR, OPTIONS, SUBGRAPH_REF_FIELDS, TENSOR } from './schema.js';
import {
    copyTable,
    copyVector,
    int32Vector,
    OPERATOR_CODE_TABLE,
    optionsSchema,
    TENSOR_TABLE,
    type CopyOverrides,
} from './table-copy.js';
import type { OperatorInfo, SubgraphInfo, TfliteModel } from './types.js';

export type PatchKind = 'buffer' | 'opcode' | 'tensor' | 'subgraph';

/** A pre-encoded table: bytes, where the table starts in them, and the int32 slots to rewrite per sub-model. */
export interface Blob {
    bytes: Uint8Array;
    root: number;
    patchPos: Int32Array;
    patchKind: PatchKind[];
    patchValue: Int32Array;
    /** File offsets in the op's custom options (DISPATCH_OP's bytecode_offset): rewritten once the file is laid out. */
    ext?: { pos: number; ref: OptionsDataRef; op: OperatorInfo }[] | undefined;
}

export const unsupported = (model: TfliteModel, msg: string): never => {
    throw new SplitbenchError('UNSUPPORTED', `model ${model.label}: ${msg}`);
};

/** Per-model blob cache (blobs depend only on the source file). */
export class BlobStore {
    private readonly r: FbReader;
    private readonly scratch = new Builder(4096);
    /** [subgraph][tensor or op index] */
    private readonly tensors: (Blob | undefined)[][] = [];
    private readonly ops: (Blob | undefined)[][] = [];
    private readonly codes: (Blob | undefined)[] = [];
    private readonly model: TfliteModel;

    constructor(model: TfliteModel) {
        this.model = model;
        this.r = new FbReader(model.bytes, model.label);
    }

    /** Encodes one table with `encode`, then finds the patch slots by reading the result back. */
    private seal(rootOffset: number, patches: (blob: FbReader, root: number) => [number, PatchKind, number][]): Blob {
        const b = this.scratch;
        b.prep(16, 0); // blob length a multiple of 16: alignment inside it holds from its start too
        const bb = b.dataBuffer();
        const bytes = bb.bytes().slice(bb.capacity() - b.offset(), bb.capacity());
        const root = bytes.length - rootOffset;
        const list = patches(new FbReader(bytes, this.model.label), root);
        return {
            bytes,
            root,
            patchPos: Int32Array.from(list, (p) => p[0]),
            patchKind: list.map((p) => p[1]),
            patchValue: Int32Array.from(list, (p) => p[2]),
        };
    }

    tensor(sg: SubgraphInfo, ti: number): Blob {
        const cache = (this.tensors[sg.index] ??= []);
        let blob = cache[ti];
        if (blob !== undefined) return blob;
        const info = sg.tensors[ti];
        if (info === undefined) throw new SplitbenchError('INTERNAL', `no tensor ${ti} in subgraph ${sg.index}`);
        const b = this.scratch;
        b.clear();
        const t = this.r.table(info.pos, `subgraph ${sg.index} tensor ${ti}`);
        const off = copyTable(b, this.r, t, TENSOR_TABLE, {
            scalars: new Map([[TENSOR.buffer, info.constant ? info.buffer : 0]]),
        });
        blob = this.seal(off, (r, root) => {
            const table = r.table(root, 'tensor blob');
            return [[root + r.fieldOffset(table, TENSOR.buffer), 'buffer', info.constant ? info.buffer : 0]];
        });
        cache[ti] = blob;
        return blob;
    }

    op(sg: SubgraphInfo, op: OperatorInfo): Blob {
        const cache = (this.ops[sg.index] ??= []);
        let blob = cache[op.index];
        if (blob !== undefined) return blob;
        if (op.builtinOptions2Type !== 0) {
            unsupported(
                this.model,
                `op ${op.index} (${op.type}) in subgraph ${sg.index} uses BuiltinOptions2 (StableHLO)`,
            );
        }
        if (op.builtinOptionsType > OPTIONS.last) {
            unsupported(
                this.model,
                `op ${op.index} (${op.type}): unknown builtin options type ${op.builtinOptionsType}`,
            );
        }
        const { r } = this;
        const b = this.scratch;
        b.clear();
        const o = r.table(op.pos, `subgraph ${sg.index} op ${op.index}`);
        const offsets = new Map<number, number>();
        offsets.set(OPERATOR.inputs, int32Vector(b, op.inputs));
        offsets.set(OPERATOR.outputs, int32Vector(b, op.outputs));
        if (op.intermediates.length > 0) offsets.set(OPERATOR.intermediates, int32Vector(b, op.intermediates));
        const refFields = SUBGRAPH_REF_FIELDS[op.builtinOptionsType];
        const opts = r.subTable(o, OPERATOR.builtinOptions, `op ${op.index} options`);
        if (opts !== undefined || refFields !== undefined) {
            let overrides: CopyOverrides = {};
            if (refFields !== undefined) {
                overrides = { scalars: new Map(refFields.map((f, i) => [f, op.subgraphRefs[i] ?? 0])) };
            }
            const optsOff =
                opts !== undefined
                    ? copyTable(b, r, opts, optionsSchema(op.builtinOptionsType), overrides)
                    : emptyTableWith(b, overrides);
            offsets.set(OPERATOR.builtinOptions, optsOff);
        }
        // Custom options stored outside the flatbuffer (>2 GB layout) come inline: TFLite 2.9 reads only those.
        const largeOffset = r.u64(o, OPERATOR.largeCustomOptionsOffset);
        if (largeOffset > 1n) {
            const size = r.u64(o, OPERATOR.largeCustomOptionsSize);
            if (largeOffset + size > BigInt(r.size)) r.fail(`op ${op.index}: custom options outside the file`);
            offsets.set(
                OPERATOR.customOptions,
                copyVector(b, r, { start: Number(largeOffset), length: Number(size) }, 1),
            );
        } else {
            const v = r.vector(o, OPERATOR.customOptions, 1, `op ${op.index} custom options`);
            if (v !== undefined) offsets.set(OPERATOR.customOptions, copyVector(b, r, v, 1));
        }
        const mutating = r.vector(o, OPERATOR.mutatingVariableInputs, 1, `op ${op.index} mutating inputs`);
        if (mutating !== undefined) {
            offsets.set(OPERATOR.mutatingVariableInputs, copyVector(b, r, mutating, 1));
        }
        const off = copyTable(
            b,
            r,
            o,
            { name: 'Operator', fields: {} },
            {
                scalars: new Map([[OPERATOR.opcodeIndex, op.opcodeIndex]]),
                offsets,
                skip: new Set([
                    OPERATOR.largeCustomOptionsOffset,
                    OPERATOR.largeCustomOptionsSize,
                    OPERATOR.builtinOptions2Type,
                    OPERATOR.builtinOptions2,
                ]),
            },
        );
        blob = this.seal(off, (br, root) => {
            const table = br.table(root, 'op blob');
            const patches: [number, PatchKind, number][] = [
                [root + br.fieldOffset(table, OPERATOR.opcodeIndex), 'opcode', op.opcodeIndex],
            ];
            const tensorList = (id: number): void => {
                const v = br.vector(table, id, 4, 'op blob vector');
                if (v === undefined) return;
                for (let i = 0; i < v.length; i++) {
                    const t = br.bb.readInt32(v.start + 4 * i);
                    if (t >= 0) patches.push([v.start + 4 * i, 'tensor', t]);
                }
            };
            tensorList(OPERATOR.inputs);
            tensorList(OPERATOR.outputs);
            tensorList(OPERATOR.intermediates);
            if (refFields !== undefined) {
                const optsTable = br.subTable(table, OPERATOR.builtinOptions, 'op blob options');
                if (optsTable === undefined) throw new SplitbenchError('INTERNAL', 'control-flow options lost');
                refFields.forEach((f, i) => {
                    patches.push([optsTable.pos + br.fieldOffset(optsTable, f), 'subgraph', op.subgraphRefs[i] ?? 0]);
                });
            }
            return patches;
        });
        if (op.externalData !== undefined) {
            const br = new FbReader(blob.bytes, this.model.label);
            const v = br.vector(br.table(blob.root, 'op blob'), OPERATOR.customOptions, 1, 'op blob custom options');
            if (v === undefined) throw new SplitbenchError('INTERNAL', `op ${op.index}: custom options lost`);
            blob.ext = op.externalData.map((ref) => ({ pos: v.start + ref.valuePos, ref, op }));
        }
        cache[op.index] = blob;
        return blob;
    }

    code(index: number): Blob {
        let blob = this.codes[index];
        if (blob !== undefined) return blob;
        const { r } = this;
        const root = r.table(r.bb.readUint32(0), 'model root');
        const table = r.tables(root, MODEL.operatorCodes, 'operator_codes')[index];
        if (table === undefined) throw new SplitbenchError('INTERNAL', `no operator code ${index}`);
        this.scratch.clear();
        blob = this.seal(copyTable(this.scratch, r, table, OPERATOR_CODE_TABLE), () => []);
        this.codes[index] = blob;
        return blob;
    }
}

const emptyTableWith = (b: Builder, overrides: CopyOverrides): number => {
    const ids = [...(overrides.scalars?.keys() ?? [])];
    b.startObject(ids.length > 0 ? Math.max(...ids) + 1 : 0);
    for (const [id, v] of overrides.scalars ?? []) {
        b.prep(4, 0);
        b.writeInt32(v);
        b.slot(id);
    }
    return b.endObject();
};

const stores = new WeakMap<TfliteModel, BlobStore>();
export const storeFor = (model: TfliteModel): BlobStore => {
    let s = stores.get(model);
    if (s === undefined) {
        s = new BlobStore(model);
        stores.set(model, s);
    }
    return s;
};
