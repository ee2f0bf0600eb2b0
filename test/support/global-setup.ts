// Runs once before all test files. `npm test` has already run scripts/provision.js; this fails loudly if
// the build output the CLI tests execute is missing, rather than letting those tests fail one by one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
    const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
    if (!existsSync(cli)) throw new Error(`missing ${cli}: run "npm run build" (npm test does it for you)`);
}
