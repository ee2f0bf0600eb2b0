// Data a .tflite keeps after its flatbuffer, pointed at by file offset: LiteRT's AOT-compiled NPU model (DISPATCH_OP's
// bytecode_offset/bytecode_size), variants built here with splitbench's own model writer, and Buffer offset/size
// (the >2 GB layout). Sub-models must carry the data with rewritten offsets, or the split is refused naming the op.
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSplitbenchError } from '../../../src/errors.js';
import { buildTestModel, twoInTwoOut, type ModelSpec } from '../../../src/model/build.js';
import { flexMapInts } from '../../../src/model/external-data.js';
import { inspectModel, renderInspect } from '../../../src/model/inspect.js';
import { readModel } from '../../../src/model/read.js';
import { buildSplit } from '../../../src/model/split.js';
import type { TfliteModel } from '../../../src/model/types.js';

const NPU = new URL('../../../../shared/models/npu_litert_dispatch_op_appended_bytecode.tflite', import.meta.url);
const HAVE_NPU = existsSync(NPU);

/**
 * A FlexBuffers map of unsigned ints, every element `width` bytes wide, laid out as the FlexBuffers spec describes:
 * key strings, the keys vector (length, then offsets back to the strings), then [keys offset, keys width, length],
 * the values, one packed type byte per value (UINT = 2), and the root (offset back to the map, type MAP = 9, width).
 */
const flexUintMap = (entries: [string, number][], width: number): Uint8Array => {
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
    const bytes: number[] = [];
    const uint = (v: number): void => {
        let x = v;
        for (let i = 0; i < width; i++) {
            bytes.push(x % 256);
            x = Math.floor(x / 256);
        }
    };
    const keyAt = sorted.map(([k]) => {
        const at = bytes.length;
        for (const c of k) bytes.push(c.charCodeAt(0));
        bytes.push(0);
        return at;
    });
    while (bytes.length % width !== 0) bytes.push(0);
    uint(sorted.length);
    const keys = bytes.length;
    keyAt.forEach((at) => uint(bytes.length - at));
    const keysField = bytes.length;
    uint(keysField - keys);
    uint(width);
    uint(sorted.length);
    const map = bytes.length;
    for (const [, v] of sorted) uint(v);
    for (let i = 0; i < sorted.length; i++) bytes.push((2 << 2) | Math.log2(width));
    bytes.push(bytes.length - map, (9 << 2) | Math.log2(width), 1);
    return Uint8Array.from(bytes);
};

const dispatchSpec = (options: Uint8Array): ModelSpec => ({
    inputs: [
        { name: 'arg0', shape: [2] },
        { name: 'arg1', shape: [2] },
    ],
    layers: [
        { op: 'ADD', name: 'sum', inputs: ['arg0', 'arg1'] },
        { op: 'CUSTOM', name: 'npu', customCode: 'DISPATCH_OP', inputs: ['arg0', 'arg1'], shape: [2], options },
    ],
    outputs: ['sum', 'npu'],
});

/** A DISPATCH_OP model with `bytecode` appended at a 64-byte boundary after the flatbuffer (as LiteRT's AOT does). */
const dispatchModel = (bytecode: Uint8Array): { file: Uint8Array; offset: number } => {
    // 8-byte values: the flatbuffer's length does not depend on them, so it can be measured first.
    const probe = buildTestModel(
        dispatchSpec(
            flexUintMap(
                [
                    ['bytecode_offset', 0],
                    ['bytecode_size', 0],
                ],
                8,
            ),
        ),
    );
    const offset = Math.ceil(probe.length / 64) * 64;
    const options = flexUintMap(
        [
            ['bytecode_offset', offset],
            ['bytecode_size', bytecode.length],
        ],
        8,
    );
    const fb = buildTestModel(dispatchSpec(options));
    expect(fb.length).toBe(probe.length);
    const file = new Uint8Array(offset + bytecode.length);
    file.set(fb, 0);
    file.set(bytecode, offset);
    return { file, offset };
};

const dispatchOf = (m: TfliteModel) => m.subgraphs[0]?.operators.find((o) => o.type === 'CUSTOM:DISPATCH_OP');

const checkCarried = (source: Uint8Array, tailBytes: Uint8Array, srcOffset: number, size: number): void => {
    const tail = readModel(tailBytes, 'tail');
    const ref = dispatchOf(tail)?.externalData?.[0];
    expect(ref).toMatchObject({ key: 'bytecode', size });
    const at = ref?.offset ?? -1;
    expect(at % 64).toBe(0);
    expect(tailBytes.length).toBe(at + size);
    expect(
        Buffer.from(tailBytes.subarray(at, at + size)).equals(
            Buffer.from(source.subarray(srcOffset, srcOffset + size)),
        ),
    ).toBe(true);
};

describe('FlexBuffers custom options', () => {
    it('reads the ints of a map with their positions', () => {
        const b = flexUintMap(
            [
                ['bytecode_size', 300],
                ['bytecode_offset', 1040],
            ],
            2,
        );
        const ints = flexMapInts(b);
        expect([...(ints?.keys() ?? [])]).toEqual(['bytecode_offset', 'bytecode_size']);
        const off = ints?.get('bytecode_offset');
        expect(off).toMatchObject({ value: 1040, width: 2 });
        expect([b[off?.pos ?? 0], b[(off?.pos ?? 0) + 1]]).toEqual([1040 % 256, 4]);
        expect(ints?.get('bytecode_size')?.value).toBe(300);
    });

    it('never throws on arbitrary bytes (any custom options format passes through it)', () => {
        let seed = 7;
        const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
        for (let i = 0; i < 2000; i++) {
            const b = Uint8Array.from({ length: next() % 64 }, () => next() % 256);
            if (b.length >= 2) b[b.length - 2] = (9 << 2) | (next() % 4); // claim a map root
            expect(() => flexMapInts(b)).not.toThrow();
        }
    });

    it('is undefined for options in other formats', () => {
        expect(flexMapInts(Uint8Array.from([1, 2, 3, 4]))).toBeUndefined();
        expect(flexMapInts(new Uint8Array(0))).toBeUndefined();
    });
});

describe.runIf(HAVE_NPU)('the AOT-compiled NPU model (DISPATCH_OP bytecode after the flatbuffer)', () => {
    // vitest runs a skipped describe's body to collect its tests: read the file only when the suite runs.
    let bytes: Buffer;
    let model: ReturnType<typeof readModel>;
    beforeAll(() => {
        bytes = readFileSync(NPU);
        model = readModel(bytes, 'npu.tflite');
    });

    it('reads the bytecode reference: offset 1040, 12288 bytes, to the end of the 13328-byte file', () => {
        expect(bytes.length).toBe(13328);
        // 126 option bytes end in root (3), value types (3) and 3 values of 8 bytes: bytecode_offset, the first
        // key in order, sits at 126 - 3 - 3 - 24 = 96
        expect(dispatchOf(model)?.customOptions?.length).toBe(126);
        expect(dispatchOf(model)?.externalData).toEqual([
            { key: 'bytecode', offset: 1040, size: 12288, valuePos: 96, width: 8 },
        ]);
    });

    it('model inspect shows the external data', () => {
        const rep = inspectModel(model);
        expect(rep.externalData).toEqual([
            { what: 'bytecode', subgraph: 0, op: 1, opType: 'CUSTOM:DISPATCH_OP', offset: 1040, size: 12288 },
        ]);
        expect(renderInspect(rep)).toContain(
            'external data: 12288 bytes after the flatbuffer, by file offset (sub-models carry it):\n  op 1 CUSTOM:DISPATCH_OP bytecode: 12288 bytes at 1040\n',
        );
    });

    it('the tail carries the bytecode and points at its own copy; the head (ADD only) carries none', () => {
        const { head, tail } = buildSplit(model, 0);
        expect(readModel(head, 'head').subgraphs[0]?.operators.map((o) => o.type)).toEqual(['ADD']);
        expect(head.length).toBeLessThan(1040);
        expect(inspectModel(readModel(head, 'head')).externalData).toBeUndefined();
        checkCarried(bytes, tail, 1040, 12288);
    });
});

describe('variants built with splitbench model writer', () => {
    const bytecode = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7 + 3) % 251);

    it('DISPATCH_OP with appended bytecode: carried into the tail', () => {
        const { file, offset } = dispatchModel(bytecode);
        const model = readModel(file, 'dispatch.tflite');
        expect(dispatchOf(model)?.externalData).toMatchObject([{ key: 'bytecode', offset, size: 3000, width: 8 }]);
        checkCarried(file, buildSplit(model, 0).tail, offset, 3000);
    });

    it('refuses the split, naming the op, when the stored offset is too narrow for the sub-model', () => {
        // 1-byte values: bytecode_offset=8 (inside the flatbuffer), size 4. No sub-model flatbuffer ends before 256.
        const options = flexUintMap(
            [
                ['bytecode_offset', 8],
                ['bytecode_size', 4],
            ],
            1,
        );
        const model = readModel(buildTestModel(dispatchSpec(options)), 'narrow.tflite');
        expect(dispatchOf(model)?.externalData).toMatchObject([{ offset: 8, size: 4, width: 1 }]);
        let err: unknown;
        try {
            buildSplit(model, 0);
        } catch (e) {
            err = e;
        }
        expect(isSplitbenchError(err, 'UNSUPPORTED')).toBe(true);
        expect((err as Error).message).toMatch(
            /^model narrow\.tflite: op 1 \(CUSTOM:DISPATCH_OP\): bytecode_offset is stored in 1 byte\(s\), too small for its offset \d+ in the sub-model; cannot carry its 4 bytes of bytecode data$/,
        );
    });

    it('Buffer offset/size (the >2 GB layout): sub-models inline the data, identical to the inline model', () => {
        const external = buildTestModel({ ...twoInTwoOut(), externalBuffers: true });
        const inline = buildTestModel(twoInTwoOut());
        const ext = readModel(external, 'external.tflite');
        const inl = readModel(inline, 'inline.tflite');
        const weights = ext.buffers.filter((b) => b.data.length > 0);
        expect(weights.length).toBeGreaterThan(0);
        expect(weights.every((b) => b.external)).toBe(true);
        // every weight buffer holds the same bytes as the inline model's
        expect(weights.map((b) => Buffer.from(b.data).toString('hex'))).toEqual(
            inl.buffers.filter((b) => b.data.length > 0).map((b) => Buffer.from(b.data).toString('hex')),
        );
        const rep = inspectModel(ext);
        expect(rep.externalData?.map((e) => [e.what, e.buffer, e.size])).toEqual(
            weights.map((b) => ['buffer', b.index, b.data.length]),
        );
        for (const k of [0, 2, 4]) {
            const a = buildSplit(ext, k);
            const b = buildSplit(inl, k);
            expect(Buffer.from(a.head).equals(Buffer.from(b.head))).toBe(true);
            expect(Buffer.from(a.tail).equals(Buffer.from(b.tail))).toBe(true);
            expect(readModel(a.tail, 'tail').buffers.some((x) => x.external)).toBe(false);
        }
    });
});
