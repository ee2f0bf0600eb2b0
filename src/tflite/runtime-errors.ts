// Errors of the native TFLite runtime as one-line SplitbenchErrors: the runtime's own messages (captured through
// its error reporter) condensed, the op they name, and the model-file checks done before the runtime sees a file.
// No koffi here: native.ts passes the messages native-binding.ts collected in.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { SplitbenchError } from '../errors.js';
import { loadModel } from '../model/load.js';

/** Runtime messages as one line: sentences deduplicated (the runtime repeats itself per tensor), capped. */
const oneLine = (msgs: readonly string[]): string => {
    const parts = msgs
        .join('\n')
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('See instructions'));
    const seen = new Set<string>();
    const kept: string[] = [];
    for (const p of parts) {
        const key = p.replace(/\d+/g, '#');
        if (seen.has(key)) continue;
        seen.add(key);
        kept.push(p);
    }
    const text = kept.join(' ').replace(/\s+/g, ' ').trim();
    const dropped = parts.length - kept.length;
    const capped = text.length > 400 ? `${text.slice(0, 400)}…` : text;
    return dropped > 0 ? `${capped} (+${dropped} similar)` : capped;
};

export const runtimeError = (model: string, what: string, msgs: readonly string[]): SplitbenchError => {
    const text = oneLine(msgs);
    const node = /Node number (\d+) \(([^)]+)\)/.exec(text);
    const builtin = /Didn't find op for builtin opcode '([^']+)'/.exec(text);
    const at = node !== null ? ` at node ${node[1]}` : '';
    let lead = what;
    if (/Select TensorFlow op|Regular TensorFlow ops/.test(text) || (node !== null && node[2]?.startsWith('Flex'))) {
        lead = `TensorFlow (Flex) op${node !== null ? ` ${node[2]}` : ''}${at} not supported by the built-in runtime`;
    } else if (/unresolved custom op/i.test(text)) {
        lead = `custom op${node !== null ? ` ${node[2]}` : ''}${at} not supported by the built-in runtime`;
    } else if (builtin !== null) lead = `op ${builtin[1]} not supported by the built-in runtime (TFLite 2.9)`;
    else if (node !== null) lead = `${what}: op ${node[2]}${at} failed`;
    return new SplitbenchError('RUNTIME_FAILED', `model ${model}: ${lead}${text !== '' ? ` (runtime: ${text})` : ''}`, {
        details: { runtimeMessages: [...msgs], ...(node !== null ? { node: Number(node[1]), op: node[2] } : {}) },
    });
};

export const checkModelFile = (path: string): void => {
    if (!existsSync(path)) throw new SplitbenchError('NOT_FOUND', `model ${path}: file not found`);
    const st = statSync(path);
    if (!st.isFile()) throw new SplitbenchError('MODEL_INVALID', `model ${path}: not a regular file`);
    if (st.size < 8) throw new SplitbenchError('MODEL_INVALID', `model ${path}: not a TFLite file (${st.size} bytes)`);
    const head = Buffer.alloc(8);
    const fd = openSync(path, 'r');
    try {
        readSync(fd, head, 0, 8, 0);
    } finally {
        closeSync(fd);
    }
    const ident = head.subarray(4, 8).toString('latin1');
    if (ident !== 'TFL3') {
        throw new SplitbenchError(
            'MODEL_INVALID',
            `model ${path}: not a TFLite file (identifier ${JSON.stringify(ident.replace(/[^\x20-\x7e]/g, '?'))}, expected 'TFL3')`,
        );
    }
};

/**
 * The interpreter cannot be built with XNNPACK but can without it, and the runtime said nothing: TF 2.9's
 * Subgraph::ModifyGraphWithDelegate refuses a delegate without kTfLiteDelegateFlagsAllowDynamicTensors (XNNPACK
 * has none in 2.9) on a graph with dynamic-sized tensors, and logs why only in debug builds (TFLITE_LOG).
 */
export const xnnpackRefused = (name: string, modelPath: string): SplitbenchError => {
    let dynamic = 0;
    try {
        for (const sg of loadModel(modelPath).subgraphs) {
            dynamic += sg.tensors.filter((t) => t.shapeSignature?.includes(-1) === true).length;
        }
    } catch {
        // The reason below stands without the count.
    }
    const why =
        dynamic > 0
            ? `the graph has dynamic-sized tensors (${dynamic} with -1 dims) and TFLite 2.9 applies XNNPACK only to static-sized graphs`
            : 'the runtime reported no reason';
    return new SplitbenchError(
        'RUNTIME_FAILED',
        `model ${name}: Failed to apply XNNPACK delegate: ${why}; the model loads without it (--use_xnnpack=false)`,
        { details: { runtimeMessages: [], delegate: 'XNNPACK', dynamicTensors: dynamic } },
    );
};
