#!/usr/bin/env node
// Makes sure the system tools the test suite drives are installed: the real adb server, a real OpenSSH
// server and client, Chromium for the HTML report check, and PostgreSQL (the lab store's tests start a private
// cluster with its initdb/pg_ctl). Installs them with apt-get when running as
// root; otherwise fails naming exactly what to install. Never skips: a missing tool is a failed test run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const NEEDS = [
    { bin: '/usr/bin/adb', pkg: 'adb' },
    { bin: '/usr/sbin/sshd', pkg: 'openssh-server' },
    { bin: '/usr/bin/ssh', pkg: 'openssh-client' },
    { bin: '/usr/bin/ssh-keygen', pkg: 'openssh-client' },
    { bin: '/usr/bin/chromium', pkg: 'chromium' },
    // Debian 12's `postgresql` is version 15; test/support/postgres.ts takes the newest under /usr/lib/postgresql.
    { bin: '/usr/lib/postgresql/15/bin/initdb', pkg: 'postgresql' },
];

// ../shared (real public models and benchmark_model logs) is read, never copied; the tests that need it are
// skipped without it, and saying so here keeps the skip from being silent.
const shared = fileURLToPath(new URL('../../shared', import.meta.url));
if (!existsSync(shared))
    process.stdout.write(
        `provision: ${shared} not found: the tests that read its models and benchmark_model fixtures are skipped (they run when it exists beside the project)\n`,
    );

const missing = [...new Set(NEEDS.filter((n) => !existsSync(n.bin)).map((n) => n.pkg))];
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot) {
    process.stderr.write(
        `splitbench tests need these Debian packages: ${missing.join(' ')}\n` +
            `Install them with: sudo apt-get install -y ${missing.join(' ')}\n`,
    );
    process.exit(1);
}
process.stdout.write(`provision: installing ${missing.join(' ')} with apt-get\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: 'inherit',
    env,
});
if (r.status !== 0) {
    process.stderr.write(`provision: apt-get install ${missing.join(' ')} failed (exit ${r.status})\n`);
    process.exit(1);
}
const still = NEEDS.filter((n) => !existsSync(n.bin));
if (still.length > 0) {
    process.stderr.write(`provision: still missing after install: ${still.map((n) => n.bin).join(' ')}\n`);
    process.exit(1);
}
