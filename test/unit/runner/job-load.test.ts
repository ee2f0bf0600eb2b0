import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LOAD_ARGV, jobLoad, ownCoresOf, parseLoadSnapshot } from '../../../src/runner/job-load.js';

// Two snapshots as LOAD_ARGV prints them on a 2-CPU host. Between them: total ticks 1000 → 1200 (+200 ticks of
// 2 CPUs = 1 s at USER_HZ 100), busy ticks +150 → busy share 150/200 = 0.75.
const before = `0.40 0.30 0.20 1/300 4000
cpu  300 0 100 500 50 0 0 0 0 0
cpu0 150 0 50 250 25 0 0 0 0 0
cpu1 150 0 50 250 25 0 0 0 0 0
`;
const after = `0.90 0.40 0.25 2/301 4100
cpu  400 10 130 540 60 5 3 2 0 0
cpu0 200 5 65 270 30 3 2 1 0 0
cpu1 200 5 65 270 30 2 1 1 0 0
`;

describe('job load', () => {
    it('parses loadavg and the aggregate cpu line (busy = user+nice+system+irq+softirq+steal)', () => {
        expect(parseLoadSnapshot(before)).toEqual({ loadAvg1: 0.4, busyTicks: 400, totalTicks: 950, cpus: 2 });
        // 400+10+130+5+3+2 = 550 busy; + idle 540 + iowait 60 = 1150
        expect(parseLoadSnapshot(after)).toEqual({ loadAvg1: 0.9, busyTicks: 550, totalTicks: 1150, cpus: 2 });
        expect(parseLoadSnapshot('')).toEqual({ cpus: 0 });
    });

    it('a 1-thread benchmark on a 2-CPU host that kept both busy is flagged; a 2-thread one is not', () => {
        const b = parseLoadSnapshot(before);
        const a = parseLoadSnapshot(after);
        // busy = (550-400)/(1150-950) = 150/200 = 0.75; one thread explains 1/2 → other 0.25 of 2 CPUs = 0.5 core
        const one = jobLoad(b, a, 1);
        expect(one).toMatchObject({ loadAvg1Before: 0.4, loadAvg1After: 0.9, busyFraction: 0.75, otherBusy: 0.25 });
        // exactly 0.5 core is not beyond the 0.5 limit
        expect(one?.flag).toBeUndefined();
        const busier = parseLoadSnapshot(after.replace('cpu  400 10', 'cpu  420 10'));
        // busy = 170/220 = 0.7727; other = 0.2727 × 2 = 0.545 core > 0.5
        const flagged = jobLoad(b, busier, 1);
        expect(flagged?.busyFraction).toBeCloseTo(170 / 220, 4);
        expect(flagged?.flag).toBe("0.55 core(s) busy beyond the benchmark's 1 of 2 CPU(s)");
        expect(jobLoad(b, busier, 2)).toMatchObject({ otherBusy: 0 });
        expect(jobLoad(b, busier, 2)?.flag).toBeUndefined();
    });

    it('a load average above the CPU count flags a job whose threads cover every core only if the CPUs saturated', () => {
        const b = parseLoadSnapshot(before.replace('0.40 0.30', '3.10 2.00'));
        // busy 150/200 = 75 %: the CPUs idled a quarter of the time, so nothing was queued behind the job; the
        // high average is what heavy work left behind (a 1-minute mean), not competition
        const stale = jobLoad(b, parseLoadSnapshot(after), 2);
        expect(stale).toMatchObject({ loadAvg1Before: 3.1, busyFraction: 0.75, otherBusy: 0 });
        expect(stale?.flag).toBeUndefined();
        // busy (400+10+130+5+3+2 + 40 = 590 − 400) / (590 + 500 + 50 − 950) = 190/190 = 100 %: saturated
        const full = parseLoadSnapshot(after.replace('cpu  400 10 130 540 60', 'cpu  440 10 130 500 50'));
        expect(jobLoad(b, full, 2)?.flag).toBe(
            'load average 3.10 above 2 CPU(s) before the job, CPUs 100 % busy during it',
        );
        // 0.95 exactly is saturated: busy 190 of 200 ticks
        const edge = parseLoadSnapshot(after.replace('cpu  400 10 130 540 60', 'cpu  440 10 130 500 60'));
        expect(jobLoad(b, edge, 2)?.busyFraction).toBe(0.95);
        expect(jobLoad(b, edge, 2)?.flag).toContain('CPUs 95 % busy');
        // without the after reading there is no busy share: the average alone decides, as before
        expect(jobLoad(b, undefined, 2)?.flag).toBe('load average 3.10 above 2 CPU(s) before the job');
    });

    it('reads this host through the real command: one cpuN line per online CPU, loadavg as the kernel says', () => {
        const [cmd, ...args] = LOAD_ARGV as [string, ...string[]];
        const snap = parseLoadSnapshot(execFileSync(cmd, args).toString());
        const online = readFileSync('/proc/stat', 'utf8')
            .split('\n')
            .filter((l) => /^cpu\d+ /.test(l)).length;
        expect(snap.cpus).toBe(online);
        expect(snap.loadAvg1).toBeGreaterThanOrEqual(0);
        expect(snap.totalTicks).toBeGreaterThan(snap.busyTicks ?? Infinity);
    });

    it('missing readings leave fields out, never fail', () => {
        expect(jobLoad(undefined, undefined, 1)).toBeUndefined();
        expect(jobLoad(parseLoadSnapshot('0.1 0.1 0.1 1/1 1\n'), undefined, 1)).toEqual({ loadAvg1Before: 0.1 });
    });

    it('own cores: threads capped by the taskset mask', () => {
        expect(ownCoresOf(4, undefined)).toBe(4);
        expect(ownCoresOf(4, '0x1')).toBe(1);
        expect(ownCoresOf(4, 'f0')).toBe(4);
        expect(ownCoresOf(2, '0x7')).toBe(2);
    });
});
