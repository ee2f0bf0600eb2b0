import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultControl, parseFaults } from '../../../src/sim/faults.js';

describe('fault specs', () => {
    it('parses every fault, alone or comma-separated', () => {
        expect(parseFaults(['drop-push-after=1048576', 'delay=5,refuse-auth', 'drop-exec-after=200'])).toEqual({
            dropPushAfterBytes: 1048576,
            delayMs: 5,
            refuseAuth: true,
            dropExecAfterMs: 200,
        });
        expect(parseFaults([])).toEqual({});
    });

    it('names the bad spec', () => {
        expect(() => parseFaults(['drop-push-after=lots'])).toThrow(
            /fault "drop-push-after=lots": expected a non-negative integer/,
        );
        expect(() => parseFaults(['explode'])).toThrow(/fault "explode": unknown/);
        expect(() => parseFaults(['refuse-auth=1'])).toThrow(/takes no value/);
    });

    it('overlays a control file that can change at run time', () => {
        const dir = mkdtempSync(join(tmpdir(), 'sim-faults-'));
        try {
            const f = join(dir, 'faults');
            const c = new FaultControl({ delayMs: 1 }, f);
            expect(c.current).toEqual({ delayMs: 1 });
            writeFileSync(f, 'drop-exec-after=50\n# comment\n');
            c.refresh();
            expect(c.current).toEqual({ delayMs: 1, dropExecAfterMs: 50 });
            writeFileSync(f, '');
            c.refresh();
            expect(c.current).toEqual({ delayMs: 1 });
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
