// Run-log lines for a person: pino writes JSON to the run's .jsonl file; warnings and errors also reach the
// terminal, but as one readable line each (the JSON, with stacks, stays in the file).
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 40: 'warning', 50: 'error', 60: 'fatal' };

interface LogLine {
    level?: number;
    msg?: string;
    device?: string;
    job?: string;
    attempt?: number;
    /** The error's own one-line message (pino's `err.message` also repeats every cause). */
    reason?: string;
    err?: { message?: string };
}

export const humanLogStream = (out: Writable): Writable =>
    new Writable({
        write(chunk: Buffer, _enc, cb) {
            for (const text of chunk.toString('utf8').split('\n')) {
                if (text.trim() === '') continue;
                try {
                    const l = JSON.parse(text) as LogLine;
                    const where = [l.device, l.attempt !== undefined ? `attempt ${l.attempt}` : undefined]
                        .filter((x) => x !== undefined)
                        .join(', ');
                    out.write(
                        `${LEVELS[l.level ?? 40] ?? 'log'}: ${l.msg ?? ''}${where !== '' ? ` (${where})` : ''}` +
                            `${(l.reason ?? l.err?.message) !== undefined ? `: ${l.reason ?? l.err?.message}` : ''}\n`,
                    );
                } catch {
                    out.write(`${text}\n`);
                }
            }
            cb();
        },
    });
