// Copies flatbuffer tables from a source file into a Builder without a generated schema.
//
// Each table we copy has a small description of its NON-scalar fields (strings, vectors, sub-tables, unions);
// every other present field is a scalar. A scalar's width is not stored in the file, so it is taken from the
// gap to the next field in the source object (capped at 8, rounded down to a power of two). That may copy a few
// padding bytes after the value, which is harmless: the value is little-endian and starts at the field's offset,
// so the reader of the new file sees exactly the same value.
import type { Builder } from 'flatbuffers';
import type { FbReader, FbTable } from './fb-reader.js';

export type FieldKind =
    | { kind: 'string' }
    | { kind: 'vector'; elemSize: 1 | 2 | 4 | 8; align?: number | undefined }
    | { kind: 'table'; schema: TableSchema }
    | { kind: 'tables'; schema: TableSchema }
    /** Union value; the union type is the scalar field `typeField`. */
    | { kind: 'union'; typeField: number; members: Readonly<Record<number, TableSchema>> };

export interface TableSchema {
    readonly name: string;
    /** Non-scalar fields by field id. */
    readonly fields: Readonly<Record<number, FieldKind>>;
}

export interface CopyOverrides {
    /** Scalar fields to write with a new value (4-byte unsigned/int), whether or not the source has them. */
    scalars?: ReadonlyMap<number, number> | undefined;
    /** Offset fields replaced by already-built objects. */
    offsets?: ReadonlyMap<number, number> | undefined;
    /** Fields to leave out. */
    skip?: ReadonlySet<number> | undefined;
}

const vec = (elemSize: 1 | 2 | 4 | 8, align?: number): FieldKind => ({ kind: 'vector', elemSize, align });

const INT32_VECTOR: TableSchema = { name: 'Int32Vector', fields: { 0: vec(4) } };
const UINT16_VECTOR: TableSchema = { name: 'Uint16Vector', fields: { 0: vec(2, 4) } };
const UINT8_VECTOR: TableSchema = { name: 'Uint8Vector', fields: { 0: vec(1, 4) } };
const SPARSE_INDEX = { 1: INT32_VECTOR, 2: UINT16_VECTOR, 3: UINT8_VECTOR };

export const DIMENSION_METADATA: TableSchema = {
    name: 'DimensionMetadata',
    fields: {
        3: { kind: 'union', typeField: 2, members: SPARSE_INDEX },
        5: { kind: 'union', typeField: 4, members: SPARSE_INDEX },
    },
};

export const SPARSITY: TableSchema = {
    name: 'SparsityParameters',
    fields: { 0: vec(4), 1: vec(4), 2: { kind: 'tables', schema: DIMENSION_METADATA } },
};

export const CUSTOM_QUANTIZATION: TableSchema = { name: 'CustomQuantization', fields: { 0: vec(1, 16) } };

export const QUANTIZATION: TableSchema = {
    name: 'QuantizationParameters',
    fields: {
        0: vec(4),
        1: vec(4),
        2: vec(4),
        3: vec(8),
        5: { kind: 'union', typeField: 4, members: { 1: CUSTOM_QUANTIZATION } },
    },
};

export const VARIANT_SUBTYPE: TableSchema = { name: 'VariantSubType', fields: { 0: vec(4) } };

export const TENSOR_TABLE: TableSchema = {
    name: 'Tensor',
    fields: {
        0: vec(4),
        3: { kind: 'string' },
        4: { kind: 'table', schema: QUANTIZATION },
        6: { kind: 'table', schema: SPARSITY },
        7: vec(4),
        9: { kind: 'tables', schema: VARIANT_SUBTYPE },
    },
};

export const OPERATOR_CODE_TABLE: TableSchema = { name: 'OperatorCode', fields: { 1: { kind: 'string' } } };

/** The BuiltinOptions members that hold anything but scalars (all others are scalar-only tables). */
const OPTIONS_WITH_OFFSETS: Readonly<Record<number, TableSchema>> = {
    3: { name: 'ConcatEmbeddingsOptions', fields: { 1: vec(4), 2: vec(4) } },
    17: { name: 'ReshapeOptions', fields: { 0: vec(4) } },
    30: { name: 'SqueezeOptions', fields: { 0: vec(4) } },
    111: { name: 'VarHandleOptions', fields: { 0: { kind: 'string' }, 1: { kind: 'string' } } },
    115: { name: 'BucketizeOptions', fields: { 0: vec(4) } },
};
const SCALAR_OPTIONS: TableSchema = { name: 'BuiltinOptions', fields: {} };

export const optionsSchema = (unionType: number): TableSchema => OPTIONS_WITH_OFFSETS[unionType] ?? SCALAR_OPTIONS;

const pow2Floor = (n: number): 1 | 2 | 4 | 8 => (n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1);

/** Copies a vector of fixed-size elements verbatim. */
export const copyVector = (
    b: Builder,
    r: FbReader,
    v: { start: number; length: number },
    elemSize: 1 | 2 | 4 | 8,
    align: number = elemSize,
): number => {
    const { start, length } = v;
    if (elemSize === 1) {
        b.prep(Math.max(align, 4), length);
        return b.createByteVector(r.bytes.subarray(start, start + length));
    }
    b.startVector(elemSize, length, Math.max(align, elemSize));
    const bb = r.bb;
    for (let i = length - 1; i >= 0; i--) {
        const p = start + i * elemSize;
        if (elemSize === 2) b.addInt16(bb.readInt16(p));
        else if (elemSize === 4) b.addInt32(bb.readInt32(p));
        else b.addInt64(bb.readInt64(p));
    }
    return b.endVector();
};

export const int32Vector = (b: Builder, values: readonly number[]): number => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i] ?? 0);
    return b.endVector();
};

const copyField = (b: Builder, r: FbReader, t: FbTable, id: number, kind: FieldKind): number => {
    const what = `field ${id}`;
    switch (kind.kind) {
        case 'string': {
            const bytes = r.bytesOf(t, id, what);
            return bytes === undefined ? 0 : b.createString(bytes);
        }
        case 'vector': {
            const v = r.vector(t, id, kind.elemSize, what);
            return v === undefined ? 0 : copyVector(b, r, v, kind.elemSize, kind.align);
        }
        case 'table': {
            const sub = r.subTable(t, id, what);
            return sub === undefined ? 0 : copyTable(b, r, sub, kind.schema);
        }
        case 'tables': {
            const offs = r.tables(t, id, what).map((sub) => copyTable(b, r, sub, kind.schema));
            b.startVector(4, offs.length, 4);
            for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i] ?? 0);
            return b.endVector();
        }
        case 'union': {
            const type = r.u8(t, kind.typeField);
            const schema = kind.members[type];
            if (schema === undefined) r.fail(`cannot copy union member ${type} of field ${id}`);
            const sub = r.subTable(t, id, what);
            return sub === undefined ? 0 : copyTable(b, r, sub, schema);
        }
    }
};

/** Copies table `t` (described by `schema`) from `r` into `b`; returns the new table's offset. */
export const copyTable = (
    b: Builder,
    r: FbReader,
    t: FbTable,
    schema: TableSchema,
    overrides: CopyOverrides = {},
): number => {
    const present = r.presentFields(t);
    const children = new Map<number, number>();
    for (const id of present) {
        if (overrides.skip?.has(id) === true || overrides.offsets?.has(id) === true) continue;
        const kind = schema.fields[id];
        if (kind !== undefined) children.set(id, copyField(b, r, t, id, kind));
    }
    for (const [id, off] of overrides.offsets ?? []) children.set(id, off);

    // Field offsets in source order, for the scalar width rule.
    const offsets = present.map((id) => ({ id, off: r.fieldOffset(t, id) })).sort((a, c) => a.off - c.off);
    let maxId = present.length > 0 ? Math.max(...present) : -1;
    for (const id of overrides.scalars?.keys() ?? []) maxId = Math.max(maxId, id);
    for (const id of overrides.offsets?.keys() ?? []) maxId = Math.max(maxId, id);

    b.startObject(maxId + 1);
    for (let i = 0; i < offsets.length; i++) {
        const f = offsets[i];
        if (f === undefined || overrides.skip?.has(f.id) === true) continue;
        if (overrides.scalars?.has(f.id) === true || children.has(f.id)) continue;
        if (schema.fields[f.id] !== undefined) continue; // an offset field whose copy is absent
        const next = offsets[i + 1]?.off ?? t.objectLen;
        const size = pow2Floor(next - f.off);
        const p = t.pos + f.off;
        b.prep(size, 0);
        if (size === 1) b.writeInt8(r.bb.readInt8(p));
        else if (size === 2) b.writeInt16(r.bb.readInt16(p));
        else if (size === 4) b.writeInt32(r.bb.readInt32(p));
        else b.writeInt64(r.bb.readInt64(p));
        b.slot(f.id);
    }
    for (const [id, value] of overrides.scalars ?? []) {
        b.prep(4, 0);
        b.writeInt32(value);
        b.slot(id);
    }
    for (const [id, off] of children) if (off !== 0) b.addFieldOffset(id, off, 0);
    return b.endObject();
};
