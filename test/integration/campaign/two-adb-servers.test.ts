// A lab of phones behind two adb servers (two real adb servers on two ports, two simulated phones each) in one
// campaign: killing one adb server mid-run fails only its own phones' jobs, with the cause; the phones of the
// other server and the server device finish.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { startCli } from '../../support/cli.js';
import { jobRows } from '../../support/job-rows.js';
import { writeTestModels, type TestModelSet } from '../../support/models.js';

describe('two adb servers, one campaign', () => {
    const servers: AdbServer[] = [];
    const phones: SimPhone[] = [];
    const dropped: SimPhone[] = [];
    let models: TestModelSet;
    let work: string;

    beforeAll(async () => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-2adb-'));
        models = writeTestModels();
        mkdirSync(join(work, 'devices'));
        writeFileSync(join(work, 'devices', 'srv.yaml'), 'name: srv\nkind: local\nlocal: {}\n');
        for (const host of ['a', 'b']) {
            const adb = await startAdbServer();
            servers.push(adb);
            for (const i of [1, 2]) {
                const p = await startSimPhone(adb);
                phones.push(p);
                writeFileSync(
                    join(work, 'devices', `${host}${i}.yaml`),
                    `name: ${host}${i}\nkind: adb\ncanRunBuiltin: true\nadb: { serial: '${p.serial}', server: '127.0.0.1:${adb.port}' }\n`,
                );
            }
        }
    });

    afterAll(async () => {
        for (const p of phones) await p.close();
        // a stopped simulator's close() does not run: remove its folder
        for (const p of dropped) rmSync(p.root, { recursive: true, force: true });
        for (const s of servers) await s.close();
        models?.cleanup();
        if (work !== undefined) rmSync(work, { recursive: true, force: true });
    });

    it('killing one adb server mid-run fails only its phones’ jobs, naming the cause', async () => {
        writeFileSync(
            join(work, 'lab.yaml'),
            `
name: lab
models: [{ id: residual, path: ${models.residual} }]
roles: { ue: [a1, a2, b1, b2], server: [srv] }
settings:
    ue: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 20, minSecs: 1.5 }
    server: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }
modes: [estimate]
repetitions: 4
scheduling: { parallelOnSharedHost: true }
retries: { count: 1, backoffMs: 100 }
jobTimeoutSecs: 60
report: { formats: [json], outDir: reports }
`,
        );
        const db = join(work, 'lab.db');
        const { done } = startCli(['run', 'lab.yaml', '--db', 'lab.db'], work);
        const deadline = Date.now() + 90_000;
        for (;;) {
            await new Promise((r) => setTimeout(r, 200));
            let n = 0;
            try {
                n = jobRows(db).filter((x) => x.device.startsWith('b') && x.state === 'done').length;
            } catch {
                n = 0; // no database yet
            }
            if (n >= 1) break;
            if (Date.now() > deadline) throw new Error("server b's phones finished no job within 90 s");
        }
        // host b drops: its phones go away and its adb server dies (the driver may start a new loopback server,
        // which finds no phones)
        for (const p of phones.slice(2)) await p.sim.close();
        dropped.push(...phones.splice(2));
        await servers[1]!.close();
        const r = await done;
        expect(r.code, r.stderr).toBe(1);
        const rows = jobRows(db);
        for (const d of ['a1', 'a2', 'srv']) {
            const own = rows.filter((x) => x.device === d);
            expect(
                own.map((x) => x.state),
                JSON.stringify(own),
            ).toEqual(['done', 'done', 'done', 'done']);
        }
        const bFailed = rows.filter((x) => x.device.startsWith('b') && x.state === 'failed');
        expect(bFailed.length).toBeGreaterThanOrEqual(2);
        expect(rows.filter((x) => x.device.startsWith('b') && x.state !== 'done' && x.state !== 'failed')).toEqual([]);
        // every later failure names the cause (the phone's address refusing connections); the job in flight when
        // the host dropped may instead end as a benchmark with no output (the shell stream closed under it)
        for (const d of ['b1', 'b2']) {
            const failed = rows.filter((x) => x.device === d && x.state === 'failed');
            const inFlight = failed.filter((x) => x.error?.startsWith('no_output') === true);
            expect(inFlight.length).toBeLessThanOrEqual(1);
            for (const x of failed.filter((f) => !inFlight.includes(f)))
                // which of the adb server's words reaches us depends on when it notices the host gone: its
                // connection refused, the phone already marked offline, or gone from its device list
                expect(x.error).toMatch(
                    new RegExp(
                        `device ${d}[: ].*(refused|unreachable|link lost|not attached|is offline|not found on the adb server)`,
                    ),
                );
        }
        expect(r.stderr).toMatch(
            /device b1: given up, its remaining jobs fail at once: \d+ consecutive transport failures/,
        );
    });
});
