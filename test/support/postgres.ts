// A real PostgreSQL server (Debian `postgresql`, version 15) for tests and benches: a throwaway cluster made by
// initdb in a temp directory, listening only on 127.0.0.1 on a free port, password authentication (scram) for
// TCP so wrong-password paths are real. As root, initdb and postgres run as the `postgres` system user (they
// refuse root). Everything is stopped (pg_ctl stop -m immediate) and removed by stop().
//
//   const pg = await startPostgres();                  // superuser `splitbench`, password pg.password
//   const url = await pg.createDatabase();             // postgres://splitbench:…@127.0.0.1:PORT/t1 (fresh db)
//   afterAll(() => pg.stop());
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

const PG_BIN = ((): string => {
    const base = '/usr/lib/postgresql';
    const versions = existsSync(base)
        ? readdirSync(base)
              .filter((v) => /^\d+$/.test(v))
              .sort((a, b) => Number(b) - Number(a))
        : [];
    return join(base, versions[0] ?? '15', 'bin');
})();

export interface PostgresHandle {
    host: string;
    port: number;
    user: string;
    password: string;
    /** `postgres://user:password@127.0.0.1:port/db`. */
    url(db?: string): string;
    /** Creates a fresh empty database and returns its URL (with the password). */
    createDatabase(): Promise<string>;
    /** Runs SQL through psql as the superuser (test setup: forged schema versions, leases). */
    psql(db: string, sql: string): string;
    stop(): Promise<void>;
}

let dbCounter = 0;

/** Starts a private PostgreSQL cluster; throws naming what to install when the binaries are missing. */
export interface StartPostgresOptions {
    /** Keep fsync on (benchmarks: commit rates as a real server has them). Tests turn it off for speed. */
    fsync?: boolean | undefined;
}

export const startPostgres = async (opts: StartPostgresOptions = {}): Promise<PostgresHandle> => {
    if (!existsSync(join(PG_BIN, 'initdb')))
        throw new Error(
            `${PG_BIN}/initdb not found: install the Debian package postgresql (apt-get install -y postgresql)`,
        );
    const isRoot = process.getuid?.() === 0;
    const dir = mkdtempSync(join(tmpdir(), 'splitbench-pg-'));
    const data = join(dir, 'data');
    const user = 'splitbench';
    const password = `pw-${Math.random().toString(36).slice(2, 10)}`;
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
    let uid: number | undefined;
    let gid: number | undefined;
    if (isRoot) {
        const id = (flag: string): number =>
            Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
        uid = id('-u');
        gid = id('-g');
        chownSync(dir, uid, gid);
        chownSync(pwFile, uid, gid);
        chmodSync(dir, 0o700);
    }
    const run = (bin: string, args: readonly string[], input?: string): string => {
        const argv = isRoot ? ['-u', 'postgres', '--', join(PG_BIN, bin), ...args] : args;
        const r = spawnSync(isRoot ? 'runuser' : join(PG_BIN, bin), argv, {
            encoding: 'utf8',
            input,
            cwd: dir,
            env: { ...process.env, LC_ALL: 'C' },
        });
        if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
        return r.stdout;
    };
    run('initdb', [
        '-D',
        data,
        '-U',
        user,
        `--pwfile=${pwFile}`,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--no-sync',
    ]);
    let port = 0;
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
        port = await freePort();
        try {
            run('pg_ctl', [
                '-D',
                data,
                '-w',
                '-t',
                '30',
                '-l',
                join(dir, 'log'),
                '-o',
                `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=${opts.fsync === true ? 'on' : 'off'} -c max_connections=200`,
                'start',
            ]);
            lastError = undefined;
            break;
        } catch (e) {
            lastError = e;
        }
    }
    if (lastError !== undefined) {
        rmSync(dir, { recursive: true, force: true });
        throw lastError instanceof Error ? lastError : new Error('postgres did not start');
    }
    const url = (db = 'postgres'): string =>
        `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;
    const psql = (db: string, sql: string): string =>
        run('psql', ['-h', dir, '-p', String(port), '-U', user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', sql]);
    let stopped = false;
    return {
        host: '127.0.0.1',
        port,
        user,
        password,
        url,
        createDatabase: () => {
            const name = `t${process.pid}_${dbCounter++}`;
            psql('postgres', `CREATE DATABASE ${name}`);
            return Promise.resolve(url(name));
        },
        psql,
        stop: () => {
            if (!stopped) {
                stopped = true;
                try {
                    run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
                } finally {
                    rmSync(dir, { recursive: true, force: true });
                }
            }
            return Promise.resolve();
        },
    };
};
