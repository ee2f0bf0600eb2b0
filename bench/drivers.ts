// npm run bench:drivers [-- --only local,ssh] [--mb 50] [--runs 3] [--exec-runs 15]
//
// For each driver: push and pull throughput of a big random file next to the command-line tool on the same
// target, the second push of an unchanged file (bytes sent, time), and the exec round trip next to the CLI.
// Targets (issue 5): throughput >= 0.8x the CLI tool, unchanged push sends 0 bytes, exec RTT <= 1.2x the CLI.
//
// To add a driver, append a BenchTarget to TARGETS: setup() returns the driver, a remote directory to use and
// the CLI baseline commands for the same target.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { parseArgs } from 'node:util';
import { createLocalDriver } from '../src/drivers/local/local-driver.js';
import { createSshDriver } from '../src/drivers/ssh/ssh-driver.js';
import type { DeviceDriver } from '../src/drivers/types.js';
import { startSshd, sshdDriverOptions } from '../test/support/sshd.js';
// adb target lives in its own file (owned by the ADB driver work).
import { adbTarget } from './drivers-adb.js';

export interface CliBaseline {
    /** Shown in the table, e.g. "scp" or "adb push". */
    pushLabel: string;
    pullLabel: string;
    execLabel: string;
    push(local: string, remote: string): Promise<void>;
    pull(remote: string, local: string): Promise<void>;
    /** One `true` round trip the way a shell user would do it. */
    exec(): Promise<void>;
    /** Printed under the table (what the comparison does and does not include). */
    note?: string | undefined;
}

export interface BenchSetup {
    driver: DeviceDriver;
    /** Directory on the target both the driver and the CLI write into. */
    remoteDir: string;
    cli: CliBaseline;
    cleanup(): Promise<void>;
}

export interface BenchTarget {
    name: string;
    setup(): Promise<BenchSetup>;
}

/** Run a command, reject on a non-zero exit (bench helper; product code goes through the drivers). */
export const run = (cmd: string, args: readonly string[]): Promise<void> =>
    new Promise((res, rej) => {
        const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d: Buffer) => (err += d.toString()));
        c.on('error', rej);
        c.on('close', (code) =>
            code === 0 ? res() : rej(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`)),
        );
    });

const localTarget: BenchTarget = {
    name: 'local',
    setup: async () => {
        const work = await mkdtemp(join(tmpdir(), 'splitbench-bench-local-'));
        return {
            driver: createLocalDriver({ name: 'bench-local', workDir: work }),
            remoteDir: work,
            cli: {
                pushLabel: 'cp',
                pullLabel: 'cp',
                execLabel: 'spawn true',
                push: (l, r) => run('cp', [l, r]),
                pull: (r, l) => run('cp', [r, l]),
                exec: () => run('true', []),
            },
            cleanup: () => rm(work, { recursive: true, force: true }),
        };
    },
};

const sshTarget: BenchTarget = {
    name: 'ssh',
    setup: async () => {
        const sshd = await startSshd();
        const remoteDir = `${sshd.dir}/work`;
        const common = [
            '-i',
            sshd.identityFile,
            '-o',
            `UserKnownHostsFile=${sshd.knownHostsFile}`,
            '-o',
            'BatchMode=yes',
        ];
        const dest = (p: string): string => `${sshd.user}@${sshd.host}:${p}`;
        return {
            driver: createSshDriver({
                name: 'bench-ssh',
                ...sshdDriverOptions(sshd),
                workDir: remoteDir,
            }),
            remoteDir,
            cli: {
                pushLabel: 'scp',
                pullLabel: 'scp',
                execLabel: 'ssh host true',
                push: (l, r) => run('scp', ['-q', '-P', String(sshd.port), ...common, l, dest(r)]),
                pull: (r, l) => run('scp', ['-q', '-P', String(sshd.port), ...common, dest(r), l]),
                exec: () => run('ssh', ['-p', String(sshd.port), ...common, `${sshd.user}@${sshd.host}`, 'true']),
                note:
                    'ssh/scp CLI open a fresh connection per call (handshake + auth); the driver keeps one connection open, ' +
                    'so its exec RTT is a new session on an existing link. Both run the login shell of the remote user.',
            },
            cleanup: () => sshd.stop(),
        };
    },
};

export const TARGETS: BenchTarget[] = [localTarget, sshTarget, adbTarget];

const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

const timed = async (fn: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
};

const writeRandom = async (path: string, bytes: number): Promise<void> => {
    const out = createWriteStream(path);
    for (let left = bytes; left > 0; left -= 1 << 20)
        if (!out.write(randomBytes(Math.min(1 << 20, left)))) await once(out, 'drain');
    out.end();
    await once(out, 'finish');
};

const sha = async (p: string): Promise<string> =>
    createHash('sha256')
        .update(await readFile(p))
        .digest('hex');

export interface TargetFigures {
    target: string;
    pushMBs: number;
    cliPushMBs: number;
    pullMBs: number;
    cliPullMBs: number;
    unchangedBytes: number;
    unchangedMs: number;
    execMs: number;
    cliExecMs: number;
}

export const benchTarget = async (
    t: BenchTarget,
    cfg: { bytes: number; runs: number; execRuns: number; localDir: string; src: string },
): Promise<{ figures: TargetFigures; setup: BenchSetup }> => {
    const s = await t.setup();
    const { driver, cli, remoteDir } = s;
    const mb = cfg.bytes / 1e6;
    await driver.exec(['mkdir', '-p', remoteDir]);
    await driver.exec(['true']); // connect outside the measurements
    const remote = (n: string): string => posix.join(remoteDir, n);
    const pushD: number[] = [];
    const pushC: number[] = [];
    const pullD: number[] = [];
    const pullC: number[] = [];
    for (let i = 0; i < cfg.runs; i++) {
        // Fresh destination names each run, so the driver's hash-skip cannot kick in.
        pushD.push(await timed(() => driver.push(cfg.src, remote(`d${i}.bin`))));
        pushC.push(await timed(() => cli.push(cfg.src, remote(`c${i}.bin`))));
        pullD.push(await timed(() => driver.pull(remote(`d${i}.bin`), join(cfg.localDir, `pd${i}.bin`))));
        pullC.push(await timed(() => cli.pull(remote(`c${i}.bin`), join(cfg.localDir, `pc${i}.bin`))));
    }
    const want = await sha(cfg.src);
    for (let i = 0; i < cfg.runs; i++) {
        if ((await sha(join(cfg.localDir, `pd${i}.bin`))) !== want)
            throw new Error(`${t.name}: pulled file ${i} differs`);
        await rm(join(cfg.localDir, `pd${i}.bin`));
        await rm(join(cfg.localDir, `pc${i}.bin`));
    }
    let unchangedBytes = -1;
    const unchangedMs = await timed(async () => {
        unchangedBytes = (await driver.push(cfg.src, remote('d0.bin'))).bytesSent;
    });
    const execD: number[] = [];
    const execC: number[] = [];
    for (let i = 0; i < cfg.execRuns; i++) {
        execD.push(await timed(() => driver.exec(['true'])));
        execC.push(await timed(() => cli.exec()));
    }
    await driver.exec(['rm', '-rf', remoteDir]);
    return {
        setup: s,
        figures: {
            target: t.name,
            pushMBs: mb / (median(pushD) / 1000),
            cliPushMBs: mb / (median(pushC) / 1000),
            pullMBs: mb / (median(pullD) / 1000),
            cliPullMBs: mb / (median(pullC) / 1000),
            unchangedBytes,
            unchangedMs,
            execMs: median(execD),
            cliExecMs: median(execC),
        },
    };
};

const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

const main = async (): Promise<void> => {
    const { values } = parseArgs({
        options: {
            only: { type: 'string' },
            mb: { type: 'string', default: '50' },
            runs: { type: 'string', default: '3' },
            'exec-runs': { type: 'string', default: '15' },
        },
    });
    const only = values.only?.split(',');
    const bytes = Math.round(Number(values.mb) * 1024 * 1024);
    const localDir = await mkdtemp(join(tmpdir(), 'splitbench-bench-'));
    const src = join(localDir, 'payload.bin');
    await writeRandom(src, bytes);
    process.stdout.write(
        `driver bench: ${(bytes / 1024 / 1024).toFixed(0)} MiB random file, median of ${values.runs} transfers, ` +
            `${values['exec-runs']} exec round trips\n\n`,
    );
    const rows: string[] = [];
    const notes: string[] = [];
    try {
        for (const t of TARGETS.filter((x) => only === undefined || only.includes(x.name))) {
            const { figures: f, setup } = await benchTarget(t, {
                bytes,
                runs: Number(values.runs),
                execRuns: Number(values['exec-runs']),
                localDir,
                src,
            });
            try {
                const pr = f.pushMBs / f.cliPushMBs;
                const lr = f.pullMBs / f.cliPullMBs;
                const er = f.execMs / f.cliExecMs;
                rows.push(
                    `${t.name.padEnd(6)} push ${f.pushMBs.toFixed(1).padStart(7)} MB/s vs ${setup.cli.pushLabel} ${f.cliPushMBs.toFixed(1).padStart(7)} MB/s  ${pr.toFixed(2)}x (>=0.8 ${verdict(pr >= 0.8)})`,
                    `${''.padEnd(6)} pull ${f.pullMBs.toFixed(1).padStart(7)} MB/s vs ${setup.cli.pullLabel} ${f.cliPullMBs.toFixed(1).padStart(7)} MB/s  ${lr.toFixed(2)}x (>=0.8 ${verdict(lr >= 0.8)})`,
                    `${''.padEnd(6)} unchanged push: ${f.unchangedBytes} bytes sent in ${f.unchangedMs.toFixed(1)} ms (0 bytes ${verdict(f.unchangedBytes === 0)})`,
                    `${''.padEnd(6)} exec RTT ${f.execMs.toFixed(2)} ms vs ${setup.cli.execLabel} ${f.cliExecMs.toFixed(2)} ms  ${er.toFixed(2)}x (<=1.2 ${verdict(er <= 1.2)})`,
                    '',
                );
                if (setup.cli.note) notes.push(`${t.name}: ${setup.cli.note}`);
            } finally {
                await setup.driver.close();
                await setup.cleanup();
            }
        }
    } finally {
        await rm(localDir, { recursive: true, force: true });
    }
    process.stdout.write(`${rows.join('\n')}\n${notes.join('\n')}\n`);
};

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
    main().catch((e: unknown) => {
        process.stderr.write(`bench:drivers failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
    });
}
