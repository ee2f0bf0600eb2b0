// Child process for the store's crash-safety test: records results as fast as it can and prints
// `committed <jobId>` after each transaction, until the parent kills it with SIGKILL.
import { openStore } from '../../src/store/sqlite-store.js';
import { makeJob, makeResult, MODEL_SHA, newRun } from './store-fixtures.js';

const [dbPath, opsArg, samplesArg] = process.argv.slice(2);
if (dbPath === undefined) throw new Error('usage: store-crash-child DB OPS SAMPLES');
const ops = Number(opsArg ?? 40);
const samples = Number(samplesArg ?? 100);
const store = openStore(dbPath);
const run = store.createRun(newRun({ id: 'crash-run' }));
store.upsertModel({ sha256: MODEL_SHA, path: '/models/net.tflite', sizeBytes: 123, opCount: ops });
for (let batch = 0; ; batch++) {
    const jobs = Array.from({ length: 50 }, (_, i) => makeJob({ split: batch * 50 + i }));
    store.upsertJobs(run.id, jobs);
    for (const job of jobs) {
        store.markJobRunning(run.id, job.id, 1);
        const parsed = makeResult({ ops, samples });
        store.recordResult(run.id, job.id, {
            attempt: 1,
            raw: { stdout: 'x'.repeat(2000), stderr: '', exitCode: 0 },
            parsed,
        });
        process.stdout.write(`committed ${job.id}\n`);
    }
}
