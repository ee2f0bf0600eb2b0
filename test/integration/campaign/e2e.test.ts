// End to end through the CLI, as a user runs it: UE = the simulated A01 behind the real adb server,
// server = a real OpenSSH on loopback, benchmarks = splitbench's own runner pushed to both, store = a
// temporary SQLite file. Covers a full campaign, kill -9 then --resume, a phone that drops mid-run, and a
// campaign file full of mistakes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../support/cli.js';
import { startAdbServer, startSimPhone, type AdbServer, type SimPhone } from '../../support/adb.js';
import { writeTestModels, type TestModelSet } from '../../support/models.js';
import { startSshd, type SshdHandle } from '../../support/sshd.js';

const cli = runCli;

const campaignYaml = (o: { name: string; model: string; runs: number; reps: number; retries?: number }): string => `
name: ${o.name}
models:
    - id: residual
      path: ${o.model}
splits: [2, 5, 8]
roles:
    ue: [phone]
    server: [edge]
settings:
    ue: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: ${o.runs}, minSecs: 0, maxSecs: 5 }
    server: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: ${o.runs}, minSecs: 0, maxSecs: 5 }
repetitions: ${o.reps}
modes: [estimate, measure]
network:
    - { name: LTE, uplinkMbps: 10, rttMs: 50 }
report: { formats: [markdown, json], outDir: reports }
jobTimeoutSecs: 60
retries: { count: ${o.retries ?? 1}, backoffMs: 200 }
`;

/** Jobs per campaign above: estimate + baseline per device and repetition, head (UE) / tail (server) per split. */
const jobCount = (reps: number): number => reps * (2 + 2 + 3 + 3);

const jobStates = (db: string): Record<string, number> => {
    const d = new Database(db, { readonly: true });
    try {
        const rows = d.prepare('SELECT state, count(*) AS n FROM jobs GROUP BY state').all() as {
            state: string;
            n: number;
        }[];
        return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    } finally {
        d.close();
    }
};

describe('campaign end to end: simulated phone over adb + OpenSSH server', () => {
    let adb: AdbServer;
    let phone: SimPhone;
    let sshd: SshdHandle;
    let models: TestModelSet;
    let work: string;

    const writeDevices = (dir: string): void => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(
            join(dir, 'phone.yaml'),
            `name: phone\nkind: adb\ncanRunBuiltin: true\nadb: { serial: '${phone.serial}', server: '127.0.0.1:${adb.port}' }\n`,
        );
        writeFileSync(
            join(dir, 'edge.yaml'),
            `name: edge\nkind: ssh\nssh: { host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, identity: '${sshd.identityFile}', knownHosts: '${sshd.knownHostsFile}' }\n`,
        );
    };

    beforeAll(async () => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-e2e-'));
        models = writeTestModels();
        adb = await startAdbServer();
        phone = await startSimPhone(adb);
        sshd = await startSshd();
        writeDevices(join(work, 'devices'));
    });

    afterAll(async () => {
        await phone?.close();
        await adb?.close();
        await sshd?.stop();
        models?.cleanup();
        if (work !== undefined) rmSync(work, { recursive: true, force: true });
    });

    it('runs a full campaign and reports every split point', async () => {
        writeFileSync(
            join(work, 'full.yaml'),
            campaignYaml({ name: 'full', model: models.residual, runs: 3, reps: 1 }),
        );
        const r = await cli(['run', 'full.yaml', '--db', 'full.db'], work);
        expect(r.stderr).toContain('10 done, 0 failed');
        // the sub-models were checked against the full model before the devices measured them
        expect(r.stderr).toContain('head→tail vs full model: 3 pass, 0 FAIL, 0 cannot verify');
        expect(r.code).toBe(0);
        expect(jobStates(join(work, 'full.db'))).toEqual({ done: jobCount(1) });

        const runId = /run (\S+) finished/.exec(r.stderr)?.[1];
        expect(runId).toBeDefined();
        const report = JSON.parse(readFileSync(join(work, 'reports', `${runId}.json`), 'utf8')) as {
            rows: { splitAfter: number; cutBytes: number; ueMs: number; serverMs: number; method: string }[];
        };
        const measured = report.rows.filter((x) => x.method === 'measured');
        expect(measured.map((x) => x.splitAfter).sort((a, b) => a - b)).toEqual([2, 5, 8]);
        for (const row of measured) {
            expect(row.cutBytes).toBeGreaterThan(0);
            expect(row.ueMs).toBeGreaterThan(0);
            expect(row.serverMs).toBeGreaterThan(0);
        }
        // the simulated phone really received the runner and the sub-models
        const d = new Database(join(work, 'full.db'), { readonly: true });
        const probe = d.prepare("SELECT probe_json FROM probes WHERE device = 'phone'").get() as { probe_json: string };
        d.close();
        expect(JSON.parse(probe.probe_json)).toMatchObject({ android: { model: 'SM-A015F', sdk: 29 } });
    });

    it('survives kill -9 mid-run: --resume runs exactly the remaining jobs', async () => {
        writeFileSync(
            join(work, 'kill.yaml'),
            campaignYaml({ name: 'kill', model: models.residual, runs: 30, reps: 2 }),
        );
        const db = join(work, 'kill.db');
        const { child, done } = startCli(['run', 'kill.yaml', '--db', 'kill.db'], work);
        // wait until some jobs are committed, then kill without warning
        const deadline = Date.now() + 60_000;
        for (;;) {
            await new Promise((r) => setTimeout(r, 250));
            let n = 0;
            try {
                n = jobStates(db)['done'] ?? 0;
            } catch {
                n = 0;
            }
            if (n >= 3) break;
            if (Date.now() > deadline) throw new Error('no job finished within 60 s');
        }
        child.kill('SIGKILL');
        const killed = await done;
        expect(killed.signal).toBe('SIGKILL');

        const before = jobStates(db);
        const doneBefore = before['done'] ?? 0;
        expect(doneBefore).toBeLessThan(jobCount(2));

        const r = await cli(['run', 'kill.yaml', '--db', 'kill.db', '--resume'], work);
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`(resumed): ${jobCount(2) - doneBefore} job(s) to run`);
        expect(jobStates(db)).toEqual({ done: jobCount(2) });
        // the database survived the kill intact, and no finished job was measured twice
        const d = new Database(db, { readonly: true });
        expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
        // one recorded output per job: what finished before the kill was not run again
        const outputs = d.prepare('SELECT count(*) AS n FROM raw_outputs').get() as { n: number };
        d.close();
        expect(outputs.n).toBe(jobCount(2));
    });

    it('a phone that drops mid-run fails its jobs after retries while the server finishes', async () => {
        writeFileSync(
            join(work, 'drop.yaml'),
            campaignYaml({ name: 'drop', model: models.residual, runs: 20, reps: 1 }),
        );
        const db = join(work, 'drop.db');
        const { done } = startCli(['run', 'drop.yaml', '--db', 'drop.db'], work);
        const deadline = Date.now() + 60_000;
        for (;;) {
            await new Promise((r) => setTimeout(r, 200));
            let n = 0;
            try {
                const d = new Database(db, { readonly: true });
                try {
                    n = (
                        d.prepare("SELECT count(*) AS n FROM jobs WHERE device = 'phone' AND state = 'done'").get() as {
                            n: number;
                        }
                    ).n;
                } finally {
                    d.close();
                }
            } catch {
                n = 0; // the run has not created its database yet
            }
            if (n >= 1) break;
            if (Date.now() > deadline) throw new Error('the phone finished no job within 60 s');
        }
        // pull the cable: the simulator goes away and refuses new connections
        await phone.sim.close();
        const r = await done;
        expect(r.code).toBe(1);
        const states = new Database(db, { readonly: true });
        const rows = states
            .prepare('SELECT device, state, count(*) AS n, max(attempts) AS attempts FROM jobs GROUP BY device, state')
            .all() as {
            device: string;
            state: string;
            n: number;
            attempts: number;
        }[];
        const errors = states.prepare("SELECT error FROM jobs WHERE device = 'phone' AND state = 'failed'").all() as {
            error: string;
        }[];
        states.close();
        const edge = rows.filter((x) => x.device === 'edge');
        expect(edge).toEqual([expect.objectContaining({ state: 'done', n: 5 })]);
        const failed = rows.find((x) => x.device === 'phone' && x.state === 'failed');
        expect(failed?.n).toBeGreaterThan(0);
        // the failure is one line that names the device problem, and the first failing job was retried
        expect(errors[0]?.error).toMatch(/phone|device|unreachable|offline|connect/i);
        expect(errors[0]?.error).not.toContain('\n');
        expect(Math.max(...rows.filter((x) => x.device === 'phone').map((x) => x.attempts))).toBeGreaterThanOrEqual(2);
        // bring a phone back for any later test
        phone = await startSimPhone(adb);
        writeDevices(join(work, 'devices'));
    });

    it('the thermal gate holds a hot phone back and gives up with the temperature', async () => {
        writeFileSync(
            join(work, 'hot.yaml'),
            campaignYaml({ name: 'hot', model: models.residual, runs: 3, reps: 1, retries: 0 })
                .replace('modes: [estimate, measure]', 'modes: [estimate]')
                .replace(
                    'ue: { runtime: builtin,',
                    'ue: { thermalGateC: 40, thermalGateTimeoutSecs: 1, runtime: builtin,',
                ),
        );
        const r = await cli(['run', 'hot.yaml', '--db', 'hot.db'], work);
        expect(r.code).toBe(1);
        // the simulated A01's hottest zone is cpuss0-usr at 41.2 °C
        expect(r.stderr).toContain('phone stayed at 41.2 °C, above the 40 °C thermal gate');
        expect(jobStates(join(work, 'hot.db'))).toEqual({ done: 1, failed: 1 });
    });

    it('a campaign with many mistakes lists every one as file:line:col and runs nothing', async () => {
        writeFileSync(
            join(work, 'bad.yaml'),
            [
                'name: bad',
                'models:',
                `    - path: ${models.residual}`,
                '      colour: blue',
                'splits: [2, 500]',
                'roles:',
                '    ue: [nokia3310]',
                '    server: [edge]',
                'settings:',
                '    ue: { threads: many }',
                'repetitions: 1',
                '',
            ].join('\n'),
        );
        const r = await cli(['run', 'bad.yaml', '--db', 'bad.db'], work);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/bad\.yaml:4:7 models\[0\]\.colour: /);
        expect(r.stderr).toMatch(/bad\.yaml:5:\d+ splits\[1\]: .*500/);
        expect(r.stderr).toMatch(/bad\.yaml:7:\d+ roles\.ue\[0\]: .*nokia3310/);
        expect(r.stderr).toMatch(/bad\.yaml:10:\d+ settings\.ue\.threads: /);
        expect(jobStatesOrNone(join(work, 'bad.db'))).toBe('none');
    });
});

const jobStatesOrNone = (db: string): string => {
    try {
        const n = Object.values(jobStates(db)).reduce((a, b) => a + b, 0);
        return n === 0 ? 'none' : `${n} jobs`;
    } catch {
        return 'none';
    }
};
