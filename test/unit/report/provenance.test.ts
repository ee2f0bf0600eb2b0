import { describe, expect, it } from 'vitest';
import { buildProvenance, provenanceHtml, provenanceMarkdown, provenanceRows } from '../../../src/report/provenance.js';
import type { JobIdentity } from '../../../src/plan/types.js';

const UE: JobIdentity = {
    runtime: { kind: 'builtin', splitbench: '0.1.0', tflite: '2.9.0' },
    deviceBuild: 'samsung/a01qxx/a01q:10/QP1A.190711.020/A015FXXU1ATC3:user/release-keys',
    threads: 1,
    cpuMask: '1',
    useXnnpack: false,
};
const SRV: JobIdentity = { ...UE, deviceBuild: 'Debian 12; kernel 6.1.0', threads: 8, cpuMask: null, useXnnpack: true };

describe('provenance', () => {
    const p = buildProvenance(
        'r2',
        [
            { runId: 'r2', device: 'a01', role: 'ue', identity: UE, probe: null },
            { runId: 'r2', device: 'a01', role: 'ue', identity: UE, probe: null },
            {
                runId: 'r1',
                device: 'pc',
                role: 'server',
                identity: SRV,
                probe: {
                    os: 'Debian',
                    osRelease: '12',
                    kernel: '6.1.0',
                    cores: 8,
                    probedAt: '2026-01-01T00:00:00Z',
                    host: { cpuHost: 'linux:0123456789abcdef', machineId: '0123456789abcdef', bootId: 'fedcba98-7654' },
                },
            },
            { runId: 'r0', device: 'old', role: 'server', identity: null, settingsThreads: 4, probe: null },
        ],
        new Map([
            ['r0', '2025-12-01T00:00:00Z'],
            ['r1', '2026-01-01T00:00:00Z'],
            ['r2', '2026-01-02T00:00:00Z'],
        ]),
        [{ device: 'pixel', jobs: 3, error: 'device pixel unreachable: offline' }],
    );

    it('groups results by device and identity, and by the run that measured them, oldest first', () => {
        expect(p.devices.map((d) => [d.name, d.results, d.threads, d.cpuMask, d.xnnpack])).toEqual([
            ['a01', 2, '1', '1', 'off'],
            ['old', 1, '4', 'not recorded', 'not recorded'],
            ['pc', 1, '8', 'none', 'on'],
        ]);
        expect(p.devices[0]?.runtime).toBe('built-in runner (splitbench 0.1.0, TFLite 2.9.0)');
        expect(p.sources).toEqual([
            { runId: 'r0', startedAt: '2025-12-01T00:00:00Z', results: 1, thisRun: false },
            { runId: 'r1', startedAt: '2026-01-01T00:00:00Z', results: 1, thisRun: false },
            { runId: 'r2', startedAt: '2026-01-02T00:00:00Z', results: 2, thisRun: true },
        ]);
    });

    it('renders the same facts in Markdown, HTML and spreadsheet rows', () => {
        const md = provenanceMarkdown(p).join('\n');
        expect(md).toContain('- pixel: 3 job(s) not measured: device pixel unreachable: offline');
        expect(md).toContain(
            '| pc | server | 1 | built-in runner (splitbench 0.1.0, TFLite 2.9.0) | 8 | none | on | Debian 12; kernel 6.1.0 | linux:0123456789abcdef (machine-id 0123456789ab, boot fedcba98) |',
        );
        expect(md).toContain('- r1 (started 2026-01-01T00:00:00Z): 1 result(s), reused');
        expect(md).toContain('- r2 (started 2026-01-02T00:00:00Z): 2 result(s), measured by this run');
        const html = provenanceHtml(p);
        expect(html).toContain('<h2>Provenance</h2>');
        expect(html).toContain('pixel: 3 job(s) not measured');
        const rows = provenanceRows(p);
        expect(rows).toContainEqual(['r1', '2026-01-01T00:00:00Z', '1', 'reused']);
        expect(rows).toContainEqual(['pixel', '3', 'device pixel unreachable: offline']);
    });
});
