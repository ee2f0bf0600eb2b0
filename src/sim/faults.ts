// Fault injection for the simulator. Faults stay in force until changed: set them when starting
// (`--fault`, SimulatorOptions.faults), change them at run time with AdbdSimulator.setFaults, or point
// `--control FILE` at a file of fault specs (one per line or comma-separated; re-read whenever a stream opens).

import { readFileSync } from 'node:fs';
import { SplitbenchError } from '../errors.js';

export interface Faults {
    /** Destroy the TCP link once a single sync SEND has received more than this many file bytes. */
    dropPushAfterBytes?: number | undefined;
    /** Destroy the TCP link this many ms after a shell stream opens (if it is still open). */
    dropExecAfterMs?: number | undefined;
    /** Hold every packet the simulator sends for this many ms. */
    delayMs?: number | undefined;
    /** Answer CNXN with AUTH tokens and never accept: the host lists the device as `unauthorized`. */
    refuseAuth?: boolean | undefined;
    /** Accept TCP but never answer CNXN: the host lists the device as `offline`. */
    offline?: boolean | undefined;
}

export const FAULT_SYNTAX = 'drop-push-after=BYTES | drop-exec-after=MS | delay=MS | refuse-auth | offline';

const count = (spec: string, value: string | undefined): number => {
    if (value === undefined || !/^\d+$/.test(value)) {
        throw new SplitbenchError('USAGE', `fault ${JSON.stringify(spec)}: expected a non-negative integer value`);
    }
    return Number(value);
};

/** Parse specs such as `drop-push-after=1048576`, `delay=5`, `refuse-auth` (also comma-separated lists). */
export const parseFaults = (specs: readonly string[]): Faults => {
    const f: Faults = {};
    for (const spec of specs.flatMap((s) => s.split(/[,\n]/)).map((s) => s.trim())) {
        if (spec === '' || spec.startsWith('#')) continue;
        const eq = spec.indexOf('=');
        const key = eq < 0 ? spec : spec.slice(0, eq);
        const value = eq < 0 ? undefined : spec.slice(eq + 1);
        switch (key) {
            case 'drop-push-after':
                f.dropPushAfterBytes = count(spec, value);
                break;
            case 'drop-exec-after':
                f.dropExecAfterMs = count(spec, value);
                break;
            case 'delay':
                f.delayMs = count(spec, value);
                break;
            case 'refuse-auth':
            case 'offline':
                if (value !== undefined)
                    throw new SplitbenchError('USAGE', `fault ${JSON.stringify(spec)}: takes no value`);
                if (key === 'offline') f.offline = true;
                else f.refuseAuth = true;
                break;
            default:
                throw new SplitbenchError('USAGE', `fault ${JSON.stringify(spec)}: unknown (expected ${FAULT_SYNTAX})`);
        }
    }
    return f;
};

/** The spec form of faults (inverse of parseFaults), e.g. for a control file. */
export const formatFaults = (f: Faults): string[] => {
    const out: string[] = [];
    if (f.dropPushAfterBytes !== undefined) out.push(`drop-push-after=${f.dropPushAfterBytes}`);
    if (f.dropExecAfterMs !== undefined) out.push(`drop-exec-after=${f.dropExecAfterMs}`);
    if (f.delayMs !== undefined) out.push(`delay=${f.delayMs}`);
    if (f.refuseAuth === true) out.push('refuse-auth');
    if (f.offline === true) out.push('offline');
    return out;
};

/** Current faults: fixed ones, overlaid by the control file's content when one is configured. */
export class FaultControl {
    private fixed: Faults;
    private readonly controlFile: string | undefined;
    private fromFile: Faults = {};
    private lastText: string | undefined;

    constructor(initial: Faults = {}, controlFile?: string) {
        this.fixed = { ...initial };
        this.controlFile = controlFile;
        this.refresh();
    }

    set(f: Faults): void {
        this.fixed = { ...f };
    }

    get current(): Faults {
        return { ...this.fixed, ...this.fromFile };
    }

    /** Re-read the control file. A missing file means no extra faults; a bad one keeps the last good content. */
    refresh(): void {
        if (this.controlFile === undefined) return;
        let text: string;
        try {
            text = readFileSync(this.controlFile, 'utf8');
        } catch {
            text = '';
        }
        if (text === this.lastText) return;
        try {
            this.fromFile = parseFaults([text]);
            this.lastText = text;
        } catch (e) {
            process.stderr.write(
                `sim: control file ${this.controlFile}: ${e instanceof Error ? e.message : String(e)}\n`,
            );
        }
    }
}
