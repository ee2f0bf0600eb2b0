// A device that cannot work stops costing time, through the CLI with the real adb server and the simulated A01
// (server: this host): one thermal-gate timeout, or 3 consecutive transport failures after the phone disappears,
// fail the phone's remaining jobs at once with the cause; --dry-run warns about a gate the phone's last probe
// already exceeds; a new phone build (another build fingerprint) is measured again instead of reused.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/sim/profile.js';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { runCli, startCli } from '../../support/cli.js';
import { jobRows } from '../../support/job-rows.js';
import { writeTestModels, type TestModelSet } from '../../support/models.js';

/** estimate + baseline + one head per split on the phone. */
const PHONE_JOBS = 2 + 2;

describe('circuit breaker and device builds: simulated phone over adb + this host', () => {
    let adb: AdbServer;
    let phone: SimPhone;
    let models: TestModelSet;
    let work: string;

    const phoneFile = (name: string, p: SimPhone): void =>
        writeFileSync(
            join(work, 'devices', `${name}.yaml`),
            `name: ${name}\nkind: adb\ncanRunBuiltin: true\nadb: { serial: '${p.serial}', server: '127.0.0.1:${adb.port}' }\n`,
        );

    beforeAll(async () => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-breaker-'));
        models = writeTestModels();
        adb = await startAdbServer();
        phone = await startSimPhone(adb);
        mkdirSync(join(work, 'devices'));
        writeFileSync(join(work, 'devices', 'srv.yaml'), 'name: srv\nkind: local\nlocal: {}\n');
    });

    afterAll(async () => {
        await phone?.close();
        await adb?.close();
        models?.cleanup();
        if (work !== undefined) rmSync(work, { recursive: true, force: true });
    });

    const yaml = (o: { name: string; ue: string; gate?: string; runs?: number; retries?: number; modes?: string }) => `
name: ${o.name}
models: [{ id: residual, path: ${models.residual} }]
splits: [3, 6]
roles: { ue: [${o.ue}], server: [srv] }
settings:
    ue: { ${o.gate ?? ''} runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: ${o.runs ?? 3}, minSecs: 0 }
    server: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }
modes: ${o.modes ?? '[estimate, measure]'}
report: { formats: [json], outDir: reports }
retries: { count: ${o.retries ?? 2}, backoffMs: 100 }
jobTimeoutSecs: 60
`;

    it('--dry-run warns about the gate; one thermal-gate timeout fails the hot phone’s jobs at once, unretried', async () => {
        // added as a user does: the probe in devices/hotphone.yaml reads the A01's hottest zone, 41.2 °C
        expect(
            (
                await runCli(
                    ['devices', 'add', 'hotphone', '--adb', phone.serial, '--adb-server', `127.0.0.1:${adb.port}`],
                    work,
                )
            ).code,
        ).toBe(0);
        appendFileSync(join(work, 'devices', 'hotphone.yaml'), 'canRunBuiltin: true\n');
        const gate = 'thermalGateC: 40, thermalGateTimeoutSecs: 1,';
        writeFileSync(join(work, 'hot.yaml'), yaml({ name: 'hot', ue: 'hotphone', gate }));

        const dry = await runCli(['run', 'hot.yaml', '--db', 'hot.db', '--dry-run'], work);
        expect(dry.code).toBe(0);
        const warning = dry.stderr.split('\n').filter((l) => l.includes('thermal gate'));
        expect(warning).toHaveLength(1);
        expect(warning[0]).toMatch(
            /^warning: hotphone was at 41\.2 °C when last probed \(.*\), above its 40 °C thermal gate/,
        );

        const t0 = Date.now();
        const r = await runCli(['run', 'hot.yaml', '--db', 'hot.db'], work);
        expect(r.code).toBe(1);
        const rows = jobRows(join(work, 'hot.db'));
        const ue = rows.filter((x) => x.device === 'hotphone');
        expect(ue).toHaveLength(PHONE_JOBS);
        expect(ue.every((x) => x.state === 'failed')).toBe(true);
        // the gate's timeout is not retried as a transport failure: every phone job made one attempt
        expect(ue.map((x) => x.attempts)).toEqual(ue.map(() => 1));
        expect(ue[0]?.error).toContain('hotphone stayed at 41.2 °C, above the 40 °C thermal gate, for 1 s');
        for (const x of ue.slice(1)) expect(x.error).toMatch(/^hotphone given up: hotphone stayed at 41\.2 °C/);
        expect(rows.filter((x) => x.device === 'srv').every((x) => x.state === 'done')).toBe(true);
        expect(r.stderr).toContain('device hotphone: given up, its remaining jobs fail at once');
        // one gate timeout (1 s), not one per job and attempt (4 jobs × 3 attempts)
        expect(Date.now() - t0).toBeLessThan(60_000);
    });

    it('results are not reused once the phone runs another build (build fingerprint)', async () => {
        phoneFile('phone', phone);
        writeFileSync(join(work, 'build.yaml'), yaml({ name: 'build', ue: 'phone', modes: '[estimate]' }));
        const first = await runCli(['run', 'build.yaml', '--db', 'build.db'], work);
        expect(first.code).toBe(0);
        expect(first.stderr).toContain(': 2 job(s) to run');
        const again = await runCli(['run', 'build.yaml', '--db', 'build.db'], work);
        expect(again.stderr).toContain('nothing to measure');

        // the same phone after a system update: only the build fingerprint differs
        const profile = loadProfile();
        const oldBuild = profile.props['ro.build.fingerprint'] ?? '';
        const newBuild = oldBuild.replace('A015FXXU1ATC3', 'A015FXXU2BUA1');
        expect(newBuild).not.toBe(oldBuild);
        const updated = await startSimPhone(adb, {
            profile: { ...profile, props: { ...profile.props, 'ro.build.fingerprint': newBuild } },
        });
        try {
            phoneFile('phone', updated);
            const r = await runCli(['run', 'build.yaml', '--db', 'build.db'], work);
            expect(r.code).toBe(0);
            // the phone's estimate runs again; the server's (same host, same build) is reused
            expect(r.stderr).toContain(': 1 job(s) to run, 1 already done in earlier runs');
            // the report says which number which run measured: the phone's now, the server's by the first run
            const firstId = /run (\S+) finished/.exec(first.stderr)?.[1] ?? '';
            const runId = /run (\S+) finished/.exec(r.stderr)?.[1] ?? '';
            const rep = JSON.parse(readFileSync(join(work, 'reports', `${runId}.json`), 'utf8')) as {
                provenance: { sources: { runId: string; results: number; thisRun: boolean }[] };
            };
            expect(rep.provenance.sources.map((x) => [x.runId, x.results, x.thisRun])).toEqual([
                [firstId, 1, false],
                [runId, 1, true],
            ]);
            const d = new Database(join(work, 'build.db'), { readonly: true });
            const ids = d.prepare("SELECT identity_json FROM jobs WHERE device = 'phone' ORDER BY seq").all() as {
                identity_json: string;
            }[];
            d.close();
            expect(ids.map((x) => (JSON.parse(x.identity_json) as { deviceBuild: string }).deviceBuild)).toEqual([
                oldBuild,
                newBuild,
            ]);
        } finally {
            await updated.close();
            phoneFile('phone', phone);
        }
    });

    it('after the phone disappears, 3 consecutive transport failures give up on it: no more connection attempts', async () => {
        phoneFile('phone', phone);
        writeFileSync(join(work, 'drop.yaml'), yaml({ name: 'drop', ue: 'phone', runs: 20 }));
        const db = join(work, 'drop.db');
        const { done } = startCli(['run', 'drop.yaml', '--db', 'drop.db'], work);
        const deadline = Date.now() + 60_000;
        for (;;) {
            await new Promise((r) => setTimeout(r, 200));
            let n = 0;
            try {
                n = jobRows(db).filter((x) => x.device === 'phone' && x.state === 'done').length;
            } catch {
                n = 0; // no database yet
            }
            if (n >= 1) break;
            if (Date.now() > deadline) throw new Error('the phone finished no job within 60 s');
        }
        await phone.sim.close();
        const r = await done;
        expect(r.code).toBe(1);
        const failed = jobRows(db).filter((x) => x.device === 'phone' && x.state === 'failed');
        const givenUp = failed.filter((x) => x.error?.startsWith('phone given up: 3 consecutive transport failures'));
        // retries: 2 → the first failing job makes 3 attempts and opens the breaker; the rest make no connection
        expect(failed.length).toBeGreaterThanOrEqual(2);
        expect(givenUp.length).toBe(failed.length - 1);
        expect(givenUp.every((x) => x.attempts === 1)).toBe(true);
        expect(failed[0]?.attempts).toBe(3);
        expect(r.stderr).toContain(
            'device phone: given up, its remaining jobs fail at once: 3 consecutive transport failures',
        );
        // the pulled phone's folder (close() of a stopped simulator does not run), then a phone for later tests
        rmSync(phone.root, { recursive: true, force: true });
        phone = await startSimPhone(adb);
    });
});
