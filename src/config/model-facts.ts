// ModelFacts for the campaign loader and planner, read from a .tflite file with the model toolkit.
// Does file I/O (through model/load.ts), so it is wired in by callers, never imported by pure code.
import { loadModel } from '../model/load.js';
import { graphFacts, splitPointIndices } from '../model/split-points.js';
import type { ModelFacts } from '../plan/splits.js';

/** Op count, valid split points and tensor producers of subgraph 0. Throws NOT_FOUND / MODEL_INVALID. */
export const readModelFacts = (absPath: string): ModelFacts => {
    const model = loadModel(absPath);
    const facts = graphFacts(model);
    const tensorProducers = new Map<string, number>();
    facts.sg.tensors.forEach((t, i) => {
        const op = facts.producer[i];
        if (op !== undefined && op >= 0 && t.name !== '') tensorProducers.set(t.name, op);
    });
    return { opCount: facts.sg.operators.length, splitPoints: splitPointIndices(facts), tensorProducers };
};
