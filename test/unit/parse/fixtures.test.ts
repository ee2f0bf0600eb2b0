// Every real benchmark_model output in ../shared/fixtures/benchmark_model parses; a representative set is checked
// against values read off the text by hand. Runs only when the shared folder exists.
import { describe, expect, it } from 'vitest';
import { parseBenchmarkOutput, parseBenchmarkRuns } from '../../../src/parse/benchmark-model.js';
import type { BenchmarkResult } from '../../../src/parse/types.js';
import { fixtureNames, HAVE_FIXTURES, readFixture } from '../../support/parse-snippets.js';

const compact = (r: BenchmarkResult): string => {
    const i = r.inference;
    const parts = [
        `avg=${i.avgUs ?? '-'}`,
        `init=${i.initUs ?? '-'}`,
        `first=${i.firstUs ?? '-'}`,
        `warm=${i.warmupAvgUs ?? '-'}`,
        `n=${i.count ?? '-'}`,
        `min=${i.minUs ?? '-'}`,
        `max=${i.maxUs ?? '-'}`,
        `std=${i.stdUs ?? '-'}`,
    ];
    if (i.medianUs !== undefined) parts.push(`p5/med/p95=${i.p5Us}/${i.medianUs}/${i.p95Us}`);
    if (r.memory.overallMb !== undefined) parts.push(`mem=${r.memory.initMb}/${r.memory.overallMb}MB`);
    parts.push(`ops=${r.ops.length}`, `init-prof=${r.initProfile.length}`);
    if (r.delegates.length > 0) parts.push(`delegates=${r.delegates.map((d) => d.name).join('+')}`);
    if (r.failure !== undefined)
        parts.push(`failure=${r.failure.kind}${r.failure.op !== undefined ? `(${r.failure.op})` : ''}`);
    if (r.truncated) parts.push('TRUNCATED');
    if (r.runsInText !== undefined) parts.push(`runs=${r.runsInText}`);
    parts.push(`unknown=${r.unknownLines}`);
    return parts.join(' ');
};

/** Values read off each fixture's text by hand. */
const EXPECTED: Record<string, (r: BenchmarkResult) => void> = {
    // TFLite 1.12: 'Num runs', no trailing '.', 'no stats:'
    'ti_am57xx_linux_armv7_tflite1_12_no_opprof.txt': (r) => {
        expect(r.params['Num runs']).toBe('50');
        expect(r.params['Warmup runs']).toBe('1');
        expect(r.params['Use nnapi']).toBe('0');
        expect(r.modelPath).toBe('mobilenet_v1_1.0_224_quant.tflite');
        expect(r.initMs).toBe(4.452);
        expect(r.warmup).toEqual({ count: 1, curr: 146161 });
        expect(r.inference).toEqual({
            avgUs: 137722,
            initUs: 4452,
            firstUs: 146161,
            warmupAvgUs: 146161,
            count: 50,
            minUs: 137079,
            maxUs: 143416,
            stdUs: 896,
        });
        expect(r.failure).toBeUndefined();
    },
    // TF ~1.15/2.0
    'zedboard_armv7_linux_tf1x_mobilenet_v1_quant_no_opprof.txt': (r) => {
        expect(r.params['Max runs duration (seconds)']).toBe('150');
        expect(r.params['Use gpu']).toBe('0');
        expect(r.initMs).toBe(21.039);
        expect(r.inference).toMatchObject({ avgUs: 747733, initUs: 21039, warmupAvgUs: 751932, count: 50, stdUs: 293 });
        expect(r.unknownLines).toBe(0); // the shell prompt precedes STARTING!, outside the run
    },
    // TF 1.x doc sample: untitled tables, names without ':idx', 'Inference:'
    'tf_readme_doc_sample_android_mobilenet_quant_opprof_tf1x_format.txt': (r) => {
        expect(r.inference).toEqual({ avgUs: 79760.9, initUs: 38467, warmupAvgUs: 83235 });
        expect(r.initProfile).toEqual([]);
        expect(r.ops).toHaveLength(31);
        expect(r.ops[0]).toMatchObject({
            type: 'CONV_2D',
            startMs: 0,
            firstMs: 4.269,
            avgMs: 4.269,
            pct: 0.107,
            timesCalled: 0,
            nodeIndex: null,
        });
        expect(r.ops[0]?.outputs).toEqual(['MobilenetV1/MobilenetV1/Conv2d_0/Relu6']);
        expect(r.ops[30]).toMatchObject({ type: 'SOFTMAX', startMs: 79.443, avgMs: 0.029 });
        expect(r.profile[0]?.top).toHaveLength(10);
        expect(r.profile[0]?.top[0]).toMatchObject({
            avgMs: 6.652,
            name: '[MobilenetV1/MobilenetV1/Conv2d_3_pointwise/Relu6]',
        });
        expect(r.profile[0]?.byType[0]).toEqual({
            type: 'CONV_2D',
            count: 15,
            avgMs: 1.406,
            avgPct: 89.27,
            cdfPct: 89.27,
            memKb: 0,
            timesCalled: 0,
        });
        expect(r.profile[0]?.timings).toEqual({
            count: 50,
            first: 79449,
            curr: 81350,
            min: 77385,
            max: 88213,
            avg: 79732,
            std: 1929,
        });
        expect(r.profile[0]?.nodesObserved).toBe(31);
        expect(r.truncated).toBe(false);
    },
    // TF 2.3 era: no prefix, [start], 'Peak memory footprint', verbose params
    'linux_x86_tf2_3era_mobilenet_v1_quant_1thread_opprof.txt': (r) => {
        expect(Object.keys(r.params)).toHaveLength(27);
        expect(r.params['Use xnnpack']).toBe('0');
        expect(r.params['CSV File to export profiling data to']).toBe('');
        expect(r.modelSizeMb).toBe(4.27635);
        expect(r.initMs).toBe(0.452);
        expect(r.inference).toEqual({
            avgUs: 44065.5,
            initUs: 452,
            firstUs: 47550,
            warmupAvgUs: 44911.3,
            count: 50,
            minUs: 43806,
            maxUs: 44803,
            stdUs: 250,
        });
        expect(r.memory).toEqual({ initMb: 4.42969, overallMb: 10.75 });
        expect(r.initProfile[0]?.runOrder).toEqual([
            expect.objectContaining({
                type: 'AllocateTensors',
                startMs: 0,
                avgMs: 0.178,
                name: 'AllocateTensors/0',
                nodeIndex: null,
            }),
        ]);
        expect(r.ops).toHaveLength(31);
        expect(r.ops[0]).toEqual({
            nodeIndex: 0,
            type: 'CONV_2D',
            startMs: 0,
            firstMs: 1.994,
            avgMs: 1.744,
            pct: 3.957,
            cdfPct: 3.957,
            memKb: 0,
            timesCalled: 1,
            name: '[MobilenetV1/MobilenetV1/Conv2d_0/Relu6]:0',
            outputs: ['MobilenetV1/MobilenetV1/Conv2d_0/Relu6'],
        });
        expect(r.ops[30]).toMatchObject({ nodeIndex: 30, type: 'SOFTMAX', startMs: 44.063, avgMs: 0.003, cdfPct: 100 });
        expect(r.profile[0]?.timings?.avg).toBe(44063.2);
        expect(r.profile[0]?.nodesObserved).toBe(31);
        expect(r.failure).toBeUndefined();
        expect(r.truncated).toBe(false);
    },
    // current: INFO: prefixes, percentiles, runtime VERBOSE line, Windows prompt
    'android_adb_xnnpack_default_percentiles_mask_estimator.txt': (r) => {
        expect(r.params['Num threads']).toBe('4');
        expect(r.modelPath).toBe('/data/local/tmp/mask_estimator_phy.tflite');
        expect(r.initMs).toBe(102.32);
        expect(r.warmup).toEqual({ count: 1, curr: 670083, p5: 670083, median: 670083, p95: 670083 });
        expect(r.inference).toEqual({
            avgUs: 699438,
            initUs: 102320,
            firstUs: 670083,
            warmupAvgUs: 670083,
            count: 50,
            minUs: 502355,
            maxUs: 2270688,
            stdUs: 325425,
            p5Us: 502674,
            medianUs: 576856,
            p95Us: 1373207,
        });
        expect(r.memory).toEqual({ initMb: 98.0977, overallMb: 99.2031 });
        expect(r.delegates).toEqual([
            { name: 'XNNPACK', kernel: 'TfLiteXNNPackDelegate', nodesReplaced: 49, totalNodes: 49, partitions: 1 },
        ]);
        expect(r.failure).toBeUndefined();
    },
    // the timed stats are the SECOND count= line even when the warm-up ran 1024 times
    'android_stk_l21_fragment_fast_model_warmup_1024_runs.txt': (r) => {
        expect(r.warmup?.count).toBe(1024);
        expect(r.inference).toMatchObject({
            avgUs: 400.341,
            count: 2487,
            minUs: 385,
            maxUs: 585,
            stdUs: 17,
            medianUs: 394,
            p95Us: 436,
        });
        expect(r.truncated).toBe(true); // fragment ends before the summary line
    },
    'linux_aarch64_qrb2210_docker_cpu_then_gpu_script_log_percentiles.txt': (r) => {
        expect(r.runsInText).toBe(2);
        expect(r.inference).toMatchObject({
            avgUs: 115246,
            initUs: 1361236,
            p5Us: 112107,
            medianUs: 115350,
            p95Us: 116620,
        });
        expect(r.delegates).toEqual([{ name: 'GPU', kernels: 1, mode: 'complete' }]);
        expect(r.params['Use gpu']).toBe('1');
    },
    // CSV mode, [start] column, excerpt ending after the first Top row
    'csv_mode_stdout_excerpt_tf2x_start_column.txt': (r) => {
        expect(r.initProfile[0]?.byType).toEqual([
            { type: 'AllocateTensors', count: 1, avgMs: 0.029, avgPct: 100, cdfPct: 100, memKb: 0, timesCalled: 1 },
        ]);
        expect(r.initProfile[0]?.timings).toEqual({ count: 1, curr: 29 });
        expect(r.ops).toHaveLength(12);
        expect(r.ops[1]).toEqual({
            nodeIndex: 1,
            type: 'ELU',
            startMs: 0.0931277,
            firstMs: 0.034,
            avgMs: 0.0300884,
            pct: 14.5203,
            cdfPct: 59.4197,
            memKb: 0,
            timesCalled: 1,
            name: '[sequential_11/conv2d_33/Elu]:1',
            outputs: ['sequential_11/conv2d_33/Elu'],
        });
        expect(r.ops[11]).toMatchObject({ type: 'SOFTMAX', nodeIndex: 11, avgMs: 0.000342312, cdfPct: 100 });
        expect(r.profile[0]?.top).toHaveLength(1);
        expect(r.truncated).toBe(true);
    },
    // XNNPACK with op profiling: delegate-internal rows, mixed with real nodes
    'arm_tc2_linux_aarch64_xnnpack_opprof_delegate_internal_ops.txt': (r) => {
        expect(r.ops).toHaveLength(115);
        expect(r.ops[0]).toMatchObject({
            type: 'Convolution (NHWC, QU8) IGEMM',
            avgMs: 0.278,
            nodeIndex: null,
            delegateOpIndex: 0,
        });
        expect(r.ops.filter((o) => o.nodeIndex !== null).map((o) => o.nodeIndex)).toEqual([108, 112, 114]);
        expect(r.ops[114]?.outputs).toHaveLength(4);
        expect(r.profile[0]?.byType[0]).toMatchObject({ type: 'Convolution (NHWC, QU8) GEMM', count: 54, avgMs: 3.34 });
        expect(r.profile[0]?.timings?.avg).toBe(7360.09);
        expect(r.initProfile[0]?.runOrder[0]).toMatchObject({ type: 'ModifyGraphWithDelegate', memKb: 3428 });
        expect(r.inference).toMatchObject({ avgUs: 7454.97, count: 67 });
        expect(r.delegates.map((d) => d.name)).toEqual(['XNNPACK']);
    },
    // NNAPI partial delegation: delegate nodes indexed after the original ops
    'readme_deeplabv3_nnapi_partial_delegation_runorder_excerpt.txt': (r) => {
        expect(r.ops.map((o) => o.nodeIndex)).toEqual([71, 61, 72, 63, 73, 68, 69, 70]);
        expect(r.ops[0]?.outputs).toEqual(['MobilenetV2/expanded_conv_16/project/add_fold', 'aspp0/Relu']);
        expect(r.ops[7]).toMatchObject({ type: 'ARG_MAX', startMs: 36.74, firstMs: 15.44, avgMs: 15.326 });
        expect(r.delegates).toEqual([{ name: 'NNAPI', kernel: 'TfLiteNnapiDelegate' }]);
        expect(r.truncated).toBe(true); // the block stops after Run Order
    },
    'android_tf2_3era_gpu_delegate_full_opprof_mnv3_seg.txt': (r) => {
        expect(r.ops).toEqual([
            expect.objectContaining({
                type: 'TfLiteGpuDelegateV2',
                nodeIndex: 77,
                avgMs: 8.671,
                name: '[Identity]:77',
            }),
        ]);
        expect(r.delegates).toEqual([{ name: 'GPU', mode: 'complete', kernel: 'TfLiteGpuDelegateV2' }]);
        expect(r.initProfile[0]?.runOrder[0]).toMatchObject({ avgMs: 1450.744, memKb: 62364 });
        expect(r.inference).toMatchObject({ initUs: 1451507, avgUs: 8680.33, count: 110 });
    },
    // spaces instead of tabs, ';'-joined names, Hexagon + GPU + CPU
    'android_modified_tf2_9_fork_hexagon_gpu_cpu_multidelegate_opprof_nnstretch.txt': (r) => {
        expect(r.ops).toHaveLength(18);
        expect(r.ops[1]).toMatchObject({ type: 'CONV_2D', nodeIndex: 1, startMs: 0.117, firstMs: 3.73, avgMs: 3.64 });
        expect(r.ops[1]?.name.split(';')).toHaveLength(6);
        expect(r.ops[3]).toMatchObject({ type: 'TfLiteHexagonDelegate', nodeIndex: 96 });
        expect(r.ops[16]).toMatchObject({
            type: 'FULLY_CONNECTED',
            nodeIndex: 94,
            outputs: ['StatefulPartitionedCall:01'],
        });
        expect(r.inference).toMatchObject({ avgUs: 22509, firstUs: 29456, count: 2, minUs: 21247, maxUs: 23771 });
        expect(r.delegates.map((d) => [d.name, d.mode, d.kernels])).toEqual([
            ['GPU', 'partial', 4],
            ['Hexagon', 'partial', 4],
        ]);
        expect(r.failure).toBeUndefined(); // 'ERROR: STEP 2' debug lines and the GPU op list are not failures
        expect(r.profile[0]?.nodesObserved).toBe(18);
    },
    // external VX delegate, scientific notation in Warmup (avg)
    'imx8mp_linux_aarch64_mobilenet-GPU_opprof.txt': (r) => {
        expect(r.inference).toMatchObject({ firstUs: 1583707, warmupAvgUs: 1583710, avgUs: 163347 });
        expect(r.ops).toEqual([expect.objectContaining({ type: 'Vx Delegate', nodeIndex: 31, avgMs: 163.313 })]);
        expect(r.delegates).toEqual([{ name: 'EXTERNAL', mode: 'complete', kernel: 'Vx Delegate' }]);
    },
    'imx8mp_linux_aarch64_deeplabv3-CPU_opprof.txt': (r) => {
        expect(r.timed?.avg).toBe(1050370);
        expect(r.inference).toMatchObject({ avgUs: 1050370, warmupAvgUs: 1216820, count: 50, stdUs: 756 });
        expect(r.profile[0]?.timings?.avg).toBe(1050240);
        expect(r.ops).toHaveLength(43);
        expect(r.delegates).toEqual([{ name: 'XNNPACK', kernel: 'TfLiteXNNPackDelegate' }]);
    },
    'fragment_report_peak_memory_footprint_memory_status.txt': (r) => {
        expect(r.memory).toEqual({
            initMb: 2.43359,
            overallMb: 8.67578,
            peakMb: 13.1797,
            vmRssMb: 13,
            rssAnonMb: 7,
            rssFileMb: 6,
        });
        expect(r.failure).toBeUndefined();
    },
    // Android APK output read from logcat
    'issue_tf56482_android_benchmark_apk_logcat_gpu_partial_opprof_head_excerpt.txt': (r) => {
        expect(r.params).toMatchObject({
            'Min num runs': '50',
            'Use gpu': '1',
            'Use xnnpack': '0',
            'Enable op profiling': '1',
        });
        expect(r.modelPath).toBe('/data/local/tmp/model.tflite');
        expect(r.failure).toMatchObject({ kind: 'unsupported_op', op: 'UNPACK' });
        expect(r.failure?.line).toBe('06-18 10:11:07.713  4320  4320 E tflite  : UNPACK: Operation is not supported.');
        expect(r.truncated).toBe(true);
    },
    // failures
    'issue_tf40677_linux_flex_op_not_supported_failure.txt': (r) => {
        expect(r.failure).toEqual({
            kind: 'flex_ops',
            op: 'FlexDecodeWav',
            line: 'ERROR: Regular TensorFlow ops are not supported by this interpreter. Make sure you apply/link the Flex delegate before inference.',
        });
        expect(r.modelLoaded).toBe(true);
        expect(r.truncated).toBe(false);
    },
    'issue_tf42956_android_not_executable_64bit_elf_failure.txt': (r) => {
        expect(r.failure).toEqual({
            kind: 'not_executable',
            line: '/system/bin/sh: ./benchmark_model: not executable: 64-bit ELF file',
        });
    },
    'issue_tf49012_gpu_delegate_zero_kernels_error_excerpt.txt': (r) => {
        expect(r.failure).toEqual({ kind: 'delegate_failed', line: 'INFO: Created 0 GPU delegate kernels.' });
        expect(r.delegates).toEqual([{ name: 'GPU', kernels: 0 }]);
    },
    'issue_tf57907_linux_armv7_mali_gpu_unsupported_ops_excerpt.txt': (r) => {
        expect(r.failure).toEqual({
            kind: 'unsupported_op',
            op: 'ARG_MAX',
            line: 'ARG_MAX: Operation is not supported.',
        });
        expect(r.delegates[0]?.unsupportedOps).toHaveLength(11);
        expect(r.delegates[0]).toMatchObject({ name: 'GPU', nodesReplaced: 97, totalNodes: 297 });
    },
    'ti_am57xx_benchmark_model_usage_flags_tflite1_12.txt': (r) => {
        expect(r.failure).toEqual({ kind: 'invalid_argument', line: 'usage: ./benchmark_model' });
    },
    'issue_tf42507_android_tf2_3_opprof_head_excerpt.txt': (r) => {
        expect(r.inference).toMatchObject({ avgUs: 33209.4, initUs: 855, count: 50 });
        expect(r.memory).toEqual({ initMb: 0, overallMb: 12.8672 });
        expect(r.failure?.kind).toBe('truncated'); // stops at the init Run Order header
        expect(r.truncated).toBe(true);
    },
    // NNAPI compilation failure: the node that fails to prepare is the NNAPI delegate kernel, not a model op
    'android_tf2_4_nnapi_delegate_compile_failure_yolov5s.txt': (r) => {
        expect(r.failure).toEqual({
            kind: 'delegate_failed',
            op: 'TfLiteNnapiDelegate',
            delegate: 'NNAPI',
            line: 'ERROR: Node number 248 (TfLiteNnapiDelegate) failed to prepare.',
        });
        expect(r.params['NNAPI accelerator name']).toBe('qti-default');
        expect(r.modelLoaded).toBe(true);
        expect(r.delegates).toEqual([{ name: 'NNAPI' }]);
        expect(r.truncated).toBe(false);
        expect(r.unknownLines).toBe(0);
    },
    // profile tables only (no summary): partial NNAPI delegation, multi-output delegate nodes after the model's ops
    'android_tf2_4_nnapi_qtigpu_partial_delegation_opprof_fragment_yolov5s.txt': (r) => {
        expect(r.ops.map((o) => o.nodeIndex)).toEqual([0, 1, 2, 3, 4, 5, 231, 143, 232, 165, 233]);
        expect(r.ops[6]).toMatchObject({ type: 'TfLiteNnapiDelegate', startMs: 8.377, firstMs: 78.701, avgMs: 79.01 });
        expect(r.ops[6]?.outputs).toEqual([
            'model/tf.nn.silu_16/mul',
            'model/tf.nn.silu_26/mul',
            'model/tf.nn.silu_35/mul',
        ]);
        expect(r.ops[10]?.outputs).toEqual(['Identity', 'Identity_1', 'Identity_2']);
        expect(r.profile).toHaveLength(1);
        expect(r.profile[0]?.top).toHaveLength(10);
        expect(r.profile[0]?.byType.map((t) => [t.type, t.count])).toEqual([
            ['TfLiteNnapiDelegate', 3],
            ['STRIDED_SLICE', 6],
            ['RESIZE_NEAREST_NEIGHBOR', 2],
        ]);
        expect(r.profile[0]?.timings).toMatchObject({ count: 50, avg: 158715, std: 2931 });
        expect(r.initProfile).toHaveLength(1);
        expect(r.initProfile[0]?.runOrder.map((o) => [o.type, o.avgMs, o.memKb])).toEqual([
            ['ModifyGraphWithDelegate', 413.346, 1748],
            ['AllocateTensors', 158.023, 0],
        ]);
        expect(r.delegates).toEqual([{ name: 'NNAPI', kernel: 'TfLiteNnapiDelegate' }]);
        expect(r.failure).toBeUndefined();
        expect(r.truncated).toBe(false);
    },
    // MCU port: two finished runs without a memory line, op tables without ===== banners, `:ld` for the node index
    'mcu_nxp_rt1160_tf2_3_port_two_runs_no_memory_line_bannerless_tables.txt': (r) => {
        expect(r.runsInText).toBe(2);
        expect(r.inference).toEqual({
            avgUs: 58.311,
            initUs: 2450,
            firstUs: 129,
            warmupAvgUs: 39.1513,
            count: 2254,
            minUs: 51,
            maxUs: 85,
            stdUs: 2,
        });
        expect(r.memory).toEqual({});
        expect(r.ops).toHaveLength(8);
        expect(r.ops[0]).toEqual({
            nodeIndex: null,
            type: 'FULLY_CONNECTED',
            startMs: 0,
            firstMs: 0.03,
            avgMs: 0.016,
            pct: 34.118,
            cdfPct: 34.118,
            memKb: 0,
            timesCalled: 1,
            name: '[dense_1/BiasAdd]:ld',
            outputs: ['dense_1/BiasAdd'],
        });
        expect(r.ops[7]).toMatchObject({ type: 'TANH', startMs: 0.045, avgMs: 0.006, cdfPct: 100 });
        // one regular and one init block: the second untitled table of each is its Top by Computation Time
        expect(r.profile).toHaveLength(1);
        expect(r.profile[0]?.top.map((o) => o.avgMs)).toEqual([0.016, 0.007, 0.006, 0.005, 0.004, 0.003, 0.002, 0.002]);
        expect(r.profile[0]?.byType).toEqual([
            {
                type: 'FULLY_CONNECTED',
                count: 4,
                avgMs: 0.029,
                avgPct: 69.048,
                cdfPct: 69.048,
                memKb: 0,
                timesCalled: 3,
            },
            { type: 'TANH', count: 4, avgMs: 0.013, avgPct: 30.952, cdfPct: 100, memKb: 0, timesCalled: 4 },
        ]);
        expect(r.profile[0]?.timings).toEqual({
            count: 2254,
            first: 70,
            curr: 47,
            min: 37,
            max: 70,
            avg: 45.5075,
            std: 2,
        });
        expect(r.profile[0]?.nodesObserved).toBe(8);
        expect(r.initProfile).toHaveLength(1);
        expect(r.initProfile[0]?.runOrder.map((o) => [o.type, o.avgMs])).toEqual([['AllocateTensors', 0.147]]);
        expect(r.initProfile[0]?.top).toHaveLength(1);
        expect(r.initProfile[0]?.timings).toEqual({ count: 1, curr: 147 });
        expect(r.failure).toBeUndefined();
        expect(r.truncated).toBe(false);
        expect(r.unknownLines).toBe(0);
    },
    'issue_yuenshome77_android_tf1_12_era_script_log_excerpt.txt': (r) => {
        expect(r.runsInText).toBe(2);
        expect(r.warmup).toEqual({
            count: 4,
            first: 198994,
            curr: 183966,
            min: 183966,
            max: 198994,
            avg: 189810,
            std: 5773,
        });
        expect(r.timed).toBeUndefined();
        expect(r.failure?.kind).toBe('truncated');
    },
};

describe.runIf(HAVE_FIXTURES)('real benchmark_model outputs (../shared/fixtures/benchmark_model)', () => {
    const names = fixtureNames();

    it('finds the fixtures', () => {
        expect(names.length).toBeGreaterThanOrEqual(20);
    });

    it.each(names)('%s parses', (name) => {
        const text = readFixture(name);
        const r = parseBenchmarkOutput(text);
        console.log(`${name}: ${compact(r)}`);
        expect(r.parserVersion).toMatch(/^\d+\.\d+\.\d+$/);
        // A truncated output always says so in `failure`; one without a summary is truncated, failed or a tail fragment.
        if (r.truncated) expect(r.failure).toBeDefined();
        if (r.inference.avgUs === undefined && r.failure === undefined) expect(name).toMatch(/(?:^|_)fragment_/);
        EXPECTED[name]?.(r);
    });

    it('has hand-read expectations for a representative set', () => {
        const missing = Object.keys(EXPECTED).filter((n) => !names.includes(n));
        expect(missing).toEqual([]);
        expect(Object.keys(EXPECTED).length).toBeGreaterThanOrEqual(20);
    });

    it('yields the first run of a multi-run log too', () => {
        const runs = parseBenchmarkRuns(
            readFixture('linux_aarch64_qrb2210_docker_cpu_then_gpu_script_log_percentiles.txt'),
        );
        expect(runs[0]?.inference).toMatchObject({ avgUs: 105784, initUs: 87639, p95Us: 106281 });
        expect(runs[0]?.delegates).toEqual([{ name: 'XNNPACK' }]);
        const mcu = parseBenchmarkRuns(
            readFixture('mcu_nxp_rt1160_tf2_3_port_two_runs_no_memory_line_bannerless_tables.txt'),
        );
        expect(mcu[0]?.inference).toEqual({
            avgUs: 31.4759,
            initUs: 1461,
            firstUs: 114,
            warmupAvgUs: 31.462,
            count: 15523,
            minUs: 28,
            maxUs: 51,
            stdUs: 0,
        });
        expect(mcu[0]).toMatchObject({ truncated: false, ops: [], profile: [], initProfile: [] });
        expect(mcu[0]?.failure).toBeUndefined();
        const tf1 = parseBenchmarkRuns(readFixture('issue_yuenshome77_android_tf1_12_era_script_log_excerpt.txt'));
        expect(tf1[0]?.inference).toMatchObject({ avgUs: 420334, initUs: 9890, warmupAvgUs: 577904, count: 10 });
        expect(tf1[0]?.truncated).toBe(false);
    });
});
