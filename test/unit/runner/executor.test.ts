import { describe, expect, it } from 'vitest';
import { SplitbenchError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { executeJobs, type JobOutcome, type QueuedJob } from '../../../src/runner/executor.js';
import { createProgress, timingNote } from '../../../src/runner/progress.js';
import { Writable } from 'node:stream';

const jobs = (device: string, n: number): QueuedJob[] =>
    Array.from({ length: n }, (_, i) => ({ id: `${device}-${i}`, device, label: `job ${i} on ${device}` }));

const base = {
    retries: 2,
    backoffBaseMs: 1,
    jobTimeoutMs: 5_000,
    log: silentLogger(),
};

describe('executeJobs', () => {
    it('runs one job at a time per device and devices in parallel', async () => {
        const running = new Map<string, number>();
        let maxPerDevice = 0;
        let maxOverall = 0;
        const outcomes: [string, JobOutcome][] = [];
        const summary = await executeJobs({
            ...base,
            jobs: [...jobs('a', 4), ...jobs('b', 4)],
            signal: new AbortController().signal,
            runJob: async (job) => {
                running.set(job.device, (running.get(job.device) ?? 0) + 1);
                maxPerDevice = Math.max(maxPerDevice, running.get(job.device) ?? 0);
                maxOverall = Math.max(
                    maxOverall,
                    [...running.values()].reduce((x, y) => x + y, 0),
                );
                await new Promise((r) => setTimeout(r, 20));
                running.set(job.device, (running.get(job.device) ?? 0) - 1);
            },
            onOutcome: (job, o) => {
                outcomes.push([job.id, o]);
            },
        });
        expect(summary).toEqual({ done: 8, failed: 0, notRun: 0, aborted: false });
        expect(maxPerDevice).toBe(1);
        expect(maxOverall).toBe(2);
        // per-device order is the planned order
        expect(outcomes.filter(([id]) => id.startsWith('a')).map(([id]) => id)).toEqual(['a-0', 'a-1', 'a-2', 'a-3']);
    });

    it('devices that share a host share one queue: never at the same time, jobs alternating; others in parallel', async () => {
        const running = new Set<string>();
        const order: string[] = [];
        let sharedOverlap = 0;
        let maxOverall = 0;
        const lines: string[] = [];
        const out = new Writable({
            write(c: Buffer, _e, cb): void {
                lines.push(
                    ...c
                        .toString()
                        .split('\n')
                        .filter((l) => l !== ''),
                );
                cb();
            },
        });
        const summary = await executeJobs({
            ...base,
            jobs: [...jobs('ue', 3), ...jobs('srv', 2), ...jobs('phone', 2)],
            queues: [['ue', 'srv']],
            signal: new AbortController().signal,
            progress: createProgress(out),
            runJob: async (job) => {
                if (job.device !== 'phone') {
                    order.push(job.id);
                    if (running.has(job.device === 'ue' ? 'srv' : 'ue')) sharedOverlap++;
                }
                running.add(job.device);
                maxOverall = Math.max(maxOverall, running.size);
                await new Promise((r) => setTimeout(r, 15));
                running.delete(job.device);
            },
            onOutcome: () => undefined,
        });
        expect(summary).toEqual({ done: 7, failed: 0, notRun: 0, aborted: false });
        expect(sharedOverlap).toBe(0);
        // alternating, each device in its planned order; the longer list finishes alone
        expect(order).toEqual(['ue-0', 'srv-0', 'ue-1', 'srv-1', 'ue-2']);
        // the phone's queue ran beside the shared one
        expect(maxOverall).toBe(2);
        // progress per queue: the shared queue counts 5 jobs and names the device of each
        expect(lines).toContain('ue+srv: 5 job(s) queued');
        expect(lines).toContain('phone: 2 job(s) queued');
        expect(lines.some((l) => l.startsWith('ue+srv: done srv: job 0 on srv in '))).toBe(true);
    });

    it('retries transport failures only, and a failing benchmark is a result', async () => {
        const attempts = new Map<string, number>();
        const outcomes = new Map<string, { o: JobOutcome; n: number }>();
        const summary = await executeJobs({
            ...base,
            jobs: [
                { id: 'flaky', device: 'd', label: 'flaky' },
                { id: 'dead', device: 'd', label: 'dead' },
                { id: 'bench-fails', device: 'd', label: 'bench-fails' },
            ],
            signal: new AbortController().signal,
            runJob: (job) => {
                const n = (attempts.get(job.id) ?? 0) + 1;
                attempts.set(job.id, n);
                if (job.id === 'flaky' && n < 2) throw new SplitbenchError('DEVICE_UNREACHABLE', 'link dropped');
                if (job.id === 'dead') throw new SplitbenchError('TRANSFER_FAILED', 'push failed');
                if (job.id === 'bench-fails') throw new SplitbenchError('RUNTIME_FAILED', 'op FOO not supported');
                return Promise.resolve({ note: 'ok' });
            },
            onOutcome: (job, o, n) => {
                outcomes.set(job.id, { o, n });
            },
        });
        expect(summary.done).toBe(1);
        expect(summary.failed).toBe(2);
        expect(attempts.get('flaky')).toBe(2);
        expect(attempts.get('dead')).toBe(3); // 1 + 2 retries
        expect(attempts.get('bench-fails')).toBe(1);
        expect(outcomes.get('dead')).toEqual({
            o: { state: 'failed', error: 'push failed', code: 'TRANSFER_FAILED' },
            n: 3,
        });
    });

    it('times out a hung job and stops cleanly on abort, leaving the rest not run', async () => {
        const ctl = new AbortController();
        const started: string[] = [];
        const p = executeJobs({
            ...base,
            retries: 0,
            jobTimeoutMs: 50,
            jobs: jobs('d', 5),
            signal: ctl.signal,
            runJob: (job, ctx) => {
                started.push(job.id);
                if (job.id === 'd-0') return new Promise(() => undefined); // never settles: the timeout ends it
                if (job.id === 'd-2') ctl.abort(new SplitbenchError('ABORTED', 'interrupted'));
                return new Promise((_, reject) =>
                    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error)),
                );
            },
            onOutcome: () => undefined,
        });
        const summary = await p;
        expect(summary.aborted).toBe(true);
        expect(summary.failed).toBe(2); // d-0 timed out, d-1 timed out
        expect(summary.notRun).toBe(3); // d-2 interrupted, d-3 and d-4 never started
        expect(started).toEqual(['d-0', 'd-1', 'd-2']);
    });
});

describe('progress (plain lines when not a terminal)', () => {
    it('labels the per-repetition value: median of raw samples, else the average', () => {
        expect(timingNote({ avgUs: 48_860, samplesUs: [48_350, 47_900, 52_000, 48_400, 48_100] })).toBe(
            'median 48.35 ms',
        );
        expect(timingNote({ avgUs: 48_860 })).toBe('avg 48.86 ms');
        expect(timingNote({ avgUs: 48_860, samplesUs: [] })).toBe('avg 48.86 ms');
        expect(timingNote({})).toBeUndefined();
    });

    it('prints queue sizes and one line per finished job with an ETA', () => {
        let text = '';
        const out = new Writable({
            write(c: Buffer, _e, cb) {
                text += c.toString();
                cb();
            },
        });
        let now = 0;
        const p = createProgress(out, () => now);
        p.start('phone', 2);
        p.jobStarted('phone', 'estimate m');
        now = 4000;
        // samples 12, 48, 11 ms: median 12 ms (their average would be 23.67)
        p.jobFinished(
            'phone',
            'estimate m',
            true,
            4000,
            timingNote({ avgUs: 23_667, samplesUs: [12_000, 48_000, 11_000] }),
        );
        p.jobFinished('phone', 'measure-head m@3', false, 2000, 'device phone: offline');
        expect(text.split('\n')).toEqual([
            'phone: 2 job(s) queued',
            'phone: done estimate m in 4s (1/2, ETA 4s) — median 12.00 ms',
            'phone: FAILED measure-head m@3 in 2s (2/2, ETA 0s) — device phone: offline',
            '',
        ]);
    });
});
