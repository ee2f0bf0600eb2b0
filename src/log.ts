// Logger construction. pino writes JSON lines; stdout stays reserved for command output.
import { pino, type Logger } from 'pino';

export type { Logger };

export const silentLogger = (): Logger => pino({ level: 'silent' });
