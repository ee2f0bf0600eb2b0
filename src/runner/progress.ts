// Progress a person can follow: a live line per device with ETA on a TTY, plain lines otherwise.
import type { Writable } from 'node:stream';
import { repValueMs } from '../analysis/stats.js';

export interface DeviceProgress {
    device: string;
    total: number;
    done: number;
    failed: number;
    current?: string | undefined;
    startedAt: number;
    /** Milliseconds spent on finished jobs, for the ETA. */
    busyMs: number;
}

export interface ProgressSink {
    start(device: string, total: number): void;
    jobStarted(device: string, label: string): void;
    jobFinished(device: string, label: string, ok: boolean, ms: number, note?: string): void;
    close(): void;
}

/**
 * The note of a finished benchmark: the per-repetition value the analysis uses (docs/statistics.md), labelled,
 * `median 48.35 ms` from raw samples (µs) or `avg 48.86 ms` from the benchmark's average (µs) when there are none.
 * Undefined when the output gave neither.
 */
export const timingNote = (r: { avgUs?: number | undefined; samplesUs?: number[] | undefined }): string | undefined => {
    if (r.avgUs === undefined && (r.samplesUs === undefined || r.samplesUs.length === 0)) return undefined;
    const v = repValueMs({ avgUs: r.avgUs ?? 0, samplesUs: r.samplesUs });
    return `${v.kind === 'median' ? 'median' : 'avg'} ${v.ms.toFixed(2)} ms`;
};

const fmtDuration = (ms: number): string => {
    if (!Number.isFinite(ms)) return '?';
    const s = Math.round(ms / 1000);
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    return m < 60
        ? `${m}m${String(s % 60).padStart(2, '0')}s`
        : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
};

const eta = (p: DeviceProgress): number => {
    const finished = p.done + p.failed;
    if (finished === 0) return Number.NaN;
    return (p.busyMs / finished) * (p.total - finished);
};

const bar = (p: DeviceProgress, width: number): string => {
    const frac = p.total === 0 ? 1 : (p.done + p.failed) / p.total;
    const full = Math.round(frac * width);
    return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
};

const line = (p: DeviceProgress): string =>
    `${p.device.padEnd(14)} ${bar(p, 24)} ${p.done + p.failed}/${p.total}` +
    (p.failed > 0 ? ` (${p.failed} failed)` : '') +
    ` ETA ${fmtDuration(eta(p))}` +
    (p.current !== undefined ? `  ${p.current}` : '');

export const createProgress = (out: Writable & { isTTY?: boolean; columns?: number }, now = Date.now): ProgressSink => {
    const devices = new Map<string, DeviceProgress>();
    const live = out.isTTY === true;
    let drawn = 0;
    const redraw = (): void => {
        if (!live) return;
        const cols = out.columns ?? 100;
        let s = drawn > 0 ? `\x1b[${drawn}A` : '';
        for (const p of devices.values()) s += `\x1b[2K${line(p).slice(0, cols - 1)}\n`;
        drawn = devices.size;
        out.write(s);
    };
    const get = (device: string): DeviceProgress => {
        const p = devices.get(device);
        if (p === undefined) throw new Error(`progress: unknown device ${device}`);
        return p;
    };
    return {
        start(device, total) {
            devices.set(device, { device, total, done: 0, failed: 0, startedAt: now(), busyMs: 0 });
            if (!live) out.write(`${device}: ${total} job(s) queued\n`);
            redraw();
        },
        jobStarted(device, label) {
            get(device).current = label;
            redraw();
        },
        jobFinished(device, label, ok, ms, note) {
            const p = get(device);
            if (ok) p.done++;
            else p.failed++;
            p.busyMs += ms;
            p.current = undefined;
            const text =
                `${device}: ${ok ? 'done' : 'FAILED'} ${label} in ${fmtDuration(ms)} ` +
                `(${p.done + p.failed}/${p.total}, ETA ${fmtDuration(eta(p))})${note !== undefined ? ` — ${note}` : ''}\n`;
            if (!live) {
                out.write(text);
                return;
            }
            if (!ok) {
                // a failure stays on screen above the live bars
                out.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}\x1b[J${text}`);
                drawn = 0;
            }
            redraw();
        },
        close() {
            redraw();
        },
    };
};
