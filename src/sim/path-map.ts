// Device path → host path mapping for the simulator. Pure.
//
// The simulated phone has no file system of its own: a handful of device path prefixes are "mounted" on host
// directories, e.g. /data/local/tmp → the simulator's root dir, /proc/cpuinfo and /sys/class/thermal → files
// generated from the profile. Sync requests resolve paths through `mapDevicePath`; shell commands get each
// mounted prefix rewritten in their text by `rewriteCommand` before /bin/sh sees them.

import { posix } from 'node:path';

export interface Mount {
    /** Absolute device path, no trailing slash (e.g. /data/local/tmp). */
    device: string;
    /** Absolute host path it stands for. Must contain no shell-special characters (see isShellSafePath). */
    host: string;
    writable: boolean;
}

export type MappedPath =
    | { kind: 'host'; host: string; writable: boolean }
    /** A device directory that only exists because something is mounted below it (/, /data, /sys/class). */
    | { kind: 'virtual-dir' }
    | { kind: 'unmapped' };

/** Characters that need no quoting in /bin/sh, so a host path can be spliced into command text as is. */
export const isShellSafePath = (p: string): boolean => /^\/[A-Za-z0-9_./+@%,-]*$/.test(p);

export const mapDevicePath = (mounts: readonly Mount[], devicePath: string): MappedPath => {
    if (!devicePath.startsWith('/')) return { kind: 'unmapped' };
    const p = posix.normalize(devicePath).replace(/(.)\/+$/, '$1');
    let best: Mount | undefined;
    for (const m of mounts) {
        if (
            (p === m.device || p.startsWith(`${m.device}/`)) &&
            (best === undefined || m.device.length > best.device.length)
        )
            best = m;
    }
    if (best !== undefined)
        return { kind: 'host', host: best.host + p.slice(best.device.length), writable: best.writable };
    if (mounts.some((m) => p === '/' || m.device.startsWith(`${p}/`))) return { kind: 'virtual-dir' };
    return { kind: 'unmapped' };
};

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Rewrite mounted device prefixes inside a shell command. A prefix is replaced only where it starts a path
 * (not preceded by a path character) and ends at a component boundary, so `/data/local/tmpfoo` and
 * `/x/data/local/tmp` stay as they are. Works inside quotes too, because the host paths need no quoting.
 */
export const rewriteCommand = (mounts: readonly Mount[], command: string): string => {
    if (mounts.length === 0) return command;
    const sorted = [...mounts].sort((a, b) => b.device.length - a.device.length);
    const byDevice = new Map(sorted.map((m) => [m.device, m.host]));
    const re = new RegExp(
        `(^|[^A-Za-z0-9_.~/-])(${sorted.map((m) => escapeRe(m.device)).join('|')})(?![A-Za-z0-9_.-])`,
        'g',
    );
    return command.replace(re, (_all, pre: string, dev: string) => `${pre}${byDevice.get(dev) ?? dev}`);
};
