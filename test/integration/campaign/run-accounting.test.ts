// Run accounting through the CLI on local devices (fast) and one phone nobody can reach: --resume of an interrupted
// --fresh run measures exactly its jobs without a result; an unreachable device fails its jobs and the run; a re-run
// that has nothing to measure records no run and says where the results are; compare skips runs that measured
// nothing; a new benchmark_model binary (another sha256) is measured again instead of reused.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../support/cli.js';
import { REPO_ROOT, writeTestModels, type TestModelSet } from '../../support/models.js';
import { startAdbServer, type AdbServer } from '../../support/adb.js';

const query = <T>(db: string, sql: string, ...args: unknown[]): T[] => {
    const d = new Database(db, { readonly: true });
    try {
        return d.prepare(sql).all(...args) as T[];
    } finally {
        d.close();
    }
};

/** estimate + baseline on each of the 2 devices, a head and a tail for each of the 2 splits. */
const JOBS = 2 + 2 + 2 + 2;
const UE_JOBS = 4;

interface JsonReport {
    rows: { splitAfter: number; method: string; ueMs: number | null }[];
    provenance: {
        sources: { runId: string; results: number; thisRun: boolean }[];
        devices: { name: string; threads: string; cpuMask: string; xnnpack: string; runtime: string }[];
        failures: { device: string; jobs: number; error: string }[];
    };
}

describe('run accounting on local devices', () => {
    let work: string;
    let models: TestModelSet;
    let adb: AdbServer;

    beforeAll(async () => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-accounting-'));
        models = writeTestModels();
        mkdirSync(join(work, 'devices'));
        for (const name of ['ue1', 'srv'])
            writeFileSync(join(work, 'devices', `${name}.yaml`), `name: ${name}\nkind: local\nlocal: {}\n`);
        // a phone that is not plugged in: the adb server runs, the serial is not attached
        adb = await startAdbServer();
        writeFileSync(
            join(work, 'devices', 'deadphone.yaml'),
            `name: deadphone\nkind: adb\ncanRunBuiltin: true\nadb: { serial: 'emulator-5554', server: '127.0.0.1:${adb.port}' }\n`,
        );
    });
    afterAll(async () => {
        await adb?.close();
        models?.cleanup();
        rmSync(work, { recursive: true, force: true });
    });

    const yaml = (o: {
        name: string;
        ue?: string;
        server?: string;
        minSecs?: number;
        runtime?: string;
        threads?: string;
    }): string => `
name: ${o.name}
models: [{ id: residual, path: ${models.residual} }]
splits: [3, 6]
roles: { ue: [${o.ue ?? 'ue1'}], server: [${o.server ?? 'srv'}] }
settings:
    ue: { runtime: ${o.runtime ?? 'builtin'}, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 5, minSecs: ${o.minSecs ?? 0} }
    server: { runtime: ${o.runtime ?? 'builtin'}, threads: ${o.threads ?? 1}, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 5, minSecs: ${o.minSecs ?? 0} }
modes: [estimate, measure]
report: { formats: [json, markdown], outDir: reports }
retries: { count: 0, backoffMs: 100 }
`;

    const report = (runId: string): JsonReport =>
        JSON.parse(readFileSync(join(work, 'reports', `${runId}.json`), 'utf8')) as JsonReport;

    it('--resume of a killed --fresh run measures exactly the run’s jobs without a result', async () => {
        writeFileSync(join(work, 'fresh.yaml'), yaml({ name: 'fresh', minSecs: 1 }));
        const db = join(work, 'fresh.db');
        const first = await runCli(['run', 'fresh.yaml', '--db', db], work);
        expect(first.code).toBe(0);

        const { child, done } = startCli(['run', 'fresh.yaml', '--db', db, '--fresh'], work);
        const deadline = Date.now() + 60_000;
        for (;;) {
            await new Promise((r) => setTimeout(r, 150));
            const n = query<{ n: number }>(
                db,
                "SELECT count(*) AS n FROM jobs j JOIN runs r ON r.id = j.run_id WHERE j.state = 'done' AND r.options_json LIKE '%\"fresh\":true%'",
            )[0]?.n;
            if ((n ?? 0) >= 1) break;
            if (Date.now() > deadline) throw new Error('the --fresh run finished no job within 60 s');
        }
        child.kill('SIGKILL');
        expect((await done).signal).toBe('SIGKILL');
        const [fresh] = query<{ id: string }>(db, 'SELECT id FROM runs ORDER BY started_at DESC LIMIT 1');
        const freshId = fresh?.id ?? '';
        const doneInFresh =
            query<{ n: number }>(db, "SELECT count(*) AS n FROM jobs WHERE run_id = ? AND state = 'done'", freshId)[0]
                ?.n ?? 0;
        expect(doneInFresh).toBeGreaterThanOrEqual(1);
        expect(doneInFresh).toBeLessThan(JOBS);

        // another campaign's file must not resume (and so end) this run: refused, nothing changed
        writeFileSync(join(work, 'other.yaml'), yaml({ name: 'other' }));
        const wrong = await runCli(['run', 'other.yaml', '--db', db, '--resume', freshId], work);
        expect(wrong.code).toBe(2);
        expect(wrong.stderr).toContain(`run ${freshId} belongs to campaign "fresh"`);
        expect(
            query<{ n: number }>(db, "SELECT count(*) AS n FROM jobs WHERE run_id = ? AND state = 'failed'", freshId)[0]
                ?.n,
        ).toBe(0);

        // --dry-run --resume plans what --resume will measure: the run's jobs without a result
        const dry = await runCli(['run', 'fresh.yaml', '--db', db, '--resume', '--dry-run'], work);
        expect(dry.code).toBe(0);
        expect(dry.stdout).toContain(`resuming run ${freshId}:\n`);
        expect(dry.stdout).toMatch(
            new RegExp(`^${JOBS - doneInFresh} job\\(s\\) to run, ${doneInFresh} already done`, 'm'),
        );

        const r = await runCli(['run', 'fresh.yaml', '--db', db, '--resume'], work);
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`run ${freshId} (resumed): ${JOBS - doneInFresh} job(s) to run`);
        expect(
            query<{ state: string; n: number }>(
                db,
                'SELECT state, count(*) AS n FROM jobs WHERE run_id = ? GROUP BY state',
                freshId,
            ),
        ).toEqual([{ state: 'done', n: JOBS }]);
        // nothing left to resume: --dry-run says so exactly as --resume does
        const none = await runCli(['run', 'fresh.yaml', '--db', db, '--resume', '--dry-run'], work);
        expect(none.code).toBe(2);
        expect(none.stderr.trim()).toBe(
            'splitbench: no unfinished run of fresh.yaml to resume (see splitbench runs list)',
        );
        // every split is measured by this run, and every number in its report is this run's own
        const rep = report(freshId);
        expect(
            rep.rows
                .filter((x) => x.method === 'measured')
                .map((x) => x.splitAfter)
                .sort((a, b) => a - b),
        ).toEqual([3, 6]);
        expect(rep.provenance.sources).toEqual([
            expect.objectContaining({ runId: freshId, results: JOBS, thisRun: true }),
        ]);
        const runs = await runCli(['runs', 'list', '--db', db], work);
        expect(runs.stdout).toMatch(new RegExp(`${freshId}\\s+fresh\\s+done\\s+.*\\s${JOBS}/0/${JOBS}`));
    });

    it('a device unreachable at the start fails all its jobs with the cause, and the run exits 1', async () => {
        writeFileSync(join(work, 'dead.yaml'), yaml({ name: 'dead', ue: 'deadphone', threads: 'all' }));
        const db = join(work, 'dead.db');
        const r = await runCli(['run', 'dead.yaml', '--db', db], work);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`${JOBS - UE_JOBS} done, ${UE_JOBS} failed`);
        const line = r.stderr.split('\n').find((l) => l.startsWith('device deadphone unreachable: '));
        expect(line).toMatch(new RegExp(`; its ${UE_JOBS} job\\(s\\) fail$`));
        const runId = /run (\S+) finished/.exec(r.stderr)?.[1] ?? '';
        const list = await runCli(['runs', 'list', '--db', db], work);
        expect(list.stdout).toMatch(
            new RegExp(`${runId}\\s+dead\\s+failed\\s+.*\\s${JOBS - UE_JOBS}/${UE_JOBS}/${JOBS}`),
        );
        // the server's results stay in the store; the report says which device measured nothing and why
        const rep = report(runId);
        expect(rep.provenance.failures.map((f) => [f.device, f.jobs])).toEqual([['deadphone', UE_JOBS]]);
        expect(rep.provenance.failures[0]?.error).toMatch(/^device deadphone unreachable: /);
        const md = readFileSync(join(work, 'reports', `${runId}.md`), 'utf8');
        expect(md).toContain(`deadphone: ${UE_JOBS} job(s) not measured: device deadphone unreachable: `);
        // resolved threads, not "all": this host's core count as the probe reads it
        const cores = query<{ probe_json: string }>(db, "SELECT probe_json FROM probes WHERE device = 'srv'")[0];
        const n = (JSON.parse(cores?.probe_json ?? '{}') as { cores: number }).cores;
        expect(rep.provenance.devices).toEqual([
            expect.objectContaining({ name: 'srv', threads: String(n), cpuMask: 'none', xnnpack: 'off' }),
        ]);
        expect(md).toContain(`| server.threads | all → ${n} (srv) |`);
    });

    it('a re-run with nothing to measure records no run and points at the results; compare skips empty runs', async () => {
        writeFileSync(join(work, 'again.yaml'), yaml({ name: 'again' }));
        const db = join(work, 'again.db');
        const first = await runCli(['run', 'again.yaml', '--db', db], work);
        expect(first.code).toBe(0);
        const firstId = /run (\S+) finished/.exec(first.stderr)?.[1] ?? '';

        const again = await runCli(['run', 'again.yaml', '--db', db], work);
        expect(again.code).toBe(0);
        expect(again.stderr).toContain(
            `nothing to measure: all ${JOBS} job(s) of campaign again were measured by earlier run(s) ${firstId}`,
        );
        expect(again.stderr).toContain(`splitbench report ${firstId} --db ${db}`);
        // the numbers the user asked for are shown, labelled as the earlier run's
        expect(again.stdout).toContain(`split tables of run ${firstId} (started `);
        expect(again.stdout).toMatch(/T_UE\(full\) = [\d.]+ ms/);
        expect(query<{ id: string }>(db, 'SELECT id FROM runs')).toEqual([{ id: firstId }]);

        // an edited network profile needs no measurement: the stored times are shown with the file's profiles
        writeFileSync(
            join(work, 'again.yaml'),
            `${yaml({ name: 'again' })}network: [{ name: ideal, uplinkMbps: 1000, rttMs: 1 }]\n`,
        );
        const edited = await runCli(['run', 'again.yaml', '--db', db], work);
        expect(edited.code).toBe(0);
        expect(edited.stderr).toContain(
            `network profiles differ from run ${firstId}'s: its stored times are shown with this campaign file's profiles (ideal)`,
        );
        expect(edited.stdout).toContain('best for ideal (1000 Mbit/s up, RTT 1 ms)');
        expect(query<{ id: string }>(db, 'SELECT id FROM runs')).toEqual([{ id: firstId }]);
        writeFileSync(join(work, 'again.yaml'), yaml({ name: 'again' }));

        const second = await runCli(['run', 'again.yaml', '--db', db, '--fresh'], work);
        expect(second.code).toBe(0);
        const secondId = /run (\S+) finished/.exec(second.stderr)?.[1] ?? '';
        // an empty run as older splitbench versions recorded them, newest of all
        const d = new Database(db);
        d.prepare(
            `INSERT INTO runs (id, campaign_name, campaign_path, campaign_sha256, campaign_yaml, splitbench_version,
             options_json, started_at, ended_at, state) SELECT 'zz-empty', campaign_name, campaign_path, campaign_sha256,
             campaign_yaml, splitbench_version, '{}', '2999-01-01T00:00:00.000Z', '2999-01-01T00:00:01.000Z', 'done'
             FROM runs WHERE id = ?`,
        ).run(firstId);
        d.close();
        const cmp = await runCli(['compare', '--campaign', 'again', '--last', '2', '--db', db], work);
        // 0 or 1 (a noisy slowdown is a regression), never "no metric in common" against the empty run
        expect(cmp.stderr).not.toContain('zz-empty');
        expect(cmp.code === 0 || cmp.code === 1).toBe(true);
        expect(cmp.stdout).toContain(firstId);
        expect(cmp.stdout).toContain(secondId);
    });

    it('results are not reused after the benchmark_model binary changes (its sha256 is in the reuse key)', async () => {
        // a benchmark_model: splitbench's own drop-in, started by a script whose bytes stand for the binary's
        const bm = join(work, 'bm.sh');
        writeFileSync(
            bm,
            `#!/bin/sh\nexec '${process.execPath}' '${join(REPO_ROOT, 'bin', 'splitbench-benchmark-model.js')}' "$@"\n`,
            { mode: 0o755 },
        );
        // the campaign checks a binary's ABI against the device's probe: devices added (and probed) as a user does
        for (const name of ['binue', 'binsrv'])
            expect((await runCli(['devices', 'add', name, '--local'], work)).code).toBe(0);
        writeFileSync(
            join(work, 'bin.yaml'),
            yaml({
                name: 'bin',
                ue: 'binue',
                server: 'binsrv',
                runtime: `{ benchmarkModel: { x86_64: ${bm}, aarch64: ${bm} } }`,
            }),
        );
        const db = join(work, 'bin.db');
        const first = await runCli(['run', 'bin.yaml', '--db', db], work);
        expect(first.code).toBe(0);
        expect(first.stderr).toContain(`: ${JOBS} job(s) to run`);
        const again = await runCli(['run', 'bin.yaml', '--db', db], work);
        expect(again.stderr).toContain('nothing to measure');

        appendFileSync(bm, '# rebuilt\n');
        const rebuilt = await runCli(['run', 'bin.yaml', '--db', db], work);
        expect(rebuilt.code).toBe(0);
        expect(rebuilt.stderr).toContain(`: ${JOBS} job(s) to run;`);
        const runId = /run (\S+) finished/.exec(rebuilt.stderr)?.[1] ?? '';
        const rep = report(runId);
        expect(rep.provenance.sources).toEqual([expect.objectContaining({ runId, thisRun: true })]);
        expect(rep.provenance.devices[0]?.runtime).toMatch(/^benchmark_model sha256 [0-9a-f]{16}…/);
    });
});
