// Bounds-checked access to a flatbuffer through the flatbuffers runtime's ByteBuffer. ByteBuffer itself does not
// check anything (an offset past the end reads as 0), so every table, vector and string is validated here before
// it is read, and a bad offset becomes one MODEL_INVALID error naming the file and what was being read.
import { ByteBuffer } from 'flatbuffers';
import { SplitbenchError } from '../errors.js';

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** A validated table: its position, and where its vtable says its fields are. */
export interface FbTable {
    readonly pos: number;
    readonly vtable: number;
    /** vtable length in bytes (4 + 2 per field slot). */
    readonly vtableLen: number;
    /** Inline object size in bytes, including the leading soffset. */
    readonly objectLen: number;
}

export interface FbVector {
    /** Position of element 0. */
    readonly start: number;
    readonly length: number;
}

export class FbReader {
    readonly bb: ByteBuffer;
    readonly bytes: Uint8Array;
    readonly size: number;
    readonly label: string;

    constructor(bytes: Uint8Array, label: string) {
        this.bytes = bytes;
        this.bb = new ByteBuffer(bytes);
        this.size = bytes.length;
        this.label = label;
    }

    fail(message: string): never {
        throw new SplitbenchError('MODEL_INVALID', `model ${this.label}: ${message}`, {
            details: { file: this.label },
        });
    }

    private need(pos: number, len: number, what: string): void {
        if (!Number.isInteger(pos) || pos < 0 || len < 0 || pos + len > this.size) {
            this.fail(`truncated or corrupt: ${what} at byte ${pos} (+${len}) is outside the ${this.size}-byte file`);
        }
    }

    /** Table at `pos`, with its vtable validated. */
    table(pos: number, what: string): FbTable {
        this.need(pos, 4, what);
        const vtable = pos - this.bb.readInt32(pos);
        this.need(vtable, 4, `${what} vtable`);
        const vtableLen = this.bb.readUint16(vtable);
        const objectLen = this.bb.readUint16(vtable + 2);
        if (vtableLen < 4 || vtableLen % 2 !== 0) this.fail(`corrupt ${what}: vtable length ${vtableLen}`);
        this.need(vtable, vtableLen, `${what} vtable`);
        if (objectLen < 4) this.fail(`corrupt ${what}: object length ${objectLen}`);
        this.need(pos, objectLen, what);
        return { pos, vtable, vtableLen, objectLen };
    }

    /** Offset of field `id` inside the table, 0 when absent. */
    fieldOffset(t: FbTable, id: number): number {
        const slot = 4 + 2 * id;
        if (slot >= t.vtableLen) return 0;
        const off = this.bb.readUint16(t.vtable + slot);
        if (off !== 0 && off >= t.objectLen) this.fail(`corrupt table at byte ${t.pos}: field ${id} outside object`);
        return off;
    }

    /** Field ids present in the table (used to copy tables whose schema we do not spell out). */
    presentFields(t: FbTable): number[] {
        const ids: number[] = [];
        for (let id = 0; 4 + 2 * id < t.vtableLen; id++) if (this.fieldOffset(t, id) !== 0) ids.push(id);
        return ids;
    }

    private scalarAt(t: FbTable, id: number, size: number): number {
        const off = this.fieldOffset(t, id);
        if (off === 0) return -1;
        if (off + size > t.objectLen) this.fail(`corrupt table at byte ${t.pos}: field ${id} overruns object`);
        return t.pos + off;
    }

    u8(t: FbTable, id: number, dflt = 0): number {
        const p = this.scalarAt(t, id, 1);
        return p < 0 ? dflt : this.bb.readUint8(p);
    }

    i8(t: FbTable, id: number, dflt = 0): number {
        const p = this.scalarAt(t, id, 1);
        return p < 0 ? dflt : this.bb.readInt8(p);
    }

    bool(t: FbTable, id: number, dflt = false): boolean {
        const p = this.scalarAt(t, id, 1);
        return p < 0 ? dflt : this.bb.readUint8(p) !== 0;
    }

    i32(t: FbTable, id: number, dflt = 0): number {
        const p = this.scalarAt(t, id, 4);
        return p < 0 ? dflt : this.bb.readInt32(p);
    }

    u32(t: FbTable, id: number, dflt = 0): number {
        const p = this.scalarAt(t, id, 4);
        return p < 0 ? dflt : this.bb.readUint32(p);
    }

    u64(t: FbTable, id: number, dflt = 0n): bigint {
        const p = this.scalarAt(t, id, 8);
        return p < 0 ? dflt : this.bb.readUint64(p);
    }

    /** Absolute position an offset field points at, or 0 when the field is absent. */
    ref(t: FbTable, id: number, what: string): number {
        const p = this.scalarAt(t, id, 4);
        if (p < 0) return 0;
        const target = p + this.bb.readUint32(p);
        this.need(target, 4, what);
        return target;
    }

    subTable(t: FbTable, id: number, what: string): FbTable | undefined {
        const p = this.ref(t, id, what);
        return p === 0 ? undefined : this.table(p, what);
    }

    vector(t: FbTable, id: number, elemSize: number, what: string): FbVector | undefined {
        const p = this.ref(t, id, what);
        if (p === 0) return undefined;
        const length = this.bb.readUint32(p);
        this.need(p + 4, length * elemSize, what);
        return { start: p + 4, length };
    }

    int32s(t: FbTable, id: number, what: string): number[] | undefined {
        const v = this.vector(t, id, 4, what);
        if (v === undefined) return undefined;
        const out = new Array<number>(v.length);
        for (let i = 0; i < v.length; i++) out[i] = this.bb.readInt32(v.start + 4 * i);
        return out;
    }

    float32s(t: FbTable, id: number, what: string): number[] | undefined {
        const v = this.vector(t, id, 4, what);
        if (v === undefined) return undefined;
        const out = new Array<number>(v.length);
        for (let i = 0; i < v.length; i++) out[i] = this.bb.readFloat32(v.start + 4 * i);
        return out;
    }

    int64s(t: FbTable, id: number, what: string): bigint[] | undefined {
        const v = this.vector(t, id, 8, what);
        if (v === undefined) return undefined;
        const out = new Array<bigint>(v.length);
        for (let i = 0; i < v.length; i++) out[i] = this.bb.readInt64(v.start + 8 * i);
        return out;
    }

    bytesOf(t: FbTable, id: number, what: string): Uint8Array | undefined {
        const v = this.vector(t, id, 1, what);
        return v === undefined ? undefined : this.bytes.subarray(v.start, v.start + v.length);
    }

    string(t: FbTable, id: number, what: string): string | undefined {
        const b = this.bytesOf(t, id, what);
        return b === undefined ? undefined : UTF8.decode(b);
    }

    /** Positions of the tables in a vector of tables (each validated). */
    tables(t: FbTable, id: number, what: string): FbTable[] {
        const v = this.vector(t, id, 4, what);
        if (v === undefined) return [];
        const out = new Array<FbTable>(v.length);
        for (let i = 0; i < v.length; i++) {
            const p = v.start + 4 * i;
            out[i] = this.table(p + this.bb.readUint32(p), `${what}[${i}]`);
        }
        return out;
    }
}
