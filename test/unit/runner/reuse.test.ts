import { describe, expect, it } from 'vitest';
import { identityKey } from '../../../src/plan/plan.js';
import type { Job, JobIdentity } from '../../../src/plan/types.js';
import { decideReuse, latestCoveringRun } from '../../../src/runner/reuse.js';

const job = (id: string, device: string): Job => ({ id, device }) as Job;

const ID: JobIdentity = {
    runtime: { kind: 'builtin', splitbench: '0.1.0', tflite: '2.9.0' },
    deviceBuild: 'samsung/a01qxx/a01q:10/QP1A.190711.020/A015FXXU1ATC3:user/release-keys',
    threads: 4,
    cpuMask: 'f0',
    useXnnpack: false,
};

describe('identityKey', () => {
    it('changes with the runtime, the device build and the resolved settings, not with the binary path', () => {
        const k = identityKey(ID);
        expect(k).toMatch(/^[0-9a-f]{16}$/);
        expect(identityKey({ ...ID })).toBe(k);
        expect(identityKey({ ...ID, runtime: { kind: 'builtin', splitbench: '0.2.0', tflite: '2.9.0' } })).not.toBe(k);
        expect(identityKey({ ...ID, runtime: { kind: 'builtin', splitbench: '0.1.0', tflite: '2.16.1' } })).not.toBe(k);
        expect(identityKey({ ...ID, deviceBuild: ID.deviceBuild.replace('U1ATC3', 'U2BUA1') })).not.toBe(k);
        expect(identityKey({ ...ID, threads: 8 })).not.toBe(k);
        expect(identityKey({ ...ID, cpuMask: null })).not.toBe(k);
        const bm = (file: string, sha: string): JobIdentity => ({
            ...ID,
            runtime: { kind: 'benchmark_model', sha256: sha, file },
        });
        expect(identityKey(bm('/a/bm', 'a'.repeat(64)))).toBe(identityKey(bm('/b/bm', 'a'.repeat(64))));
        expect(identityKey(bm('/a/bm', 'a'.repeat(64)))).not.toBe(identityKey(bm('/a/bm', 'b'.repeat(64))));
    });
});

describe('decideReuse', () => {
    const measured = [
        { id: 'j1', runId: 'r1', runStartedAt: '2026-01-01', identityKey: 'k-old' },
        { id: 'j1', runId: 'r2', runStartedAt: '2026-01-02', identityKey: 'k-new' },
        { id: 'j2', runId: 'r1', runStartedAt: '2026-01-01', identityKey: 'k-old' },
        { id: 'j3', runId: 'r0', runStartedAt: '2025-12-01', identityKey: null },
    ];
    it('reuses a result only when the job id and the identity key match; unknown identity measures again', () => {
        const d = decideReuse({
            jobs: [job('j1', 'p'), job('j2', 'p'), job('j3', 'p'), job('j4', 'dead')],
            measured,
            keyOf: (j) => (j.device === 'dead' ? undefined : 'k-new'),
            fresh: false,
        });
        expect([...d.reusedFrom]).toEqual([['j1', 'r2']]);
        expect(d.todo.map((j) => j.id)).toEqual(['j2', 'j3', 'j4']);
    });
    it('--fresh measures everything; with --ue the other devices reuse their latest result whatever its key', () => {
        const d = decideReuse({
            jobs: [job('j1', 'p'), job('j2', 'srv'), job('j5', 'srv')],
            measured,
            keyOf: () => 'k-new',
            fresh: true,
            only: new Set(['p']),
        });
        expect([...d.reusedFrom]).toEqual([['j2', 'r1']]);
        expect(d.todo.map((j) => j.id)).toEqual(['j1']);
        expect(d.missing.map((j) => j.id)).toEqual(['j5']);
    });
    it('latestCoveringRun: the newest run whose report shows exactly the wanted results', () => {
        const want = new Map([
            ['j1', 'r2'],
            ['j2', 'r1'],
        ]);
        const runs = [
            {
                runId: 'r1',
                startedAt: '2026-01-01',
                sources: new Map([
                    ['j1', 'r1'],
                    ['j2', 'r1'],
                ]),
            },
            {
                runId: 'r2',
                startedAt: '2026-01-02',
                sources: new Map([
                    ['j1', 'r2'],
                    ['j2', 'r1'],
                ]),
            },
            {
                runId: 'r3',
                startedAt: '2026-01-03',
                sources: new Map([
                    ['j1', 'r3'],
                    ['j2', 'r1'],
                ]),
            },
        ];
        expect(latestCoveringRun(runs, want)?.runId).toBe('r2');
        expect(latestCoveringRun(runs.slice(0, 1), want)).toBeUndefined();
    });
});
