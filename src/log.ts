// Logger construction. pino writes JSON lines; stdout stays reserved for command output.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const silentLogger = (): Logger => pino({ level: 'silent' });

/** Logger that writes to the given stream (a file for run logs) and, at warn and above, to stderr. */
export const createLogger = (opts: { level?: string; file?: DestinationStream | undefined } = {}): Logger => {
    const level = opts.level ?? 'info';
    if (opts.file === undefined) return pino({ level: 'warn' }, pino.destination(2));
    return pino(
        { level },
        pino.multistream([
            { level: level as pino.Level, stream: opts.file },
            { level: 'warn', stream: pino.destination(2) },
        ]),
    );
};
