// The log file of one run: pino to results/logs/<run>.jsonl, with warnings mirrored to the terminal.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../log.js';
import { humanLogStream } from './console-log.js';

/** A run's JSON-lines log (results/logs/<run>.jsonl); warnings also reach the terminal in one line each. */
export interface RunLog {
    log: Logger;
    file: string;
    close(): Promise<void>;
}

/** Opens (appends to) the log of run `runId` under `<baseDir>/results/logs`. close() is idempotent. */
export const openRunLog = (
    opts: { baseDir: string; logLevel?: string | undefined; stderr: Writable },
    runId: string,
): RunLog => {
    const logDir = resolve(opts.baseDir, 'results', 'logs');
    mkdirSync(logDir, { recursive: true });
    const file = join(logDir, `${runId}.jsonl`);
    const stream = createWriteStream(file, { flags: 'a' });
    const log = pino(
        { level: opts.logLevel ?? 'info' },
        pino.multistream([
            { level: opts.logLevel ?? 'info', stream },
            { level: 'warn', stream: humanLogStream(opts.stderr) },
        ]),
    );
    let closed: Promise<void> | undefined;
    return { log, file, close: () => (closed ??= new Promise<void>((r) => stream.end(r))) };
};
