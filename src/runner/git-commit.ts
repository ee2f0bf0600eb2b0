// The splitbench checkout's commit, read from .git without running git (it may not be installed on a lab host).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const gitCommit = (root: string = ROOT): string | undefined => {
    try {
        const git = join(root, '.git');
        const head = readFileSync(join(git, 'HEAD'), 'utf8').trim();
        if (!head.startsWith('ref: ')) return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
        const ref = head.slice(5);
        try {
            return readFileSync(join(git, ref), 'utf8').trim();
        } catch {
            const packed = readFileSync(join(git, 'packed-refs'), 'utf8');
            const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
            return line?.split(' ')[0];
        }
    } catch {
        return undefined;
    }
};
