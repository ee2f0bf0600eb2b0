// The one interface every device transport implements. Nothing here imports adbkit, ssh2 or execa.

export type DriverKind = 'adb' | 'ssh' | 'local';

export interface CallOptions {
    signal?: AbortSignal | undefined;
    timeoutMs?: number | undefined;
}

export interface ExecOptions extends CallOptions {
    /** Working directory on the device. */
    cwd?: string | undefined;
    env?: Readonly<Record<string, string>> | undefined;
}

export interface ExecResult {
    argv: readonly string[];
    exitCode: number;
    stdout: string;
    stderr: string;
    /** True when the device cannot separate stderr from stdout (adb `shell:` without shell_v2): stderr is then empty. */
    stderrMerged: boolean;
    durationMs: number;
}

export interface PushResult {
    /** Bytes actually sent: 0 when the remote file already had the same sha256. */
    bytesSent: number;
    skipped: boolean;
    sha256: string;
}

export interface PushOptions extends CallOptions {
    /** chmod 755 after the transfer (binaries). */
    executable?: boolean | undefined;
}

/**
 * Which physical CPUs a device's benchmarks run on. Two devices with the same `cpuHost` share CPUs and must not
 * be measured at the same time (a benchmark beside another one measures the contention, not the device).
 */
export interface HostIdentity {
    /**
     * The key that names the physical CPUs: `linux:<machine-id>` for Linux hosts (local and SSH),
     * `android:<serial or build fingerprint>` for real phones, and for a simulated phone the key of the host
     * whose CPUs run its code (`linux:<machine-id of that host>`), since that is where its work really runs.
     */
    cpuHost: string;
    /** /etc/machine-id (Linux hosts, and the host that runs a simulated phone). */
    machineId?: string | undefined;
    /** /proc/sys/kernel/random/boot_id: a reboot between two runs is a fact worth showing. */
    bootId?: string | undefined;
    /** Android: ro.serialno (or the adb serial); ro.build.fingerprint. */
    serial?: string | undefined;
    buildFingerprint?: string | undefined;
    /** True for a device simulator (it says so itself, as the Android emulator does with ro.kernel.qemu). */
    simulated?: boolean | undefined;
    /**
     * A simulated phone: how many CPUs of its host its code may run on. Threads beyond it wait for a core,
     * whatever core count the phone's profile claims (`cores`).
     */
    cpus?: number | undefined;
    /** Why the identity is incomplete (an unreadable machine-id, say); the device then gets a queue of its own. */
    warning?: string | undefined;
}

/** Facts about a device, stored with every result. */
export interface DeviceProbe {
    kind: DriverKind;
    probedAt: string;
    /** Host identity (absent in probes stored before it existed). */
    host?: HostIdentity | undefined;
    hostname?: string | undefined;
    os: string;
    osRelease?: string | undefined;
    kernel?: string | undefined;
    arch: string;
    abis: string[];
    cpuModel?: string | undefined;
    cores: number;
    /** Max frequency per core in kHz, index = cpu number; empty when unknown. */
    coreMaxFreqKhz: number[];
    /** Hex CPU mask of the fastest cores (taskset form), when frequencies are known. */
    bigCoreMask?: string | undefined;
    governors: string[];
    memTotalMb?: number | undefined;
    loadAvg?: number[] | undefined;
    thermalC: Record<string, number>;
    /** Android only. */
    android?:
        | {
              model: string;
              manufacturer: string;
              board?: string | undefined;
              soc?: string | undefined;
              release: string;
              sdk: number;
              build?: string | undefined;
              batteryLevel?: number | undefined;
              batteryTempC?: number | undefined;
              rooted: boolean;
          }
        | undefined;
    workDir: string;
    freeBytes?: number | undefined;
}

export interface DeviceDriver {
    readonly name: string;
    readonly kind: DriverKind;
    probe(opts?: CallOptions): Promise<DeviceProbe>;
    push(local: string, remote: string, opts?: PushOptions): Promise<PushResult>;
    exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
    pull(remote: string, local: string, opts?: CallOptions): Promise<void>;
    /** Per-campaign working directory on the device (created on demand). */
    workDir(): string;
    close(): Promise<void>;
}
