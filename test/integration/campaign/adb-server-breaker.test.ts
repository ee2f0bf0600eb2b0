// The circuit breaker per adb server, end to end: three simulated phones on one real adb server (b1, b2, b3), one
// on another (a1), and the local server device, in one campaign. When b1's first benchmark is running, host b
// drops (its phones go away and its adb server is killed). b1 and b2 each spend their own 3 attempts (2 retries)
// and are given up; that is two phones of one server, so the server is given up and b3's jobs fail at once naming
// the server and the cause, without b3 making a connection attempt of its own. a1 and srv finish.
// Deterministic: every device shares this host's CPUs, so they all run in one queue in a known order (a1 b1 b2
// b3 srv, repeated), and the drop happens while b1's benchmark stream is open on its simulator (the benchmark
// lasts ≥ 1.5 s: min_secs), not at a moment picked by a timer.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { startCli } from '../../support/cli.js';
import { jobRows, type JobRow } from '../../support/job-rows.js';
import { writeTestModels, type TestModelSet } from '../../support/models.js';

describe('circuit breaker per adb server', () => {
    let serverA: AdbServer | undefined;
    let serverB: AdbServer | undefined;
    let a1: SimPhone | undefined;
    const bPhones: SimPhone[] = [];
    let models: TestModelSet;
    let work: string;

    const deviceFile = (name: string, p: SimPhone, adb: AdbServer): void =>
        writeFileSync(
            join(work, 'devices', `${name}.yaml`),
            `name: ${name}\nkind: adb\ncanRunBuiltin: true\nadb: { serial: '${p.serial}', server: '127.0.0.1:${adb.port}' }\n`,
        );

    beforeAll(async () => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-adb-breaker-'));
        models = writeTestModels();
        mkdirSync(join(work, 'devices'));
        writeFileSync(join(work, 'devices', 'srv.yaml'), 'name: srv\nkind: local\nlocal: {}\n');
        serverA = await startAdbServer();
        a1 = await startSimPhone(serverA);
        deviceFile('a1', a1, serverA);
        serverB = await startAdbServer();
        for (const name of ['b1', 'b2', 'b3']) {
            const p = await startSimPhone(serverB);
            bPhones.push(p);
            deviceFile(name, p, serverB);
        }
    });

    afterAll(async () => {
        await a1?.close();
        // the dropped phones' simulators are closed already; their folders remain
        for (const p of bPhones) {
            await p.sim.close();
            rmSync(p.root, { recursive: true, force: true });
        }
        // the driver may have started a new loopback server on b's port after the kill: stop that one too
        await serverB?.close();
        await serverA?.close();
        models?.cleanup();
        if (work !== undefined) rmSync(work, { recursive: true, force: true });
    });

    it('after two phones of a dropped server are given up, its third fails at once naming the server', async () => {
        writeFileSync(
            join(work, 'lab.yaml'),
            `
name: lab
models: [{ id: residual, path: ${models.residual} }]
roles: { ue: [a1, b1, b2, b3], server: [srv] }
settings:
    ue: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 20, minSecs: 1.5 }
    server: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }
modes: [estimate]
repetitions: 3
scheduling: { parallelOnSharedHost: false }
retries: { count: 2, backoffMs: 50 }
circuitBreaker: { transportFailures: 3 }
jobTimeoutSecs: 60
report: { formats: [json], outDir: reports }
`,
        );
        const db = join(work, 'lab.db');
        const b1 = bPhones[0]!;
        const { done } = startCli(['run', 'lab.yaml', '--db', 'lab.db'], work);
        const deadline = Date.now() + 120_000;
        while (!b1.sim.streams().some((s) => s.service.includes('--num_runs='))) {
            if (Date.now() > deadline) throw new Error("b1's first benchmark did not start within 120 s");
            await new Promise((r) => setTimeout(r, 20));
        }
        const before = jobRows(db);
        // host b drops mid-benchmark: its phones go away, then its adb server dies
        for (const p of bPhones) await p.sim.close();
        await serverB!.close();
        const r = await done;
        expect(r.code, r.stderr).toBe(1);

        // the drop came during b1's first job, before any job of b2 or b3 ran
        expect(before.filter((x) => x.device.startsWith('b') && x.state !== 'pending')).toEqual([
            expect.objectContaining({ device: 'b1', state: 'running' }),
        ]);
        const rows = jobRows(db);
        const of = (d: string): JobRow[] => rows.filter((x) => x.device === d);
        for (const d of ['a1', 'srv']) expect(of(d).map((x) => x.state)).toEqual(['done', 'done', 'done']);
        for (const d of ['b1', 'b2', 'b3']) expect(of(d).map((x) => x.state)).toEqual(['failed', 'failed', 'failed']);

        // b1 and b2: their first job spends all 3 attempts on transport failures naming the device and the
        // cause (b1's first was in flight: a transport failure too, never a benchmark with no output) ...
        const serverName = `adb server 127.0.0.1:${serverB!.port}`;
        for (const d of ['b1', 'b2']) {
            const [first, ...rest] = of(d);
            expect(first?.attempts).toBe(3);
            expect(first?.error).toMatch(new RegExp(`^device ${d}[: ]`));
            expect(first?.error).not.toMatch(/no_output|benchmark failed/);
            // ... and their later jobs fail at once with the device's own cause
            for (const x of rest)
                expect(x.error).toMatch(
                    new RegExp(`^${d} given up: 3 consecutive transport failures, last: device ${d}[: ]`),
                );
        }
        // b3 spends no attempt of its own: every job fails at once, naming the server, the phones given up
        // and the last cause (b2's)
        const b2Cause = of('b2')[0]?.error ?? '';
        for (const x of of('b3')) {
            expect(x.error).toBe(`b3 given up: ${serverName} dropped: b1, b2 given up, last: ${b2Cause}`);
            expect(x.attempts).toBeLessThanOrEqual(1);
        }
        expect(r.stderr).toContain(`device b3: given up, its remaining jobs fail at once: ${serverName} dropped`);
        expect(r.stderr).not.toMatch(/device b3: link lost|device b3: adb connect/);
    });
});
