// A failure counts only where benchmark_model, the runtime, the shell or the loader print it: at the start of a log
// line. The same messages quoted in prose, a TSV record, a Markdown table or a quoted string are not output at all.
import { describe, expect, it } from 'vitest';
import { parseBenchmarkOutput, parseBenchmarkRuns } from '../../../src/parse/benchmark-model.js';
import { HAVE_FIXTURES, readFixture } from '../../support/parse-snippets.js';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** Failure lines as printed (real fixtures, docs/benchmark-model-format.md §5), each with the kind it shows. */
const PRINTED: [string, string][] = [
    ["ERROR: Could not open '/nope.tflite'.", 'model_not_found'],
    ['Failed to mmap model /x.tflite', 'model_not_found'],
    ['/system/bin/sh: ./benchmark_model: not executable: 64-bit ELF file', 'not_executable'],
    ['bash: ./benchmark_model: cannot execute binary file: Exec format error', 'not_executable'],
    ['sh: 1: ./benchmark_model: Exec format error', 'not_executable'],
    ['/system/bin/sh: ./benchmark_model: Permission denied', 'not_executable'],
    ['CANNOT LINK EXECUTABLE "./benchmark_model": library "libhexagon_interface.so" not found', 'not_executable'],
    [
        './benchmark_model: error while loading shared libraries: libtensorflowlite.so: wrong ELF class: ELFCLASS32',
        'not_executable',
    ],
    [
        'ERROR: Regular TensorFlow ops are not supported by this interpreter. Make sure you apply/link the Flex delegate before inference.',
        'flex_ops',
    ],
    ['ERROR: Node number 0 (FlexDecodeWav) failed to prepare.', 'flex_ops'],
    ['ERROR: Encountered unresolved custom op: Convolution2DTransposeBias.', 'custom_op'],
    ["ERROR: Didn't find op for builtin opcode 'STABLEHLO_COMPOSITE' version '1'.", 'unsupported_op'],
    ['ERROR: Node number 3 (CONV_2D) failed to prepare.', 'unsupported_op'],
    ['ERROR: Node number 248 (TfLiteNnapiDelegate) failed to prepare.', 'delegate_failed'],
    ['ERROR: Failed to apply GPU delegate.', 'delegate_failed'],
    ['ERROR: Disallowed CPU fallback detected.', 'delegate_failed'],
    ['ERROR: Please specify the name of your TF Lite input file with --graph', 'invalid_argument'],
    ['Segmentation fault (core dumped)', 'crash'],
    ['./run.sh: line 3:  4242 Killed                  ./benchmark_model --graph=m.tflite', 'crash'],
    ['Aborted', 'crash'],
    ["terminate called after throwing an instance of 'std::bad_alloc'", 'crash'],
    ['Fatal signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr 0x0 in tid 4321 (benchmark_model)', 'crash'],
    ['Failed to allocate tensors!', 'benchmark_failed'],
    ['ERROR: Benchmarking failed.', 'benchmark_failed'],
    ['ERROR: model m.tflite: interpreter creation failed (runtime: odd)', 'benchmark_failed'],
];

/** Ways a README, an issue or a TSV quotes a message `m` (the line holds more than the message, or starts with it as a cell). */
const QUOTINGS: ((m: string) => string)[] = [
    (m) => `The tool printed ${m} and exited with status 1.`,
    (m) => `If you see \`${m}\`, rebuild benchmark_model for your ABI.`,
    (m) => `"${m}"`,
    (m) => `'${m}' (copied from the issue)`,
    (m) => `> ${m}`,
    (m) => `| ${m} | what it means |`,
    (m) => `fixture_01.txt\thttps://example.org/issue\tn/a\tFAILURE: '${m}' seen there`,
    (m) => `${m}\tquoted as the first cell of a TSV record\tnotes`,
];

describe('failure messages are recognised where they are printed', () => {
    it.each(PRINTED)('%s → %s', (line, kind) => {
        expect(parseBenchmarkOutput(lines(line)).failure?.kind).toBe(kind);
    });

    it('after a logger prefix too (logcat, glog)', () => {
        const logcat = '06-18 10:11:07.713  4320  4320 E libc    : Fatal signal 11 (SIGSEGV), code 1 in tid 4321';
        expect(parseBenchmarkOutput(lines(logcat)).failure?.kind).toBe('crash');
        const glog =
            '2019-05-10 12:34:56.789012: E tensorflow/lite/tools/benchmark/benchmark_model.cc:95] Benchmarking failed.';
        expect(parseBenchmarkOutput(lines(glog)).failure?.kind).toBe('benchmark_failed');
    });

    it("the built-in runner's line keeps the runtime's messages it carries", () => {
        const line =
            'ERROR: model w.tflite: TensorFlow (Flex) op FlexDecodeWav at node 0 not supported by the built-in runtime (runtime: Regular TensorFlow ops are not supported by this interpreter. Node number 0 (FlexDecodeWav) failed to prepare.)';
        expect(parseBenchmarkOutput(lines(line)).failure).toMatchObject({ kind: 'flex_ops', op: 'FlexDecodeWav' });
    });
});

describe('quoted failure messages are not benchmark output', () => {
    it.each(PRINTED)('%s, quoted in prose, tables and TSV', (line) => {
        for (const quote of QUOTINGS) {
            const text = quote(line);
            const r = parseBenchmarkOutput(lines('# Notes on benchmark_model', '', text, ''));
            expect({ text, kind: r.failure?.kind }).toEqual({ text, kind: 'no_output' });
        }
    });

    it('one document quoting all of them holds no benchmark output', () => {
        const doc = lines('# Known failures', '', ...PRINTED.flatMap(([m]) => QUOTINGS.map((q) => q(m))));
        const runs = parseBenchmarkRuns(doc);
        expect(runs.map((r) => r.failure?.kind)).toEqual(['no_output']);
    });
});

describe.runIf(HAVE_FIXTURES)('the shared SOURCES.tsv and the real failure fixtures', () => {
    it('SOURCES.tsv, which quotes failure lines in its notes column, is no benchmark output', () => {
        const runs = parseBenchmarkRuns(readFixture('SOURCES.tsv'));
        expect(runs.map((r) => r.failure?.kind)).toEqual(['no_output']);
    });

    it('the failure fixtures are still classified', () => {
        const kinds = [
            'issue_tf42956_android_not_executable_64bit_elf_failure.txt',
            'issue_tf40677_linux_flex_op_not_supported_failure.txt',
            'android_tf2_4_nnapi_delegate_compile_failure_yolov5s.txt',
            'issue_tf49012_gpu_delegate_zero_kernels_error_excerpt.txt',
        ].map((name) => parseBenchmarkOutput(readFixture(name)).failure?.kind);
        expect(kinds).toEqual(['not_executable', 'flex_ops', 'delegate_failed', 'delegate_failed']);
    });
});
