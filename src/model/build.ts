// Builds small, real .tflite models from a description, so tests need no model files. The models run on the
// native TFLite 2.9 runtime: float32, full-integer uint8 / int8, or float32 with fp16 weights behind DEQUANTIZE ops
// (the MediaPipe layout). Weights are deterministic pseudo-random numbers from the spec's seed.
import { Builder } from 'flatbuffers';
import { SplitbenchError } from '../errors.js';
import { builtinCode } from './builtin-ops.js';
import { dtypeCode, type DType } from './dtype.js';
import { BUFFER, FILE_IDENTIFIER, MODEL, OPCODE, OPERATOR, OPTIONS, QUANT, SUBGRAPH, TENSOR } from './schema.js';
import { mulberry32 } from '../random.js';
import { toFloat16 } from './float16.js';

export type Activation = 'NONE' | 'RELU' | 'RELU6';
export type Padding = 'SAME' | 'VALID';

export interface InputSpec {
    name: string;
    /** NHWC for images, [batch, features] for vectors. */
    shape: number[];
}

interface LayerBase {
    /** Name of the layer's output tensor (and how later layers refer to it). */
    name: string;
    /** Store the output tensor without a name (it then shows as `#<index>`). */
    unnamed?: boolean | undefined;
}

export type LayerSpec =
    | (LayerBase & {
          op: 'CONV_2D';
          input: string;
          filters: number;
          kernel?: number | undefined;
          stride?: number | undefined;
          padding?: Padding | undefined;
          activation?: Activation | undefined;
      })
    | (LayerBase & {
          op: 'DEPTHWISE_CONV_2D';
          input: string;
          kernel?: number | undefined;
          stride?: number | undefined;
          padding?: Padding | undefined;
          activation?: Activation | undefined;
      })
    | (LayerBase & { op: 'ADD' | 'MUL'; inputs: [string, string]; activation?: Activation | undefined })
    | (LayerBase & { op: 'CONCATENATION'; inputs: string[]; axis?: number | undefined })
    | (LayerBase & { op: 'RESHAPE'; input: string; shape: number[] })
    | (LayerBase & { op: 'FULLY_CONNECTED'; input: string; units: number; activation?: Activation | undefined })
    | (LayerBase & { op: 'SOFTMAX'; input: string; beta?: number | undefined })
    /** A custom op (the runtime cannot run it: for reading/splitting tests and "cannot verify"). */
    | (LayerBase & {
          op: 'CUSTOM';
          customCode: string;
          inputs: string[];
          shape: number[];
          options?: Uint8Array | undefined;
      })
    | (LayerBase & {
          op: 'AVERAGE_POOL_2D' | 'MAX_POOL_2D';
          input: string;
          size: number;
          stride?: number | undefined;
          padding?: Padding | undefined;
      });

export interface ModelSpec {
    inputs: InputSpec[];
    layers: LayerSpec[];
    /** Tensor names (inputs or layer names) that become model outputs, in order. */
    outputs: string[];
    /** Full-integer quantized variant (inputs, activations, outputs and weights). */
    quantize?: 'uint8' | 'int8' | undefined;
    /** Float model whose weights are stored as float16 and expanded by DEQUANTIZE ops before their consumers. */
    fp16Weights?: boolean | undefined;
    seed?: number | undefined;
    description?: string | undefined;
    /**
     * Keep constant data after the flatbuffer, referenced by Buffer.offset/size (the schema's layout for models over
     * 2 GB) instead of inline `data` vectors. TFLite 2.9 cannot load such files; splitbench's sub-models inline it.
     */
    externalBuffers?: boolean | undefined;
}

// --- ready specs ----------------------------------------------------------------------------------------------

/** A small residual CNN: conv stem, an inverted-residual block with an ADD skip, a concat branch, and a head. */
export const residualCnn = (
    opts: {
        quantize?: 'uint8' | 'int8' | undefined;
        fp16Weights?: boolean | undefined;
        size?: number | undefined;
    } = {},
): ModelSpec => {
    const s = opts.size ?? 16;
    return {
        inputs: [{ name: 'image', shape: [1, s, s, 3] }],
        layers: [
            { op: 'CONV_2D', name: 'stem', input: 'image', filters: 8, kernel: 3, stride: 2, activation: 'RELU6' },
            { op: 'CONV_2D', name: 'expand', input: 'stem', filters: 16, kernel: 1, activation: 'RELU6' },
            { op: 'DEPTHWISE_CONV_2D', name: 'dw', input: 'expand', kernel: 3, activation: 'RELU6' },
            { op: 'CONV_2D', name: 'project', input: 'dw', filters: 8, kernel: 1 },
            { op: 'ADD', name: 'residual', inputs: ['stem', 'project'] },
            { op: 'CONV_2D', name: 'branch_a', input: 'residual', filters: 4, kernel: 1, activation: 'RELU' },
            { op: 'CONV_2D', name: 'branch_b', input: 'residual', filters: 4, kernel: 3, activation: 'RELU' },
            { op: 'CONCATENATION', name: 'concat', inputs: ['branch_a', 'branch_b'] },
            { op: 'MUL', name: 'gate', inputs: ['concat', 'residual'] },
            { op: 'AVERAGE_POOL_2D', name: 'pool', input: 'gate', size: s / 2, padding: 'VALID' },
            { op: 'RESHAPE', name: 'flatten', input: 'pool', shape: [1, 8] },
            { op: 'FULLY_CONNECTED', name: 'logits', input: 'flatten', units: 5 },
            { op: 'SOFTMAX', name: 'probs', input: 'logits' },
        ],
        outputs: ['probs'],
        quantize: opts.quantize,
        fp16Weights: opts.fp16Weights,
        seed: 7,
        description: 'splitbench test model: residual CNN',
    };
};

/** Two inputs, two outputs; one output is produced early (so heads already produce a model output). */
export const twoInTwoOut = (opts: { quantize?: 'uint8' | 'int8' | undefined } = {}): ModelSpec => ({
    inputs: [
        { name: 'left', shape: [1, 8, 8, 2] },
        { name: 'right', shape: [1, 8, 8, 2] },
    ],
    layers: [
        { op: 'CONV_2D', name: 'left_conv', input: 'left', filters: 4, kernel: 3, activation: 'RELU' },
        { op: 'CONV_2D', name: 'right_conv', input: 'right', filters: 4, kernel: 1 },
        { op: 'ADD', name: 'early_sum', inputs: ['left_conv', 'right_conv'] },
        { op: 'DEPTHWISE_CONV_2D', name: 'dw', input: 'early_sum', kernel: 3, activation: 'RELU6' },
        { op: 'CONCATENATION', name: 'joined', inputs: ['dw', 'left'] },
        { op: 'CONV_2D', name: 'late', input: 'joined', filters: 3, kernel: 1 },
    ],
    outputs: ['early_sum', 'late'],
    quantize: opts.quantize,
    seed: 11,
    description: 'splitbench test model: two inputs, two outputs',
});

/**
 * A MobileNet-like block with depthwise convolutions and one skip connection, big enough that XNNPACK on/off
 * changes its latency several times over (benchmarks and the compare test use that as a real slowdown).
 * Ops: 0 c1 CONV_2D, 1 d1 DEPTHWISE, 2 c2 CONV_2D 1×1, 3 d2 DEPTHWISE, 4 c3 CONV_2D 1×1, 5 a3 ADD(c3, c2).
 */
export const depthwiseNet = (): ModelSpec => ({
    inputs: [{ name: 'image', shape: [1, 32, 32, 8] }],
    layers: [
        { op: 'CONV_2D', name: 'c1', input: 'image', filters: 32, kernel: 3, activation: 'RELU' },
        { op: 'DEPTHWISE_CONV_2D', name: 'd1', input: 'c1', kernel: 3, activation: 'RELU6' },
        { op: 'CONV_2D', name: 'c2', input: 'd1', filters: 32, kernel: 1, activation: 'RELU' },
        { op: 'DEPTHWISE_CONV_2D', name: 'd2', input: 'c2', kernel: 3, activation: 'RELU6' },
        { op: 'CONV_2D', name: 'c3', input: 'd2', filters: 32, kernel: 1, activation: 'RELU' },
        { op: 'ADD', name: 'a3', inputs: ['c3', 'c2'] },
    ],
    outputs: ['a3'],
    seed: 5,
});

/** A plain chain (no branches): every cut is exactly one tensor. */
export const chainCnn = (): ModelSpec => ({
    inputs: [{ name: 'x', shape: [1, 12, 12, 3] }],
    layers: [
        { op: 'CONV_2D', name: 'c1', input: 'x', filters: 6, kernel: 3, activation: 'RELU' },
        { op: 'MAX_POOL_2D', name: 'p1', input: 'c1', size: 2, stride: 2 },
        { op: 'CONV_2D', name: 'c2', input: 'p1', filters: 6, kernel: 3, activation: 'RELU' },
        { op: 'RESHAPE', name: 'flat', input: 'c2', shape: [1, 216] },
        { op: 'FULLY_CONNECTED', name: 'fc', input: 'flat', units: 4 },
    ],
    outputs: ['fc'],
    seed: 3,
});

// --- builder ------------------------------------------------------------------------------------------------

interface QParams {
    scale: number;
    zeroPoint: number;
}

interface TensorDef {
    name: string;
    shape: number[];
    dtype: DType;
    buffer: number;
    quant?: QParams | undefined;
}

interface OpDef {
    code: number;
    customCode?: string | undefined;
    customOptions?: Uint8Array | undefined;
    inputs: number[];
    outputs: number[];
    optionsType: number;
    options: ((b: Builder) => number) | undefined;
}

const ACT: Record<Activation, number> = { NONE: 0, RELU: 1, RELU6: 3 };
const PAD: Record<Padding, number> = { SAME: 0, VALID: 1 };

const rng = mulberry32;

const fail = (msg: string): never => {
    throw new SplitbenchError('USAGE', `model spec: ${msg}`);
};

const outSize = (size: number, k: number, stride: number, padding: Padding): number =>
    padding === 'SAME' ? Math.ceil(size / stride) : Math.ceil((size - k + 1) / stride);

class ModelAssembler {
    readonly tensors: TensorDef[] = [];
    readonly buffers: Uint8Array[] = [new Uint8Array(0)];
    readonly ops: OpDef[] = [];
    /** Operator codes: builtin code, or `custom:<name>` for custom ops. */
    readonly codes: (number | string)[] = [];
    readonly byName = new Map<string, number>();
    private readonly next: () => number;
    private readonly spec: ModelSpec;

    constructor(spec: ModelSpec) {
        this.spec = spec;
        this.next = rng(spec.seed ?? 1);
    }

    get quant(): 'uint8' | 'int8' | undefined {
        return this.spec.quantize;
    }

    /** Activation quantization shared by all activations, so concatenation and pooling need no rescaling. */
    actQuant(): QParams | undefined {
        if (this.quant === undefined) return undefined;
        return { scale: 1 / 16, zeroPoint: this.quant === 'uint8' ? 128 : 0 };
    }

    actType(): DType {
        return this.quant ?? 'float32';
    }

    tensor(def: TensorDef): number {
        this.tensors.push(def);
        return this.tensors.length - 1;
    }

    buffer(bytes: Uint8Array): number {
        this.buffers.push(bytes);
        return this.buffers.length - 1;
    }

    ref(name: string): number {
        const t = this.byName.get(name);
        if (t === undefined) fail(`unknown tensor '${name}'`);
        return t as number;
    }

    shapeOf(name: string): number[] {
        return this.tensors[this.ref(name)]?.shape ?? [];
    }

    op(code: string, inputs: number[], outputs: number[], optionsType: number, options?: (b: Builder) => number): void {
        const c = builtinCode(code);
        if (!this.codes.includes(c)) this.codes.push(c);
        this.ops.push({ code: c, inputs, outputs, optionsType, options });
    }

    customOp(name: string, inputs: number[], outputs: number[], options: Uint8Array | undefined): void {
        const key = `custom:${name}`;
        if (!this.codes.includes(key)) this.codes.push(key);
        this.ops.push({
            code: builtinCode('CUSTOM'),
            customCode: name,
            customOptions: options,
            inputs,
            outputs,
            optionsType: 0,
            options: undefined,
        });
    }

    activation(layer: LayerSpec, shape: number[], softmax = false): number {
        let quant = this.actQuant();
        if (softmax && quant !== undefined) quant = { scale: 1 / 256, zeroPoint: this.quant === 'uint8' ? 0 : -128 };
        const t = this.tensor({
            name: layer.unnamed === true ? '' : layer.name,
            shape,
            dtype: this.actType(),
            buffer: 0,
            quant,
        });
        if (this.byName.has(layer.name)) fail(`duplicate tensor name '${layer.name}'`);
        this.byName.set(layer.name, t);
        return t;
    }

    /** Random weights of `shape` (fan-in scaled), stored per the spec's variant; returns the tensor to feed the op. */
    weights(owner: string, shape: number[], fanIn: number, inQuant: QParams | undefined): number {
        const n = shape.reduce((a, d) => a * d, 1);
        const limit = 1.5 / Math.sqrt(fanIn);
        const values = Float32Array.from({ length: n }, () => (this.next() * 2 - 1) * limit);
        return this.constant(`${owner}/weights`, shape, values, 'weights', inQuant);
    }

    bias(owner: string, n: number, inQuant: QParams | undefined, wQuant: QParams | undefined): number {
        const values = Float32Array.from({ length: n }, () => (this.next() * 2 - 1) * 0.1);
        if (this.quant !== undefined && inQuant !== undefined && wQuant !== undefined) {
            const scale = inQuant.scale * wQuant.scale;
            const q = Int32Array.from(values, (v) => Math.round(v / scale));
            const buf = this.buffer(new Uint8Array(q.buffer));
            return this.tensor({
                name: `${owner}/bias`,
                shape: [n],
                dtype: 'int32',
                buffer: buf,
                quant: { scale, zeroPoint: 0 },
            });
        }
        return this.constant(`${owner}/bias`, [n], values, 'bias', undefined);
    }

    private constant(
        name: string,
        shape: number[],
        values: Float32Array,
        _kind: string,
        _inQuant: QParams | undefined,
    ): number {
        if (this.quant !== undefined) {
            const maxAbs = values.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
            const scale = maxAbs / 127;
            const zeroPoint = this.quant === 'uint8' ? 128 : 0;
            const q = this.quant === 'uint8' ? new Uint8Array(values.length) : new Int8Array(values.length);
            values.forEach((v, i) => (q[i] = Math.max(-127, Math.min(127, Math.round(v / scale))) + zeroPoint));
            const buf = this.buffer(new Uint8Array(q.buffer));
            return this.tensor({ name, shape, dtype: this.quant, buffer: buf, quant: { scale, zeroPoint } });
        }
        if (this.spec.fp16Weights === true) {
            const h = Uint16Array.from(values, toFloat16);
            const src = this.tensor({
                name: `${name}_fp16`,
                shape,
                dtype: 'float16',
                buffer: this.buffer(new Uint8Array(h.buffer)),
            });
            const out = this.tensor({ name, shape, dtype: 'float32', buffer: 0 });
            this.op('DEQUANTIZE', [src], [out], OPTIONS.DequantizeOptions, (b) => emptyTable(b));
            return out;
        }
        return this.tensor({ name, shape, dtype: 'float32', buffer: this.buffer(new Uint8Array(values.buffer)) });
    }

    quantOf(t: number): QParams | undefined {
        return this.tensors[t]?.quant;
    }
}

const emptyTable = (b: Builder): number => {
    b.startObject(0);
    return b.endObject();
};

const addLayer = (m: ModelAssembler, layer: LayerSpec): void => {
    switch (layer.op) {
        case 'CONV_2D': {
            const x = m.ref(layer.input);
            const [n, h, w, c] = m.shapeOf(layer.input) as [number, number, number, number];
            const k = layer.kernel ?? 3;
            const stride = layer.stride ?? 1;
            const padding = layer.padding ?? 'SAME';
            const wt = m.weights(layer.name, [layer.filters, k, k, c], k * k * c, m.quantOf(x));
            const bias = m.bias(layer.name, layer.filters, m.quantOf(x), m.quantOf(wt));
            const out = m.activation(layer, [
                n,
                outSize(h, k, stride, padding),
                outSize(w, k, stride, padding),
                layer.filters,
            ]);
            const act = ACT[layer.activation ?? 'NONE'];
            m.op('CONV_2D', [x, wt, bias], [out], OPTIONS.Conv2DOptions, (b) => {
                b.startObject(6);
                b.addFieldInt8(0, PAD[padding], -1);
                b.addFieldInt32(1, stride, -1);
                b.addFieldInt32(2, stride, -1);
                b.addFieldInt8(3, act, -1);
                b.addFieldInt32(4, 1, -1);
                b.addFieldInt32(5, 1, -1);
                return b.endObject();
            });
            return;
        }
        case 'DEPTHWISE_CONV_2D': {
            const x = m.ref(layer.input);
            const [n, h, w, c] = m.shapeOf(layer.input) as [number, number, number, number];
            const k = layer.kernel ?? 3;
            const stride = layer.stride ?? 1;
            const padding = layer.padding ?? 'SAME';
            const wt = m.weights(layer.name, [1, k, k, c], k * k, m.quantOf(x));
            const bias = m.bias(layer.name, c, m.quantOf(x), m.quantOf(wt));
            const out = m.activation(layer, [n, outSize(h, k, stride, padding), outSize(w, k, stride, padding), c]);
            const act = ACT[layer.activation ?? 'NONE'];
            m.op('DEPTHWISE_CONV_2D', [x, wt, bias], [out], OPTIONS.DepthwiseConv2DOptions, (b) => {
                b.startObject(7);
                b.addFieldInt8(0, PAD[padding], -1);
                b.addFieldInt32(1, stride, -1);
                b.addFieldInt32(2, stride, -1);
                b.addFieldInt32(3, 1, -1);
                b.addFieldInt8(4, act, -1);
                b.addFieldInt32(5, 1, -1);
                b.addFieldInt32(6, 1, -1);
                return b.endObject();
            });
            return;
        }
        case 'ADD':
        case 'MUL': {
            const [a, c] = layer.inputs.map((i) => m.ref(i)) as [number, number];
            const sa = m.shapeOf(layer.inputs[0]);
            const sb = m.shapeOf(layer.inputs[1]);
            if (sa.join() !== sb.join()) fail(`${layer.name}: shapes [${sa.join(',')}] and [${sb.join(',')}] differ`);
            const out = m.activation(layer, sa);
            const act = ACT[layer.activation ?? 'NONE'];
            m.op(layer.op, [a, c], [out], layer.op === 'ADD' ? OPTIONS.AddOptions : OPTIONS.MulOptions, (b) => {
                b.startObject(1);
                b.addFieldInt8(0, act, -1);
                return b.endObject();
            });
            return;
        }
        case 'CONCATENATION': {
            const ins = layer.inputs.map((i) => m.ref(i));
            const shapes = layer.inputs.map((i) => m.shapeOf(i));
            const first = shapes[0] ?? fail(`${layer.name}: no inputs`);
            const axis = layer.axis ?? first.length - 1;
            const shape = first.map((d, i) => (i === axis ? shapes.reduce((s, sh) => s + (sh[i] ?? 0), 0) : d));
            const out = m.activation(layer, shape);
            m.op('CONCATENATION', ins, [out], OPTIONS.ConcatenationOptions, (b) => {
                b.startObject(2);
                b.addFieldInt32(0, axis, -1);
                b.addFieldInt8(1, 0, -1);
                return b.endObject();
            });
            return;
        }
        case 'RESHAPE': {
            const x = m.ref(layer.input);
            const count = (s: number[]): number => s.reduce((a, d) => a * d, 1);
            if (count(m.shapeOf(layer.input)) !== count(layer.shape)) {
                fail(
                    `${layer.name}: cannot reshape [${m.shapeOf(layer.input).join(',')}] to [${layer.shape.join(',')}]`,
                );
            }
            const shapeBuf = m.buffer(new Uint8Array(Int32Array.from(layer.shape).buffer));
            const shapeT = m.tensor({
                name: `${layer.name}/shape`,
                shape: [layer.shape.length],
                dtype: 'int32',
                buffer: shapeBuf,
            });
            const out = m.activation(layer, layer.shape);
            const newShape = layer.shape;
            m.op('RESHAPE', [x, shapeT], [out], OPTIONS.ReshapeOptions, (b) => {
                b.startVector(4, newShape.length, 4);
                for (let i = newShape.length - 1; i >= 0; i--) b.addInt32(newShape[i] ?? 0);
                const v = b.endVector();
                b.startObject(1);
                b.addFieldOffset(0, v, 0);
                return b.endObject();
            });
            return;
        }
        case 'FULLY_CONNECTED': {
            const x = m.ref(layer.input);
            const shape = m.shapeOf(layer.input);
            const features = shape[shape.length - 1] ?? 1;
            const batch = shape.reduce((a, d) => a * d, 1) / features;
            const wt = m.weights(layer.name, [layer.units, features], features, m.quantOf(x));
            const bias = m.bias(layer.name, layer.units, m.quantOf(x), m.quantOf(wt));
            const out = m.activation(layer, [batch, layer.units]);
            const act = ACT[layer.activation ?? 'NONE'];
            m.op('FULLY_CONNECTED', [x, wt, bias], [out], OPTIONS.FullyConnectedOptions, (b) => {
                b.startObject(1);
                b.addFieldInt8(0, act, -1);
                return b.endObject();
            });
            return;
        }
        case 'SOFTMAX': {
            const x = m.ref(layer.input);
            const out = m.activation(layer, m.shapeOf(layer.input), true);
            const beta = layer.beta ?? 1;
            m.op('SOFTMAX', [x], [out], OPTIONS.SoftmaxOptions, (b) => {
                b.startObject(1);
                b.addFieldFloat32(0, beta, -1);
                return b.endObject();
            });
            return;
        }
        case 'CUSTOM': {
            const ins = layer.inputs.map((i) => m.ref(i));
            const out = m.activation(layer, layer.shape);
            m.customOp(layer.customCode, ins, [out], layer.options);
            return;
        }
        case 'AVERAGE_POOL_2D':
        case 'MAX_POOL_2D': {
            const x = m.ref(layer.input);
            const [n, h, w, c] = m.shapeOf(layer.input) as [number, number, number, number];
            const stride = layer.stride ?? layer.size;
            const padding = layer.padding ?? 'VALID';
            const out = m.activation(layer, [
                n,
                outSize(h, layer.size, stride, padding),
                outSize(w, layer.size, stride, padding),
                c,
            ]);
            const size = layer.size;
            m.op(layer.op, [x], [out], OPTIONS.Pool2DOptions, (b) => {
                b.startObject(6);
                b.addFieldInt8(0, PAD[padding], -1);
                b.addFieldInt32(1, stride, -1);
                b.addFieldInt32(2, stride, -1);
                b.addFieldInt32(3, size, -1);
                b.addFieldInt32(4, size, -1);
                b.addFieldInt8(5, 0, -1);
                return b.endObject();
            });
            return;
        }
    }
};

/** Alignment of buffer data kept after the flatbuffer (`externalBuffers`). */
const EXTERNAL_ALIGN = 16;

const serialise = (m: ModelAssembler, spec: ModelSpec, inputs: number[], outputs: number[]): Uint8Array => {
    if (spec.externalBuffers !== true) return serialiseWith(m, spec, inputs, outputs, undefined);
    // The offsets depend on the flatbuffer's length, which does not depend on their values (fixed-width uint64
    // fields): lay out once with placeholders, then again with the real offsets.
    const placeholder = m.buffers.map(() => 2n);
    const fbLength = serialiseWith(m, spec, inputs, outputs, placeholder).length;
    const offsets: bigint[] = [];
    let end = fbLength;
    for (const data of m.buffers) {
        end += (EXTERNAL_ALIGN - (end % EXTERNAL_ALIGN)) % EXTERNAL_ALIGN;
        offsets.push(BigInt(end));
        end += data.length;
    }
    const fb = serialiseWith(m, spec, inputs, outputs, offsets);
    if (fb.length !== fbLength) throw new SplitbenchError('INTERNAL', 'external-buffer layout changed size');
    const out = new Uint8Array(end);
    out.set(fb, 0);
    m.buffers.forEach((data, i) => out.set(data, Number(offsets[i] ?? 0n)));
    return out;
};

const serialiseWith = (
    m: ModelAssembler,
    spec: ModelSpec,
    inputs: number[],
    outputs: number[],
    externalOffsets: readonly bigint[] | undefined,
): Uint8Array => {
    const b = new Builder(1024 + m.buffers.reduce((s, x) => s + x.length + 32, 0));
    const vecOf = (offs: readonly number[]): number => {
        b.startVector(4, offs.length, 4);
        for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i] ?? 0);
        return b.endVector();
    };
    const ints = (xs: readonly number[]): number => {
        b.startVector(4, xs.length, 4);
        for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i] ?? 0);
        return b.endVector();
    };
    const buffers = m.buffers.map((data, i) => {
        const offset = externalOffsets?.[i];
        if (offset !== undefined && data.length > 0) {
            b.startObject(BUFFER.count);
            b.addFieldInt64(BUFFER.offset, offset, 0n);
            b.addFieldInt64(BUFFER.size, BigInt(data.length), 0n);
            return b.endObject();
        }
        const vec = data.length > 0 ? (b.prep(16, data.length), b.createByteVector(data)) : 0;
        b.startObject(BUFFER.count);
        if (vec !== 0) b.addFieldOffset(BUFFER.data, vec, 0);
        return b.endObject();
    });
    const tensors = m.tensors.map((t) => {
        const shape = ints(t.shape);
        const name = t.name === '' ? 0 : b.createString(t.name);
        let quant = 0;
        if (t.quant !== undefined) {
            b.startVector(4, 1, 4);
            b.addFloat32(t.quant.scale);
            const scale = b.endVector();
            b.startVector(8, 1, 8);
            b.addInt64(BigInt(t.quant.zeroPoint));
            const zp = b.endVector();
            b.startObject(QUANT.count);
            b.addFieldOffset(QUANT.scale, scale, 0);
            b.addFieldOffset(QUANT.zeroPoint, zp, 0);
            quant = b.endObject();
        }
        b.startObject(TENSOR.count);
        b.addFieldOffset(TENSOR.shape, shape, 0);
        b.addFieldInt8(TENSOR.type, dtypeCode(t.dtype), 0);
        b.addFieldInt32(TENSOR.buffer, t.buffer, 0);
        if (name !== 0) b.addFieldOffset(TENSOR.name, name, 0);
        if (quant !== 0) b.addFieldOffset(TENSOR.quantization, quant, 0);
        return b.endObject();
    });
    const ops = m.ops.map((o) => {
        const ins = ints(o.inputs);
        const outs = ints(o.outputs);
        const opts = o.options?.(b) ?? 0;
        const custom = o.customOptions !== undefined ? b.createByteVector(o.customOptions) : 0;
        const codeIndex = m.codes.indexOf(o.customCode !== undefined ? `custom:${o.customCode}` : o.code);
        b.startObject(OPERATOR.count);
        b.addFieldInt32(OPERATOR.opcodeIndex, codeIndex, 0);
        if (custom !== 0) b.addFieldOffset(OPERATOR.customOptions, custom, 0);
        b.addFieldOffset(OPERATOR.inputs, ins, 0);
        b.addFieldOffset(OPERATOR.outputs, outs, 0);
        if (opts !== 0) {
            b.addFieldInt8(OPERATOR.builtinOptionsType, o.optionsType, 0);
            b.addFieldOffset(OPERATOR.builtinOptions, opts, 0);
        }
        return b.endObject();
    });
    const codes = m.codes.map((c) => {
        const custom = typeof c === 'string' ? b.createString(c.slice('custom:'.length)) : 0;
        const code = typeof c === 'string' ? builtinCode('CUSTOM') : c;
        b.startObject(OPCODE.count);
        b.addFieldInt8(OPCODE.deprecatedBuiltinCode, Math.min(code, 127), 0);
        if (custom !== 0) b.addFieldOffset(OPCODE.customCode, custom, 0);
        b.addFieldInt32(OPCODE.version, 1, 0);
        b.addFieldInt32(OPCODE.builtinCode, code, 0);
        return b.endObject();
    });
    const tensorsVec = vecOf(tensors);
    const inVec = ints(inputs);
    const outVec = ints(outputs);
    const opsVec = vecOf(ops);
    const sgName = b.createString('main');
    b.startObject(SUBGRAPH.count);
    b.addFieldOffset(SUBGRAPH.tensors, tensorsVec, 0);
    b.addFieldOffset(SUBGRAPH.inputs, inVec, 0);
    b.addFieldOffset(SUBGRAPH.outputs, outVec, 0);
    b.addFieldOffset(SUBGRAPH.operators, opsVec, 0);
    b.addFieldOffset(SUBGRAPH.name, sgName, 0);
    const sg = b.endObject();
    const codesVec = vecOf(codes);
    const sgVec = vecOf([sg]);
    const buffersVec = vecOf(buffers);
    const desc = b.createString(spec.description ?? 'splitbench test model');
    b.startObject(MODEL.count);
    b.addFieldInt32(MODEL.version, 3, 0);
    b.addFieldOffset(MODEL.operatorCodes, codesVec, 0);
    b.addFieldOffset(MODEL.subgraphs, sgVec, 0);
    b.addFieldOffset(MODEL.description, desc, 0);
    b.addFieldOffset(MODEL.buffers, buffersVec, 0);
    b.finish(b.endObject(), FILE_IDENTIFIER);
    return b.asUint8Array().slice();
};

/** Builds a .tflite from `spec`. Throws SplitbenchError USAGE for an inconsistent spec. */
export const buildTestModel = (spec: ModelSpec): Uint8Array => {
    if (spec.quantize !== undefined && spec.fp16Weights === true) fail('quantize and fp16Weights exclude each other');
    const m = new ModelAssembler(spec);
    const inputs = spec.inputs.map((i) => {
        if (m.byName.has(i.name)) fail(`duplicate input '${i.name}'`);
        const t = m.tensor({ name: i.name, shape: i.shape, dtype: m.actType(), buffer: 0, quant: m.actQuant() });
        m.byName.set(i.name, t);
        return t;
    });
    for (const layer of spec.layers) addLayer(m, layer);
    const outputs = spec.outputs.map((o) => m.ref(o));
    if (outputs.length === 0) fail('no outputs');
    return serialise(m, spec, inputs, outputs);
};
