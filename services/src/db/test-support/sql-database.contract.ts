import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SqlDatabase } from '../sql';

/** What every SqlDatabase adapter must do alike. */
export function runSqlDatabaseContract(name: string, open: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>): void {
  describe(`SqlDatabase contract: ${name}`, () => {
    let db: SqlDatabase;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
      await db.exec(`CREATE TABLE IF NOT EXISTS contract_kv (k text PRIMARY KEY, v bigint NOT NULL);
                     CREATE TABLE IF NOT EXISTS contract_log (line text NOT NULL);`);
    });
    afterAll(async () => {
      await close?.();
    });

    it('counts the rows a statement returned or changed', async () => {
      const inserted = await db.query(`INSERT INTO contract_kv (k, v) VALUES ('a', 1), ('b', 2) ON CONFLICT DO NOTHING`);
      expect(inserted.rowCount).toBe(2);
      const selected = await db.query<{ k: string }>('SELECT k FROM contract_kv WHERE k = ANY($1::text[]) ORDER BY k', [['a', 'b']]);
      expect(selected).toEqual({ rows: [{ k: 'a' }, { k: 'b' }], rowCount: 2 });
      expect((await db.query('UPDATE contract_kv SET v = v + 1 WHERE k = $1', ['zzz'])).rowCount).toBe(0);
    });

    it('commits a transaction and hands back its result', async () => {
      const result = await db.transaction(async (tx) => {
        await tx.query(`INSERT INTO contract_kv (k, v) VALUES ('t1', 1)`);
        return (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM contract_kv WHERE k = 't1'`)).rows[0].n;
      });
      expect(result).toBe(1);
      expect((await db.query(`SELECT 1 FROM contract_kv WHERE k = 't1'`)).rowCount).toBe(1);
    });

    it('rolls a transaction back when it throws', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.exec(`INSERT INTO contract_kv (k, v) VALUES ('t2', 1); INSERT INTO contract_log VALUES ('t2')`);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect((await db.query(`SELECT 1 FROM contract_kv WHERE k = 't2'`)).rowCount).toBe(0);
      expect((await db.query(`SELECT 1 FROM contract_log WHERE line = 't2'`)).rowCount).toBe(0);
    });

    it('rolls back when a statement fails and stays usable', async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO contract_kv (k, v) VALUES ('t3', 1)`);
          await tx.query(`INSERT INTO contract_kv (k, v) VALUES ('t3', 2)`);
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect((await db.query(`SELECT 1 FROM contract_kv WHERE k = 't3'`)).rowCount).toBe(0);
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    it('delivers NOTIFY to listeners after commit, and no longer after unlisten', async () => {
      const received: string[] = [];
      const unlisten = await db.listen('contract_channel', (payload) => received.push(payload));
      await db.transaction(async (tx) => {
        await tx.query(`SELECT pg_notify('contract_channel', 'in transaction')`);
        expect(received).toEqual([]);
      });
      await vi.waitFor(() => expect(received).toEqual(['in transaction']));
      await unlisten();
      await db.query(`SELECT pg_notify('contract_channel', 'after unlisten')`);
      const marker: string[] = [];
      const unlistenMarker = await db.listen('contract_marker', (p) => marker.push(p));
      await db.query(`SELECT pg_notify('contract_marker', 'done')`);
      await vi.waitFor(() => expect(marker).toEqual(['done']));
      await unlistenMarker();
      expect(received).toEqual(['in transaction']);
    });
  });
}
