// benchmark_model's statistics (tsl StatsCalculator / Stat / StatWithPercentiles) and its number printing, so the
// built-in runner's JSON holds exactly the numbers its text prints.
import type { StatLine } from '../parse/types.js';

/** C++ `ostream << double` with default flags: %g, 6 significant digits, no trailing zeros. */
export const cppDouble = (x: number): string => {
    if (Number.isNaN(x)) return 'nan';
    if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
    if (x === 0) return '0';
    const [mant = '0', expText = '0'] = x.toExponential(5).split('e');
    const exp = Number(expText);
    if (exp < -4 || exp >= 6) {
        const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
        return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    }
    const fixed = x.toFixed(Math.max(0, 5 - exp));
    return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
};

/** The number a C++ default-formatted double reads back as. */
export const asPrinted = (x: number): number => Number(cppDouble(x));

/** Nearest-rank percentile as StatWithPercentiles does it: sorted[n * p / 100] (integer division). */
export const percentile = (sorted: readonly number[], p: number): number => {
    if (sorted.length === 0) return 0;
    const i = Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100));
    return sorted[i] as number;
};

export interface Summary {
    count: number;
    first: number;
    curr: number;
    min: number;
    max: number;
    sum: number;
    avg: number;
    /** Population standard deviation, truncated to an integer as Stat<int64_t> does. */
    std: number;
    p5: number;
    median: number;
    p90: number;
    p95: number;
}

/** Statistics of integer samples (µs); undefined when there are none. */
export const summarize = (samples: readonly number[]): Summary | undefined => {
    if (samples.length === 0) return undefined;
    let sum = 0;
    let sq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of samples) {
        sum += v;
        sq += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
    }
    const n = samples.length;
    const avg = sum / n;
    const variance = Math.max(0, sq / n - avg * avg);
    const sorted = [...samples].sort((a, b) => a - b);
    return {
        count: n,
        first: samples[0] as number,
        curr: samples[n - 1] as number,
        min,
        max,
        sum,
        avg,
        std: min === max ? 0 : Math.trunc(Math.sqrt(variance)),
        p5: percentile(sorted, 5),
        median: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p95: percentile(sorted, 95),
    };
};

/** The StatLine benchmark_model prints for these samples (and nothing it does not print). */
export const statLine = (samples: readonly number[], withPercentiles: boolean): StatLine => {
    const s = summarize(samples);
    if (s === undefined) return { count: 0 };
    const line: StatLine =
        s.min === s.max
            ? { count: s.count, curr: s.curr, ...(s.count > 1 ? { allSame: true } : {}) }
            : {
                  count: s.count,
                  first: s.first,
                  curr: s.curr,
                  min: s.min,
                  max: s.max,
                  avg: asPrinted(s.avg),
                  std: s.std,
              };
    if (withPercentiles) {
        line.p5 = s.p5;
        line.median = s.median;
        line.p95 = s.p95;
    }
    return line;
};

/** An int64 sample as `ostream <<` prints it (plain digits, never scientific); non-integers fall back to %g. */
export const cppInt = (x: number): string => (Number.isInteger(x) ? String(x) : cppDouble(x));

/** `count=N first=.. curr=.. min=.. max=.. avg=.. std=.. [p5=.. median=.. p95=..]`: only avg is a double. */
export const formatStatLine = (l: StatLine): string => {
    if (l.count === 0) return 'count=0';
    let out: string;
    if (l.min === undefined) {
        out = `count=${l.count} curr=${cppInt(l.curr ?? 0)}${l.allSame === true ? '(all same)' : ''}`;
    } else {
        out =
            `count=${l.count} first=${cppInt(l.first ?? 0)} curr=${cppInt(l.curr ?? 0)} min=${cppInt(l.min)}` +
            ` max=${cppInt(l.max ?? 0)} avg=${cppDouble(l.avg ?? 0)} std=${cppInt(l.std ?? 0)}`;
    }
    if (l.p5 !== undefined) {
        out += ` p5=${cppInt(l.p5)} median=${cppInt(l.median ?? 0)} p95=${cppInt(l.p95 ?? 0)}`;
    }
    return out;
};
