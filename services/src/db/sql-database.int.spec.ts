import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from './database';
import { openPostgres } from './postgres.database';
import type { SqlDatabase } from './sql';
import { runSqlDatabaseContract } from './test-support/sql-database.contract';
import { createPostgresTestDatabase, describeIfPostgres, type PostgresTestDatabase } from './test-support/test-database';

describe('PGlite database', () => {
  let dataDir: string;
  runSqlDatabaseContract('PGlite on disk via openDatabase', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'suara-pglite-'));
    const db = await openDatabase({ dataDir });
    return { db, close: () => db.close() };
  });

  it('keeps PGlite data under dataDir/pglite across a reopen', async () => {
    const first = await openDatabase({ dataDir });
    expect(first.kind).toBe('pglite');
    await first.query(`INSERT INTO contract_kv (k, v) VALUES ('durable', 42)`);
    await first.close();
    expect(await readdir(join(dataDir, 'pglite'))).toContain('PG_VERSION');
    const reopened = await openDatabase({ dataDir });
    expect((await reopened.query<{ v: number }>(`SELECT v FROM contract_kv WHERE k = 'durable'`)).rows).toEqual([{ v: 42 }]);
    await reopened.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});

describeIfPostgres('PostgreSQL database', () => {
  runSqlDatabaseContract('PostgreSQL', async () => {
    const pg = await createPostgresTestDatabase();
    return { db: pg.db, close: () => pg.drop() };
  });

  describeIfPostgres('PostgreSQL specifics', () => {
    let pg: PostgresTestDatabase;
    beforeAll(async () => {
      pg = await createPostgresTestDatabase();
    });
    afterAll(async () => {
      await pg?.drop();
    });

    it('openDatabase chooses PostgreSQL when a URL is given', async () => {
      const db = await openDatabase({ databaseUrl: pg.url, dataDir: '/nonexistent' });
      expect(db.kind).toBe('postgres');
      await db.close();
    });

    it('returns int8 as strings (callers convert deliberately)', async () => {
      expect((await pg.db.query('SELECT 9007199254740993::int8 AS big')).rows).toEqual([{ big: '9007199254740993' }]);
    });

    it('keeps listening after the listening connection is killed', async () => {
      const received: string[] = [];
      const unlisten = await pg.db.listen('reconnect_channel', (payload) => received.push(payload));
      const killed = await pg.db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`,
      );
      expect(killed.rowCount).toBe(1);
      await vi.waitFor(
        async () => {
          await pg.db.query(`SELECT pg_notify('reconnect_channel', 'after restart')`);
          expect(received).toContain('after restart');
        },
        { timeout: 15_000, interval: 200 },
      );
      await unlisten();
    });

    it('takes a multi-host URL: skips a host that is down, writes and listens on the one that takes writes', async () => {
      const url = new URL(pg.url);
      const multi = `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}127.0.0.1:1,${url.host}${url.pathname}?target_session_attrs=read-write`;
      const primaries: string[] = [];
      const db = await openPostgres(multi, { onPrimary: (u) => primaries.push(u) });
      try {
        expect(primaries).toHaveLength(1);
        expect(primaries[0]).toContain(url.host);
        await db.exec('CREATE TABLE IF NOT EXISTS multi_host (n int)');
        await db.transaction((tx) => tx.query('INSERT INTO multi_host VALUES (1)'));
        const received: string[] = [];
        await db.listen('multi_host_channel', (payload) => received.push(payload));
        // Every connection of the pool dropped at once (as a failover does): the next calls find the
        // primary again instead of failing for good.
        await pg.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
        await vi.waitFor(async () => {
          await db.query(`SELECT pg_notify('multi_host_channel', 'again')`);
          expect(received).toContain('again');
        }, { timeout: 15_000, interval: 200 });
        expect((await db.query<{ n: number }>('SELECT n FROM multi_host')).rows).toEqual([{ n: 1 }]);
        expect(primaries.length).toBeGreaterThanOrEqual(2);
      } finally {
        await db.close();
      }
    });

    it('runs transactions concurrently on separate connections', async () => {
      const db: SqlDatabase = pg.db;
      await db.exec('CREATE TABLE IF NOT EXISTS concurrent_tx (n int)');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const held = db.transaction(async (tx) => {
        await tx.query('INSERT INTO concurrent_tx VALUES (1)');
        await gate;
      });
      await db.transaction((tx) => tx.query('INSERT INTO concurrent_tx VALUES (2)'));
      expect((await db.query('SELECT n FROM concurrent_tx')).rows).toEqual([{ n: 2 }]);
      release();
      await held;
      expect((await db.query('SELECT n FROM concurrent_tx ORDER BY n')).rows).toEqual([{ n: 1 }, { n: 2 }]);
    });
  });
});
