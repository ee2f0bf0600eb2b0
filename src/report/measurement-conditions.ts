// The "Measurement conditions" block of every report: how devices were queued (one queue per physical host, or
// parallel by the campaign's opt-in), which devices actually ran jobs at the same time (from the stored job start
// and end times), which devices ran more benchmark threads than they have CPUs, and which results were measured
// while other work used the device (load flags, threshold in docs/measurement-conditions.md). Pure: the builder
// takes plain records, the renderers return strings.
import { escapeMd, escapeXml } from './format.js';

/** One stored job, as far as measurement conditions go. Times are ISO 8601 strings (the store's). */
export interface ConditionJob {
    id: string;
    runId: string;
    device: string;
    kind: string;
    split: number | null;
    repetition: number;
    startedAt: string | null;
    endedAt: string | null;
    /** `host.cpuHost` of the probe the result was measured with. */
    cpuHost?: string | undefined;
    /** Threads the benchmark ran with (resolved), and the CPUs its device could run them on, when known. */
    threads?: number | undefined;
    cpus?: number | undefined;
    /** JobLoad (src/store/types.ts) or null when the result predates load recording. */
    load?:
        | { flag?: string | undefined; busyFraction?: number | undefined; loadAvg1Before?: number | undefined }
        | null
        | undefined;
}

/** Queues as recorded in the run's options (`scheduling`, see src/runner/host-queues.ts). */
export interface SchedulingFacts {
    queues: { cpuHost: string; devices: string[] }[];
    parallelOnSharedHost: boolean;
}

export interface ConcurrentPair {
    devices: [string, string];
    /** The two devices' probes name the same cpuHost: their timings include each other's load. */
    sharedHost: boolean;
    /** Job pairs whose [start, end] intervals overlapped, and the summed overlap in seconds. */
    overlappingJobs: number;
    overlapSecs: number;
    /** The runs those jobs belong to (more than one: the overlap crossed runs). */
    runs: string[];
}

export interface LoadFlagged {
    device: string;
    job: string;
    kind: string;
    split: number | null;
    repetition: number;
    runId: string;
    flag: string;
}

/** A device whose benchmarks ran more threads than it has CPUs: they took turns on the cores. */
export interface Oversubscription {
    device: string;
    /** The most threads one of its results ran with. */
    threads: number;
    cpus: number;
    /** Its results that ran with more threads than CPUs. */
    results: number;
}

export interface MeasurementConditions {
    /** null for runs recorded before scheduling was stored. */
    scheduling: SchedulingFacts | null;
    concurrent: ConcurrentPair[];
    loadFlagged: LoadFlagged[];
    /** Devices whose results ran with more threads than CPUs, by device name. */
    oversubscribed: Oversubscription[];
    /** Results with a load reading / all results. */
    loadRecorded: number;
    results: number;
}

/**
 * What load does to the numbers, said wherever load-flagged results are counted: every time measured under load is
 * inflated by an amount nobody knows, and an improvement (B − T)/B divides one inflated time by another, each
 * inflated differently, so it can err in either direction (the review saw −56 % and +48 % where ≈ 0 was true).
 */
export const LOAD_EFFECT =
    'their times are inflated by an unknown amount, and improvements computed from them can be wrong in either direction';

const ms = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso));

/**
 * Queues of several runs as one: the devices of each cpuHost united, parallel when any run ran a shared host in
 * parallel (then "one job at a time" cannot be claimed for all of them). Null when no run recorded its scheduling.
 */
export const mergeScheduling = (list: readonly (SchedulingFacts | null)[]): SchedulingFacts | null => {
    const known = list.filter((s): s is SchedulingFacts => s !== null);
    if (known.length === 0) return null;
    const byHost = new Map<string, string[]>();
    for (const s of known)
        for (const q of s.queues) {
            const devs = byHost.get(q.cpuHost) ?? [];
            for (const d of q.devices) if (!devs.includes(d)) devs.push(d);
            byHost.set(q.cpuHost, devs);
        }
    return {
        queues: [...byHost].map(([cpuHost, devices]) => ({ cpuHost, devices })),
        parallelOnSharedHost: known.some((s) => s.parallelOnSharedHost),
    };
};

const jobKey = (j: ConditionJob): string => `${j.runId}\u0000${j.id}`;

/**
 * Measurement conditions of a report's results (`jobs`: one per result, whichever run measured it). Concurrency is
 * computed from each job's stored [startedAt, endedAt], which spans the attempt's health check, cool-down, thermal
 * gate and benchmark: an overlap there means two devices were busy at once. It is computed across runs: a result
 * reused from an earlier run brings that run's contention with it, and two runs can measure at the same time
 * (`others`: further stored jobs of any run, e.g. every job of the runs that measured the results and of runs that
 * ran meanwhile). Only pairs that involve a result count. A job without its own cpuHost takes the one its device
 * has in another job or in the scheduling queues. Every device of a result is listed under its host, also when the
 * scheduling (of the report's run) does not name it.
 */
export const measurementConditions = (
    jobs: readonly ConditionJob[],
    scheduling: SchedulingFacts | null,
    others: readonly ConditionJob[] = [],
): MeasurementConditions => {
    const hostOf = new Map<string, string>();
    for (const q of scheduling?.queues ?? []) for (const d of q.devices) hostOf.set(d, q.cpuHost);
    for (const j of [...others, ...jobs]) if (j.cpuHost !== undefined) hostOf.set(j.device, j.cpuHost);
    const resultKeys = new Set(jobs.map(jobKey));
    const timed = new Map<string, ConditionJob>();
    for (const j of [...jobs, ...others])
        if (Number.isFinite(ms(j.startedAt)) && Number.isFinite(ms(j.endedAt)) && !timed.has(jobKey(j)))
            timed.set(jobKey(j), j);
    const pairs = new Map<string, Omit<ConcurrentPair, 'runs'> & { runSet: Set<string> }>();
    const sorted = [...timed.values()].sort((a, b) => ms(a.startedAt) - ms(b.startedAt));
    for (let i = 0; i < sorted.length; i++) {
        const a = sorted[i] as ConditionJob;
        for (let k = i + 1; k < sorted.length; k++) {
            const b = sorted[k] as ConditionJob;
            if (ms(b.startedAt) >= ms(a.endedAt)) break;
            if (a.device === b.device || !(resultKeys.has(jobKey(a)) || resultKeys.has(jobKey(b)))) continue;
            const overlap = Math.min(ms(a.endedAt), ms(b.endedAt)) - ms(b.startedAt);
            if (overlap <= 0) continue;
            const devices = [a.device, b.device].sort() as [string, string];
            const key = devices.join('\u0000');
            const hostA = hostOf.get(a.device);
            const p = pairs.get(key) ?? {
                devices,
                sharedHost: hostA !== undefined && hostA === hostOf.get(b.device),
                overlappingJobs: 0,
                overlapSecs: 0,
                runSet: new Set<string>(),
            };
            p.overlappingJobs++;
            p.overlapSecs += overlap / 1000;
            p.runSet.add(a.runId).add(b.runId);
            pairs.set(key, p);
        }
    }
    const loadFlagged: LoadFlagged[] = [];
    for (const j of jobs)
        if (j.load?.flag !== undefined)
            loadFlagged.push({
                device: j.device,
                job: j.id,
                kind: j.kind,
                split: j.split,
                repetition: j.repetition,
                runId: j.runId,
                flag: j.load.flag,
            });
    const over = new Map<string, Oversubscription>();
    for (const j of jobs) {
        if (j.threads === undefined || j.cpus === undefined || j.threads <= j.cpus) continue;
        const o = over.get(j.device) ?? { device: j.device, threads: 0, cpus: j.cpus, results: 0 };
        o.threads = Math.max(o.threads, j.threads);
        o.results++;
        over.set(j.device, o);
    }
    return {
        scheduling: withEveryDevice(scheduling, jobs, hostOf),
        oversubscribed: [...over.values()].sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0)),
        concurrent: [...pairs.values()].map(({ runSet, ...p }) => ({
            ...p,
            overlapSecs: Number(p.overlapSecs.toFixed(3)),
            runs: [...runSet].sort(),
        })),
        loadFlagged,
        loadRecorded: jobs.filter((j) => j.load !== undefined && j.load !== null).length,
        results: jobs.length,
    };
};

// Devices of results that the scheduling does not name (a reused result's device, not part of this run) join the
// queue of their host, or one of their own ("device:NAME": host unknown).
const withEveryDevice = (
    s: SchedulingFacts | null,
    jobs: readonly ConditionJob[],
    hostOf: ReadonlyMap<string, string>,
): SchedulingFacts | null => {
    if (s === null) return null;
    const queues = s.queues.map((q) => ({ cpuHost: q.cpuHost, devices: [...q.devices] }));
    for (const d of new Set(jobs.map((j) => j.device))) {
        if (queues.some((q) => q.devices.includes(d))) continue;
        const host = hostOf.get(d) ?? `device:${d}`;
        const q = queues.find((x) => x.cpuHost === host);
        if (q !== undefined) q.devices.push(d);
        else queues.push({ cpuHost: host, devices: [d] });
    }
    return { queues, parallelOnSharedHost: s.parallelOnSharedHost };
};

const shortHost = (h: string): string => h.replace(/^(linux:[0-9a-f]{8})[0-9a-f]{24}$/, '$1…');

/** The block as plain sentences, shared by every format. */
export const conditionLines = (mc: MeasurementConditions): string[] => {
    const out: string[] = [];
    const s = mc.scheduling;
    if (s === null) out.push('Devices by host: not recorded (run made before splitbench recorded its scheduling).');
    else {
        const qs = s.queues.map(
            (q) =>
                `${q.devices.join(' + ')} (${q.cpuHost.startsWith('device:') ? 'host unknown' : shortHost(q.cpuHost)})`,
        );
        out.push(`Devices by host: ${qs.join('; ')}.`);
        const shared = s.queues.filter((q) => q.devices.length > 1);
        if (s.parallelOnSharedHost && shared.length > 0)
            out.push(
                `Devices that share a host ran in parallel (scheduling.parallelOnSharedHost: true): ` +
                    `${shared.map((q) => q.devices.join(' + ')).join('; ')}; their timings include each other's load.`,
            );
        else if (shared.length > 0) {
            // queued one at a time is a plan; whether it held is what the stored times say (a second process on the
            // same run, or another run on the same host, breaks it)
            const overlapped = (q: { devices: string[] }): boolean =>
                mc.concurrent.some((c) => q.devices.includes(c.devices[0]) && q.devices.includes(c.devices[1]));
            const held = shared.filter((q) => !overlapped(q));
            const broken = shared.filter(overlapped);
            if (held.length > 0)
                out.push(
                    `Devices that share a host ran one job at a time: ${held.map((q) => q.devices.join(' + ')).join('; ')}.`,
                );
            if (broken.length > 0)
                out.push(
                    `Devices that share a host were queued to run one job at a time, yet their jobs overlapped ` +
                        `(see "Ran concurrently"): ${broken.map((q) => q.devices.join(' + ')).join('; ')}.`,
                );
        }
    }
    if (mc.concurrent.length === 0) out.push('No two devices ran jobs at the same time.');
    for (const c of mc.concurrent)
        out.push(
            `Ran concurrently: ${c.devices[0]} and ${c.devices[1]}${c.sharedHost ? ' (same host: contended)' : ' (different hosts)'}, ` +
                `${c.overlappingJobs} overlapping job pair(s), ${c.overlapSecs.toFixed(1)} s overlap` +
                `${c.runs.length > 1 ? ` (jobs of runs ${c.runs.join(', ')})` : ''}.`,
        );
    for (const o of mc.oversubscribed)
        out.push(
            `Threads above CPUs: ${o.device} ran ${o.threads} threads on ${o.cpus} CPU(s) (${o.results} result(s)): ` +
                `the threads took turns on the cores, so its times include waiting for one.`,
        );
    out.push(
        mc.loadFlagged.length === 0
            ? `Load: no result flagged (${mc.loadRecorded} of ${mc.results} results have a load reading).`
            : `Load: ${mc.loadFlagged.length} of ${mc.results} results measured while other work used the device ` +
                  `(threshold: docs/measurement-conditions.md; ${mc.loadRecorded} have a load reading): ${LOAD_EFFECT}.`,
    );
    return out;
};

const flaggedRow = (f: LoadFlagged): string[] => [
    f.device,
    f.kind,
    f.split === null ? '' : String(f.split),
    String(f.repetition),
    f.runId,
    f.flag,
];
const FLAGGED_HEADERS = ['Device', 'Job', 'Split', 'Rep', 'Run', 'Load flag'];

export const conditionsMarkdown = (mc: MeasurementConditions): string[] => {
    const out = ['## Measurement conditions', '', ...conditionLines(mc).map((l) => `- ${escapeMd(l)}`), ''];
    if (mc.loadFlagged.length > 0)
        out.push(
            `| ${FLAGGED_HEADERS.join(' | ')} |`,
            `|${FLAGGED_HEADERS.map(() => '---').join('|')}|`,
            ...mc.loadFlagged.map((f) => `| ${flaggedRow(f).map(escapeMd).join(' | ')} |`),
            '',
        );
    return out;
};

export const conditionsHtml = (mc: MeasurementConditions): string =>
    '<h2>Measurement conditions</h2>' +
    `<ul class="conditions">${conditionLines(mc)
        .map((l) => `<li>${escapeXml(l)}</li>`)
        .join('')}</ul>` +
    (mc.loadFlagged.length === 0
        ? ''
        : `<table class="load-flags"><thead><tr>${FLAGGED_HEADERS.map((h) => `<th class="t">${h}</th>`).join('')}</tr></thead><tbody>${mc.loadFlagged
              .map(
                  (f) =>
                      `<tr>${flaggedRow(f)
                          .map((c) => `<td class="t">${escapeXml(c)}</td>`)
                          .join('')}</tr>`,
              )
              .join('')}</tbody></table>`);

/** Rows for a spreadsheet: a title row, one row per sentence, then the flagged results. */
export const conditionsRows = (mc: MeasurementConditions): string[][] => [
    ['Measurement conditions'],
    ...conditionLines(mc).map((l) => [l]),
    ...(mc.loadFlagged.length === 0 ? [] : [FLAGGED_HEADERS, ...mc.loadFlagged.map(flaggedRow)]),
];
