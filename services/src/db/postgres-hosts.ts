import { Client } from 'pg';

/**
 * What a multi-host URL asks for, as libpq reads `target_session_attrs`: `read-write` (and
 * `primary`) want the server that takes writes; `any` takes the first that answers;
 * `prefer-standby` (for READ_DATABASE_URL) the first standby, else the first that answers.
 */
export type SessionTarget = 'read-write' | 'any' | 'prefer-standby';

export interface PostgresHosts {
  /** One single-host URL per listed host, in the listed order. */
  urls: string[];
  target: SessionTarget;
}

/**
 * Splits `postgres://u:p@h1:5432,h2:5433/db?target_session_attrs=read-write` into one URL per host.
 * `pg` reads only single-host URLs (brianc/node-postgres#1470), so the hosts are tried here.
 * Several hosts without `target_session_attrs` mean `read-write`: the service always writes.
 */
export function parsePostgresHosts(url: string): PostgresHosts {
  const match = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/i.exec(url);
  if (!match) throw new Error('DATABASE_URL must look like postgres://user:password@host:port[,host:port…]/database');
  const [, scheme, auth = '', hostList, rest] = match;
  const hosts = hostList.split(',').map((h) => h.trim());
  if (hosts.length > 1 && hosts.some((h) => h === '')) throw new Error('DATABASE_URL names an empty host in its host list');
  const [path, query = ''] = rest.split(/\?(.*)/s, 2);
  const params = new URLSearchParams(query);
  const attrs = params.get('target_session_attrs');
  // One host, nothing asked: the URL goes to `pg` as it is (socket paths, options and all).
  if (attrs === null && hosts.length === 1) return { urls: [url], target: 'any' };
  params.delete('target_session_attrs');
  if (attrs !== null && !['read-write', 'primary', 'any', 'prefer-standby'].includes(attrs)) {
    throw new Error(`DATABASE_URL: target_session_attrs=${attrs} is not supported (read-write, primary, any or prefer-standby)`);
  }
  const target: SessionTarget = attrs === 'any' || attrs === 'prefer-standby' ? attrs : 'read-write';
  const tail = params.size > 0 ? `${path}?${params.toString()}` : path;
  return { urls: hosts.map((h) => `${scheme}${auth}${h}${tail}`), target };
}

/** The same server(s), another database: `withDatabase('postgres://h1,h2/a?x=1', 'b')` is `postgres://h1,h2/b?x=1`. */
export function withDatabase(url: string, database: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?/i, `$1/${encodeURIComponent(database)}`);
}

/** A single-host URL for a one-off connection: the URL itself, or the primary among its hosts. */
export async function primaryUrl(url: string): Promise<string> {
  const hosts = parsePostgresHosts(url);
  return hosts.target === 'any' ? hosts.urls[0] : findHost(hosts);
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/(:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}

/** How long one host may take to answer a probe before the next is preferred. */
const PROBE_TIMEOUT_MS = 2000;

/**
 * The first listed host that fits `target`: all are asked at once (a dead host costs one timeout,
 * not one per host); a server in recovery or with default_transaction_read_only is not read-write.
 * Throws a connection-class error (08001) when none fits, which callers answer with 503.
 */
export async function findHost(hosts: PostgresHosts): Promise<string> {
  const verdicts = await Promise.all(hosts.urls.map((url) => probe(url, hosts.target)));
  const found = hosts.urls.find((_, i) => verdicts[i] === true) ?? (hosts.target === 'prefer-standby' ? hosts.urls.find((_, i) => verdicts[i] === false) : undefined);
  if (found) return found;
  const why = hosts.urls.map((url, i) => `${redactUrl(url)}: ${verdicts[i] === false ? 'read-only' : String(verdicts[i])}`).join('; ');
  throw Object.assign(new Error(`no ${hosts.target} PostgreSQL server among the listed hosts (${why})`), { code: '08001' });
}

/** true when the server fits, false when it answers but does not (a primary for prefer-standby), else why it did not answer. */
async function probe(url: string, target: SessionTarget): Promise<true | false | string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    if (target === 'any') return true;
    const { rows } = await client.query<{ standby: boolean; read_only: string }>(
      "SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') AS read_only",
    );
    if (target === 'prefer-standby') return rows[0].standby;
    return !rows[0].standby && rows[0].read_only === 'off';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}
