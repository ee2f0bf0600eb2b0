// Measurement settings per device (threads, CPU mask, XNNPACK, runs, warm-up, runtime, repetitions…): what compare
// and history print beside the numbers when two runs measured with different settings, as they do device facts.
import type { RoleSettings } from '../config/schema.js';
import { runtimeText } from '../plan/plan.js';
import type { JobIdentity } from '../plan/types.js';
import type { ProbeChange } from './probe-facts.js';

/** Device name → setting name → value as text. */
export type DeviceSettings = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The parts of a stored result the settings come from (JobResultRecord satisfies it). */
export interface SettingsSource {
    device: string;
    repetition: number;
    /** The campaign's settings for the job's role. */
    settings: RoleSettings;
    /** What the job resolved them to (threads: all → a count, cpuAffinity: big → a mask); null: not recorded. */
    identity?: JobIdentity | null | undefined;
}

const SETTING_ORDER = [
    'runtime',
    'threads',
    'cpu mask',
    'XNNPACK',
    'delegate',
    'runs',
    'min secs',
    'max secs',
    'warmup runs',
    'warmup min secs',
    'run delay secs',
    'cooldown secs',
    'repetitions',
] as const;

/** One result's settings as text; the resolved identity where recorded, else the configured value. */
const settingsOf = (r: SettingsSource): Record<(typeof SETTING_ORDER)[number], string> => {
    const id = r.identity ?? null;
    const s = r.settings;
    return {
        runtime: id !== null ? runtimeText(id.runtime) : typeof s.runtime === 'string' ? s.runtime : 'benchmark_model',
        threads: String(id?.threads ?? s.threads),
        'cpu mask': id !== null ? (id.cpuMask ?? 'none') : s.cpuAffinity,
        XNNPACK: (id?.useXnnpack ?? s.useXnnpack) ? 'on' : 'off',
        delegate: s.delegate,
        runs: String(s.runs),
        'min secs': String(s.minSecs),
        'max secs': String(s.maxSecs),
        'warmup runs': String(s.warmupRuns),
        'warmup min secs': String(s.warmupMinSecs),
        'run delay secs': String(s.runDelaySecs),
        'cooldown secs': String(s.cooldownSecs),
        repetitions: '',
    };
};

/**
 * Settings per device over the results a run's numbers come from. A setting that differs between a device's results
 * lists every value ("1/2"); repetitions is the number of distinct repetition indices the device measured.
 */
export const deviceSettings = (results: readonly SettingsSource[]): DeviceSettings => {
    const byDevice = new Map<string, { values: Map<string, Set<string>>; reps: Set<number> }>();
    for (const r of results) {
        let d = byDevice.get(r.device);
        if (d === undefined) {
            d = { values: new Map(), reps: new Set() };
            byDevice.set(r.device, d);
        }
        d.reps.add(r.repetition);
        for (const [k, v] of Object.entries(settingsOf(r))) {
            const set = d.values.get(k) ?? new Set<string>();
            set.add(v);
            d.values.set(k, set);
        }
    }
    const out: Record<string, Record<string, string>> = {};
    for (const [device, d] of byDevice) {
        const facts: Record<string, string> = {};
        for (const k of SETTING_ORDER)
            facts[k] = k === 'repetitions' ? String(d.reps.size) : [...(d.values.get(k) ?? [])].sort().join('/');
        out[device] = facts;
    }
    return out;
};

/**
 * Every setting that differs between two runs for a device both measured, in ProbeChange's shape (a device only one
 * run measured has no metric in common to explain, so it is not listed). Empty when either side is unknown.
 */
export const diffSettings = (a: DeviceSettings | undefined, b: DeviceSettings | undefined): ProbeChange[] => {
    if (a === undefined || b === undefined) return [];
    const out: ProbeChange[] = [];
    for (const device of Object.keys(a).sort()) {
        const sa = a[device];
        const sb = b[device];
        if (sa === undefined || sb === undefined) continue;
        for (const fact of new Set([...Object.keys(sa), ...Object.keys(sb)])) {
            const va = sa[fact] ?? null;
            const vb = sb[fact] ?? null;
            if (va !== vb) out.push({ device, fact, a: va, b: vb });
        }
    }
    return out;
};
