// One benchmark on one device: push the model (hash-skipped when unchanged) and the benchmark binary,
// run benchmark_model (or splitbench's drop-in) with argv only, and parse what it printed.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceDriver, ExecResult } from '../drivers/types.js';
import { parseBenchmarkOutput } from '../parse/benchmark-model.js';
import type { BenchmarkResult } from '../parse/types.js';

export interface BenchSettings {
    threads: number;
    useXnnpack: boolean;
    warmupRuns: number;
    warmupMinSecs: number;
    runs: number;
    minSecs: number;
    maxSecs: number;
    runDelaySecs: number;
    profile: boolean;
    /** Hex CPU mask for taskset, or undefined for no pinning. */
    cpuMask?: string | undefined;
    inputShapes?: Readonly<Record<string, readonly number[]>> | undefined;
}

/** Where the benchmark binary comes from: splitbench's built-in runner, or a benchmark_model file for the device's ABI. */
export type BenchBinary = { kind: 'builtin' } | { kind: 'file'; localPath: string };

export interface BenchOutcome {
    exec: ExecResult;
    parsed: BenchmarkResult;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUILTIN_BENCHMARK_SCRIPT = join(PACKAGE_ROOT, 'bin', 'splitbench-benchmark-model.js');

/**
 * A tiny launcher for the built-in runner, pushed to devices that share this host's file system and Node
 * (the local host, SSH hosts on loopback, the ADB device simulator). A real phone needs a real
 * benchmark_model binary; config rules refuse `builtin` there.
 */
export const writeBuiltinLauncher = async (dir: string): Promise<string> => {
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'splitbench-benchmark-model');
    const q = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
    await writeFile(path, `#!/bin/sh\nexec ${q(process.execPath)} ${q(BUILTIN_BENCHMARK_SCRIPT)} "$@"\n`, {
        mode: 0o755,
    });
    return path;
};

export const benchmarkFlags = (remoteModel: string, s: BenchSettings): string[] => {
    const flags = [
        `--graph=${remoteModel}`,
        `--num_threads=${s.threads}`,
        `--warmup_runs=${s.warmupRuns}`,
        `--warmup_min_secs=${s.warmupMinSecs}`,
        `--num_runs=${s.runs}`,
        `--min_secs=${s.minSecs}`,
        `--max_secs=${s.maxSecs}`,
        `--use_xnnpack=${s.useXnnpack}`,
        `--enable_op_profiling=${s.profile}`,
    ];
    if (s.runDelaySecs > 0) flags.push(`--run_delay=${s.runDelaySecs}`);
    const shapes = Object.entries(s.inputShapes ?? {});
    if (shapes.length > 0) {
        flags.push(`--input_layer=${shapes.map(([n]) => n).join(',')}`);
        flags.push(`--input_layer_shape=${shapes.map(([, sh]) => sh.join(',')).join(':')}`);
    }
    return flags;
};

export interface RunBenchmarkArgs {
    driver: DeviceDriver;
    localModel: string;
    /** File name on the device; default: the local file's name. */
    remoteName?: string | undefined;
    binary: BenchBinary;
    settings: BenchSettings;
    /** Local scratch folder for launchers. */
    scratchDir: string;
    signal: AbortSignal;
    timeoutMs: number;
}

export const runBenchmarkOnDevice = async (a: RunBenchmarkArgs): Promise<BenchOutcome> => {
    const work = a.driver.workDir();
    const call = { signal: a.signal, timeoutMs: a.timeoutMs };
    const remoteModel = `${work}/models/${a.remoteName ?? basename(a.localModel)}`;
    await a.driver.push(a.localModel, remoteModel, call);

    let command: string[];
    if (a.binary.kind === 'builtin' && a.driver.kind === 'local') {
        command = [process.execPath, BUILTIN_BENCHMARK_SCRIPT];
    } else {
        const local = a.binary.kind === 'builtin' ? await writeBuiltinLauncher(a.scratchDir) : a.binary.localPath;
        const remoteBin = `${work}/bin/${basename(local)}`;
        await a.driver.push(local, remoteBin, { ...call, executable: true });
        command = [remoteBin];
    }
    const argv = [
        ...(a.settings.cpuMask !== undefined ? ['taskset', a.settings.cpuMask] : []),
        ...command,
        ...benchmarkFlags(remoteModel, a.settings),
        // the built-in runner prints every timed run only when asked; the statistics need them (a real
        // benchmark_model does not know the flag)
        ...(a.binary.kind === 'builtin' ? ['--print_raw_samples=true'] : []),
    ];
    const exec = await a.driver.exec(argv, { ...call, cwd: dirname(remoteModel) });
    // benchmark_model writes tables to stdout and runtime/delegate messages to stderr: parse both.
    const text = exec.stderr.length > 0 ? `${exec.stdout}\n${exec.stderr}` : exec.stdout;
    const parsed = parseBenchmarkOutput(text);
    if (exec.exitCode !== 0 && parsed.failure === undefined) {
        parsed.failure = { kind: 'benchmark_failed', line: `exit code ${exec.exitCode}` };
    }
    return { exec, parsed };
};
