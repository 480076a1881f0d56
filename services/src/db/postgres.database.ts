import { Client, Pool, escapeIdentifier, type PoolClient } from 'pg';
import { findHost, parsePostgresHosts, redactUrl, type PostgresHosts } from './postgres-hosts';
import type { SqlDatabase, SqlExecutor } from './sql';
import { isDatabaseUnavailable } from './unavailable';

export interface PostgresOptions {
  /** Pool size; default 10. */
  max?: number;
  /** Told when a multi-host URL finds (another) primary. */
  onPrimary?: (url: string) => void;
}

/**
 * Opens a `pg` pool. Values come back as `pg` parses them: int8/bigint and numeric as strings
 * (callers cast in SQL or convert deliberately), json/jsonb as objects, timestamptz as Date.
 *
 * A URL naming several hosts (`postgres://u:p@h1:5432,h2:5433/db`) or asking for
 * `target_session_attrs=read-write` goes to the one primary among them, and looks for it again when
 * the server goes away or refuses a write as read-only (a failover): the failing call throws an
 * error the HTTP layer answers with 503, and the next one goes to the new primary.
 */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<SqlDatabase> {
  const primary = new PrimaryPool(parsePostgresHosts(url), opts);
  const probe = await (await primary.pool()).connect();
  probe.release();
  const listener = new NotificationListener(() => primary.url(), (err, url) => primary.failed(err, url));
  return {
    kind: 'postgres',
    query: (sql, params) => primary.run((pool) => poolExecutor(pool).query(sql, params)),
    exec: (sql) => primary.run((pool) => poolExecutor(pool).exec(sql)),
    transaction: (fn) => primary.run((pool) => inTransaction(pool, fn)),
    listen: (channel, onNotify) => listener.listen(channel, onNotify),
    async close() {
      await listener.close();
      await primary.close();
    },
  };
}

/**
 * The pool on the current primary. With one host and no `target_session_attrs` it is a plain pool
 * on that URL; otherwise an error that says the server is away drops the pool, and the next call
 * asks every host which one takes writes (one search at a time, shared by concurrent callers).
 */
class PrimaryPool {
  private current: { url: string; pool: Pool } | undefined;
  private finding: Promise<{ url: string; pool: Pool }> | undefined;
  private readonly failover: boolean;

  constructor(private readonly hosts: PostgresHosts, private readonly opts: PostgresOptions) {
    this.failover = hosts.urls.length > 1 || hosts.target === 'read-write';
  }

  async pool(): Promise<Pool> {
    return (await this.found()).pool;
  }

  async url(): Promise<string> {
    return (await this.found()).url;
  }

  async run<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
    const pool = await this.pool();
    try {
      return await fn(pool);
    } catch (err) {
      this.failed(err, pool);
      throw err;
    }
  }

  /**
   * Forgets the primary when `err` says it is away (or no longer the primary); `where` (the pool or
   * URL that failed) keeps a late error from an old primary from dropping the new one.
   */
  failed(err: unknown, where?: Pool | string): void {
    if (!this.failover || !isDatabaseUnavailable(err) || !this.current) return;
    if (where !== undefined && where !== this.current.pool && where !== this.current.url) return;
    const stale = this.current.pool;
    this.current = undefined;
    void stale.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    const current = this.current ?? (await this.finding?.catch(() => undefined));
    this.current = undefined;
    await current?.pool.end();
  }

  private found(): Promise<{ url: string; pool: Pool }> {
    if (this.current) return Promise.resolve(this.current);
    this.finding ??= this.find().finally(() => (this.finding = undefined));
    return this.finding;
  }

  private async find(): Promise<{ url: string; pool: Pool }> {
    const url = this.failover ? await findHost(this.hosts) : this.hosts.urls[0];
    // keepAlive: a primary that vanishes from the network (not just a killed process) is noticed.
    const pool = new Pool({ connectionString: url, max: this.opts.max ?? 10, keepAlive: true });
    // An idle client losing its server (restart, network, failover) must not crash the process.
    pool.on('error', (err) => this.failed(err, pool));
    this.current = { url, pool };
    if (this.failover) this.opts.onPrimary?.(redactUrl(url));
    return this.current;
  }
}

function poolExecutor(target: Pool | PoolClient): SqlExecutor {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const result = await target.query(sql, params);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string) {
      // Without parameters `pg` uses the simple protocol, which runs several statements.
      await target.query(sql);
    },
  };
}

async function inTransaction<T>(pool: Pool, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The pool only listens for errors on idle clients: a checked-out one whose server goes away
  // (restart, network) would emit an unhandled 'error' and kill the process. The failed query
  // reports the error to the caller; here it only marks the client as not reusable.
  const onError = (err: Error) => (broken ??= err);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await fn(poolExecutor(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      broken = rollbackErr as Error;
    }
    throw err;
  } finally {
    // A client that could not roll back is in an unknown state: destroy it rather than reuse it.
    client.removeListener('error', onError);
    client.release(broken);
  }
}

type Callback = (payload: string) => void;

/**
 * One dedicated connection for LISTEN, shared by every channel, on the primary (NOTIFY does not
 * reach standbys). It reconnects (with backoff, to the primary of the moment) when the server drops
 * it; notifications sent while it is down are lost, which is why listeners must only use them as a
 * wake-up and never as the source of truth.
 */
class NotificationListener {
  private readonly channels = new Map<string, Set<Callback>>();
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly url: () => Promise<string>,
    private readonly failed: (err: unknown, url: string) => void,
  ) {}

  async listen(channel: string, onNotify: Callback): Promise<() => Promise<void>> {
    let callbacks = this.channels.get(channel);
    const first = callbacks === undefined;
    if (!callbacks) {
      callbacks = new Set();
      this.channels.set(channel, callbacks);
    }
    callbacks.add(onNotify);
    try {
      const client = await this.connected();
      if (first) await client.query(`LISTEN ${escapeIdentifier(channel)}`);
    } catch {
      // The server is unreachable right now; keep the registration and LISTEN once it is back.
      this.scheduleReconnect();
    }
    return () => this.unlisten(channel, onNotify);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async unlisten(channel: string, onNotify: Callback): Promise<void> {
    const callbacks = this.channels.get(channel);
    if (!callbacks?.delete(onNotify) || callbacks.size > 0) return;
    this.channels.delete(channel);
    await this.client?.query(`UNLISTEN ${escapeIdentifier(channel)}`).catch(() => undefined);
  }

  private connected(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const url = await this.url();
    const client = new Client({ connectionString: url, keepAlive: true });
    client.on('notification', (msg) => this.dispatch(msg.channel, msg.payload ?? ''));
    client.on('error', (err) => {
      this.failed(err, url);
      this.dropped(client);
    });
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${escapeIdentifier(channel)}`);
    } catch (err) {
      // A standby refuses LISTEN (57P03/25006 family): the primary moved; look for it again.
      this.failed(err, url);
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end();
      throw new Error('listener closed');
    }
    this.client = client;
    this.failures = 0;
    return client;
  }

  private dispatch(channel: string, payload: string): void {
    for (const callback of this.channels.get(channel) ?? []) callback(payload);
  }

  private dropped(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.channels.size === 0 || this.reconnectTimer) return;
    const delay = Math.min(5000, 100 * 2 ** this.failures++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connected().catch(() => this.scheduleReconnect());
    }, delay);
    this.reconnectTimer.unref();
  }
}
