// Runs a run's jobs on connected devices through the executor: health check, cool-down, thermal gate and the
// per-device circuit breaker before each attempt; the benchmark; its result committed to the store.
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { DeviceSpec } from '../config/device-file.js';
import type { LoadedCampaign } from '../config/load.js';
import type { DeviceDriver, DeviceProbe } from '../drivers/types.js';
import { SplitbenchError } from '../errors.js';
import type { Logger } from '../log.js';
import type { TfliteModel } from '../model/types.js';
import { PARSER_VERSION } from '../parse/benchmark-model.js';
import type { Job } from '../plan/types.js';
import { hostLeaseKey, type DeviceLeases } from '../store/leases.js';
import type { ResultStore } from '../store/types.js';
import { runBenchmarkOnDevice } from './benchmark-step.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import { executeJobs, type ExecutorSummary } from './executor.js';
import { scheduleDevices, type HostQueue } from './host-queues.js';
import { jobLoad, ownCoresOf, readLoadSnapshot } from './job-load.js';
import { benchSettingsFor, binaryFor } from './job-settings.js';
import { createProgress, timingNote } from './progress.js';
import { sleep } from './retry.js';
import { gateOnSplitCheck, recordSplitChecks } from './split-check.js';
import { localModelFor, prepareSubModels } from './sub-models.js';
import { thermalGate } from './thermal-gate.js';

export interface ExecuteArgs {
    runId: string;
    /** The run's device leases: each device's is taken before its first job and released after its last. */
    leases?: DeviceLeases | undefined;
    store: ResultStore;
    jobs: readonly Job[];
    drivers: ReadonlyMap<string, DeviceDriver>;
    probes: ReadonlyMap<string, { probe: DeviceProbe; id: number }>;
    specs: ReadonlyMap<string, DeviceSpec>;
    models: Map<string, TfliteModel>;
    log: Logger;
    campaign: LoadedCampaign;
    baseDir: string;
    /** Keep the run's scratch folder (the built-in runner's launcher) after the run. */
    keepWorkDir?: boolean | undefined;
    signal: AbortSignal;
    stderr: Writable & { isTTY?: boolean; columns?: number };
}

const remoteNameOf = (job: Job): string =>
    `${job.modelSha256.slice(0, 12)}-${job.kind === 'measure-head' ? `split${job.split}.head` : job.kind === 'measure-tail' ? `split${job.split}.tail` : 'full'}.tflite`;

/**
 * Device → physical host (`cpuHost`) whose lease the device's queue takes before its first job, so that two runs
 * never measure on one machine's CPUs at the same time (review item 2: device leases alone let two campaigns with
 * different device files share a host). Devices whose identity is unknown (`device:<name>` queues) get none.
 * `parallelOnSharedHost` opts out: no host lease, and one line says so.
 */
const hostLeasesOf = (
    queues: readonly HostQueue[],
    parallelOnSharedHost: boolean,
    say: (line: string) => void,
): Map<string, string> => {
    const known = queues.filter((q) => !q.cpuHost.startsWith('device:'));
    const hostOf = new Map<string, string>();
    if (parallelOnSharedHost) {
        if (known.length > 0)
            say(
                `scheduling.parallelOnSharedHost: no lease on the physical host(s) of ${known.map((q) => q.devices.join(', ')).join('; ')}: ` +
                    'other runs may measure on the same CPUs at the same time',
            );
        return hostOf;
    }
    for (const q of known) for (const d of q.devices) hostOf.set(d, q.cpuHost);
    return hostOf;
};

export const executeCampaignJobs = async (a: ExecuteArgs): Promise<ExecutorSummary> => {
    const { store, runId, log } = a;
    const c = a.campaign.campaign;
    const { paths: subModels, checks } = prepareSubModels(a.jobs, a.models, {
        root: resolve(a.baseDir, 'results', 'submodels'),
        log,
        say: (l) => a.stderr.write(`${l}\n`),
        mode: c.verify,
    });
    if (checks.length > 0) await recordSplitChecks(store, runId, checks);
    // Devices that share CPUs get one queue (host-queues.ts); the run records the layout for its reports.
    const devices = [...new Set(a.jobs.map((j) => j.device))];
    // every queue's running job listens on the run's signal: tens of phones are more than Node's default warning level
    setMaxListeners(Math.max(10, 2 * devices.length + 10), a.signal);
    const schedule = scheduleDevices(
        devices.filter((d) => a.probes.has(d)).map((name) => ({ name, probe: a.probes.get(name)?.probe })),
        c.scheduling.parallelOnSharedHost,
    );
    for (const l of schedule.lines) a.stderr.write(`${l}\n`);
    await store.mergeRunOptions(runId, { scheduling: schedule.record });
    const hostOf = hostLeasesOf(schedule.record.queues, c.scheduling.parallelOnSharedHost, (l) =>
        a.stderr.write(`${l}\n`),
    );
    // per run and private (mkdtemp), never a folder another checkout or user shares
    const scratch = mkdtempSync(join(tmpdir(), 'splitbench-run-'));
    const recorded = new Set<string>();
    const remaining = new Map<string, number>();
    for (const j of a.jobs) remaining.set(j.device, (remaining.get(j.device) ?? 0) + 1);
    // phones behind one adb server share a fate: when it drops, all of them are given up (adb's default server
    // when the device file names none)
    const adbServerOf = (device: string): string | undefined => {
        const spec = a.specs.get(device);
        return spec?.kind === 'adb' ? `adb server ${spec.adb.server ?? '127.0.0.1:5037'}` : undefined;
    };
    const breaker = createCircuitBreaker(c.circuitBreaker.transportFailures, adbServerOf);
    breaker.register(devices);
    const driverOf = (job: Job): DeviceDriver => {
        const driver = a.drivers.get(job.device);
        if (driver === undefined) throw new SplitbenchError('INTERNAL', `no driver for ${job.device}`);
        return driver;
    };
    try {
        return await executeJobs({
            jobs: a.jobs,
            signal: a.signal,
            log,
            retries: c.retries.count,
            backoffBaseMs: c.retries.backoffMs,
            jobTimeoutMs: c.jobTimeoutSecs * 1000,
            progress: createProgress(a.stderr),
            queues: schedule.groups,
            // outside the job's timeout: waiting for another run to finish with a device is not the job being slow
            // the host before its device: every run that takes host leases takes them first, so no two runs can each
            // hold what the other waits for (a run's queue holds one host and only that host's devices)
            waitForDevice: async (job) => {
                // before any lease: a split whose head→tail check FAILed is not measured, whatever the device
                gateOnSplitCheck(job, checks, c.verify);
                const host = hostOf.get(job.device);
                if (host !== undefined) await a.leases?.acquire(hostLeaseKey(host), a.signal);
                await a.leases?.acquire(job.device, a.signal);
            },
            onAttempt: (job, attempt) => store.markJobRunning(runId, job.id, attempt),
            beforeJob: async (job, ctx) => {
                breaker.check(job.device);
                const driver = driverOf(job);
                // health check: a dead link fails here (and is retried) rather than mid-benchmark
                await driver.exec(['true'], { signal: ctx.signal, timeoutMs: 15_000 });
                if (job.settings.cooldownSecs > 0) await sleep(job.settings.cooldownSecs * 1000, ctx.signal);
                await thermalGate(driver, job, ctx.signal, ctx.log);
            },
            runJob: async (job, ctx) => {
                const driver = driverOf(job);
                const probe = a.probes.get(job.device);
                const settings = benchSettingsFor(job, probe?.probe);
                const loadBefore = await readLoadSnapshot(driver, ctx.signal);
                const out = await runBenchmarkOnDevice({
                    driver,
                    localModel: localModelFor(job, subModels),
                    remoteName: remoteNameOf(job),
                    binary: binaryFor(
                        job.settings,
                        probe?.probe,
                        a.campaign.paths,
                        job.device,
                        a.specs.get(job.device)?.benchmarkBinary,
                    ),
                    settings,
                    scratchDir: scratch,
                    signal: ctx.signal,
                    timeoutMs: c.jobTimeoutSecs * 1000,
                });
                const loadAfter = await readLoadSnapshot(driver, ctx.signal);
                await store.recordResult(runId, job.id, {
                    attempt: ctx.attempt,
                    raw: {
                        argv: out.exec.argv,
                        stdout: out.exec.stdout,
                        stderr: out.exec.stderr,
                        exitCode: out.exec.exitCode,
                        durationMs: out.exec.durationMs,
                        parserVersion: PARSER_VERSION,
                    },
                    parsed: out.parsed,
                    probeId: probe?.id,
                    load: jobLoad(loadBefore, loadAfter, ownCoresOf(settings.threads, settings.cpuMask)),
                });
                recorded.add(job.id);
                const f = out.parsed.failure;
                if (f !== undefined) {
                    // a benchmark that ran and failed is a result: stored above, never retried
                    throw new SplitbenchError('RUNTIME_FAILED', `benchmark failed (${f.kind}): ${f.line}`);
                }
                return { note: timingNote({ avgUs: out.parsed.inference.avgUs, samplesUs: out.parsed.samplesUs }) };
            },
            onOutcome: async (job, outcome, attempts) => {
                // every device this outcome gave up on: the job's own, and the other phones of an adb server
                // given up with it
                const wasOpen = new Set(devices.filter((d) => breaker.openCause(d) !== undefined));
                breaker.record(job.device, outcome, attempts);
                for (const d of devices) {
                    const cause = breaker.openCause(d);
                    if (!wasOpen.has(d) && cause !== undefined)
                        a.stderr.write(`device ${d}: given up, its remaining jobs fail at once: ${cause}\n`);
                }
                if (outcome.state === 'failed' && !recorded.has(job.id))
                    await store.markJobFailed(runId, job.id, outcome.error);
                const left = (remaining.get(job.device) ?? 1) - 1;
                remaining.set(job.device, left);
                if (left === 0) await a.leases?.release(job.device);
                const host = hostOf.get(job.device);
                if (
                    left === 0 &&
                    host !== undefined &&
                    [...hostOf].every(([d, h]) => h !== host || (remaining.get(d) ?? 0) === 0)
                )
                    await a.leases?.release(hostLeaseKey(host));
            },
        });
    } finally {
        if (a.keepWorkDir === true) a.stderr.write(`kept scratch folder ${scratch}\n`);
        else rmSync(scratch, { recursive: true, force: true });
    }
};
