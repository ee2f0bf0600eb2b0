// The model toolkit's view of a model (ops, split points, cuts) in the analysis' terms.
import { mainSubgraph } from '../model/read.js';
import { graphFacts, splitAt, splitPointIndices } from '../model/split-points.js';
import type { TfliteModel } from '../model/types.js';
import type { ModelFacts } from './assemble.js';

const sumBytes = (xs: readonly (number | null)[]): number | null =>
    xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + (x ?? 0), 0);

export const modelFacts = (model: TfliteModel, name: string, sha256: string, only?: readonly number[]): ModelFacts => {
    const sg = mainSubgraph(model);
    const facts = graphFacts(model);
    const tensorName = (i: number): string => sg.tensors[i]?.name ?? `#${i}`;
    const ks = only ?? splitPointIndices(facts);
    const cuts = ks.map((k) => {
        const sp = splitAt(facts, k);
        return {
            after: k,
            tensors: sp.cut.map((t) => ({ name: t.name, shape: t.shape, dtype: t.dtype, bytes: t.bytes })),
            bytes: sp.bytes,
            outputsProduced: sp.outputsAlreadyProduced.map((t) => t.name),
        };
    });
    return {
        info: {
            name,
            sha256,
            opCount: sg.operators.length,
            ops: sg.operators.map((op, index) => {
                const outs = op.outputs.filter((i) => i >= 0);
                return {
                    index,
                    type: op.type,
                    outputs: outs.map(tensorName),
                    outputBytes: sumBytes(outs.map((i) => sg.tensors[i]?.bytes ?? null)),
                    constant: facts.constOp[index] === true,
                };
            }),
            inputBytes: sumBytes(sg.inputs.map((i) => facts.cutRefs[i]?.bytes ?? sg.tensors[i]?.bytes ?? null)),
            outputBytes: sumBytes(sg.outputs.map((i) => sg.tensors[i]?.bytes ?? null)),
        },
        cuts,
    };
};
