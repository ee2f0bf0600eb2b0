// Reading explicit verify inputs: .npy arrays by the format's description, raw files, and the checks against the model.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestModel, twoInTwoOut } from '../../../src/model/build.js';
import { readModel } from '../../../src/model/read.js';
import { parseNpy, readVerifyInputs } from '../../../src/model/verify-inputs.js';
import { float32s, npyBytes } from '../../support/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-verify-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
};

describe('parseNpy', () => {
    it('reads dtype, shape and the data after the 64-byte-aligned header', () => {
        const data = float32s(6, 1.5);
        const buf = npyBytes('<f4', [2, 3], data);
        expect(buf.length).toBe(128 + 24); // 10 + 59-character dict + newline = 70, padded to 128 (numpy's np.save gives 152 bytes too); 6 float32 = 24 bytes
        const npy = parseNpy(buf, 'a.npy');
        expect(npy.dtype).toBe('float32');
        expect(npy.shape).toEqual([2, 3]);
        expect([...new Float32Array(npy.data.buffer, npy.data.byteOffset, 6)]).toEqual([1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
        expect(parseNpy(npyBytes('|u1', [4], new Uint8Array(4)), 'b.npy')).toMatchObject({
            dtype: 'uint8',
            shape: [4],
        });
    });

    it('refuses what it cannot hand to TFLite as is, naming the file', () => {
        expect(() => parseNpy(npyBytes('>f4', [1], new Uint8Array(4)), 'be.npy')).toThrow(
            "input file be.npy: .npy dtype '>f4' is not a little-endian TFLite type",
        );
        expect(() => parseNpy(npyBytes('<f4', [2, 2], new Uint8Array(16), true), 'f.npy')).toThrow(
            'input file f.npy: .npy array in Fortran order',
        );
        expect(() => parseNpy(new Uint8Array(16), 'raw.npy')).toThrow('input file raw.npy: not a .npy file');
    });
});

describe('readVerifyInputs', () => {
    const model = readModel(buildTestModel(twoInTwoOut())); // inputs left, right: float32 [1,8,8,2] = 512 bytes each
    const left = float32s(128, 0.25);
    const right = float32s(128, -2);

    it('gives every input its data in model order, from raw or .npy files', () => {
        const got = readVerifyInputs(model, [
            `right=${file('r.npy', npyBytes('<f4', [1, 8, 8, 2], right))}`,
            `left=${file('l.bin', left)}`,
        ]);
        expect(got.map((d) => [...d])).toEqual([[...left], [...right]]);
    });

    it('refuses bad specs, missing inputs and data of the wrong dtype or size', () => {
        const l = file('l2.bin', left);
        expect(() => readVerifyInputs(model, [`left=${l}`])).toThrow(
            "--input: no data for 'right' (give every input: 'left', 'right')",
        );
        expect(() => readVerifyInputs(model, [l])).toThrow(
            `--input "${l}": expected NAME=FILE (inputs: 'left', 'right')`,
        );
        expect(() => readVerifyInputs(model, [`middle=${l}`, `left=${l}`])).toThrow(
            `--input middle=${l}: the model has no input 'middle'`,
        );
        const ints = file('i.npy', npyBytes('<i4', [1, 8, 8, 2], new Uint8Array(512)));
        expect(() => readVerifyInputs(model, [`left=${l}`, `right=${ints}`])).toThrow(
            `input file ${ints} for 'right': int32 [1,8,8,2], the input is float32 [1,8,8,2]`,
        );
        const short = file('s.bin', float32s(127, 0));
        expect(() => readVerifyInputs(model, [`left=${l}`, `right=${short}`])).toThrow(
            `input file ${short} for 'right': 508 bytes of data, the input needs 512 (float32 [1,8,8,2])`,
        );
        expect(() => readVerifyInputs(model, [`left=${l}`, `right=${join(dir, 'nope.bin')}`])).toThrow(
            `input file ${join(dir, 'nope.bin')} for 'right': cannot read`,
        );
    });
});
