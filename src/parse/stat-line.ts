// `count=N first=F curr=C min=m max=M avg=A std=S [p5=.. median=.. p95=..]` as printed by StatsCalculator.
// Values are µs; averages of long runs come in scientific notation (`avg=1.05037e+06`).
import type { StatLine } from './types.js';

const ALL_SAME = '(all same)';

type StatKey = Exclude<keyof StatLine, 'allSame'>;

const KEYS: ReadonlyMap<string, StatKey> = new Map<string, StatKey>([
    ['count', 'count'],
    ['first', 'first'],
    ['curr', 'curr'],
    ['min', 'min'],
    ['max', 'max'],
    ['avg', 'avg'],
    ['std', 'std'],
    ['p5', 'p5'],
    ['median', 'median'],
    ['p95', 'p95'],
]);

/** Strict number: rejects the empty string (which `Number` turns into 0) and NaN/Infinity. */
export const toNumber = (s: string): number | undefined => {
    if (s.length === 0) return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
};

/**
 * Parses the text starting at `count=`. Returns undefined when there is no usable `count=` value, so a damaged
 * line is never mistaken for a real statistic.
 */
export const parseStatLine = (text: string): StatLine | undefined => {
    let body = text;
    let allSame = false;
    const same = body.indexOf(ALL_SAME);
    if (same >= 0) {
        allSame = true;
        body = body.slice(0, same) + ' ' + body.slice(same + ALL_SAME.length);
    }
    const out: Partial<Record<StatKey, number>> = {};
    for (const token of body.split(' ')) {
        const eq = token.indexOf('=');
        if (eq <= 0) continue;
        const key = KEYS.get(token.slice(0, eq));
        if (key === undefined) continue;
        const value = toNumber(token.slice(eq + 1));
        if (value !== undefined) out[key] = value;
    }
    if (out.count === undefined) return undefined;
    const stat: StatLine = { count: out.count };
    for (const [, key] of KEYS) {
        const v = out[key];
        if (key !== 'count' && v !== undefined) stat[key] = v;
    }
    if (allSame) stat.allSame = true;
    return stat;
};
