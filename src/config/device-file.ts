// Device inventory: one YAML file per device in devices/ (devices/NAME.yaml). The file says how to reach the
// device (and `devices add` stores its first probe there); later probes (`devices probe`, `devices check`, every
// campaign run) go to a cache beside it, devices/.probes/NAME.json, which git ignores: probing never modifies a
// tracked file. The newer of the two is the device's probe, so campaigns can be checked (ABI, cores) without
// touching devices.
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync, mkdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { SplitbenchError, messageOf } from '../errors.js';
import type { DeviceProbe } from '../drivers/types.js';
import { schemaIssues } from './issues.js';
import { formatPath, positionOf } from './yaml-location.js';

export const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HOST_PORT = /^(\[[^\]\s]+\]|[^\s:]+):\d{1,5}$/;

/** Default inventory folder: --devices DIR, else $SPLITBENCH_DEVICES, else ./devices. */
export const defaultDevicesDir = (flag?: string): string =>
    resolve(flag ?? process.env['SPLITBENCH_DEVICES'] ?? 'devices');

const HostPort = z.string().regex(HOST_PORT, { error: 'expected host:port' });

const ProbeSchema = z.looseObject({
    kind: z.enum(['adb', 'ssh', 'local']),
    probedAt: z.string(),
    hostname: z.string().optional(),
    os: z.string(),
    osRelease: z.string().optional(),
    kernel: z.string().optional(),
    arch: z.string(),
    abis: z.array(z.string()),
    cpuModel: z.string().optional(),
    cores: z.number().int().min(0),
    coreMaxFreqKhz: z.array(z.number()),
    bigCoreMask: z
        .string()
        .regex(/^[0-9a-fA-F]+$/)
        .optional(),
    governors: z.array(z.string()),
    memTotalMb: z.number().optional(),
    loadAvg: z.array(z.number()).optional(),
    thermalC: z.record(z.string(), z.number()),
    android: z
        .looseObject({
            model: z.string(),
            manufacturer: z.string(),
            board: z.string().optional(),
            soc: z.string().optional(),
            release: z.string(),
            sdk: z.number(),
            build: z.string().optional(),
            batteryLevel: z.number().optional(),
            batteryTempC: z.number().optional(),
            rooted: z.boolean(),
        })
        .optional(),
    workDir: z.string(),
    freeBytes: z.number().optional(),
});

const common = {
    name: z.string().regex(DEVICE_NAME, { error: 'expected letters, digits, ".", "_" or "-"' }),
    description: z.string().optional().describe('free text shown by devices list'),
    workDir: z
        .string()
        .startsWith('/', { error: 'expected an absolute path' })
        .optional()
        .describe('working directory root on the device'),
    benchmarkBinary: z
        .record(z.string(), z.string())
        .optional()
        .describe('ABI → benchmark_model binary for this device (overrides the campaign)'),
    canRunBuiltin: z.boolean().optional().describe("whether splitbench's built-in runner (Node) can run on the device"),
    probe: ProbeSchema.optional().describe('last probe snapshot (written by splitbench devices add/probe)'),
};

export const AdbDeviceSchema = z.strictObject({
    ...common,
    kind: z.literal('adb'),
    adb: z.strictObject({
        serial: z.string().min(1).describe('USB serial as in `adb devices`, or host:port for `adb connect`'),
        server: HostPort.optional().describe('adb server host:port (default 127.0.0.1:5037)'),
    }),
});

export const SshDeviceSchema = z.strictObject({
    ...common,
    kind: z.literal('ssh'),
    ssh: z.strictObject({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(22),
        user: z.string().min(1),
        identity: z.string().optional().describe('private key file (default: ssh-agent, then ~/.ssh/id_*)'),
        knownHosts: z.string().optional().describe('known_hosts file (default ~/.ssh/known_hosts)'),
        fingerprint: z
            .string()
            .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, { error: 'expected SHA256:<43 base64 characters> (ssh-keygen -lf)' })
            .optional()
            .describe('pinned host key fingerprint; when set, known_hosts is not read'),
    }),
});

export const LocalDeviceSchema = z.strictObject({
    ...common,
    kind: z.literal('local'),
    local: z.strictObject({}).default({}),
});

export const DeviceSpecSchema = z.discriminatedUnion('kind', [AdbDeviceSchema, SshDeviceSchema, LocalDeviceSchema]);

export type DeviceSpec = z.output<typeof DeviceSpecSchema>;
export type AdbDeviceSpec = z.output<typeof AdbDeviceSchema>;
export type SshDeviceSpec = z.output<typeof SshDeviceSchema>;
export type LocalDeviceSpec = z.output<typeof LocalDeviceSchema>;

export const deviceFilePath = (dir: string, name: string): string => join(dir, `${name}.yaml`);

// `file:line:col` of each parsed spec's pinned `ssh.fingerprint`, for the host-key-changed message (the spec
// itself stays the schema's shape: it is written back to YAML by saveDevice).
const fingerprintSources = new WeakMap<DeviceSpec, string>();

/** Where `spec`'s `ssh.fingerprint` was read from, `devices/x.yaml:7:18`, when it came from a device file. */
export const fingerprintSource = (spec: DeviceSpec): string | undefined => fingerprintSources.get(spec);

/** Parses one device file's text. Every problem is reported at once as `file:line:col path: message`. */
export const parseDeviceFile = (text: string, file: string, expectedName?: string): DeviceSpec => {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
    if (doc.errors.length > 0) {
        const lines = doc.errors.map((e) => {
            const pos = e.linePos?.[0];
            return `${file}:${pos?.line ?? 1}:${pos?.col ?? 1}: ${e.message.split('\n')[0] ?? e.message}`;
        });
        throw new SplitbenchError('CONFIG_INVALID', `device file ${lines.join('; ')}`, {
            details: { file, issues: lines },
        });
    }
    const raw: unknown = doc.toJS();
    const parsed = DeviceSpecSchema.safeParse(raw);
    const issues: string[] = [];
    if (!parsed.success) {
        const kind = (raw as { kind?: unknown } | null)?.kind;
        const schema =
            kind === 'adb'
                ? AdbDeviceSchema
                : kind === 'ssh'
                  ? SshDeviceSchema
                  : kind === 'local'
                    ? LocalDeviceSchema
                    : DeviceSpecSchema;
        for (const issue of schemaIssues(parsed.error.issues, raw, schema)) {
            const pos = positionOf(doc, lc, issue.path, issue.atKey ?? false);
            const message =
                issue.atKey === true
                    ? `unknown key "${String(issue.path.at(-1))}"${issue.message.slice('unknown key'.length)}`
                    : issue.message;
            issues.push(`${file}:${pos.line}:${pos.col} ${formatPath(issue.path)}: ${message}`);
        }
    } else if (expectedName !== undefined && parsed.data.name !== expectedName) {
        const pos = positionOf(doc, lc, ['name']);
        issues.push(
            `${file}:${pos.line}:${pos.col} name: "${parsed.data.name}" does not match the file name (expected "${expectedName}")`,
        );
    }
    if (issues.length > 0 || !parsed.success) {
        throw new SplitbenchError('CONFIG_INVALID', issues.join('\n'), { details: { file, issues } });
    }
    if (parsed.data.kind === 'ssh' && parsed.data.ssh.fingerprint !== undefined) {
        const pos = positionOf(doc, lc, ['ssh', 'fingerprint']);
        fingerprintSources.set(parsed.data, `${file}:${pos.line}:${pos.col}`);
    }
    return parsed.data;
};

/** Names of the devices in `dir` (files NAME.yaml directly in it), sorted. */
export const listDeviceNames = (dir: string): string[] => {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.yaml') && DEVICE_NAME.test(e.name.slice(0, -5)))
        .map((e) => e.name.slice(0, -5))
        .sort();
};

export const loadDevice = (dir: string, name: string): DeviceSpec => {
    const file = deviceFilePath(dir, name);
    if (!DEVICE_NAME.test(name) || !existsSync(file)) {
        const known = listDeviceNames(dir);
        throw new SplitbenchError(
            'DEVICE_UNKNOWN',
            `unknown device "${name}" (${known.length > 0 ? `known: ${known.join(', ')}` : `no devices in ${dir}`}) — add it with splitbench devices add`,
            { details: { device: name, dir, known } },
        );
    }
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch (e) {
        throw new SplitbenchError('CONFIG_INVALID', `device file ${file}: cannot read (${messageOf(e)})`, { cause: e });
    }
    const spec = parseDeviceFile(text, file, name);
    const probe = cachedProbe(dir, spec);
    if (probe === undefined) return spec;
    const withProbe = { ...spec, probe } as DeviceSpec;
    const source = fingerprintSources.get(spec);
    if (source !== undefined) fingerprintSources.set(withProbe, source);
    return withProbe;
};

export interface ListedDevices {
    devices: DeviceSpec[];
    /** Files that failed to load, with the reason; one bad file does not hide the others. */
    errors: { name: string; file: string; error: SplitbenchError }[];
}

export const listDevices = (dir: string): ListedDevices => {
    const out: ListedDevices = { devices: [], errors: [] };
    for (const name of listDeviceNames(dir)) {
        try {
            out.devices.push(loadDevice(dir, name));
        } catch (e) {
            const error =
                e instanceof SplitbenchError ? e : new SplitbenchError('CONFIG_INVALID', messageOf(e), { cause: e });
            out.errors.push({ name, file: deviceFilePath(dir, name), error });
        }
    }
    return out;
};

const HEADER =
    '# splitbench device file (written by "splitbench devices add/probe"; the probe section is rewritten on each probe)\n';
const KEY_ORDER = [
    'name',
    'kind',
    'description',
    'adb',
    'ssh',
    'local',
    'workDir',
    'benchmarkBinary',
    'canRunBuiltin',
    'probe',
];

/** Checks a spec built in code (CLI flags) against the schema; the error names the device and the field. */
export const validateDeviceSpec = (spec: DeviceSpec): DeviceSpec => {
    const checked = DeviceSpecSchema.safeParse(spec);
    if (!checked.success) {
        const msgs = schemaIssues(checked.error.issues, spec, DeviceSpecSchema).map(
            (i) => `${formatPath(i.path)}: ${i.message}`,
        );
        throw new SplitbenchError('CONFIG_INVALID', `device ${String(spec.name)}: ${msgs.join('; ')}`, {
            details: { issues: msgs },
        });
    }
    return checked.data;
};

/** Writes devices/NAME.yaml atomically (temp file + rename), validating first so nothing bad lands on disk. */
export const saveDevice = (dir: string, spec: DeviceSpec): string => {
    const checked = { data: validateDeviceSpec(spec) };
    mkdirSync(dir, { recursive: true });
    const file = deviceFilePath(dir, checked.data.name);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    const data = checked.data as Record<string, unknown>;
    const ordered = Object.fromEntries(
        [...KEY_ORDER.filter((k) => k in data), ...Object.keys(data).filter((k) => !KEY_ORDER.includes(k))].map((k) => [
            k,
            data[k],
        ]),
    );
    const body = HEADER + stringify(stripUndefined(ordered), { lineWidth: 0 });
    try {
        writeFileSync(tmp, body);
        renameSync(tmp, file);
    } catch (e) {
        try {
            unlinkSync(tmp);
        } catch {
            // nothing written
        }
        throw new SplitbenchError('CONFIG_INVALID', `device file ${file}: cannot write (${messageOf(e)})`, {
            cause: e,
        });
    }
    return file;
};

/** Folder of the probe cache: `<devices dir>/.probes` (hidden, ignored by git, never listed as a device). */
export const PROBE_CACHE_DIR = '.probes';

export const probeCachePath = (dir: string, name: string): string => join(dir, PROBE_CACHE_DIR, `${name}.json`);

/**
 * The cached probe of a device when it is newer than (or there is none in) the device file; unreadable or
 * invalid cache files are ignored (the next probe rewrites them).
 */
const cachedProbe = (dir: string, spec: DeviceSpec): DeviceProbe | undefined => {
    let raw: unknown;
    try {
        raw = JSON.parse(readFileSync(probeCachePath(dir, spec.name), 'utf8'));
    } catch {
        return undefined;
    }
    const checked = ProbeSchema.safeParse(raw);
    if (!checked.success) return undefined;
    const inFile = spec.probe?.probedAt;
    return inFile === undefined || checked.data.probedAt >= inFile ? checked.data : undefined;
};

/**
 * Records a device's latest probe in the probe cache (devices/.probes/NAME.json, atomically), leaving the device
 * file as it is. Returns the spec with that probe. Throws SplitbenchError CONFIG_INVALID when it cannot write.
 */
export const saveProbe = (dir: string, spec: DeviceSpec, probe: DeviceProbe): DeviceSpec => {
    const file = probeCachePath(dir, spec.name);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
        mkdirSync(join(dir, PROBE_CACHE_DIR), { recursive: true });
        writeFileSync(tmp, `${JSON.stringify(stripUndefined(probe), null, 2)}\n`);
        renameSync(tmp, file);
    } catch (e) {
        try {
            unlinkSync(tmp);
        } catch {
            // nothing written
        }
        throw new SplitbenchError('CONFIG_INVALID', `probe cache ${file}: cannot write (${messageOf(e)})`, {
            cause: e,
        });
    }
    return { ...spec, probe } as DeviceSpec;
};

/** Human-readable address of a device: serial, user@host:port, or "local". */
export const deviceAddress = (spec: DeviceSpec): string => {
    switch (spec.kind) {
        case 'adb':
            return spec.adb.server !== undefined ? `${spec.adb.serial}@${spec.adb.server}` : spec.adb.serial;
        case 'ssh':
            return `${spec.ssh.user}@${spec.ssh.host}${spec.ssh.port !== 22 ? `:${spec.ssh.port}` : ''}`;
        case 'local':
            return 'local';
    }
};

/** Facts campaign validation needs (config/rules DeviceFacts shape). */
export const deviceFacts = (
    spec: DeviceSpec,
): { kind: DeviceSpec['kind']; abis: string[]; cores?: number | undefined; canRunBuiltin?: boolean | undefined } => ({
    kind: spec.kind,
    abis: spec.probe?.abis ?? [],
    ...(spec.probe !== undefined ? { cores: spec.probe.cores } : {}),
    ...(spec.canRunBuiltin !== undefined ? { canRunBuiltin: spec.canRunBuiltin } : {}),
});

const stripUndefined = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(stripUndefined);
    if (v !== null && typeof v === 'object') {
        return Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
                .filter(([, x]) => x !== undefined)
                .map(([k, x]) => [k, stripUndefined(x)]),
        );
    }
    return v;
};
