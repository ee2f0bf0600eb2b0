// The Measurement conditions block of a report that reuses results: built by buildReportInput from a real SQLite
// store, it must cover the reused results' own run (its queues and its overlapping jobs) and another run that
// measured on the same host meanwhile. Times come from the store's injected clock, so every overlap is known.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conditionLines } from '../../../src/report/measurement-conditions.js';
import { buildReportInput } from '../../../src/runner/report-input.js';
import { openResultStore } from '../../../src/store/store-spec.js';
import { makeJob, makeResult, MODEL_SHA, newRun } from '../../support/store-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'splitbench-conditions-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const H = 'linux:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const H2 = 'linux:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('measurement conditions of a report that reuses results', () => {
    it('lists the reused results’ devices and overlaps, across runs, and does not claim one job at a time', async () => {
        let t = T0;
        const at = (s: number): void => {
            t = T0 + s * 1000;
        };
        const store = await openResultStore(
            { backend: 'sqlite', path: join(root, 'c.db'), from: 'test' },
            { now: () => new Date(t) },
        );
        try {
            await store.upsertModel({ sha256: MODEL_SHA, path: '/models/net.tflite', sizeBytes: 1000, opCount: 30 });
            const measure = async (runId: string, job: ReturnType<typeof makeJob>, from: number, to: number) => {
                at(from);
                await store.markJobRunning(runId, job.id, 1);
                at(to);
                await store.recordResult(runId, job.id, {
                    attempt: 1,
                    raw: { stdout: '', stderr: '', exitCode: 0 },
                    parsed: makeResult(),
                });
            };
            // run ra: ue-a and srv share host H and were queued one at a time, yet their jobs overlapped 5 s
            // (0–10 s and 5–12 s: min(10, 12) − 5 = 5)
            at(0);
            const ra = await store.createRun(newRun({ id: 'ra', startedAt: new Date(T0) }));
            await store.mergeRunOptions(ra.id, {
                scheduling: { queues: [{ cpuHost: H, devices: ['ue-a', 'srv'] }], parallelOnSharedHost: false },
            });
            const tail = makeJob({ kind: 'measure-tail', device: 'srv' });
            const headA = makeJob({ kind: 'measure-head', device: 'ue-a' });
            await store.upsertJobs(ra.id, [tail, headA]);
            await measure(ra.id, tail, 0, 10);
            await measure(ra.id, headA, 5, 12);
            at(13);
            await store.setRunState(ra.id, 'done');

            // run rb (the report's): ue-b alone on host H2, reusing srv's tail from ra; 100–110 s
            at(100);
            const headB = makeJob({ kind: 'measure-head', device: 'ue-b' });
            const rb = await store.createRun(
                newRun({
                    id: 'rb',
                    startedAt: new Date(T0 + 100_000),
                    options: { reused: [tail.id], reusedFrom: { [tail.id]: ra.id } },
                }),
            );
            await store.mergeRunOptions(rb.id, {
                scheduling: { queues: [{ cpuHost: H2, devices: ['ue-b'] }], parallelOnSharedHost: false },
            });
            await store.upsertJobs(rb.id, [headB]);
            // run rc, another campaign, measures loc-c on H2 meanwhile (105–108 s: 3 s inside ue-b's 100–110 s);
            // its job has no result in the report, only its stored times
            const rc = await store.createRun(
                newRun({
                    id: 'rc',
                    campaignName: 'mini',
                    campaignSha256: 'e'.repeat(64),
                    startedAt: new Date(T0 + 101_000),
                }),
            );
            await store.mergeRunOptions(rc.id, {
                scheduling: { queues: [{ cpuHost: H2, devices: ['loc-c'] }], parallelOnSharedHost: false },
            });
            const headC = makeJob({ kind: 'measure-head', device: 'loc-c' });
            await store.upsertJobs(rc.id, [headC]);
            at(105);
            await store.markJobRunning(rc.id, headC.id, 1);
            at(100);
            await store.markJobRunning(rb.id, headB.id, 1);
            at(108);
            await store.recordResult(rc.id, headC.id, {
                attempt: 1,
                raw: { stdout: '', stderr: '', exitCode: 0 },
                parsed: makeResult(),
            });
            at(110);
            await store.recordResult(rb.id, headB.id, {
                attempt: 1,
                raw: { stdout: '', stderr: '', exitCode: 0 },
                parsed: makeResult(),
            });
            await store.setRunState(rc.id, 'done');
            await store.setRunState(rb.id, 'done');

            const input = await buildReportInput(store, await store.getRun(rb.id), () => undefined);
            const mc = input.measurement;
            expect(mc?.results).toBe(2);
            const lines = conditionLines(mc!);
            expect(lines).toEqual([
                'Devices by host: ue-b (linux:bbbbbbbb…); ue-a + srv (linux:aaaaaaaa…).',
                'Devices that share a host were queued to run one job at a time, yet their jobs overlapped (see "Ran concurrently"): ue-a + srv.',
                'Ran concurrently: srv and ue-a (same host: contended), 1 overlapping job pair(s), 5.0 s overlap.',
                'Ran concurrently: loc-c and ue-b (same host: contended), 1 overlapping job pair(s), 3.0 s overlap (jobs of runs rb, rc).',
                expect.stringMatching(/^Load: no result flagged/),
            ]);
            expect(lines.join('\n')).not.toContain('ran one job at a time');
            expect(lines.join('\n')).not.toContain('No two devices ran jobs at the same time');
        } finally {
            await store.close();
        }
    });
});
