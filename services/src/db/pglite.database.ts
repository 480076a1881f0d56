import { PGlite, type Results, type Transaction } from '@electric-sql/pglite';
import type { SqlDatabase, SqlExecutor } from './sql';

/**
 * Opens an embedded PostgreSQL (PGlite). `dataDir` undefined → in memory.
 * PGlite is a single connection: concurrent calls queue, and a transaction holds every other caller
 * until it ends.
 */
export async function openPglite(dataDir?: string): Promise<SqlDatabase> {
  const pglite = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  return pgliteDatabase(pglite);
}

function pgliteDatabase(pglite: PGlite): SqlDatabase {
  return {
    kind: 'pglite',
    ...pgliteExecutor(pglite),
    transaction: (fn) => pglite.transaction((tx) => fn(pgliteExecutor(tx))),
    async listen(channel, onNotify) {
      const unlisten = await pglite.listen(channel, onNotify);
      return () => unlisten();
    },
    close: () => pglite.close(),
  };
}

function pgliteExecutor(target: PGlite | Transaction): SqlExecutor {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      const result: Results<T> = await target.query<T>(sql, params);
      return { rows: result.rows, rowCount: rowCountOf(result) };
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/** PGlite reports affected rows for writes only; `pg` counts a SELECT's rows too. Match `pg`. */
function rowCountOf(result: Results<unknown>): number {
  return result.affectedRows || result.rows.length;
}
