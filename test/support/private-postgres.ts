import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, startOnFreePort } from './server';
import { killOnExit } from './child-processes';

/** The server binaries: PG_BIN, else those of the newest PostgreSQL installed (Debian keeps each major under /usr/lib/postgresql/<major>). */
export function installedPostgresBin(root = '/usr/lib/postgresql'): string {
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/<major>/bin (install postgresql, or set PG_BIN)`);
  return join(root, String(Math.max(...majors.map(Number))), 'bin');
}

export interface PrivatePostgres {
  port: number;
  /** URL of the `postgres` database of this private server (trust auth). */
  url: string;
  /** URL of another database on this server. */
  urlOf(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** Stops the server: `fast` (SIGINT: sessions are terminated) or `immediate` (SIGQUIT: a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data folder. */
  start(): Promise<void>;
  running(): boolean;
  /** Stops it (if running) and deletes its data folder. */
  destroy(): Promise<void>;
}


function userIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A PostgreSQL server of its own (the newest major installed, or PG_BIN's) (initdb in a temp folder, trust auth, a free port), for tests
 * that stop and restart the database: the shared server must never be touched. Run as the
 * `postgres` user because initdb and postgres refuse to run as root.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const BIN = process.env.PG_BIN ?? installedPostgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'suara-pg-'));
  const data = join(dir, 'data');
  const ids = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const init = spawnSync(join(BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], {
    encoding: 'utf8',
    ...(ids ?? {}),
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  return runPostgres(BIN, dir, ids);
}

/**
 * A hot standby of `primary` (its own PrivatePostgres): a base backup taken over the replication
 * protocol (`pg_basebackup -R`, which writes the primary_conninfo and standby.signal), then a server
 * on its own port that streams the primary's WAL and answers read-only queries.
 */
export async function startStandby(primary: PrivatePostgres): Promise<PrivatePostgres> {
  const BIN = process.env.PG_BIN ?? installedPostgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'suara-pg-standby-'));
  const ids = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const backup = spawnSync(
    join(BIN, 'pg_basebackup'),
    ['-D', join(dir, 'data'), '-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-R', '-X', 'stream', '--no-sync', '-c', 'fast'],
    { encoding: 'utf8', ...(ids ?? {}) },
  );
  if (backup.status !== 0) throw new Error(`pg_basebackup failed: ${backup.stderr || backup.stdout}`);
  return runPostgres(BIN, dir, ids);
}

/** Runs `postgres` on `dir`/data on a free port (once more on another if that one was taken meanwhile). */
async function runPostgres(BIN: string, dir: string, ids: { uid: number; gid: number } | undefined): Promise<PrivatePostgres> {
  const data = join(dir, 'data');
  let port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;

  async function start(): Promise<void> {
    if (child) return;
    const proc = spawn(
      join(BIN, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'],
      { stdio: ['ignore', 'pipe', 'pipe'], ...(ids ?? {}) },
    );
    proc.stdout!.on('data', (d) => (output = (output + d).slice(-16_000)));
    proc.stderr!.on('data', (d) => (output = (output + d).slice(-16_000)));
    proc.once('exit', () => {
      if (child === proc) child = undefined;
    });
    killOnExit(proc);
    child = proc;
    await waitReady(urlOf('postgres'), data, proc, () => output);
  }

  async function stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
    proc.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
    child = undefined;
  }

  await startOnFreePort(start, (p) => (port = p), /could not bind|Address already in use/);
  const url = urlOf('postgres');
  return {
    port,
    url,
    urlOf,
    async createDatabase(name) {
      await onServer(url, `CREATE DATABASE ${name}`);
      return urlOf(name);
    },
    stop,
    start,
    running: () => child !== undefined,
    async destroy() {
      await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Until OUR server answers: one that answers on that port with another data folder is someone else's. */
async function waitReady(url: string, data: string, proc: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`private postgres exited:\n${output()}`);
    try {
      const answered = await onServer(url, 'SHOW data_directory');
      if (answered !== data) throw new Error(`port ${new URL(url).port} answers for ${answered}, not ${data}`);
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`private postgres not ready within ${timeoutMs} ms: ${String(err)}\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Runs one statement and returns the first column of its first row. */
export async function onServer(url: string, sql: string): Promise<unknown> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query({ text: sql, rowMode: 'array' });
    return rows[0]?.[0];
  } finally {
    await client.end().catch(() => undefined);
  }
}
