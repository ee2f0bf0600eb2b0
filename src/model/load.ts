// Reading model files from disk (the only I/O of the reader).
import { readFileSync } from 'node:fs';
import { SplitbenchError } from '../errors.js';
import { readModel } from './read.js';
import type { TfliteModel } from './types.js';

/** Reads and parses a .tflite file; NOT_FOUND / MODEL_INVALID errors name the path. */
export const loadModel = (path: string): TfliteModel => {
    let bytes: Uint8Array;
    try {
        bytes = readFileSync(path);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new SplitbenchError('NOT_FOUND', `model ${path}: no such file`, { cause: e });
        if (code === 'EISDIR')
            throw new SplitbenchError('MODEL_INVALID', `model ${path}: is a directory`, { cause: e });
        throw new SplitbenchError('MODEL_INVALID', `model ${path}: cannot read (${code ?? String(e)})`, { cause: e });
    }
    return readModel(bytes, path);
};
