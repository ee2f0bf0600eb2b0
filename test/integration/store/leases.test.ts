// Device leases across processes: real orchestrator-like children (test/support/lease-child.ts) sharing one
// results database, on SQLite (one machine) and on a private PostgreSQL server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceLeases } from '../../../src/store/leases.js';
import { SqliteBackend } from '../../../src/store/sqlite-backend.js';
import { startPostgres, type PostgresHandle } from '../../support/postgres.js';

const root = mkdtempSync(join(tmpdir(), 'splitbench-leases-'));
let pg: PostgresHandle | undefined;
beforeAll(async () => {
    pg = await startPostgres();
});
afterAll(async () => {
    await pg?.stop();
    rmSync(root, { recursive: true, force: true });
});
let n = 0;

interface Ev {
    ev: string;
    device?: string;
    msg?: string;
    t: number;
}

interface Child {
    proc: ChildProcess;
    events: Ev[];
    /** Resolves with the first event of kind `ev`. */
    waitFor(ev: string): Promise<Ev>;
    exited: Promise<number | null>;
}

const startChild = (args: readonly string[]): Child => {
    const proc = spawn(
        process.execPath,
        ['--import', 'tsx', resolve(import.meta.dirname, '../../support/lease-child.ts'), ...args],
        { cwd: resolve(import.meta.dirname, '../../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const events: Ev[] = [];
    const waiters: { ev: string; resolve: (e: Ev) => void }[] = [];
    let buf = '';
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) {
            const e = JSON.parse(l) as Ev;
            events.push(e);
            for (const w of waiters.filter((x) => x.ev === e.ev)) w.resolve(e);
        }
    });
    const exited = new Promise<number | null>((res) => proc.once('close', (code) => res(code)));
    return {
        proc,
        events,
        exited,
        waitFor: (ev) =>
            new Promise<Ev>((res, rej) => {
                const seen = events.find((e) => e.ev === ev);
                if (seen !== undefined) return res(seen);
                waiters.push({ ev, resolve: res });
                void exited.then((code) => rej(new Error(`child exited (${code}) before "${ev}": ${stderr}`)));
            }),
    };
};

const BACKENDS: { name: string; spec: () => Promise<string> }[] = [
    { name: 'sqlite', spec: () => Promise.resolve(join(root, `l${n++}.db`)) },
    { name: 'postgres', spec: () => pg!.createDatabase() },
];

describe.each(BACKENDS)('device leases on $name', ({ spec }) => {
    it('two orchestrators with overlapping devices never hold one device at the same time, and both finish', async () => {
        const db = await spec();
        const a = startChild([db, 'run-a', 'd1,d2,d3', '300', '2000']);
        const b = startChild([db, 'run-b', 'd3,d2,d4', '300', '2000']);
        expect(await a.exited).toBe(0);
        expect(await b.exited).toBe(0);
        for (const c of [a, b]) expect(c.events.at(-1)?.ev).toBe('done');
        const intervals = (c: Child, run: string) =>
            c.events
                .filter((e) => e.ev === 'hold')
                .map((h) => ({
                    run,
                    device: h.device,
                    from: h.t,
                    to: c.events.find((e) => e.ev === 'free' && e.device === h.device)?.t ?? Infinity,
                }));
        const all = [...intervals(a, 'run-a'), ...intervals(b, 'run-b')];
        expect(all.map((i) => `${i.run}:${i.device}`).sort()).toEqual([
            'run-a:d1',
            'run-a:d2',
            'run-a:d3',
            'run-b:d2',
            'run-b:d3',
            'run-b:d4',
        ]);
        for (const d of ['d2', 'd3']) {
            const [x, y] = all.filter((i) => i.device === d);
            // the second holder took the device only after the first let it go
            expect(x!.to <= y!.from || y!.to <= x!.from).toBe(true);
        }
    });

    it('a killed orchestrator on another host keeps its devices until the lease expires; then the waiting run takes them', async () => {
        const db = await spec();
        const a = startChild([db, 'run-dead', 'x', '0', '4000', 'far-host', '0', '1']);
        await a.waitFor('hanging');
        a.proc.kill('SIGKILL');
        const killedAt = Date.now();
        await a.exited;
        const b = startChild([db, 'run-next', 'x', '10', '4000']);
        const held = await b.waitFor('hold');
        expect(await b.exited).toBe(0);
        const waiting = b.events.find((e) => e.ev === 'msg');
        expect(waiting?.msg).toMatch(
            new RegExp(
                `^device x is held by run run-dead \\(user ${userInfo().username} on host far-host, pid ${a.proc.pid}\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ, lease expires .* unless renewed; waiting$`,
            ),
        );
        // taken once the 4 s lease ran out (renewed every 1.33 s until the kill), not before
        expect(held.t - killedAt).toBeGreaterThan(4000 - 1400);
        expect(held.t - killedAt).toBeLessThan(4000 + 3000);
    });

    it('a holder on this host whose process is gone is taken over at once, with a message naming it', async () => {
        const db = await spec();
        const a = startChild([db, 'run-gone', 'y', '0', '60000', '', '0', '1']);
        await a.waitFor('hanging');
        a.proc.kill('SIGKILL');
        await a.exited;
        const b = startChild([db, 'run-new', 'y', '10', '60000']);
        expect(await b.exited).toBe(0);
        expect(b.events.find((e) => e.ev === 'msg')?.msg).toMatch(
            new RegExp(
                `^device y: took over the lease of run run-gone \\(user ${userInfo().username} on host ${hostname()}, pid ${a.proc.pid}\\) since .*: that process no longer exists$`,
            ),
        );
    });

    it('--no-wait fails at once naming the live holder', async () => {
        const db = await spec();
        const a = startChild([db, 'run-live', 'z', '0', '60000', '', '0', '1']);
        await a.waitFor('hanging');
        try {
            const b = startChild([db, 'run-impatient', 'z', '10', '60000', '', '1']);
            expect(await b.exited).toBe(1);
            expect(b.events.map((e) => e.ev)).toEqual(['error']);
            expect(b.events[0]?.msg).toMatch(
                new RegExp(
                    `^device z is held by run run-live \\(user ${userInfo().username} on host ${hostname()}, pid ${a.proc.pid}\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ, lease expires \\d{4}-.*Z unless renewed$`,
                ),
            );
        } finally {
            a.proc.kill('SIGKILL');
            await a.exited;
        }
    });
});

describe('DeviceLeases in one process', () => {
    it('renews while held, reports a lease taken away, stops waiting on abort, and releases everything on close', async () => {
        const store = new SqliteBackend(join(root, `inproc${n++}.db`));
        const me = { runId: 'run-me', user: 'u', host: 'h1', pid: 1 };
        const other = { runId: 'run-other', user: 'v', host: 'h2', pid: 2 };
        const lost: string[] = [];
        const leases = new DeviceLeases(store, me, { ttlMs: 300, onLost: (d) => lost.push(d) });
        try {
            await leases.acquire('p1');
            await leases.acquire('p2');
            await new Promise((r) => setTimeout(r, 700)); // > 2 × ttl: only renewal keeps the leases
            expect((await store.acquireLease('p1', other, 300)).acquired).toBe(false);
            // another run takes p2 (as after an expiry while this one was stopped); the next renewal notices
            expect((await store.acquireLease('p2', other, 60_000, me)).acquired).toBe(true);
            await leases.renew();
            expect(lost).toEqual(['p2']);
            expect(leases.devices()).toEqual(['p1']);
            const ac = new AbortController();
            const waiting = new DeviceLeases(store, { ...me, runId: 'run-3' }, { pollMs: 20 }).acquire('p2', ac.signal);
            setTimeout(() => ac.abort(), 100);
            await expect(waiting).rejects.toThrow(/interrupted while waiting for a device lease/);
            await leases.close();
            expect((await store.listLeases()).map((l) => [l.device, l.runId])).toEqual([['p2', 'run-other']]);
        } finally {
            await leases.close();
            await store.close();
        }
    });
});
