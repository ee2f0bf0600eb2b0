// Campaign behaviours on local devices (fast): Ctrl-C stops cleanly and --resume finishes the run;
// `--ue NEW` benchmarks only a new device and stores it beside the campaign's earlier results.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../../support/cli.js';
import { writeTestModels, type TestModelSet } from '../../support/models.js';

const query = <T>(db: string, sql: string): T[] => {
    const d = new Database(db, { readonly: true });
    try {
        return d.prepare(sql).all() as T[];
    } finally {
        d.close();
    }
};

describe('campaign on local devices', () => {
    let work: string;
    let models: TestModelSet;

    beforeAll(() => {
        work = mkdtempSync(join(tmpdir(), 'splitbench-local-'));
        models = writeTestModels();
        mkdirSync(join(work, 'devices'));
        for (const name of ['ue1', 'ue2', 'srv'])
            writeFileSync(join(work, 'devices', `${name}.yaml`), `name: ${name}\nkind: local\nlocal: {}\n`);
    });
    afterAll(() => {
        models.cleanup();
        rmSync(work, { recursive: true, force: true });
    });

    const yaml = (name: string, minSecs: number): string => `
name: ${name}
models: [{ id: residual, path: ${models.residual} }]
splits: [3, 6]
roles: { ue: [ue1], server: [srv] }
settings:
    ue: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 5, minSecs: ${minSecs} }
    server: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 5, minSecs: ${minSecs} }
modes: [estimate, measure]
report: { formats: [json], outDir: reports }
`;

    it('Ctrl-C kills the running benchmarks, marks the run interrupted, and --resume finishes it', async () => {
        writeFileSync(join(work, 'int.yaml'), yaml('int', 2));
        const db = join(work, 'int.db');
        const { child, done } = startCli(['run', 'int.yaml', '--db', 'int.db'], work);
        // wait until benchmarks are running on the devices
        const deadline = Date.now() + 30_000;
        let seen: { state: string }[] = [];
        while (Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 200));
            try {
                seen = query<{ state: string }>(db, "SELECT state FROM jobs WHERE state = 'running'");
            } catch {
                seen = [];
            }
            if (seen.length > 0) break;
        }
        expect(seen.length).toBeGreaterThan(0);
        child.kill('SIGINT');
        const r = await done;
        expect(r.code).toBe(130);
        expect(r.stderr).toMatch(/SIGINT: stopping/);
        expect(r.stderr).toMatch(/interrupted: \d+ done, 0 failed, \d+ not run/);
        const [run] = query<{ id: string; state: string }>(db, 'SELECT id, state FROM runs');
        expect(run?.state).toBe('interrupted');
        // the command to continue is one that can be pasted: the run id and --db apart
        expect(r.stderr).toContain(`not run (splitbench run int.yaml --resume ${run?.id} --db ${db})`);
        // no benchmark process outlives the run
        const ps = await new Promise<string>((res) => {
            const p = spawn('ps', ['-eo', 'args']);
            let out = '';
            p.stdout.on('data', (d: Buffer) => (out += d.toString()));
            p.on('close', () => res(out));
        });
        expect(
            ps.split('\n').filter((l) => l.includes('splitbench-benchmark-model') && l.includes(models.dir)),
        ).toEqual([]);

        const resumed = await startCli(['run', 'int.yaml', '--db', 'int.db', '--resume'], work).done;
        expect(resumed.code).toBe(0);
        expect(resumed.stderr).toContain(`run ${run?.id} (resumed)`);
        expect(query<{ state: string }>(db, 'SELECT DISTINCT state FROM jobs')).toEqual([{ state: 'done' }]);
    });

    it('--ue NEW runs only the new device and reports it beside the earlier results', async () => {
        writeFileSync(join(work, 'ue.yaml'), yaml('newue', 0));
        const first = await startCli(['run', 'ue.yaml', '--db', 'ue.db'], work).done;
        expect(first.code).toBe(0);
        const second = await startCli(['run', 'ue.yaml', '--db', 'ue.db', '--ue', 'ue2'], work).done;
        expect(second.code).toBe(0);
        // only ue2's share ran: estimate + baseline + 2 heads; the server's jobs were already done
        expect(second.stderr).toMatch(/: 4 job\(s\) to run/);
        const devices = query<{ device: string }>(
            join(work, 'ue.db'),
            'SELECT DISTINCT device FROM jobs ORDER BY device',
        );
        expect(devices.map((d) => d.device)).toEqual(['srv', 'ue1', 'ue2']);
        const runId = /run (\S+) finished/.exec(second.stderr)?.[1];
        const report = JSON.parse(readFileSync(join(work, 'reports', `${runId}.json`), 'utf8')) as {
            analyses?: { ueDevice: string; serverDevice: string }[];
            rows: { splitAfter: number; method: string }[];
        };
        expect(report.rows.filter((r) => r.method === 'measured').length).toBeGreaterThanOrEqual(2);
        expect(second.stdout).toContain('UE ue2 → server srv');
    });
});
