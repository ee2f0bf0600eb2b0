// Jobs: what the planner produces and the executor and the store consume.
import type { Mode, Role, RoleSettings } from '../config/schema.js';

/**
 * - `estimate`: the full model with op profiling on one device (UE or server); per-op rows give every split's
 *   estimate, and its timed average is T(full) on that device (the reference study's method).
 * - `baseline`: the full model without profiling (measure mode only), on every UE (T_UE(full), what a split
 *   is compared against) and every server (T_server(full): full offload). Profiling overhead makes the
 *   estimate job's average unfit as the reference for unprofiled head/tail timings, hence a separate job.
 * - `measure-head`: head sub-model of split k on a UE device.
 * - `measure-tail`: tail sub-model of split k on a server device.
 */
export const JOB_KINDS = ['estimate', 'baseline', 'measure-head', 'measure-tail'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** Settings that define a measurement (and so enter the job id). Scheduling-only settings are left out. */
export type MeasurementSettings = Omit<RoleSettings, 'cooldownSecs' | 'thermalGateC' | 'thermalGateTimeoutSecs'>;

export interface Job {
    /** Deterministic: same model bytes, split, device, role, kind, settings and repetition → same id. */
    id: string;
    kind: JobKind;
    mode: Mode;
    modelId: string;
    modelSha256: string;
    /** Absolute path of the full model on this host. */
    modelPath: string;
    /** Split index for measure-head/-tail; null for full-model jobs. */
    split: number | null;
    device: string;
    role: Role;
    /** 0-based. */
    repetition: number;
    /** Run benchmark_model with --enable_op_profiling. */
    profile: boolean;
    /** The role's settings, all of them (scheduling ones included), as the executor needs them. */
    settings: RoleSettings;
    inputShapes?: Readonly<Record<string, readonly number[]>> | undefined;
    /** Short human label: `measure-head pose@12 on pixel7 #1`. */
    label: string;
}

/** A model as the planner needs it: identity, where it is, and its split indices (resolved already). */
export interface PlanModel {
    id: string;
    sha256: string;
    path: string;
    opCount: number;
    splits: readonly number[];
}

/**
 * What runs a job on one device, beyond the job's definition: the runtime, the device's software build and the
 * settings as they resolved on that device. Known only after the device is probed, so it is not part of the job id;
 * it enters the reuse key instead (identityKey in plan.ts): a result is reused only when both match.
 */
export interface JobIdentity {
    runtime: RuntimeIdentity;
    /** Android: ro.build.fingerprint; Linux: `OS release; kernel release` from the probe. */
    deviceBuild: string;
    /** Resolved thread count (`threads: all` becomes the device's core count). */
    threads: number;
    /** taskset hex mask actually used, or null for no pinning. */
    cpuMask: string | null;
    useXnnpack: boolean;
}

/** The built-in runner is named by splitbench's and its TFLite library's versions, a benchmark_model by its sha256. */
export type RuntimeIdentity =
    | { kind: 'builtin'; splitbench: string; tflite: string }
    | { kind: 'benchmark_model'; sha256: string; /** Local file it came from (not part of the key). */ file: string };
