// Writes NumPy .npy bytes by the format's description (numpy/lib/format.py, version 1.0), for tests of readers.

/** A v1.0 .npy file: magic, version, uint16 header length, the header dict padded with spaces to 64 bytes, data. */
export const npyBytes = (descr: string, shape: readonly number[], data: Uint8Array, fortran = false): Buffer => {
    const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
    let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${dims}), }`;
    header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
    const len = Buffer.alloc(2);
    len.writeUInt16LE(header.length);
    return Buffer.concat([
        Buffer.from('\x93NUMPY', 'latin1'),
        Buffer.from([1, 0]),
        len,
        Buffer.from(header, 'latin1'),
        data,
    ]);
};

/** `n` float32 values, all `v`, little-endian. */
export const float32s = (n: number, v: number): Uint8Array => new Uint8Array(new Float32Array(n).fill(v).buffer);
