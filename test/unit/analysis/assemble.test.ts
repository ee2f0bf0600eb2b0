import { describe, expect, it } from 'vitest';
import { assembleAnalysisInputs, type ModelFacts } from '../../../src/analysis/assemble.js';
import type { OpRow } from '../../../src/parse/types.js';
import type { JobResultRecord, ResultSummary } from '../../../src/store/types.js';

const SHA = 'cd'.repeat(32);

const summary = (avgUs: number | null, failureKind: ResultSummary['failureKind'] = null): ResultSummary => ({
    origin: 'runner',
    parserVersion: '1.0.0',
    avgUs,
    minUs: null,
    maxUs: null,
    stdUs: null,
    medianUs: null,
    p5Us: null,
    p95Us: null,
    initUs: null,
    initMs: null,
    firstUs: null,
    warmupAvgUs: null,
    count: null,
    failureKind,
    failureLine: failureKind === null ? null : 'ERROR: boom',
    truncated: false,
});

const op = (nodeIndex: number, avgMs: number): OpRow => ({
    nodeIndex,
    type: 'CONV_2D',
    firstMs: avgMs,
    avgMs,
    pct: 0,
    cdfPct: 0,
    memKb: 0,
    timesCalled: 1,
    name: `[t${nodeIndex}]:${nodeIndex}`,
    outputs: [`t${nodeIndex}`],
});

let seq = 0;
const result = (
    kind: JobResultRecord['kind'],
    device: string,
    role: 'ue' | 'server',
    o: {
        split?: number;
        rep?: number;
        avgUs?: number | null;
        ops?: OpRow[];
        samples?: number[];
        failed?: boolean;
    } = {},
): JobResultRecord => ({
    runId: 'r1',
    id: `job${seq++}`,
    kind,
    modelId: 'm',
    modelSha256: SHA,
    split: o.split ?? null,
    device,
    role,
    repetition: o.rep ?? 0,
    settings: {} as JobResultRecord['settings'],
    state: o.failed === true ? 'failed' : 'done',
    attempts: 1,
    error: null,
    startedAt: null,
    endedAt: null,
    modelPath: '/models/m.tflite',
    summary: summary(o.avgUs === undefined ? 1000 : o.avgUs, o.failed === true ? 'crash' : null),
    extra: {},
    ops: o.ops ?? [],
    samplesUs: o.samples ?? [],
    probe: null,
});

const facts: ModelFacts = {
    info: {
        name: 'm',
        sha256: SHA,
        opCount: 3,
        ops: [0, 1, 2].map((i) => ({ index: i, type: 'CONV_2D', outputs: [`t${i}`] })),
    },
    cuts: [0, 1].map((k) => ({
        after: k,
        tensors: [{ name: `t${k}`, shape: [1, 4], dtype: 'float32', bytes: 16 }],
        bytes: 16,
        outputsProduced: [],
    })),
};

describe('assembleAnalysisInputs', () => {
    it('pairs every UE with every server and sorts results into estimate, baseline, head and tail', () => {
        const rs = [
            result('estimate', 'phone', 'ue', { ops: [op(0, 1), op(1, 2), op(2, 3)], samples: [6000, 6100] }),
            result('estimate', 'pc', 'server', { ops: [op(0, 0.1), op(1, 0.2), op(2, 0.3)] }),
            result('baseline', 'phone', 'ue', { avgUs: 5900, rep: 1 }),
            result('baseline', 'phone', 'ue', { avgUs: 5800, rep: 0 }),
            result('measure-head', 'phone', 'ue', { split: 1, avgUs: 3000, samples: [2990, 3010] }),
            result('measure-tail', 'pc', 'server', { split: 1, avgUs: 300 }),
            // a failed benchmark and a result of another model are left out
            result('measure-head', 'phone', 'ue', { split: 0, failed: true }),
            { ...result('estimate', 'phone', 'ue', { ops: [op(0, 9)] }), modelSha256: 'ef'.repeat(32) },
        ];
        const inputs = assembleAnalysisInputs(rs, new Map([[SHA, facts]]), {
            networks: [{ name: 'LTE', uplinkMbps: 10, rttMs: 50 }],
        });
        expect(inputs).toHaveLength(1);
        const i = inputs[0];
        expect(i?.ueDevice).toBe('phone');
        expect(i?.serverDevice).toBe('pc');
        expect(i?.estimate.ue).toEqual([
            { ops: [op(0, 1), op(1, 2), op(2, 3)], inferenceAvgUs: 1000, samplesUs: [6000, 6100], sameModelFile: true },
        ]);
        expect(i?.estimate.server).toHaveLength(1);
        // repetition order, not insertion order
        expect(i?.measured.fullUe).toEqual([{ avgUs: 5800 }, { avgUs: 5900 }]);
        expect([...(i?.measured.head ?? new Map()).entries()]).toEqual([
            [1, [{ avgUs: 3000, samplesUs: [2990, 3010] }]],
        ]);
        expect([...(i?.measured.tail ?? new Map()).entries()]).toEqual([[1, [{ avgUs: 300 }]]]);
        // only the measured split is reported when nothing else is asked for
        expect(i?.cuts.map((c) => c.after)).toEqual([1]);
        expect(i?.networks).toEqual([{ name: 'LTE', uplinkMbps: 10, rttMs: 50 }]);
    });

    it("reports the campaign's split points when given, and every split point of an estimate-only run", () => {
        const est = [
            result('estimate', 'phone', 'ue', { ops: [op(0, 1)] }),
            result('estimate', 'pc', 'server', { ops: [op(0, 1)] }),
        ];
        const all = assembleAnalysisInputs(est, new Map([[SHA, facts]]), { networks: [] });
        expect(all[0]?.cuts.map((c) => c.after)).toEqual([0, 1]);
        const chosen = assembleAnalysisInputs(est, new Map([[SHA, facts]]), {
            networks: [],
            splits: new Map([[SHA, [0]]]),
        });
        expect(chosen[0]?.cuts.map((c) => c.after)).toEqual([0]);
        // two UEs and one server: two device pairs
        const two = assembleAnalysisInputs(
            [...est, result('estimate', 'tablet', 'ue', { ops: [op(0, 1)] })],
            new Map([[SHA, facts]]),
            {
                networks: [],
            },
        );
        expect(two.map((x) => `${x.ueDevice}→${x.serverDevice}`)).toEqual(['phone→pc', 'tablet→pc']);
    });
});
