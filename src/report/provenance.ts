// Provenance of a report's numbers: what measured them (runtime, device build, resolved threads, CPU mask, XNNPACK,
// host identity), which run measured them and when (a run reuses earlier results), and which devices measured
// nothing and why. One section in every format; renderers call one function each. Pure: built from plain records.
// i10a's "Measurement conditions" block (concurrency, load flags) is separate and not repeated here.
import type { HostIdentity } from '../drivers/types.js';
import { runtimeText } from '../plan/plan.js';
import type { JobIdentity } from '../plan/types.js';
import { escapeMd, escapeXml } from './format.js';

/** One device as its results were measured (one row per distinct identity if they differ). */
export interface ProvenanceDevice {
    name: string;
    role?: 'ue' | 'server' | undefined;
    /** Results in the report measured with this identity. */
    results: number;
    /** `built-in runner (splitbench 0.1.0, TFLite 2.9.0)`, `benchmark_model sha256 …`, or `not recorded`. */
    runtime: string;
    deviceBuild: string;
    /** Resolved thread count, e.g. `2` (never `all`). */
    threads: string;
    /** taskset mask used, or `none`. */
    cpuMask: string;
    xnnpack: string;
    /** One line: model / OS, cores, probe time. */
    probe: string;
    host?: HostIdentity | undefined;
}

/** A run whose results the report shows. */
export interface ProvenanceSource {
    runId: string;
    startedAt: string;
    results: number;
    /** The report's own run (measured now) rather than an earlier one whose results it reuses. */
    thisRun: boolean;
}

/** Jobs of the run that produced no result, grouped by device and cause. */
export interface ProvenanceFailure {
    device: string;
    jobs: number;
    error: string;
}

export interface Provenance {
    runId: string;
    devices: ProvenanceDevice[];
    sources: ProvenanceSource[];
    failures: ProvenanceFailure[];
}

/** Probe facts the summary reads: structurally a subset of DeviceProbe. */
export interface ProvenanceProbe {
    os?: string | undefined;
    osRelease?: string | undefined;
    kernel?: string | undefined;
    cores?: number | undefined;
    probedAt?: string | undefined;
    host?: HostIdentity | undefined;
    android?:
        { model?: string | undefined; manufacturer?: string | undefined; release?: string | undefined } | undefined;
}

export interface ProvenanceResult {
    runId: string;
    device: string;
    role: 'ue' | 'server';
    identity?: JobIdentity | null | undefined;
    /** Configured threads, for results stored before the identity was recorded. */
    settingsThreads?: number | 'all' | undefined;
    probe: ProvenanceProbe | null;
}

const probeLine = (p: ProvenanceProbe | null): string => {
    if (p === null) return 'no probe recorded';
    const what =
        p.android !== undefined
            ? `${p.android.manufacturer ?? ''} ${p.android.model ?? ''}, Android ${p.android.release ?? '?'}`.trim()
            : `${p.os ?? '?'}${p.osRelease !== undefined ? ` ${p.osRelease}` : ''}`;
    return `${what}, ${p.cores ?? '?'} cores, kernel ${p.kernel ?? '?'}, probed ${p.probedAt ?? '?'}`;
};

/** Host identity in one line: `linux:abc… (machine-id abc…, boot 12ab…)`, `simulated on linux:…`. */
export const hostText = (h: HostIdentity | undefined): string => {
    if (h === undefined) return 'not recorded';
    const parts: string[] = [];
    if (h.machineId !== undefined) parts.push(`machine-id ${h.machineId.slice(0, 12)}`);
    if (h.bootId !== undefined) parts.push(`boot ${h.bootId.slice(0, 8)}`);
    if (h.serial !== undefined) parts.push(`serial ${h.serial}`);
    if (h.warning !== undefined) parts.push(`warning: ${h.warning}`);
    return `${h.simulated === true ? 'simulated, runs on ' : ''}${h.cpuHost}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
};

/**
 * Groups the report's results by device and identity, and by the run that measured them. `runStarts` maps run id →
 * start time (ISO 8601); `failures` are the run's jobs without a result.
 */
export const buildProvenance = (
    runId: string,
    results: readonly ProvenanceResult[],
    runStarts: ReadonlyMap<string, string>,
    failures: readonly ProvenanceFailure[],
): Provenance => {
    const devices = new Map<string, ProvenanceDevice>();
    for (const r of results) {
        const id = r.identity ?? null;
        const key = `${r.device}\u0000${id === null ? '' : JSON.stringify(id)}`;
        const d = devices.get(key);
        if (d !== undefined) {
            d.results++;
            continue;
        }
        devices.set(key, {
            name: r.device,
            role: r.role,
            results: 1,
            runtime: id === null ? 'not recorded' : runtimeText(id.runtime),
            deviceBuild: id?.deviceBuild ?? 'not recorded',
            threads:
                id !== null
                    ? String(id.threads)
                    : typeof r.settingsThreads === 'number'
                      ? String(r.settingsThreads)
                      : 'not recorded',
            cpuMask: id === null ? 'not recorded' : (id.cpuMask ?? 'none'),
            xnnpack: id === null ? 'not recorded' : id.useXnnpack ? 'on' : 'off',
            probe: probeLine(r.probe),
            host: r.probe?.host,
        });
    }
    const sources = new Map<string, ProvenanceSource>();
    for (const r of results) {
        const s = sources.get(r.runId);
        if (s !== undefined) s.results++;
        else
            sources.set(r.runId, {
                runId: r.runId,
                startedAt: runStarts.get(r.runId) ?? '?',
                results: 1,
                thisRun: r.runId === runId,
            });
    }
    return {
        runId,
        devices: [...devices.values()].sort((a, b) => a.name.localeCompare(b.name)),
        sources: [...sources.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
        failures: [...failures],
    };
};

const sourceText = (s: ProvenanceSource): string =>
    `${s.runId} (started ${s.startedAt}): ${s.results} result(s)${s.thisRun ? ', measured by this run' : ', reused'}`;

const failureText = (f: ProvenanceFailure): string => `${f.device}: ${f.jobs} job(s) not measured: ${f.error}`;

const DEVICE_HEADERS = [
    'Device',
    'Role',
    'Results',
    'Runtime',
    'Threads',
    'CPU mask',
    'XNNPACK',
    'Software build',
    'Host',
    'Probe',
] as const;

const deviceCells = (d: ProvenanceDevice): string[] => [
    d.name,
    d.role ?? '',
    String(d.results),
    d.runtime,
    d.threads,
    d.cpuMask,
    d.xnnpack,
    d.deviceBuild,
    hostText(d.host),
    d.probe,
];

/** Markdown lines of the section (starts with its `## Provenance` heading). */
export const provenanceMarkdown = (p: Provenance): string[] => {
    const out: string[] = ['## Provenance', ''];
    if (p.failures.length > 0) {
        out.push('**Not measured:**', '', ...p.failures.map((f) => `- ${escapeMd(failureText(f))}`), '');
    }
    out.push(
        `| ${DEVICE_HEADERS.join(' | ')} |`,
        `|${DEVICE_HEADERS.map(() => '---').join('|')}|`,
        ...p.devices.map((d) => `| ${deviceCells(d).map(escapeMd).join(' | ')} |`),
        '',
    );
    out.push('Measured by:', '', ...p.sources.map((s) => `- ${escapeMd(sourceText(s))}`), '');
    return out;
};

/** HTML fragment of the section (`<h2>Provenance</h2>` and its tables). */
export const provenanceHtml = (p: Provenance): string => {
    const failures =
        p.failures.length === 0
            ? ''
            : `<p class="note"><b>Not measured:</b></p><ul>${p.failures.map((f) => `<li class="note">${escapeXml(failureText(f))}</li>`).join('')}</ul>`;
    const head = DEVICE_HEADERS.map((h) => `<th class="t">${h}</th>`).join('');
    const rows = p.devices
        .map(
            (d) =>
                `<tr>${deviceCells(d)
                    .map((c) => `<td class="t">${escapeXml(c)}</td>`)
                    .join('')}</tr>`,
        )
        .join('');
    const sources = p.sources.map((s) => `<li>${escapeXml(sourceText(s))}</li>`).join('');
    return `<h2>Provenance</h2>${failures}<div class="scroll"><table class="prov"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div><p>Measured by:</p><ul>${sources}</ul>`;
};

/** Rows for a spreadsheet: a header row, then one row per device, source and failure. */
export const provenanceRows = (p: Provenance): string[][] => [
    ['Provenance'],
    [...DEVICE_HEADERS],
    ...p.devices.map(deviceCells),
    [],
    ['Measured by run', 'Started', 'Results', 'This run'],
    ...p.sources.map((s) => [s.runId, s.startedAt, String(s.results), s.thisRun ? 'yes' : 'reused']),
    ...(p.failures.length === 0
        ? []
        : [
              [],
              ['Not measured: device', 'Jobs', 'Cause'],
              ...p.failures.map((f) => [f.device, String(f.jobs), f.error]),
          ]),
];
