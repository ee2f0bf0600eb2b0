import { describe, expect, it } from 'vitest';
import { ShellPacketDecoder, encodeShellPacket, parseShellService } from '../../../src/sim/shell-protocol.js';

describe('shell services', () => {
    it('parses legacy, v2 and exec service names', () => {
        expect(parseShellService('shell:ls -l')).toEqual({ v2: false, pty: false, command: 'ls -l' });
        expect(parseShellService('shell:')).toEqual({ v2: false, pty: true, command: '' });
        expect(parseShellService('shell,v2,TERM=xterm,raw:echo a:b')).toEqual({
            v2: true,
            pty: false,
            command: 'echo a:b',
        });
        expect(parseShellService('shell,v2,pty:')).toEqual({ v2: true, pty: true, command: '' });
        expect(parseShellService('exec:cat x')).toEqual({ v2: false, pty: false, command: 'cat x' });
        expect(parseShellService('shellx:ls')).toBeUndefined();
        expect(parseShellService('sync:')).toBeUndefined();
    });

    it('decodes v2 packets split across writes', () => {
        const wire = Buffer.concat([encodeShellPacket(0, Buffer.from('abc')), encodeShellPacket(4, Buffer.alloc(0))]);
        const d = new ShellPacketDecoder();
        const got = [...d.push(wire.subarray(0, 3)), ...d.push(wire.subarray(3, 9)), ...d.push(wire.subarray(9))];
        expect(got.map((p) => [p.id, p.data.toString()])).toEqual([
            [0, 'abc'],
            [4, ''],
        ]);
    });
});
