// Child process for the lease tests: one "orchestrator" that takes device leases through DeviceLeases and holds
// each device for a while, printing JSON lines: {ev:'msg'|'hold'|'free'|'error'|'done', device, t (epoch ms)}.
// argv: SPEC RUN_ID DEVICES(comma) HOLD_MS TTL_MS [HOST] [NO_WAIT] [HANG]
//   HOST: holder host to record (default this host's name); NO_WAIT=1: fail at once when held;
//   HANG=1: take every device, then never release (the parent kills -9 it).
import { hostname } from 'node:os';
import { DeviceLeases, thisHolder } from '../../src/store/leases.js';
import { openResultStore, resolveStoreSpec } from '../../src/store/store-spec.js';
import { messageOf } from '../../src/errors.js';

const [spec, runId, devices, holdMs, ttlMs, host, noWait, hang] = process.argv.slice(2);
if (spec === undefined || runId === undefined || devices === undefined) throw new Error('usage: SPEC RUN DEVICES ...');
const out = (o: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() })}\n`);
};
const store = await openResultStore(resolveStoreSpec(spec));
const leases = new DeviceLeases(
    store,
    { ...thisHolder(runId), host: host === undefined || host === '' ? hostname() : host },
    {
        ttlMs: Number(ttlMs ?? 2000),
        pollMs: 50,
        noWait: noWait === '1',
        onMessage: (m) => out({ ev: 'msg', msg: m }),
    },
);
try {
    for (const d of devices.split(',')) {
        await leases.acquire(d);
        out({ ev: 'hold', device: d });
        if (hang === '1') continue;
        await new Promise((r) => setTimeout(r, Number(holdMs ?? 100)));
        out({ ev: 'free', device: d });
        await leases.release(d);
    }
    if (hang === '1') {
        out({ ev: 'hanging' });
        // the lease renewal timer is unref'd: keep the process alive until the parent kills it
        setInterval(() => undefined, 1000);
        await new Promise(() => undefined);
    }
    out({ ev: 'done' });
} catch (e) {
    out({ ev: 'error', msg: messageOf(e) });
    process.exitCode = 1;
} finally {
    await leases.close();
    await store.close();
}
