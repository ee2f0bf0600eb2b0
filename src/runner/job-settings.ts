// What a planned job's role settings mean on one concrete device: thread count, CPU mask, benchmark binary.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedCampaign } from '../config/load.js';
import { fileSourcePath } from '../config/normalize.js';
import type { RoleSettings } from '../config/schema.js';
import type { DeviceProbe } from '../drivers/types.js';
import { SplitbenchError } from '../errors.js';
import type { Job } from '../plan/types.js';
import type { BenchBinary, BenchSettings } from './benchmark-step.js';

/** Threads, CPU mask and binary as they apply to one device. */
export const benchSettingsFor = (job: Job, probe: DeviceProbe | undefined): BenchSettings => {
    const s = job.settings;
    const threads = s.threads === 'all' ? Math.max(1, probe?.cores ?? 1) : s.threads;
    let cpuMask: string | undefined;
    if (s.cpuAffinity === 'big') cpuMask = probe?.bigCoreMask;
    else if (s.cpuAffinity !== 'none') cpuMask = s.cpuAffinity;
    return {
        threads,
        useXnnpack: s.useXnnpack,
        warmupRuns: s.warmupRuns,
        warmupMinSecs: s.warmupMinSecs,
        runs: s.runs,
        minSecs: s.minSecs,
        maxSecs: s.maxSecs,
        runDelaySecs: s.runDelaySecs,
        profile: job.profile,
        cpuMask,
        inputShapes: job.inputShapes,
    };
};

export const binaryFor = (
    settings: RoleSettings,
    probe: DeviceProbe | undefined,
    paths: LoadedCampaign['paths'],
    device: string,
    own?: Readonly<Record<string, string>>,
): BenchBinary => {
    if (settings.runtime === 'builtin') return { kind: 'builtin' };
    const table = settings.runtime.benchmarkModel;
    for (const abi of probe?.abis ?? []) {
        // a binary named in the device file (built for that very phone) wins over the campaign's
        const mine = own?.[abi];
        if (mine !== undefined) {
            // device files are not campaign files: their paths stay relative to the project folder
            const path = resolve(paths.projectDir, mine);
            if (!existsSync(path))
                throw new SplitbenchError(
                    'NOT_FOUND',
                    `benchmark_model for ${abi} (${device} device file): ${path} does not exist`,
                );
            return { kind: 'file', localPath: path };
        }
        const src = table[abi];
        if (src === undefined) continue;
        const path = fileSourcePath(src, paths.baseDir, paths.toolCacheDir);
        if (!existsSync(path))
            throw new SplitbenchError('NOT_FOUND', `benchmark_model for ${abi} (${device}): ${path} does not exist`);
        return { kind: 'file', localPath: path };
    }
    throw new SplitbenchError(
        'CONFIG_INVALID',
        probe === undefined || probe.abis.length === 0
            ? `no benchmark_model binary for ${device}: its ABI is unknown (campaign lists ${Object.keys(table).join(', ')}); run splitbench devices probe ${device}`
            : `no benchmark_model binary for ${device} (ABIs ${probe.abis.join(', ')}; campaign lists ${Object.keys(table).join(', ')})`,
    );
};
