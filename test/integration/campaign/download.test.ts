// Models given by URL are downloaded once into models/, checked by sha256, and then used like local files.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { writeTestModels, type TestModelSet } from '../../support/models.js';

const cli = runCli;

describe('campaign models by URL', () => {
    let server: Server;
    let base: string;
    let work: string;
    let models: TestModelSet;
    let sha: string;
    let requests = 0;

    beforeAll(async () => {
        models = writeTestModels();
        const bytes = readFileSync(models.chain);
        sha = createHash('sha256').update(bytes).digest('hex');
        server = createServer((req, res) => {
            requests++;
            if (req.url === '/chain.tflite') res.end(bytes);
            else {
                res.statusCode = 404;
                res.end();
            }
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        work = mkdtempSync(join(tmpdir(), 'splitbench-dl-'));
        mkdirSync(join(work, 'devices'));
        writeFileSync(join(work, 'devices', 'here.yaml'), 'name: here\nkind: local\nlocal: {}\n');
    });

    afterAll(async () => {
        await new Promise<void>((r) => server.close(() => r()));
        models.cleanup();
        rmSync(work, { recursive: true, force: true });
    });

    const campaign = (url: string, sum: string): string => `
name: dl
models:
    - id: chain
      url: ${url}
      sha256: ${sum}
splits: [1]
roles: { ue: [here], server: [here] }
settings:
    ue: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }
    server: { threads: 1, cpuAffinity: none, warmupRuns: 1, warmupMinSecs: 0, runs: 3, minSecs: 0 }
modes: [measure]
report: { formats: [json], outDir: reports }
`;

    it('downloads once, checks sha256, and measures', async () => {
        writeFileSync(join(work, 'ok.yaml'), campaign(`${base}/chain.tflite`, sha));
        const r = await cli(['run', 'ok.yaml', '--db', 'dl.db'], work);
        expect(r.stderr).toContain('sha256 ok');
        expect(r.code).toBe(0);
        const cached = readdirSync(join(work, 'models')).filter((f) => f.endsWith('chain.tflite'));
        expect(cached).toHaveLength(1);
        const seen = requests;
        const again = await cli(['run', 'ok.yaml', '--db', 'dl.db', '--fresh'], work);
        expect(again.code).toBe(0);
        expect(requests).toBe(seen); // the cache is used, nothing downloaded again
    });

    it('refuses a download whose sha256 does not match and keeps nothing', async () => {
        writeFileSync(
            join(work, 'bad.yaml'),
            campaign(`${base}/chain.tflite`, 'ab'.repeat(32)).replace('name: dl', 'name: dlbad'),
        );
        rmSync(join(work, 'models'), { recursive: true, force: true });
        const r = await cli(['run', 'bad.yaml', '--db', 'dl.db'], work);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/sha256 [0-9a-f]{64} does not match/);
        expect(existsSync(join(work, 'models')) ? readdirSync(join(work, 'models')) : []).toEqual([]);
    });

    it('names the URL when the server says 404', async () => {
        writeFileSync(
            join(work, 'missing.yaml'),
            campaign(`${base}/nope.tflite`, sha).replace('name: dl', 'name: dlmissing'),
        );
        const r = await cli(['run', 'missing.yaml', '--db', 'dl.db'], work);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`download ${base}/nope.tflite: HTTP 404`);
    });
});
