#!/usr/bin/env node
// Standalone drop-in for TFLite's benchmark_model, on splitbench's built-in native runner.
import { benchmarkModelMain } from '../dist/tflite/bench-cli.js';

process.exitCode = await benchmarkModelMain(process.argv.slice(2));
