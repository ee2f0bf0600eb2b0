// What every report renderer takes: one run's analyses plus the facts behind them.
import type { DeviceSettings } from '../analysis/settings-facts.js';
import type { ProbeInfo, SplitAnalysis } from '../analysis/types.js';
import type { MeasurementConditions } from './measurement-conditions.js';
import type { Provenance } from './provenance.js';
import type { SplitCheckRecord } from './split-checks.js';

export interface ReportRun {
    id: string;
    campaign: string;
    /** The campaign file the run was started from: its path and the first 12 hex digits of its sha256. */
    campaignFile?: string | undefined;
    startedAt: string;
    finishedAt?: string | undefined;
    status?: string | undefined;
    splitbenchVersion: string;
    gitCommit?: string | null | undefined;
}

export interface ReportDevice {
    name: string;
    role?: 'ue' | 'server' | undefined;
    /** A DeviceProbe (src/drivers/types.ts) fits; every field it has is shown. */
    probe: ProbeInfo | null;
}

export interface ReportInput {
    run: ReportRun;
    analyses: SplitAnalysis[];
    devices: ReportDevice[];
    /** Benchmark settings behind the numbers (per role: runtime, threads, delegate, warm-up, runs, repetitions...). */
    settings: Record<string, unknown>;
    /** The settings each device measured with, resolved, for compare and history (absent in fixtures: not compared). */
    deviceSettings?: DeviceSettings | undefined;
    /** Queues, concurrent devices and load flags (absent: the block is left out). */
    measurement?: MeasurementConditions | undefined;
    /** What measured the numbers and which run measured them (src/report/provenance.ts); absent in old fixtures. */
    provenance?: Provenance | undefined;
    /** The head→tail check of every split the run measured (absent: runs before it was recorded, estimate-only). */
    splitChecks?: SplitCheckRecord[] | undefined;
}

export type ReportFormat = 'md' | 'csv' | 'json' | 'xlsx' | 'html';
