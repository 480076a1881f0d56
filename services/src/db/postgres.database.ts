import { Client, Pool, escapeIdentifier, type PoolClient } from 'pg';
import type { SqlDatabase, SqlExecutor } from './sql';

export interface PostgresOptions {
  /** Pool size; default 10. */
  max?: number;
}

/**
 * Opens a `pg` pool. Values come back as `pg` parses them: int8/bigint and numeric as strings
 * (callers cast in SQL or convert deliberately), json/jsonb as objects, timestamptz as Date.
 */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<SqlDatabase> {
  const pool = new Pool({ connectionString: url, max: opts.max ?? 10 });
  // An idle client losing its server (restart, network) must not crash the process.
  pool.on('error', () => undefined);
  const probe = await pool.connect();
  probe.release();
  const listener = new NotificationListener(url);
  return {
    kind: 'postgres',
    ...poolExecutor(pool),
    transaction: (fn) => inTransaction(pool, fn),
    listen: (channel, onNotify) => listener.listen(channel, onNotify),
    async close() {
      await listener.close();
      await pool.end();
    },
  };
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
 * One dedicated connection for LISTEN, shared by every channel. It reconnects (with backoff) when
 * the server drops it; notifications sent while it is down are lost, which is why listeners must
 * only use them as a wake-up and never as the source of truth.
 */
class NotificationListener {
  private readonly channels = new Map<string, Set<Callback>>();
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(private readonly url: string) {}

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
    const client = new Client({ connectionString: this.url });
    client.on('notification', (msg) => this.dispatch(msg.channel, msg.payload ?? ''));
    client.on('error', () => this.dropped(client));
    client.on('end', () => this.dropped(client));
    await client.connect();
    for (const channel of this.channels.keys()) await client.query(`LISTEN ${escapeIdentifier(channel)}`);
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
