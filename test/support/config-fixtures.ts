// Shared inputs for campaign config and plan tests: a device map and an injected file-facts lookup, so the
// checks run without touching the file system.
import type { DeviceFacts, FileFacts } from '../../src/config/rules.js';
import type { LoadContext } from '../../src/config/load.js';

export const DEVICES: ReadonlyMap<string, DeviceFacts> = new Map<string, DeviceFacts>([
    ['pixel7', { abis: ['arm64-v8a', 'armeabi-v7a'], kind: 'adb', cores: 8, canRunBuiltin: false }],
    ['a01', { abis: ['armeabi-v7a'], kind: 'adb', cores: 4, canRunBuiltin: false }],
    ['linux-pc', { abis: ['x86_64'], kind: 'ssh', cores: 8 }],
    ['local-ue', { abis: ['x86_64'], kind: 'local', cores: 2 }],
    ['local-server', { abis: ['x86_64'], kind: 'local', cores: 2 }],
]);

export const BASE = '/proj';

/** Files that "exist" under /proj, with their sha256. */
export const fileFacts =
    (existing: Readonly<Record<string, string>>) =>
    (absPath: string): FileFacts => {
        const sha = existing[absPath];
        return sha === undefined ? { exists: false } : { exists: true, sha256: sha };
    };

export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);

export const FILES: Readonly<Record<string, string>> = {
    '/proj/models/net.tflite': SHA_A,
    '/proj/models/other.tflite': SHA_B,
    '/proj/tools/bm-arm64': 'c'.repeat(64),
    '/proj/tools/bm-x86_64': 'd'.repeat(64),
};

export const ctx = (extra: Partial<LoadContext> = {}): LoadContext => ({
    knownDevices: DEVICES,
    baseDir: BASE,
    modelInfo: (p) =>
        p.endsWith('net.tflite') ? { opCount: 30 } : p.endsWith('other.tflite') ? { opCount: 12 } : undefined,
    ...extra,
});
