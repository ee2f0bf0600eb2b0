// Property tests: random truncations and line shuffles of real outputs (the shared fixtures when present, the
// hand-written snippets always) never throw, and say truncated/failed where the text is incomplete.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBenchmarkOutput } from '../../../src/parse/benchmark-model.js';
import { FAILURE_KINDS, type BenchmarkResult } from '../../../src/parse/types.js';
import { currentRun, fixtureNames, readFixture } from '../../support/parse-snippets.js';

const SNIPPETS: Record<string, string> = {
    current: currentRun(),
    tf1_12: [
        'STARTING!',
        'Num runs: [50]',
        'Graph: [m.tflite]',
        'Loaded model m.tflite',
        'resolved reporter',
        'Initialized session in 4.452ms',
        'Running benchmark for 1 iterations',
        'count=1 curr=146161',
        '',
        'Running benchmark for 50 iterations',
        'count=50 first=137789 curr=137254 min=137079 max=143416 avg=137722 std=896',
        '',
        'Average inference timings in us: Warmup: 146161, Init: 4452, no stats: 137722',
        '',
    ].join('\n'),
};

const SOURCES: [string, string][] = [
    ...Object.entries(SNIPPETS),
    ...fixtureNames().map((n): [string, string] => [n, readFixture(n)]),
];

/** Shape every result must have, whatever the input. */
const wellFormed = (r: BenchmarkResult): void => {
    expect(typeof r.parserVersion).toBe('string');
    expect(typeof r.truncated).toBe('boolean');
    expect(Number.isInteger(r.unknownLines)).toBe(true);
    if (r.failure !== undefined) {
        expect(FAILURE_KINDS).toContain(r.failure.kind);
        expect(typeof r.failure.line).toBe('string');
    }
    if (r.truncated) expect(r.failure).toBeDefined();
    for (const o of [...r.ops, ...r.profile.flatMap((b) => b.top)]) {
        for (const v of [o.firstMs, o.avgMs, o.pct, o.cdfPct, o.memKb, o.timesCalled])
            expect(Number.isFinite(v)).toBe(true);
        expect(o.nodeIndex === null || Number.isInteger(o.nodeIndex)).toBe(true);
    }
    for (const v of Object.values(r.inference)) expect(Number.isFinite(v)).toBe(true);
};

/** Complete single-run outputs, with the line index of their summary and of each profile block's span. */
const complete = SOURCES.flatMap(([name, text]) => {
    const r = parseBenchmarkOutput(text);
    if (r.failure !== undefined || r.truncated || r.runsInText !== undefined || r.inference.avgUs === undefined)
        return [];
    const lines = text.split('\n');
    const summary = lines.findIndex((l) => /(?:^|: )(?:Average )?[Ii]nference timings in us:/.test(l));
    const blocks: [number, number][] = [];
    let open = -1;
    lines.forEach((l, i) => {
        if (l.includes('== Run Order ==') && open < 0) open = i;
        if (/^\d+ nodes observed/.test(l) && open >= 0) {
            blocks.push([open, i]);
            open = -1;
        }
    });
    return summary >= 0 ? [{ name, lines, summary, blocks }] : [];
});

describe('property: truncated outputs', () => {
    it('has complete outputs to cut', () => {
        expect(complete.length).toBeGreaterThanOrEqual(2);
    });

    it('a cut at a line boundary before the summary or inside a profile block is flagged', () => {
        fc.assert(
            fc.property(fc.nat(complete.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (which, at) => {
                const c = complete[which] as (typeof complete)[number];
                const k = Math.floor(at * c.lines.length); // keep lines [0, k)
                const r = parseBenchmarkOutput(`${c.lines.slice(0, k).join('\n')}\n`);
                wellFormed(r);
                const inBlock = c.blocks.some(([open, close]) => k > open && k <= close);
                if (k <= c.summary || inBlock) {
                    expect(r.truncated || r.failure !== undefined, `${c.name} cut at line ${k}`).toBe(true);
                }
            }),
            { numRuns: 300 },
        );
    });

    it('a cut at any character never throws', () => {
        fc.assert(
            fc.property(fc.nat(SOURCES.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (which, at) => {
                const text = (SOURCES[which] as [string, string])[1];
                const r = parseBenchmarkOutput(text.slice(0, Math.floor(at * text.length)));
                wellFormed(r);
            }),
            { numRuns: 300 },
        );
    });
});

describe('property: shuffled lines and garbage', () => {
    it('shuffled outputs never throw and still report what they hold', () => {
        fc.assert(
            fc.property(
                fc.nat(SOURCES.length - 1).chain((which) => {
                    const lines = (SOURCES[which] as [string, string])[1].split('\n');
                    return fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length });
                }),
                (lines) => {
                    const r = parseBenchmarkOutput(lines.join('\n'));
                    wellFormed(r);
                    const says = r.truncated || r.failure !== undefined || r.inference.avgUs !== undefined;
                    expect(says || r.memory.overallMb !== undefined || r.profile.length > 0).toBe(true);
                },
            ),
            { numRuns: 120 },
        );
    });

    it('arbitrary text never throws', () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 400 }), (s) => wellFormed(parseBenchmarkOutput(s))),
            { numRuns: 300 },
        );
        fc.assert(
            fc.property(
                fc.array(
                    fc.constantFrom(
                        'count=',
                        'Run Order',
                        '====',
                        '\t',
                        ' ',
                        '[',
                        ']:',
                        '%',
                        'INFO: ',
                        'STARTING!',
                        '1.5',
                        'e+06',
                        '\n',
                        ':',
                    ),
                    { maxLength: 80 },
                ),
                (parts) => wellFormed(parseBenchmarkOutput(parts.join(''))),
            ),
            { numRuns: 300 },
        );
    });
});
