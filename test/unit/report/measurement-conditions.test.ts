import { describe, expect, it } from 'vitest';
import {
    conditionLines,
    conditionsHtml,
    conditionsMarkdown,
    measurementConditions,
    mergeScheduling,
    type ConditionJob,
} from '../../../src/report/measurement-conditions.js';

const HOST = 'linux:3d1219c7c4c5404aaa1f6d2a48adfda4';
const job = (
    id: string,
    device: string,
    start: number,
    end: number,
    over: Partial<ConditionJob> = {},
): ConditionJob => ({
    id,
    runId: 'r1',
    device,
    kind: 'baseline',
    split: null,
    repetition: 0,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, start)).toISOString(),
    endedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, end)).toISOString(),
    cpuHost: HOST,
    load: {},
    ...over,
});

describe('measurement conditions', () => {
    it('finds devices that ran at the same time, per run, with the summed overlap', () => {
        const mc = measurementConditions(
            [
                job('u1', 'ue', 0, 10),
                job('s1', 'srv', 5, 12), // overlaps u1 by 5 s
                job('u2', 'ue', 12, 20),
                job('s2', 'srv', 18, 30), // overlaps u2 by 2 s
                job('p1', 'phone', 30, 40, { cpuHost: 'android:R58' }), // touches s2's end: no overlap
            ],
            { queues: [{ cpuHost: HOST, devices: ['ue', 'srv'] }], parallelOnSharedHost: true },
        );
        expect(mc.concurrent).toEqual([
            { devices: ['srv', 'ue'], sharedHost: true, overlappingJobs: 2, overlapSecs: 7, runs: ['r1'] },
        ]);
        const lines = conditionLines(mc);
        expect(lines).toContain(
            "Devices that share a host ran in parallel (scheduling.parallelOnSharedHost: true): ue + srv; their timings include each other's load.",
        );
        expect(lines).toContain(
            'Ran concurrently: srv and ue (same host: contended), 2 overlapping job pair(s), 7.0 s overlap.',
        );
    });

    it('serialized queues: no concurrency, and the queue layout is stated', () => {
        const mc = measurementConditions([job('u1', 'ue', 0, 10), job('s1', 'srv', 10, 20)], {
            queues: [{ cpuHost: HOST, devices: ['ue', 'srv'] }],
            parallelOnSharedHost: false,
        });
        expect(mc.concurrent).toEqual([]);
        expect(conditionLines(mc)).toEqual([
            'Devices by host: ue + srv (linux:3d1219c7…).',
            'Devices that share a host ran one job at a time: ue + srv.',
            'No two devices ran jobs at the same time.',
            'Load: no result flagged (2 of 2 results have a load reading).',
        ]);
    });

    it('compares jobs across runs: another run measuring meanwhile counts, on the same device it does not', () => {
        // 'old' (run r0, phone on its own host) spans 0–50 s: it overlaps ue 0–10 (10 s) and 12–20 (8 s), srv
        // 5–12 (7 s) and 18–30 (12 s); the phone's own job p1 in r1 is the same device and is skipped
        const mc = measurementConditions(
            [
                job('u1', 'ue', 0, 10),
                job('s1', 'srv', 5, 12),
                job('u2', 'ue', 12, 20),
                job('s2', 'srv', 18, 30),
                job('p1', 'phone', 30, 40, { cpuHost: 'android:R58' }),
                job('old', 'phone', 0, 50, { runId: 'r0', cpuHost: 'android:R58' }),
            ],
            null,
        );
        const byPair = Object.fromEntries(mc.concurrent.map((c) => [c.devices.join('+'), c]));
        expect(byPair).toEqual({
            'phone+ue': {
                devices: ['phone', 'ue'],
                sharedHost: false,
                overlappingJobs: 2,
                overlapSecs: 18,
                runs: ['r0', 'r1'],
            },
            'phone+srv': {
                devices: ['phone', 'srv'],
                sharedHost: false,
                overlappingJobs: 2,
                overlapSecs: 19,
                runs: ['r0', 'r1'],
            },
            'srv+ue': { devices: ['srv', 'ue'], sharedHost: true, overlappingJobs: 2, overlapSecs: 7, runs: ['r1'] },
        });
        expect(conditionLines(mc)).toContain(
            'Ran concurrently: phone and ue (different hosts), 2 overlapping job pair(s), 18.0 s overlap (jobs of runs r0, r1).',
        );
    });

    it('counts only pairs that involve a result; other jobs lend their times and their host', () => {
        // x and y (not results) overlap each other 0–5 s: not counted; x overlaps result r 8–12 s by 2 s, and x's
        // device shares r's host through the scheduling queues
        const mc = measurementConditions(
            [job('r', 'ue', 8, 12, { cpuHost: undefined })],
            { queues: [{ cpuHost: HOST, devices: ['ue', 'srv'] }], parallelOnSharedHost: false },
            [
                job('x', 'srv', 0, 10, { runId: 'r2', cpuHost: undefined }),
                job('y', 'other', 0, 5, { runId: 'r2', cpuHost: undefined }),
            ],
        );
        expect(mc.concurrent).toEqual([
            { devices: ['srv', 'ue'], sharedHost: true, overlappingJobs: 1, overlapSecs: 2, runs: ['r1', 'r2'] },
        ]);
        expect(mc.results).toBe(1);
        const lines = conditionLines(mc);
        // the queue said one at a time; the stored times say otherwise, so the block must not claim it
        expect(lines).not.toContain('Devices that share a host ran one job at a time: ue + srv.');
        expect(lines).toContain(
            'Devices that share a host were queued to run one job at a time, yet their jobs overlapped (see "Ran concurrently"): ue + srv.',
        );
    });

    it('lists every device of a result, also one the scheduling does not name, under its host', () => {
        const mc = measurementConditions(
            [
                job('u', 'ue-b', 0, 1, { cpuHost: 'linux:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }),
                job('s', 'srv', 2, 3),
                job('q', 'ph', 4, 5, { cpuHost: undefined }),
            ],
            {
                queues: [{ cpuHost: 'linux:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', devices: ['ue-b'] }],
                parallelOnSharedHost: false,
            },
        );
        expect(conditionLines(mc)[0]).toBe(
            'Devices by host: ue-b (linux:bbbbbbbb…); srv (linux:3d1219c7…); ph (host unknown).',
        );
    });

    it('merges the queues of several runs by host; parallel when any run was', () => {
        expect(
            mergeScheduling([
                { queues: [{ cpuHost: 'h2', devices: ['b'] }], parallelOnSharedHost: false },
                null,
                {
                    queues: [
                        { cpuHost: 'h1', devices: ['a', 's'] },
                        { cpuHost: 'h2', devices: ['b', 'c'] },
                    ],
                    parallelOnSharedHost: true,
                },
            ]),
        ).toEqual({
            queues: [
                { cpuHost: 'h2', devices: ['b', 'c'] },
                { cpuHost: 'h1', devices: ['a', 's'] },
            ],
            parallelOnSharedHost: true,
        });
        expect(mergeScheduling([null])).toBeNull();
    });

    it('lists load-flagged results in markdown and html, escaped', () => {
        const mc = measurementConditions(
            [
                job('u1', 'ue', 0, 10, {
                    kind: 'measure-head',
                    split: 4,
                    load: { flag: 'load average 3.10 above 2 CPU(s) | x' },
                }),
                job('u2', 'ue', 10, 20, { load: null }),
            ],
            null,
        );
        expect(mc.loadFlagged).toHaveLength(1);
        expect(mc.loadRecorded).toBe(1);
        const md = conditionsMarkdown(mc).join('\n');
        expect(md).toContain('- Devices by host: not recorded');
        expect(md).toContain('- Load: 1 of 2 results measured while other work used the device');
        // load inflates times by an unknown amount; an improvement divides two such times, so no direction is known
        expect(md).toContain(
            'their times are inflated by an unknown amount, and improvements computed from them can be wrong in either direction.',
        );
        expect(md).not.toContain('upper bound');
        expect(md).toContain('| ue | measure-head | 4 | 0 | r1 | load average 3.10 above 2 CPU(s) \\| x |');
        const html = conditionsHtml(mc);
        expect(html).toContain('<h2>Measurement conditions</h2>');
        expect(html).toContain('<td class="t">measure-head</td>');
    });

    it('states each device that ran more threads than CPUs, with its results', () => {
        const mc = measurementConditions(
            [
                job('u1', 'a01-sim', 0, 10, { threads: 4, cpus: 2 }),
                job('u2', 'a01-sim', 10, 20, { threads: 2, cpus: 2 }), // at the CPU count: not above
                job('u3', 'a01-sim', 20, 30, { threads: 3, cpus: 2 }),
                job('s1', 'srv', 30, 40, { threads: 2, cpus: 2 }),
                job('x1', 'old', 40, 50, { threads: 8 }), // CPUs unknown: no claim
            ],
            null,
        );
        expect(mc.oversubscribed).toEqual([{ device: 'a01-sim', threads: 4, cpus: 2, results: 2 }]);
        expect(conditionLines(mc)).toContain(
            'Threads above CPUs: a01-sim ran 4 threads on 2 CPU(s) (2 result(s)): the threads took turns on the ' +
                'cores, so its times include waiting for one.',
        );
        expect(
            conditionLines(measurementConditions([job('s1', 'srv', 0, 1, { threads: 2, cpus: 4 })], null)),
        ).not.toContain(expect.stringMatching(/^Threads above CPUs/));
    });
});
