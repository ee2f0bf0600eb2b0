// Schema migrations, applied in order by PRAGMA user_version. Kept as TS strings so the built dist/ carries
// them. Never edit a shipped migration: add the next one.

export interface Migration {
    version: number;
    sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
    {
        version: 1,
        sql: `
CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    campaign_name TEXT NOT NULL,
    campaign_path TEXT NOT NULL,
    campaign_sha256 TEXT NOT NULL,
    campaign_yaml TEXT NOT NULL,
    splitbench_version TEXT NOT NULL,
    git_commit TEXT,
    options_json TEXT NOT NULL DEFAULT '{}',
    started_at TEXT NOT NULL,
    ended_at TEXT,
    state TEXT NOT NULL CHECK (state IN ('running', 'done', 'interrupted', 'failed'))
);
CREATE INDEX runs_by_campaign ON runs (campaign_name, started_at);
CREATE INDEX runs_by_sha ON runs (campaign_sha256, started_at);

CREATE TABLE probes (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    device TEXT NOT NULL,
    probe_json TEXT NOT NULL,
    taken_at TEXT NOT NULL
);
CREATE INDEX probes_by_run ON probes (run_id, device);

CREATE TABLE models (
    sha256 TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    op_count INTEGER
);

CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('estimate', 'baseline', 'measure-head', 'measure-tail')),
    model_id TEXT NOT NULL,
    model_sha256 TEXT NOT NULL REFERENCES models (sha256),
    split INTEGER,
    device TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('ue', 'server')),
    repetition INTEGER NOT NULL,
    settings_json TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    started_at TEXT,
    ended_at TEXT,
    UNIQUE (run_id, id)
);
CREATE INDEX jobs_by_id ON jobs (id, state);

CREATE TABLE raw_outputs (
    job_seq INTEGER NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    argv_json TEXT,
    stdout TEXT NOT NULL,
    stderr TEXT NOT NULL,
    exit_code INTEGER,
    duration_ms REAL,
    parser_version TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (job_seq, attempt)
);

CREATE TABLE results (
    job_seq INTEGER PRIMARY KEY REFERENCES jobs (seq) ON DELETE CASCADE,
    probe_id INTEGER REFERENCES probes (id),
    origin TEXT NOT NULL,
    parser_version TEXT NOT NULL,
    avg_us REAL,
    min_us REAL,
    max_us REAL,
    std_us REAL,
    median_us REAL,
    p5_us REAL,
    p95_us REAL,
    init_us REAL,
    init_ms REAL,
    first_us REAL,
    warmup_avg_us REAL,
    count INTEGER,
    failure_kind TEXT,
    failure_line TEXT,
    truncated INTEGER NOT NULL,
    extra_json TEXT NOT NULL,
    -- raw timed-run samples (µs) as little-endian float64: a report reads millions of them, and one blob per
    -- job reads ~20x faster than one row per sample
    samples_f64 BLOB
);

CREATE TABLE op_rows (
    job_seq INTEGER NOT NULL REFERENCES jobs (seq) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    node_index INTEGER,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    outputs_json TEXT NOT NULL,
    first_ms REAL,
    avg_ms REAL,
    min_ms REAL,
    max_ms REAL,
    std_ms REAL,
    pct REAL,
    mem_kb REAL,
    times_called INTEGER,
    PRIMARY KEY (job_seq, idx)
) WITHOUT ROWID;
`,
    },
    {
        // Device load around each job (JobLoad as JSON: loadavg and /proc/stat busy share before/after, the flag).
        // NULL for results stored before version 2.
        version: 2,
        sql: `ALTER TABLE results ADD COLUMN load_json TEXT;`,
    },
    // version 2 belongs to host identity and per-job load (issue 10, part A); this one follows it.
    {
        version: 3,
        // What produced a result beyond the job id: the runtime (splitbench + TFLite versions for the built-in runner,
        // a benchmark_model binary's sha256), the device's software build and the resolved threads / CPU mask.
        // identity_key hashes it (src/plan/plan.ts identityKey); results are reused only when it matches.
        sql: `
ALTER TABLE jobs ADD COLUMN identity_key TEXT;
ALTER TABLE jobs ADD COLUMN identity_json TEXT;
CREATE INDEX jobs_by_identity ON jobs (id, identity_key, state);
`,
    },
];

export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
