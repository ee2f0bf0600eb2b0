// Delegate lines from the tool (`Explicitly applied GPU delegate, ...`) and the runtime (`Created TensorFlow Lite
// XNNPACK delegate for CPU.`, `Replacing 49 out of 49 node(s) with delegate (TfLiteXNNPackDelegate) node, ...`).
import type { DelegateInfo } from './types.js';

/** One name per delegate whatever line mentions it: `TfLiteGpuDelegateV2`, `GPU` and `gpu` are the same one. */
export const canonicalDelegate = (raw: string): string => {
    const s = raw.toLowerCase();
    if (s.includes('xnn')) return 'XNNPACK';
    if (s.includes('gpu')) return 'GPU';
    if (s.includes('nnapi')) return 'NNAPI';
    if (s.includes('hexagon')) return 'Hexagon';
    if (s.includes('coreml')) return 'CoreML';
    if (s.includes('external') || s.startsWith('vx ')) return 'EXTERNAL';
    return raw;
};

/** Node types that are delegate kernels in an op table (not delegate-internal op names). */
export const isDelegateKernelType = (type: string): boolean =>
    type !== 'DelegateOpInvoke' && (/^TfLite\w*Delegate/.test(type) || type === 'Vx Delegate');

/**
 * A node in `Node number N (<type>) failed to prepare` that is a delegate kernel: TFLite's own (`TfLiteNnapiDelegate`,
 * `TfLiteGpuDelegateV2`, `TfLiteHexagonDelegate`, `TfLiteXNNPackDelegate`) or a vendor's (`Vx Delegate`,
 * `TfLiteArmnnDelegate`, `QnnDelegate`): the registration's custom_name of a delegate node ends in "Delegate".
 */
export const isDelegateNodeType = (type: string): boolean =>
    isDelegateKernelType(type) || (type !== 'DelegateOpInvoke' && /Delegate(?:V\d+)?$/i.test(type));

export interface DelegateEvent {
    /** The delegate the line is about, created in the list when new. */
    apply: (d: DelegateInfo) => void;
    name: string;
    /** The line starts the `Following operations are not supported by X delegate:` list. */
    startsUnsupportedList?: boolean;
}

const XNN_CREATED = /^Created TensorFlow Lite XNNPACK delegate for CPU/;
const CREATED_FOR = /^Created TensorFlow Lite delegate for (\w+)/;
const CREATED = /^(\w+) delegate created\.?\s*$/;
const KERNELS = /^Created (\d+) (\w+) delegate kernels/;
const REPLACING =
    /^Replacing (\d+)(?: out of (\d+))? node\(s\) with delegate \(([^)]+)\) node, yielding (\d+) partitions?(?: for subgraph (\d+))?/;
const DELEGATED_OUT_OF = /^(\w+) delegate: (\d+) nodes delegated out of (\d+) nodes(?: with (\d+) partitions)?/;
const EXPLICIT =
    /^Explicitly applied (\S+) delegate, and the model graph will be (completely|partially) executed by the delegate(?: w\/ (\d+) delegate kernels)?/;
const NOT_EXECUTED = /^Though (\S+) delegate is explicitly applied, the model graph will not be executed/;
const APPLIED_OLD = /^Applied (\S+) delegate(?:, and the model graph will be (completely|partially) executed)?/;
const UNSUPPORTED = /^Following operations are not supported by (\S+) delegate/;
const GPU_SPLIT = /^(\d+) operations will run on the (\S+), and the remaining (\d+) operations will run on the CPU/;

/** Recognises a delegate line; undefined for anything else. */
export const parseDelegateLine = (msg: string): DelegateEvent | undefined => {
    // All delegate lines mention "delegate" or "operations will run"; skip the regexes for everything else.
    if (!msg.includes('elegate') && !msg.includes('operations will run')) return undefined;
    if (XNN_CREATED.test(msg)) return { name: 'XNNPACK', apply: () => {} };
    let m = CREATED_FOR.exec(msg) ?? CREATED.exec(msg);
    if (m !== null) return { name: canonicalDelegate(m[1] as string), apply: () => {} };
    m = KERNELS.exec(msg);
    if (m !== null) {
        const kernels = Number(m[1]);
        return { name: canonicalDelegate(m[2] as string), apply: (d) => void (d.kernels = kernels) };
    }
    m = REPLACING.exec(msg);
    if (m !== null) {
        const [, replaced, total, kernel, partitions, subgraph] = m;
        if (subgraph !== undefined && subgraph !== '0')
            return { name: canonicalDelegate(kernel as string), apply: () => {} };
        return {
            name: canonicalDelegate(kernel as string),
            apply: (d) => {
                d.kernel = kernel;
                d.nodesReplaced = Number(replaced);
                if (total !== undefined) d.totalNodes = Number(total);
                d.partitions = Number(partitions);
            },
        };
    }
    m = DELEGATED_OUT_OF.exec(msg);
    if (m !== null) {
        const [, kernel, replaced, total, partitions] = m;
        return {
            name: canonicalDelegate(kernel as string),
            apply: (d) => {
                d.nodesReplaced ??= Number(replaced);
                d.totalNodes ??= Number(total);
                if (partitions !== undefined) d.partitions ??= Number(partitions);
            },
        };
    }
    m = EXPLICIT.exec(msg);
    if (m !== null) {
        const [, name, how, kernels] = m;
        return {
            name: canonicalDelegate(name as string),
            apply: (d) => {
                d.mode = how === 'completely' ? 'complete' : 'partial';
                if (kernels !== undefined) d.kernels = Number(kernels);
            },
        };
    }
    m = NOT_EXECUTED.exec(msg);
    if (m !== null) return { name: canonicalDelegate(m[1] as string), apply: (d) => void (d.mode = 'none') };
    m = APPLIED_OLD.exec(msg);
    if (m !== null) {
        const how = m[2];
        return {
            name: canonicalDelegate(m[1] as string),
            apply: (d) => {
                if (how !== undefined) d.mode = how === 'completely' ? 'complete' : 'partial';
            },
        };
    }
    m = UNSUPPORTED.exec(msg);
    if (m !== null) {
        return {
            name: canonicalDelegate(m[1] as string),
            startsUnsupportedList: true,
            apply: (d) => void (d.unsupportedOps ??= []),
        };
    }
    m = GPU_SPLIT.exec(msg);
    if (m !== null) {
        const onGpu = Number(m[1]);
        const onCpu = Number(m[3]);
        return {
            name: canonicalDelegate(m[2] as string),
            apply: (d) => {
                d.nodesReplaced ??= onGpu;
                d.totalNodes ??= onGpu + onCpu;
            },
        };
    }
    if (/^Going to apply \d+ delegates?/.test(msg)) return { name: '', apply: () => {} };
    return undefined;
};

/** `OP: reason` line inside the unsupported-op list: `UNPACK: Operation is not supported.`, `DELEGATE X: ...`. */
export const UNSUPPORTED_OP_LINE = /^([A-Z][A-Z0-9_]*(?: [A-Za-z0-9_]+)?):(.*)$/;
