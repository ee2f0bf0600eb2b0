// Host-aware scheduling through the CLI, on devices that really share this machine: the demo's local UE and
// local server, a second pair that opts into parallel runs, and a simulated phone (real adb server) whose host
// identity cannot be read. Checks the stored job times, the run's options, the terminal lines and the reports.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { runCli } from '../../support/cli.js';
import { POSE_LITE, REPO_ROOT, writeTestModels, type TestModelSet } from '../../support/models.js';

interface JobRow {
    device: string;
    role: string;
    state: string;
    started_at: string;
    ended_at: string;
    load_json: string | null;
}

const query = <T>(db: string, sql: string): T[] => {
    const d = new Database(db, { readonly: true });
    try {
        return d.prepare(sql).all() as T[];
    } finally {
        d.close();
    }
};

const jobRows = (db: string): JobRow[] =>
    query<JobRow>(
        db,
        `SELECT j.device, j.role, j.state, j.started_at, j.ended_at, r.load_json
         FROM jobs j LEFT JOIN results r ON r.job_seq = j.seq ORDER BY j.seq`,
    );

/** Pairs (UE job, server job) whose [started_at, ended_at] intervals overlap. */
const overlaps = (rows: readonly JobRow[]): number => {
    let n = 0;
    for (const u of rows.filter((r) => r.role === 'ue'))
        for (const s of rows.filter((r) => r.role === 'server'))
            if (Date.parse(u.started_at) < Date.parse(s.ended_at) && Date.parse(s.started_at) < Date.parse(u.ended_at))
                n++;
    return n;
};

const MACHINE_ID = readFileSync('/etc/machine-id', 'utf8').trim();

describe('host-aware scheduling (CLI)', () => {
    let work: string;
    let models: TestModelSet;

    beforeAll(() => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-hosts-'));
        models = writeTestModels();
        mkdirSync(join(work, 'devices'));
        for (const d of ['local-ue', 'local-server'])
            copyFileSync(join(REPO_ROOT, 'devices', `${d}.yaml`), join(work, 'devices', `${d}.yaml`));
        for (const d of ['a', 'b'])
            writeFileSync(join(work, 'devices', `${d}.yaml`), `name: ${d}\nkind: local\nlocal: {}\n`);
    });
    afterAll(() => {
        models.cleanup();
        rmSync(work, { recursive: true, force: true });
    });

    it('the demo campaign (smaller): UE and server share this host, so no UE job overlaps a server job', async () => {
        // configs/demo.yaml with fewer split points and runs
        const demo = readFileSync(join(REPO_ROOT, 'configs', 'demo.yaml'), 'utf8')
            .replace('../node_modules/@mediapipe/pose/pose_landmark_lite.tflite', POSE_LITE)
            .replace('splits: { every: 20 }', 'splits: { every: 60 }')
            .replace(/runs: 10/g, 'runs: 3')
            .replace('repetitions: 3', 'repetitions: 1')
            .replace('formats: [md, html]', 'formats: [md, json]');
        writeFileSync(join(work, 'demo.yaml'), demo);

        const dry = await runCli(['run', 'demo.yaml', '--dry-run', '--db', 'demo.db'], work);
        expect(dry.code).toBe(0);
        expect(dry.stdout).toContain(`  local-ue + local-server: linux:${MACHINE_ID}\n`);
        expect(dry.stdout).toContain('queue (its devices never run at the same time):\n');
        expect(dry.stdout).toMatch(/estimated wall time ~\S+ \(one queue: every job one after another\)/);

        const r = await runCli(['run', 'demo.yaml', '--db', 'demo.db'], work);
        expect(r.stderr).toContain(
            `scheduling: local-ue, local-server share linux:${MACHINE_ID.slice(0, 8)}…: one queue, one job at a time\n`,
        );
        expect(r.code).toBe(0);
        const rows = jobRows(join(work, 'demo.db'));
        expect(rows.length).toBeGreaterThan(6);
        expect(rows.every((x) => x.state === 'done')).toBe(true);
        expect(overlaps(rows)).toBe(0);
        // every result carries the device's load around it
        for (const x of rows) {
            const load = JSON.parse(x.load_json ?? 'null') as { busyFraction?: number; loadAvg1Before?: number } | null;
            expect(load?.busyFraction).toBeGreaterThanOrEqual(0);
            expect(load?.loadAvg1Before).toBeGreaterThanOrEqual(0);
        }
        const [run] = query<{ id: string; options_json: string }>(
            join(work, 'demo.db'),
            'SELECT id, options_json FROM runs',
        );
        expect(JSON.parse(run?.options_json ?? '{}')).toMatchObject({
            scheduling: {
                queues: [{ cpuHost: `linux:${MACHINE_ID}`, devices: ['local-ue', 'local-server'] }],
                parallelOnSharedHost: false,
            },
        });
        const md = readFileSync(join(work, 'results', 'reports', `${run?.id}.md`), 'utf8');
        expect(md).toContain('## Measurement conditions');
        expect(md).toContain('- Devices that share a host ran one job at a time: local-ue + local-server.');
        expect(md).toContain('- No two devices ran jobs at the same time.');
    });

    it('a campaign whose two devices share the host and opt into parallel runs: warned, recorded, stated in the report', async () => {
        writeFileSync(
            join(work, 'par.yaml'),
            `
name: par
models: [{ id: residual, path: ${models.residual} }]
splits: [3, 6]
roles: { ue: [a], server: [b] }
settings:
    ue: { threads: 1, cpuAffinity: none, warmupRuns: 0, runs: 3, minSecs: 0.3 }
    server: { threads: 1, cpuAffinity: none, warmupRuns: 0, runs: 3, minSecs: 0.3 }
modes: [measure]
scheduling: { parallelOnSharedHost: true }
report: { formats: [markdown, json], outDir: reports }
`,
        );
        const r = await runCli(['run', 'par.yaml', '--db', 'par.db'], work);
        expect(r.code).toBe(0);
        const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: scheduling.parallelOnSharedHost'));
        expect(warnings).toEqual([
            `warning: scheduling.parallelOnSharedHost: a + b share CPUs (linux:${MACHINE_ID}) and run at the same time; their timings include each other's load`,
        ]);
        // the opt-out also skips the lease on the physical host that would keep other runs off these CPUs
        expect(r.stderr).toContain(
            'scheduling.parallelOnSharedHost: no lease on the physical host(s) of a, b: other runs may measure on the same CPUs at the same time\n',
        );
        expect(r.stderr).not.toContain('physical host linux:');
        const db = join(work, 'par.db');
        const [run] = query<{ id: string; options_json: string }>(db, 'SELECT id, options_json FROM runs');
        expect(JSON.parse(run?.options_json ?? '{}')).toMatchObject({ scheduling: { parallelOnSharedHost: true } });
        const md = readFileSync(join(work, 'reports', `${run?.id}.md`), 'utf8');
        expect(md).toContain(
            "- Devices that share a host ran in parallel (scheduling.parallelOnSharedHost: true): a + b; their timings include each other's load.",
        );
        // the report's concurrency line agrees with the stored job times
        const n = overlaps(jobRows(db));
        if (n > 0) expect(md).toMatch(/- Ran concurrently: a and b \(same host: contended\), \d+ overlapping job pair/);
        else expect(md).toContain('- No two devices ran jobs at the same time.');
        const json = JSON.parse(readFileSync(join(work, 'reports', `${run?.id}.json`), 'utf8')) as {
            measurementConditions: { scheduling: { parallelOnSharedHost: boolean }; concurrent: unknown[] };
        };
        expect(json.measurementConditions.scheduling.parallelOnSharedHost).toBe(true);
        expect(json.measurementConditions.concurrent.length).toBe(n > 0 ? 1 : 0);
    });
});

describe('a device whose host identity cannot be read (CLI, simulated phone over the real adb server)', () => {
    let adb: AdbServer;
    let phone: SimPhone;
    let work: string;
    let models: TestModelSet;

    beforeAll(async () => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-noid-'));
        models = writeTestModels();
        // an emulator that says it is simulated but not which host runs it
        const profile = readFileSync(join(REPO_ROOT, 'devices', 'profiles', 'samsung-a01.yaml'), 'utf8').replace(
            'props:\n',
            "props:\n    ro.splitbench.host.machine_id: ''\n",
        );
        writeFileSync(join(work, 'anon.yaml'), profile);
        adb = await startAdbServer();
        phone = await startSimPhone(adb, { profile: join(work, 'anon.yaml') });
        mkdirSync(join(work, 'devices'));
        writeFileSync(
            join(work, 'devices', 'phone.yaml'),
            `name: phone\nkind: adb\ncanRunBuiltin: true\nadb: { serial: '${phone.serial}', server: '127.0.0.1:${adb.port}' }\n`,
        );
        writeFileSync(join(work, 'devices', 'srv.yaml'), 'name: srv\nkind: local\nlocal: {}\n');
    });
    afterAll(async () => {
        await phone?.close();
        await adb?.close();
        models?.cleanup();
        if (work !== undefined) rmSync(work, { recursive: true, force: true });
    });

    it('prints one warning line, gives the phone a queue of its own, and loses nothing', async () => {
        writeFileSync(
            join(work, 'noid.yaml'),
            `
name: noid
models: [{ id: residual, path: ${models.residual} }]
splits: [3]
roles: { ue: [phone], server: [srv] }
settings:
    ue: { threads: 1, cpuAffinity: none, warmupRuns: 0, runs: 2, minSecs: 0 }
    server: { threads: 1, cpuAffinity: none, warmupRuns: 0, runs: 2, minSecs: 0 }
modes: [measure]
report: { formats: [markdown], outDir: reports }
jobTimeoutSecs: 60
`,
        );
        const r = await runCli(['run', 'noid.yaml', '--db', 'noid.db'], work);
        const warnings = r.stderr.split('\n').filter((l) => l.includes('host identity unknown'));
        expect(warnings).toEqual([
            'warning: device phone: host identity unknown: the device is simulated (ro.kernel.qemu=1) but does not say which host runs it (no ro.splitbench.host.machine_id), so it runs in a queue of its own',
        ]);
        expect(r.code).toBe(0);
        const db = join(work, 'noid.db');
        // baseline on each device, one head, one tail: all measured
        expect(query<{ state: string; n: number }>(db, 'SELECT state, count(*) AS n FROM jobs GROUP BY state')).toEqual(
            [{ state: 'done', n: 4 }],
        );
        const [run] = query<{ options_json: string }>(db, 'SELECT options_json FROM runs');
        expect(JSON.parse(run?.options_json ?? '{}')).toMatchObject({
            scheduling: {
                queues: [
                    { cpuHost: 'device:phone', devices: ['phone'] },
                    { cpuHost: `linux:${MACHINE_ID}`, devices: ['srv'] },
                ],
            },
        });
        const probe = query<{ probe_json: string }>(db, "SELECT probe_json FROM probes WHERE device = 'phone'")[0];
        expect(JSON.parse(probe?.probe_json ?? '{}')).toMatchObject({
            host: { cpuHost: 'unknown', simulated: true, serial: 'R58N71SIM01' },
        });
    });
});
