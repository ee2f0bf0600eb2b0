// Orchestrator cost with many phones: one campaign (estimate jobs, built-in runner on the phones) over 1, 10 and
// 30 simulated phones behind a real adb server, the orchestrator in this process and every phone simulator in its
// own process (test/support/adb.ts startSimPhoneProcess), so the CPU time and peak RSS measured here are the
// orchestrator's alone. Target (issue 13): per-job CPU flat within 20 % from 1 to 30 phones, RSS under 400 MB at 30.
// Usage: npx tsx bench/lab-scale.ts [--phones 1,10,30] [--reps 3]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCampaign } from '../src/runner/campaign-run.js';
import { startAdbServer, startSimPhoneProcess, type SimPhoneProcess } from '../test/support/adb.js';
import { writeTestModels } from '../test/support/models.js';

const argOf = (name: string, dflt: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const COUNTS = argOf('phones', '1,10,30').split(',').map(Number);
const REPS = Number(argOf('reps', '3'));

const sink = (): Writable =>
    new Writable({
        write(_c, _e, cb): void {
            cb();
        },
    });

interface Figures {
    phones: number;
    jobs: number;
    wallS: number;
    cpuMsPerJob: number;
    peakRssMb: number;
}

const models = writeTestModels();
const adb = await startAdbServer();
const rows: Figures[] = [];
// jobs that failed (an overloaded machine's timeouts); the figures still count the jobs done
const failedOf = new Map<number, number>();
try {
    for (const n of COUNTS) {
        const work = mkdtempSync(join(tmpdir(), 'splitbench-labscale-'));
        const phones: SimPhoneProcess[] = [];
        try {
            mkdirSync(join(work, 'devices'));
            writeFileSync(join(work, 'devices', 'srv.yaml'), 'name: srv\nkind: local\nlocal: {}\n');
            for (let i = 0; i < n; i++) {
                const p = await startSimPhoneProcess(adb);
                phones.push(p);
                writeFileSync(
                    join(work, 'devices', `p${i}.yaml`),
                    `name: p${i}\nkind: adb\ncanRunBuiltin: true\nadb: { serial: '${p.serial}', server: '127.0.0.1:${adb.port}' }\n`,
                );
            }
            writeFileSync(
                join(work, 'lab.yaml'),
                `name: lab
models: [{ id: residual, path: ${models.residual} }]
roles: { ue: [${phones.map((_, i) => `p${i}`).join(', ')}], server: [srv] }
settings:
    ue: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 10, minSecs: 0 }
    server: { runtime: builtin, threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 10, minSecs: 0 }
modes: [estimate]
repetitions: ${REPS}
scheduling: { parallelOnSharedHost: true }
report: { formats: [json], outDir: reports }
`,
            );
            let peak = process.memoryUsage().rss;
            const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
            const cpu0 = process.cpuUsage();
            const t0 = performance.now();
            const r = await runCampaign({
                file: join(work, 'lab.yaml'),
                devicesDir: join(work, 'devices'),
                dbPath: join(work, 'lab.db'),
                baseDir: work,
                fresh: true,
                signal: new AbortController().signal,
                stdout: sink(),
                stderr: sink(),
                logLevel: 'warn',
            });
            const wall = performance.now() - t0;
            const cpu = process.cpuUsage(cpu0);
            clearInterval(sampler);
            const jobs = r.summary?.done ?? 0;
            if (r.summary === undefined || r.summary.failed > 0)
                throw new Error(`${n} phones: ${JSON.stringify(r.summary)}`);
            rows.push({
                phones: n,
                jobs,
                wallS: wall / 1000,
                cpuMsPerJob: (cpu.user + cpu.system) / 1000 / jobs,
                peakRssMb: peak / 2 ** 20,
            });
        } finally {
            for (const p of phones) await p.close();
            rmSync(work, { recursive: true, force: true });
        }
    }
} finally {
    await adb.close();
    models.cleanup();
}
const base = rows[0]?.cpuMsPerJob ?? NaN;
process.stdout.write(
    `orchestrator with N simulated phones (estimate jobs × ${REPS} reps); load ${loadavg()[0]?.toFixed(2)}\n`,
);
process.stdout.write('phones   jobs   wall s   CPU ms/job   vs 1 phone   peak RSS MB   failed\n');
for (const r of rows)
    process.stdout.write(
        `${String(r.phones).padStart(6)} ${String(r.jobs).padStart(6)} ${r.wallS.toFixed(1).padStart(8)} ${r.cpuMsPerJob.toFixed(1).padStart(12)} ${(r.cpuMsPerJob / base).toFixed(2).padStart(12)} ${r.peakRssMb.toFixed(0).padStart(13)} ${String(failedOf.get(r.phones) ?? 0).padStart(8)}\n`,
    );
