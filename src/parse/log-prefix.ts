// Logger prefixes that whatever captured a benchmark_model output put before its lines: Android logcat, glog,
// TensorFlow's LOG(), CI timestamps. They are removed before any other rule looks at a line, so that a prefix never
// ends up in an op type; the glog source path also tells full TensorFlow's benchmark_model from TFLite's. Pure.

/** What unwrapping learns about the text beyond the message itself. */
export interface PrefixState {
    /** The first line that showed this is full TensorFlow's benchmark_model, or false. */
    fullTf: string | false;
    /** The current line's prefix said F (fatal). */
    lineFatal: boolean;
}

/** First characters of the `INFO: ` / `WARN: ` ... level prefixes (I W E V F D). */
export const LEVEL_FIRST: ReadonlySet<number> = new Set([0x49, 0x57, 0x45, 0x56, 0x46, 0x44]);
// Android logcat threadtime: `06-18 10:11:07.713  4320  4320 E tflite  : msg`.
const LOGCAT = /^\d\d-\d\d \d\d:\d\d:\d\d\.\d+\s+\d+\s+\d+\s+([VDIWEFA])\s+[^:]*?\s*: ?/;
// Logger prefixes put before every line by whatever captured the output (see unwrapPrefix).
// TensorFlow's LOG(): `2019-05-10 12:34:56.789012: I tensorflow/lite/tools/benchmark/benchmark_model.cc:123] msg`.
const TF_GLOG = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?: ([IWEF]) ([^\s\]]+):\d+\] ?/;
// glog / absl: `I0510 12:34:56.789012  1234 benchmark_model.cc:123] msg`.
const GLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d(?:\.\d+)?\s+\d+ ([^\s\]]+):\d+\] ?/;
// CI timestamps: GitHub Actions `2024-01-15T10:20:30.1234567Z msg`, GitLab `…Z 00O msg`, Jenkins `[2024-01-15T…] msg`,
// `[10:20:30] msg` or `10:20:30 msg`. One space separates prefix and message; the message keeps its own tabs.
const CI_ISO = /^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?(?: \d\d[OE]\+?)? ?/;
const CI_TIME = /^(?:\[\d\d:\d\d:\d\d(?:\.\d+)?\] ?|\d\d:\d\d:\d\d(?:\.\d+)? )/;
// Source paths of *full* TensorFlow's benchmark_model (tensorflow/tools/benchmark), not TFLite's (…/lite/tools/…).
const FULL_TF_SOURCE = /(?:^|\/)tensorflow\/(?:tools\/benchmark|core\/util\/stat_summarizer|core\/common_runtime)\//;
// Lines only full TensorFlow's benchmark_model prints.
const FULL_TF_LINE =
    /^Running benchmark for max \d+ iterations|^Average inference timings in us: .*with stats:|^(?:Target layers|Output layers|Show flops|Show sizes|Input types): \[|^FLOPs estimate:/;

const FULL_TF_FIRST = new Set([0x52, 0x41, 0x54, 0x4f, 0x53, 0x49, 0x46]); // R A T O S I F

/** A message (prefix removed) that only full TensorFlow's benchmark_model prints. */
export const isFullTfLine = (msg: string): boolean => FULL_TF_FIRST.has(msg.charCodeAt(0)) && FULL_TF_LINE.test(msg);

/**
 * Strips one logger prefix (logcat, glog, TensorFlow LOG, CI timestamps) and returns the message; sets
 * `s.lineFatal` for F-level lines. Returns a string (not an object) because it runs once per line.
 */
export const unwrapPrefix = (s: PrefixState, line: string): string => {
    const c0 = line.charCodeAt(0);
    let m: RegExpExecArray | null = null;
    if (c0 >= 0x30 && c0 <= 0x39) {
        const c2 = line.charCodeAt(2);
        if (c2 === 0x2d && line.charCodeAt(5) === 0x20) {
            m = LOGCAT.exec(line);
            if (m !== null) {
                s.lineFatal = m[1] === 'F';
                return line.slice(m[0].length);
            }
        } else if (line.charCodeAt(4) === 0x2d) {
            m = TF_GLOG.exec(line);
            if (m !== null) return glogged(s, line, m);
            m = CI_ISO.exec(line);
            if (m !== null) return unwrapPrefix(s, line.slice(m[0].length));
        } else if (c2 === 0x3a) {
            m = CI_TIME.exec(line);
            if (m !== null) return unwrapPrefix(s, line.slice(m[0].length));
        }
    } else if (c0 === 0x5b) {
        // '['
        m = CI_ISO.exec(line) ?? CI_TIME.exec(line);
        if (m !== null) return unwrapPrefix(s, line.slice(m[0].length));
    } else if (LEVEL_FIRST.has(c0) && line.charCodeAt(1) >= 0x30 && line.charCodeAt(1) <= 0x39) {
        m = GLOG.exec(line);
        if (m !== null) return glogged(s, line, m);
    }
    return line;
};

const glogged = (s: PrefixState, line: string, m: RegExpExecArray): string => {
    const source = m[2] as string;
    if (s.fullTf === false && FULL_TF_SOURCE.test(source) && !source.includes('/lite/')) s.fullTf = line.trim();
    s.lineFatal = m[1] === 'F';
    return line.slice(m[0].length);
};
