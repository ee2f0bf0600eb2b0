// What runs a job on a device, known once the device is probed: the runtime identity, the device's software build
// and the settings as they resolve there. Its hash (identityKey in src/plan/plan.ts) is the second half of the
// reuse key. The job id stays what the campaign defines, so results stay comparable across upgrades.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DeviceProbe } from '../drivers/types.js';
import type { JobIdentity, RuntimeIdentity } from '../plan/types.js';
import { runtimeVersion } from '../tflite/native.js';
import { VERSION } from '../version.js';
import type { BenchBinary, BenchSettings } from './benchmark-step.js';

const fileSha = new Map<string, string>();

/**
 * The built-in runner: splitbench's version and the TFLite library's (TfLiteVersion(), loads the native runtime);
 * a benchmark_model file: its sha256 (read once per path per process).
 */
export const runtimeIdentityOf = (binary: BenchBinary): RuntimeIdentity => {
    if (binary.kind === 'builtin') return { kind: 'builtin', splitbench: VERSION, tflite: runtimeVersion() };
    let sha = fileSha.get(binary.localPath);
    if (sha === undefined) {
        sha = createHash('sha256').update(readFileSync(binary.localPath)).digest('hex');
        fileSha.set(binary.localPath, sha);
    }
    return { kind: 'benchmark_model', sha256: sha, file: binary.localPath };
};

/**
 * The device's software build from its probe: the Android build fingerprint (ro.build.fingerprint, which names
 * brand, device, release, build id and type), else `OS release; kernel release` (Linux hosts, and phones whose
 * fingerprint could not be read).
 */
export const deviceBuildOf = (p: DeviceProbe): string => {
    if (p.android?.build !== undefined) return p.android.build;
    const os = p.android !== undefined ? `Android ${p.android.release} (SDK ${p.android.sdk})` : p.os;
    return `${os}${p.osRelease !== undefined && p.android === undefined ? ` ${p.osRelease}` : ''}; kernel ${p.kernel ?? 'unknown'}`;
};

export const jobIdentityOf = (runtime: RuntimeIdentity, probe: DeviceProbe, s: BenchSettings): JobIdentity => ({
    runtime,
    deviceBuild: deviceBuildOf(probe),
    threads: s.threads,
    cpuMask: s.cpuMask ?? null,
    useXnnpack: s.useXnnpack,
});
