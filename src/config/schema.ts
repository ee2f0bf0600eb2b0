// Campaign file schema: the single source of truth for the campaign types (z.output) and for
// configs/campaign.schema.json (z.toJSONSchema, io: 'input'). Every object is strict so a misspelt key is an
// error, not a silently ignored setting.
import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected a sha256: 64 lowercase hex digits' });

/** A file given either as a local path or as a URL whose content must hash to sha256 (downloaded once, cached). */
export const FileSourceSchema = z.union(
    [
        z.string().min(1).describe("local path (a relative path resolves against the campaign file's folder)"),
        z.strictObject({ url: z.url(), sha256: Sha256 }).describe('download once into a cache, checked by sha256'),
    ],
    { error: 'expected a path or {url, sha256}' },
);

/**
 * Split point k means ops 0..k (execution order of subgraph 0) run on the UE and ops k+1..N-1 on the server.
 * `every: N` takes every Nth entry of the model's valid split list; `tensors` splits right after the op that
 * produces each named tensor.
 */
export const SplitSpecSchema = z
    .union(
        [
            z.literal('all'),
            z.array(z.int().min(0)).min(1),
            z.strictObject({ every: z.int().min(1) }),
            z.strictObject({ tensors: z.array(z.string().min(1)).min(1) }),
        ],
        { error: "expected 'all', a list of split indices, {every: N} or {tensors: [names]}" },
    )
    .meta({ id: 'SplitSpec' });

export const ModelSchema = z.strictObject({
    id: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected letters, digits, ".", "_" or "-"' })
        .optional()
        .describe('name used in reports; defaults to the file name without .tflite'),
    path: z
        .string()
        .min(1)
        .optional()
        .describe("local .tflite file (a relative path resolves against the campaign file's folder)"),
    url: z.url().optional().describe('download URL (needs sha256); fetched once into models/'),
    sha256: Sha256.optional().describe('expected sha256 of the file (required with url, checked with path)'),
    inputShapes: z
        .record(z.string().min(1), z.array(z.int().min(1)).min(1))
        .optional()
        .describe('input tensor name → shape, for inputs with dynamic dimensions'),
    splits: SplitSpecSchema.optional().describe('split points for this model (overrides the campaign-wide splits)'),
});

export const RuntimeSchema = z.union(
    [
        z.literal('builtin').describe("splitbench's built-in runner (needs Node on the device)"),
        z.strictObject({
            benchmarkModel: z
                .record(z.string().min(1), FileSourceSchema)
                .describe('device ABI (arm64-v8a, armeabi-v7a, x86_64, aarch64, …) → benchmark_model binary'),
        }),
    ],
    { error: "expected 'builtin' or {benchmarkModel: {ABI: path or {url, sha256}}}" },
);

export const DELEGATES = ['none', 'gpu', 'nnapi', 'hexagon'] as const;

export const RoleSettingsSchema = z
    .strictObject({
        runtime: RuntimeSchema.default('builtin'),
        threads: z
            .union([z.int().min(1), z.literal('all')], { error: "expected a thread count ≥ 1 or 'all'" })
            .default(1)
            .describe("'all' = the device's core count from its probe"),
        useXnnpack: z.boolean().default(false).describe('false keeps one profiling row per op (needed by estimate)'),
        delegate: z.enum(DELEGATES).default('none'),
        warmupRuns: z.int().min(0).default(1),
        warmupMinSecs: z.number().min(0).default(0.5),
        runs: z.int().min(1).default(50).describe('minimum number of timed runs'),
        minSecs: z.number().min(0).default(1).describe('minimum timed duration'),
        maxSecs: z.number().positive().default(150).describe('maximum timed duration'),
        runDelaySecs: z.number().min(0).default(0).describe('pause between timed runs'),
        cpuAffinity: z
            .string()
            .regex(/^(big|none|0x[0-9a-fA-F]+)$/, { error: "expected 'big', 'none' or a hex CPU mask such as 0x3" })
            .default('big')
            .describe("'big' = the fastest cores from the device probe; 'none' = no pinning; or a taskset hex mask"),
        cooldownSecs: z.number().min(0).default(0).describe('pause before each job on this device'),
        thermalGateC: z
            .number()
            .positive()
            .optional()
            .describe('wait before each job until the device is below this °C'),
        thermalGateTimeoutSecs: z.number().positive().default(600).describe('give up waiting for the thermal gate'),
    })
    .meta({ id: 'RoleSettings' });

export const NetworkProfileSchema = z.strictObject({
    name: z.string().min(1),
    uplinkMbps: z.number().positive(),
    downlinkMbps: z.number().positive().optional().describe('defaults to uplinkMbps'),
    rttMs: z.number().min(0),
    includeResultReturn: z.boolean().default(false).describe('add the downlink transfer of the tail outputs'),
});

export const MODES = ['estimate', 'measure'] as const;
/** Report format names; `md` and `markdown` are the same format, accepted everywhere (campaign, --format, --report). */
export const REPORT_FORMATS = ['md', 'markdown', 'csv', 'json', 'html', 'xlsx'] as const;

const DeviceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected a device name from devices/' });

export const CampaignSchema = z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'expected letters, digits, ".", "_" or "-"' }),
    description: z.string().optional(),
    models: z.array(ModelSchema).min(1),
    splits: SplitSpecSchema.default('all').describe('split points for every model without its own splits'),
    roles: z.strictObject({
        ue: z.array(DeviceName).min(1).describe('UE devices (run heads)'),
        server: z.array(DeviceName).min(1).describe('server devices (run tails)'),
    }),
    settings: z
        .strictObject({
            ue: RoleSettingsSchema.prefault({}),
            server: RoleSettingsSchema.prefault({}),
        })
        .prefault({}),
    repetitions: z.int().min(1).default(1),
    modes: z
        .array(z.enum(MODES))
        .min(1)
        .default(['estimate'])
        .describe('estimate: full model with op profiling on every device; measure: head on UE, tail on server'),
    network: z.array(NetworkProfileSchema).default([]),
    report: z
        .strictObject({
            formats: z
                .array(z.enum(REPORT_FORMATS))
                .min(1)
                .default(['md', 'html'])
                .describe('md (or markdown), csv, json, html, xlsx'),
            outDir: z
                .string()
                .min(1)
                .optional()
                .describe(
                    "folder for the run's reports (a relative path resolves against the campaign file's folder); default: results/reports in the working directory",
                ),
        })
        .prefault({}),
    scheduling: z
        .strictObject({
            parallelOnSharedHost: z
                .boolean()
                .default(false)
                .describe(
                    'true: devices on the same physical host (same machine-id) run jobs at the same time; their ' +
                        "timings then include each other's load, and the run and its report say so",
                ),
        })
        .prefault({})
        .describe('devices that share CPUs get one queue unless parallelOnSharedHost is true'),
    verify: z
        .enum(['gate', 'warn', 'off'])
        .default('gate')
        .describe(
            "head→tail check of every measured split on this host's runtime before any device measures it: gate = a split " +
                'that FAILs is not measured (its measure jobs fail with the cause); warn = measured anyway; off = not checked. ' +
                'Every verdict is in the report',
        ),
    jobTimeoutSecs: z.number().positive().default(600),
    retries: z
        .strictObject({
            count: z
                .int()
                .min(0)
                .default(2)
                .describe('retries of transport failures (a failing benchmark is a result)'),
            backoffMs: z.int().min(0).default(2000),
        })
        .prefault({}),
    circuitBreaker: z
        .strictObject({
            transportFailures: z
                .int()
                .min(0)
                .default(3)
                .describe(
                    "consecutive failed attempts (transport failures, retries included) after which a device's remaining jobs fail at once; 0 = never (one thermal-gate timeout always does)",
                ),
        })
        .prefault({})
        .describe('give up on a device that cannot work instead of retrying every remaining job'),
});

export type CampaignInput = z.input<typeof CampaignSchema>;
export type Campaign = z.output<typeof CampaignSchema>;
export type ModelEntry = z.output<typeof ModelSchema>;
export type SplitSpec = z.output<typeof SplitSpecSchema>;
export type RoleSettings = z.output<typeof RoleSettingsSchema>;
export type Runtime = z.output<typeof RuntimeSchema>;
export type FileSource = z.output<typeof FileSourceSchema>;
export type NetworkProfile = z.output<typeof NetworkProfileSchema>;
export type Mode = (typeof MODES)[number];
export type Role = 'ue' | 'server';
export const ROLES: readonly Role[] = ['ue', 'server'];

/** JSON Schema for editors (yaml-language-server). Inputs, so keys with defaults are optional. */
export const campaignJsonSchema = (): Record<string, unknown> => {
    const schema = z.toJSONSchema(CampaignSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
    return {
        $schema: schema['$schema'],
        title: 'splitbench campaign',
        description: 'Models, split points, UE and server devices, benchmark settings and network profiles.',
        ...schema,
    };
};
