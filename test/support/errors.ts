import { isSplitbenchError, type SplitbenchError } from '../../src/errors.js';

/** The SplitbenchError a call fails with; fails the test if the call succeeds or throws anything else. */
export const caught = async (p: Promise<unknown>): Promise<SplitbenchError> => {
    try {
        await p;
    } catch (e) {
        if (isSplitbenchError(e)) return e;
        throw e;
    }
    throw new Error('expected a SplitbenchError, got success');
};
