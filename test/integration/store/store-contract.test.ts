// The results store's contract, run against both backends: SQLite on a temp file and PostgreSQL on a private
// server (test/support/postgres.ts). Same inputs, same expected records, computed by hand from the fixtures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openResultStore, type StoreSpec } from '../../../src/store/store-spec.js';
import type { AsyncResultStore, LeaseHolder } from '../../../src/store/types.js';
import { startPostgres, type PostgresHandle } from '../../support/postgres.js';
import { makeJob, makeOps, makeResult, MODEL_SHA, newRun } from '../../support/store-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'splitbench-contract-'));
let pg: PostgresHandle | undefined;
beforeAll(async () => {
    pg = await startPostgres();
});
afterAll(async () => {
    await pg?.stop();
    rmSync(root, { recursive: true, force: true });
});
let n = 0;

const clock = () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    return () => new Date((t += 1000));
};

const BACKENDS: { name: string; spec: () => Promise<StoreSpec> }[] = [
    {
        name: 'sqlite',
        spec: () => Promise.resolve({ backend: 'sqlite', path: join(root, `c${n++}.db`), from: 'test' }),
    },
    {
        name: 'postgres',
        spec: async () => ({ backend: 'postgres', url: await pg!.createDatabase(), from: 'test' }),
    },
];

describe.each(BACKENDS)('ResultStore on $name', ({ spec }) => {
    let store: AsyncResultStore;
    beforeEach(async () => {
        store = await openResultStore(await spec(), { now: clock() });
        await store.upsertModel({ sha256: MODEL_SHA, path: '/models/net.tflite', sizeBytes: 1000, opCount: 30 });
    });
    afterEach(() => store.close());

    it('round-trips runs, probes, jobs, raw outputs, summaries, op rows and samples', async () => {
        const run = await store.createRun(newRun({ options: { ue: ['ue1'] } }));
        expect(run).toMatchObject({ state: 'running', gitCommit: 'abc1234', endedAt: null, options: { ue: ['ue1'] } });
        expect(run.id).toMatch(/^20260101-000001-[0-9a-f]{4}$/);
        const probeId = await store.recordProbe(run.id, 'ue1', {
            kind: 'adb',
            probedAt: '2026-01-01T00:00:05Z',
            os: 'Android 10',
            arch: 'aarch64',
            abis: ['arm64-v8a'],
            cores: 8,
            coreMaxFreqKhz: [],
            governors: [],
            thermalC: { cpu: 41.5 },
            workDir: '/data/local/tmp/splitbench',
        });
        const head = makeJob({ kind: 'measure-head' });
        const est = makeJob({ kind: 'estimate' });
        const bad = makeJob({ kind: 'baseline' });
        await store.upsertJobs(run.id, [head, est, bad]);
        await store.upsertJobs(run.id, [head]); // idempotent
        expect((await store.jobs(run.id)).map((j) => [j.id, j.state])).toEqual([
            [head.id, 'pending'],
            [est.id, 'pending'],
            [bad.id, 'pending'],
        ]);
        await store.markJobRunning(run.id, head.id, 1);
        await store.recordAttempt(run.id, head.id, 1, {
            stdout: 'partial',
            stderr: 'connection reset',
            exitCode: null,
        });
        await store.markJobRunning(run.id, head.id, 2);
        const parsed = makeResult({ ops: 6, samples: 7, avgUs: 2000 });
        await store.recordResult(run.id, head.id, {
            attempt: 2,
            probeId,
            raw: { argv: ['benchmark_model', '--graph=x'], stdout: 'out', stderr: 'err', exitCode: 0, durationMs: 812 },
            parsed,
        });
        await store.markJobRunning(run.id, bad.id, 1);
        await store.recordResult(run.id, bad.id, {
            attempt: 1,
            raw: { stdout: 'o', stderr: 'e', exitCode: 1 },
            parsed: makeResult({ failure: true }),
        });
        await store.markJobRunning(run.id, est.id);
        await store.markJobFailed(run.id, est.id, 'device ue1 unreachable: connection refused');

        const jobs = await store.jobs(run.id);
        expect(jobs.map((j) => [j.state, j.attempts, j.error])).toEqual([
            ['done', 2, null],
            ['failed', 1, 'device ue1 unreachable: connection refused'],
            ['failed', 1, 'unsupported_op: ERROR: Op type not registered'],
        ]);
        expect(jobs[0]?.settings).toEqual(head.settings);
        expect(await store.rawOutputs(run.id, head.id)).toEqual([
            {
                attempt: 1,
                argv: undefined,
                stdout: 'partial',
                stderr: 'connection reset',
                exitCode: null,
                durationMs: undefined,
                parserVersion: undefined,
            },
            {
                attempt: 2,
                argv: ['benchmark_model', '--graph=x'],
                stdout: 'out',
                stderr: 'err',
                exitCode: 0,
                durationMs: 812,
                parserVersion: 'test-1',
            },
        ]);

        const results = await store.jobResults({ runId: run.id });
        expect(results.map((r) => r.id)).toEqual([head.id, bad.id]);
        const r = results[0]!;
        expect(r).toMatchObject({
            kind: 'measure-head',
            split: 3,
            device: 'ue1',
            role: 'ue',
            repetition: 0,
            modelPath: '/models/net.tflite',
        });
        expect(r.summary).toEqual({
            origin: 'runner',
            parserVersion: 'test-1',
            avgUs: 2000,
            minUs: 1998,
            maxUs: 2004,
            stdUs: 1.4,
            medianUs: 2000,
            p5Us: 1998,
            p95Us: 2004,
            initUs: 12500,
            initMs: 12.5,
            firstUs: 1500,
            warmupAvgUs: 1100,
            count: 7,
            failureKind: null,
            failureLine: null,
            truncated: false,
        });
        expect(r.ops).toEqual(makeOps(6).map((o) => ({ ...o, cdfPct: 0 })));
        expect(r.samplesUs).toEqual(parsed.samplesUs);
        expect(r.extra.memory).toEqual({ peakMb: 30.5 });
        expect(r.extra.timed?.count).toBe(7);
        expect(r.probe?.thermalC).toEqual({ cpu: 41.5 });
        expect(results[1]?.summary.failureKind).toBe('unsupported_op');
        expect(await store.lastAvgUs([head.id, est.id, 'nope'])).toEqual(new Map([[head.id, 2000]]));
    });

    it('finds resumable runs and done jobs per run, per campaign name and per campaign file', async () => {
        const a = makeJob({ split: 1 });
        const b = makeJob({ split: 2 });
        const r1 = await store.createRun(newRun({ id: 'r1' }));
        await store.upsertJobs(r1.id, [a, b]);
        await store.markJobRunning(r1.id, a.id);
        await store.recordResult(r1.id, a.id, {
            attempt: 1,
            raw: { stdout: '', stderr: '', exitCode: 0 },
            parsed: makeResult({ avgUs: 10 }),
        });
        await store.markJobRunning(r1.id, b.id); // then the process died
        expect((await store.findResumableRun('f'.repeat(64)))?.id).toBe('r1');
        expect(await store.resetUnfinished(r1.id)).toBe(1);
        expect((await store.jobs(r1.id)).map((j) => j.state)).toEqual(['done', 'pending']);
        await store.setRunState(r1.id, 'interrupted');
        expect((await store.getRun('r1')).state).toBe('interrupted');
        expect((await store.getRun('r1')).endedAt).toMatch(/^2026-01-01T/);
        expect((await store.findResumableRun('f'.repeat(64)))?.id).toBe('r1');
        await store.setRunState(r1.id, 'running');
        expect((await store.getRun('r1')).endedAt).toBeNull();
        await store.setRunState(r1.id, 'done');
        expect(await store.findResumableRun('f'.repeat(64))).toBeUndefined();

        // a second run of the same campaign (edited file) re-measures a on a new device and b
        const c = makeJob({ split: 1, device: 'ue2' });
        const r2 = await store.createRun(newRun({ id: 'r2', campaignSha256: 'e'.repeat(64) }));
        await store.upsertJobs(r2.id, [a, b, c]);
        for (const [job, us] of [
            [a, 20],
            [c, 30],
        ] as const) {
            await store.markJobRunning(r2.id, job.id);
            await store.recordResult(r2.id, job.id, {
                attempt: 1,
                raw: { stdout: '', stderr: '', exitCode: 0 },
                parsed: makeResult({ avgUs: us }),
            });
        }
        expect(await store.doneJobIds({ runId: 'r1' })).toEqual(new Set([a.id]));
        expect(await store.doneJobIds({ runId: 'r2' })).toEqual(new Set([a.id, c.id]));
        expect(await store.doneJobIds({ campaignName: 'c1' })).toEqual(new Set([a.id, c.id]));
        expect(await store.doneJobIds({ campaignSha256: 'f'.repeat(64) })).toEqual(new Set([a.id]));
        const all = await store.jobResults({ campaignName: 'c1' });
        expect(all.map((r) => [r.runId, r.device, r.summary.avgUs])).toEqual([
            ['r2', 'ue1', 20], // the later measurement of a supersedes r1's
            ['r2', 'ue2', 30],
        ]);
        expect((await store.jobResults({ runId: 'r1' })).map((r) => r.summary.avgUs)).toEqual([10]);
        expect(await store.lastAvgUs([a.id])).toEqual(new Map([[a.id, 20]]));

        expect((await store.listRuns()).map((r) => [r.id, r.state, r.jobs])).toEqual([
            ['r2', 'running', { total: 3, pending: 1, running: 0, done: 2, failed: 0 }],
            ['r1', 'done', { total: 2, pending: 1, running: 0, done: 1, failed: 0 }],
        ]);
        expect((await store.getRun('latest')).id).toBe('r2');
        await expect(store.getRun('r')).rejects.toThrow(/run "r" is ambiguous: r1, r2/);
        await expect(store.getRun('zzz')).rejects.toThrow(/no run "zzz"/);
        await expect(store.markJobFailed('r1', 'nope', 'x')).rejects.toThrow(/job nope is not part of run r1/);
    });

    it('rejects jobs whose model was never recorded', async () => {
        const run = await store.createRun(newRun());
        const orphan = { ...makeJob(), modelSha256: '9'.repeat(64) };
        await expect(store.upsertJobs(run.id, [orphan])).rejects.toThrow(/cannot add jobs to run .*foreign key/i);
        expect(await store.jobs(run.id)).toEqual([]);
    });

    it('leases a device to one run at a time until released or expired, and lists holders', async () => {
        const alice: LeaseHolder = { runId: 'run-a', user: 'alice', host: 'lab1', pid: 101 };
        const bob: LeaseHolder = { runId: 'run-b', user: 'bob', host: 'lab2', pid: 202 };
        const first = await store.acquireLease('a01', alice, 60_000);
        expect(first.acquired).toBe(true);
        const denied = await store.acquireLease('a01', bob, 60_000);
        expect(denied).toMatchObject({
            acquired: false,
            holder: { device: 'a01', runId: 'run-a', user: 'alice', host: 'lab1', pid: 101, expired: false },
        });
        // another process of the same run (a --resume while the first still renews) is refused; the dead first
        // process named in takeOver is taken over, and the run keeps its start time
        expect(await store.acquireLease('a01', { ...alice, pid: 103 }, 60_000)).toMatchObject({
            acquired: false,
            holder: { runId: 'run-a', pid: 101 },
        });
        const again = await store.acquireLease('a01', { ...alice, pid: 103 }, 60_000, alice);
        expect(again.acquired && again.lease.since).toBe(first.acquired && first.lease.since);
        // the holding process asks again (renewal by acquire): still its own
        expect((await store.acquireLease('a01', { ...alice, pid: 103 }, 60_000)).acquired).toBe(true);
        expect(await store.acquireLease('s1', bob, 60_000)).toMatchObject({ acquired: true });
        expect((await store.listLeases()).map((l) => [l.device, l.runId, l.pid])).toEqual([
            ['a01', 'run-a', 103],
            ['s1', 'run-b', 202],
        ]);
        // renewal only touches the caller's leases
        expect(await store.renewLeases('run-a', ['a01', 's1'], 60_000)).toEqual(['a01']);
        // a named dead holder can be taken over; a wrong guess cannot
        expect(
            (await store.acquireLease('a01', bob, 60_000, { runId: 'run-a', pid: 999, host: 'lab1' })).acquired,
        ).toBe(false);
        expect(
            (await store.acquireLease('a01', bob, 60_000, { runId: 'run-a', pid: 103, host: 'lab1' })).acquired,
        ).toBe(true);
        await store.releaseLeases('run-a', ['a01']); // no longer run-a's: left alone
        expect((await store.listLeases()).map((l) => l.runId)).toEqual(['run-b', 'run-b']);
        await store.releaseLeases('run-b', ['a01', 's1']);
        expect(await store.listLeases()).toEqual([]);
        // a lease that is not renewed expires and the next run takes it
        expect((await store.acquireLease('p9', alice, 1)).acquired).toBe(true);
        await new Promise((r) => setTimeout(r, 20));
        expect((await store.listLeases())[0]?.expired).toBe(true);
        expect(await store.renewLeases('run-b', ['p9'], 60_000)).toEqual([]);
        expect(await store.acquireLease('p9', bob, 60_000)).toMatchObject({
            acquired: true,
            lease: { runId: 'run-b' },
        });
    });
});
