import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { primaryUrl, redactUrl, withDatabase } from '../db/postgres-hosts';

/** A database made for one measure and dropped afterwards. */
export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export { withDatabase } from '../db/postgres-hosts';

/**
 * Checks that the PostgreSQL server answers; when it is the local default and does not, starts the
 * local cluster (as `.ci/run` does) and waits for it. Returns the server's version string.
 */
export async function ensurePostgres(serverUrl: string, isDefault: boolean): Promise<string> {
  try {
    return await serverVersion(serverUrl);
  } catch (err) {
    if (!isDefault) throw new Error(`PostgreSQL at ${redact(serverUrl)} does not answer: ${String(err)}`);
    startLocalCluster();
    for (let i = 0; i < 50; i++) {
      try {
        return await serverVersion(serverUrl);
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`PostgreSQL at ${redact(serverUrl)} did not start`);
  }
}

async function serverVersion(serverUrl: string): Promise<string> {
  const client = new Client({ connectionString: await primaryUrl(serverUrl), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string; fsync: string; sc: string; standbys: string }>(
      `SELECT split_part(version(), ' ', 2) AS v, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc,
              current_setting('synchronous_standby_names') AS standbys`,
    );
    const sync = rows[0].standbys ? `, synchronous_standby_names=${rows[0].standbys}` : '';
    return `PostgreSQL ${rows[0].v} (fsync=${rows[0].fsync}, synchronous_commit=${rows[0].sc}${sync})`;
  } finally {
    await client.end();
  }
}

function startLocalCluster(): void {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length === 0) throw new Error('no local PostgreSQL cluster in /etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'start'], { stdio: 'inherit' });
}

/** Creates `suara_bench_<label>_<random>` on the server. */
export async function createBenchDatabase(serverUrl: string, label: string): Promise<BenchDatabase> {
  const name = `suara_bench_${label}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE ${escapeIdentifier(name)}`));
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () => onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * Writes out what earlier measures left dirty (CHECKPOINT), so one measure does not pay for the
 * previous one's writes: in a full run, the rebuild right after the freshness run measured 6,000
 * events/s against 9,600 on its own. Returns false when the role may not (not a superuser).
 */
export async function settlePostgres(serverUrl: string): Promise<boolean> {
  try {
    await onServer(serverUrl, (c) => c.query('CHECKPOINT'));
    return true;
  } catch {
    return false;
  }
}

async function onServer<T>(serverUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: await primaryUrl(serverUrl) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The URL without its password, for messages. */
export const redact = redactUrl;
