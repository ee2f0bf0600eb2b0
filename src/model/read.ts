// Reads a .tflite flatbuffer into plain TfliteModel data (no I/O here: bytes in, model out).
import { dtypeBits, dtypeFromCode, type DType } from './dtype.js';
import { builtinName, CUSTOM_CODE } from './builtin-ops.js';
import { optionsDataRefs } from './external-data.js';
import { FbReader, type FbTable } from './fb-reader.js';
import {
    BUFFER,
    FILE_IDENTIFIER,
    METADATA,
    MODEL,
    OPCODE,
    OPERATOR,
    QUANT,
    SIGNATURE,
    SUBGRAPH,
    SUBGRAPH_REF_FIELDS,
    TENSOR,
    TENSOR_MAP,
} from './schema.js';
import type {
    BufferInfo,
    MetadataInfo,
    OperatorCodeInfo,
    OperatorInfo,
    Quantization,
    SignatureInfo,
    SubgraphInfo,
    TensorInfo,
    TfliteModel,
} from './types.js';

const printable = (b: Uint8Array): string =>
    Array.from(b).every((c) => c >= 0x20 && c < 0x7f)
        ? `'${String.fromCharCode(...b)}'`
        : `0x${Array.from(b, (c) => c.toString(16).padStart(2, '0')).join('')}`;

/** Byte size of a tensor from its shape and dtype, or why it cannot be known without running the model. */
export const tensorByteSize = (
    dtype: DType,
    shape: readonly number[],
    shapeSignature?: readonly number[],
): { bytes: number } | { unknown: string } => {
    const bits = dtypeBits(dtype);
    if (bits === undefined) {
        return { unknown: dtype === 'string' ? 'string tensor: size depends on its contents' : `${dtype} tensor` };
    }
    if (shapeSignature !== undefined && shapeSignature.some((d) => d < 0)) {
        return { unknown: `dynamic shape [${shapeSignature.join(',')}]` };
    }
    if (shape.some((d) => d < 0)) return { unknown: `dynamic shape [${shape.join(',')}]` };
    let n = 1;
    for (const d of shape) n *= d;
    return { bytes: Math.ceil((n * bits) / 8) };
};

const readQuantization = (r: FbReader, t: FbTable, what: string): Quantization | undefined => {
    const q = r.subTable(t, TENSOR.quantization, `${what} quantization`);
    if (q === undefined) return undefined;
    const scale = r.float32s(q, QUANT.scale, `${what} scale`) ?? [];
    const zp = r.int64s(q, QUANT.zeroPoint, `${what} zero_point`) ?? [];
    const min = r.float32s(q, QUANT.min, `${what} min`);
    const max = r.float32s(q, QUANT.max, `${what} max`);
    const custom = r.u8(q, QUANT.detailsType) !== 0;
    if (scale.length === 0 && zp.length === 0 && min === undefined && max === undefined && !custom) return undefined;
    return {
        scale,
        zeroPoint: zp.map((z) => Number(z)),
        quantizedDimension: r.i32(q, QUANT.quantizedDimension),
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        ...(custom ? { custom } : {}),
    };
};

const readBuffers = (r: FbReader, root: FbTable): BufferInfo[] =>
    r.tables(root, MODEL.buffers, 'buffers').map((b, index) => {
        const offset = r.u64(b, BUFFER.offset);
        const size = r.u64(b, BUFFER.size);
        if (offset > 1n) {
            const end = offset + size;
            if (end > BigInt(r.size)) {
                r.fail(
                    `buffer ${index}: external data at byte ${offset} (+${size}) is outside the ${r.size}-byte file`,
                );
            }
            return { index, data: r.bytes.subarray(Number(offset), Number(end)), external: true };
        }
        const data = r.bytesOf(b, BUFFER.data, `buffer ${index} data`) ?? r.bytes.subarray(0, 0);
        return { index, data, external: false };
    });

const readOperatorCodes = (r: FbReader, root: FbTable): OperatorCodeInfo[] =>
    r.tables(root, MODEL.operatorCodes, 'operator_codes').map((c, index) => {
        // Old files only fill the int8 field, new ones both; codes >= 127 live only in builtin_code.
        const builtinCode = Math.max(r.i8(c, OPCODE.deprecatedBuiltinCode), r.i32(c, OPCODE.builtinCode));
        const customCode = r.string(c, OPCODE.customCode, `operator_codes[${index}] custom_code`);
        const name = builtinCode === CUSTOM_CODE ? `CUSTOM:${customCode ?? '?'}` : builtinName(builtinCode);
        return { index, builtinCode, customCode, version: r.i32(c, OPCODE.version, 1), name };
    });

interface ModelParts {
    codes: readonly OperatorCodeInfo[];
    buffers: readonly BufferInfo[];
    subgraphCount: number;
}

const readSubgraph = (r: FbReader, sg: FbTable, index: number, parts: ModelParts): SubgraphInfo => {
    const { codes, buffers, subgraphCount } = parts;
    const where = `subgraph ${index}`;
    const inputs = r.int32s(sg, SUBGRAPH.inputs, `${where} inputs`) ?? [];
    const outputs = r.int32s(sg, SUBGRAPH.outputs, `${where} outputs`) ?? [];
    const inputSet = new Set(inputs);
    const outputSet = new Set(outputs);
    const tensors = r.tables(sg, SUBGRAPH.tensors, `${where} tensors`).map((t, ti): TensorInfo => {
        const what = `${where} tensor ${ti}`;
        const shape = r.int32s(t, TENSOR.shape, `${what} shape`) ?? [];
        const shapeSignature = r.int32s(t, TENSOR.shapeSignature, `${what} shape_signature`);
        const typeCode = r.i8(t, TENSOR.type);
        const dtype = dtypeFromCode(typeCode);
        const buffer = r.u32(t, TENSOR.buffer);
        const buf = buffers[buffer];
        // Buffer 0 is the empty sentinel; a few hand-made files omit the buffers list altogether.
        if (buf === undefined && buffer !== 0) {
            r.fail(`${what}: buffer ${buffer} does not exist (${buffers.length} buffers)`);
        }
        const rawName = r.string(t, TENSOR.name, `${what} name`) ?? '';
        const size = tensorByteSize(dtype, shape, shapeSignature);
        return {
            index: ti,
            name: rawName === '' ? `#${ti}` : rawName,
            rawName,
            shape,
            ...(shapeSignature !== undefined ? { shapeSignature } : {}),
            dtype,
            typeCode,
            buffer,
            constant: buf !== undefined && buf.data.length > 0,
            variable: r.bool(t, TENSOR.isVariable),
            isInput: inputSet.has(ti),
            isOutput: outputSet.has(ti),
            quantization: readQuantization(r, t, what),
            sparse: r.ref(t, TENSOR.sparsity, `${what} sparsity`) !== 0,
            bytes: 'bytes' in size ? size.bytes : undefined,
            ...('unknown' in size ? { bytesUnknown: size.unknown } : {}),
            pos: t.pos,
        };
    });
    const checkTensors = (list: readonly number[], what: string, allowOmitted: boolean): void => {
        for (const ti of list) {
            if ((ti === -1 && allowOmitted) || (ti >= 0 && ti < tensors.length)) continue;
            r.fail(`${where} ${what}: tensor index ${ti} out of range (${tensors.length} tensors)`);
        }
    };
    checkTensors(inputs, 'inputs', false);
    checkTensors(outputs, 'outputs', false);
    const operators = r.tables(sg, SUBGRAPH.operators, `${where} operators`).map((o, oi): OperatorInfo => {
        const what = `${where} op ${oi}`;
        const opcodeIndex = r.u32(o, OPERATOR.opcodeIndex);
        const code = codes[opcodeIndex];
        if (code === undefined) r.fail(`${what}: opcode_index ${opcodeIndex} out of range (${codes.length} codes)`);
        const opInputs = r.int32s(o, OPERATOR.inputs, `${what} inputs`) ?? [];
        const opOutputs = r.int32s(o, OPERATOR.outputs, `${what} outputs`) ?? [];
        const intermediates = r.int32s(o, OPERATOR.intermediates, `${what} intermediates`) ?? [];
        checkTensors(opInputs, `op ${oi} (${code.name}) inputs`, true);
        checkTensors(opOutputs, `op ${oi} (${code.name}) outputs`, false);
        checkTensors(intermediates, `op ${oi} (${code.name}) intermediates`, false);
        const builtinOptionsType = r.u8(o, OPERATOR.builtinOptionsType);
        const subgraphRefs: number[] = [];
        const refFields = SUBGRAPH_REF_FIELDS[builtinOptionsType];
        if (refFields !== undefined) {
            const opts = r.subTable(o, OPERATOR.builtinOptions, `${what} options`);
            for (const f of refFields) {
                const s = opts === undefined ? 0 : r.i32(opts, f);
                if (s < 0 || s >= subgraphCount || s === index) {
                    r.fail(`${what} (${code.name}): subgraph index ${s} missing (${subgraphCount} subgraphs)`);
                }
                subgraphRefs.push(s);
            }
        }
        const customOptions = r.bytesOf(o, OPERATOR.customOptions, `${what} custom_options`);
        const largeOffset = r.u64(o, OPERATOR.largeCustomOptionsOffset);
        const largeSize = Number(r.u64(o, OPERATOR.largeCustomOptionsSize));
        const options =
            customOptions ??
            (largeOffset > 1n ? r.bytes.subarray(Number(largeOffset), Number(largeOffset) + largeSize) : undefined);
        const externalData =
            code.builtinCode === CUSTOM_CODE && options !== undefined ? optionsDataRefs(options, r.size) : [];
        return {
            index: oi,
            opcodeIndex,
            type: code.name,
            builtinCode: code.builtinCode,
            inputs: opInputs,
            outputs: opOutputs,
            intermediates,
            subgraphRefs,
            builtinOptionsType,
            builtinOptions2Type: r.u8(o, OPERATOR.builtinOptions2Type),
            customOptions,
            ...(largeOffset > 1n ? { largeCustomOptions: { offset: Number(largeOffset), size: largeSize } } : {}),
            ...(externalData.length > 0 ? { externalData } : {}),
            pos: o.pos,
        };
    });
    return {
        index,
        name: r.string(sg, SUBGRAPH.name, `${where} name`) ?? '',
        tensors,
        inputs,
        outputs,
        operators,
        pos: sg.pos,
    };
};

const readSignatures = (r: FbReader, root: FbTable, subgraphs: readonly SubgraphInfo[]): SignatureInfo[] =>
    r.tables(root, MODEL.signatureDefs, 'signature_defs').map((s, i) => {
        const key = r.string(s, SIGNATURE.signatureKey, `signature ${i} key`) ?? '';
        const subgraphIndex = r.u32(s, SIGNATURE.subgraphIndex);
        const sg = subgraphs[subgraphIndex];
        if (sg === undefined) r.fail(`signature '${key}': subgraph index ${subgraphIndex} missing`);
        const maps = (id: number, what: string): { name: string; tensorIndex: number }[] =>
            r.tables(s, id, `signature '${key}' ${what}`).map((m) => {
                const tensorIndex = r.u32(m, TENSOR_MAP.tensorIndex);
                if (tensorIndex >= sg.tensors.length) {
                    r.fail(`signature '${key}' ${what}: tensor index ${tensorIndex} out of range`);
                }
                return { name: r.string(m, TENSOR_MAP.name, `signature '${key}' name`) ?? '', tensorIndex };
            });
        return {
            key,
            subgraphIndex,
            inputs: maps(SIGNATURE.inputs, 'inputs'),
            outputs: maps(SIGNATURE.outputs, 'outputs'),
        };
    });

/** Checks the header: long enough, and 'TFL3' at bytes 4..8. Returns the root table position. */
const checkHeader = (r: FbReader): number => {
    if (r.size < 8) r.fail(`not a TFLite file (${r.size} bytes, too short for a flatbuffer header)`);
    const ident = r.bytes.subarray(4, 8);
    if (String.fromCharCode(...ident) !== FILE_IDENTIFIER) {
        r.fail(`not a TFLite file (identifier ${printable(ident)}, expected '${FILE_IDENTIFIER}')`);
    }
    return r.bb.readUint32(0);
};

/**
 * Parses a .tflite file. `label` (normally the path) names the file in error messages.
 * Throws SplitbenchError MODEL_INVALID for anything that is not a well-formed TFLite flatbuffer.
 */
export const readModel = (bytes: Uint8Array, label = '<bytes>'): TfliteModel => {
    const r = new FbReader(bytes, label);
    const root = r.table(checkHeader(r), 'model root');
    const buffers = readBuffers(r, root);
    const operatorCodes = readOperatorCodes(r, root);
    const sgTables = r.tables(root, MODEL.subgraphs, 'subgraphs');
    if (sgTables.length === 0) r.fail('no subgraphs');
    const parts: ModelParts = { codes: operatorCodes, buffers, subgraphCount: sgTables.length };
    const subgraphs = sgTables.map((sg, i) => readSubgraph(r, sg, i, parts));
    const metadata: MetadataInfo[] = r.tables(root, MODEL.metadata, 'metadata').map((m, i) => {
        const buffer = r.u32(m, METADATA.buffer);
        if (buffer >= buffers.length) r.fail(`metadata ${i}: buffer ${buffer} does not exist`);
        return { name: r.string(m, METADATA.name, `metadata ${i} name`) ?? '', buffer };
    });
    return {
        label,
        bytes,
        version: r.u32(root, MODEL.version),
        description: r.string(root, MODEL.description, 'description'),
        operatorCodes,
        subgraphs,
        buffers,
        metadata,
        signatures: readSignatures(r, root, subgraphs),
    };
};

/** Subgraph 0, the one split points refer to. */
export const mainSubgraph = (m: TfliteModel): SubgraphInfo => {
    const sg = m.subgraphs[0];
    if (sg === undefined) throw new RangeError('model has no subgraphs'); // readModel guarantees one
    return sg;
};
