import { afterAll, beforeAll, expect, it } from 'vitest';
import { allMigrations } from '../db/migrations';
import { createPostgresTestDatabase, describeIfPostgres, type PostgresTestDatabase } from '../db/test-support/test-database';
import { runEventStoreContract } from './event-store.contract';
import { sqlContractFixture } from './sql.contract-fixture';
import { SqlEventStore } from './sql.event-store';

describeIfPostgres('SQL store on PostgreSQL', () => {
  runEventStoreContract(
    'SQL store on PostgreSQL',
    async () => {
      const pg = await createPostgresTestDatabase({ migrations: allMigrations });
      return sqlContractFixture(pg.db, () => pg.drop());
    },
    { lateCommit: 'concurrent', groupCommit: true },
  );

  describeIfPostgres('why the store reads by transaction id', () => {
    let pg: PostgresTestDatabase;
    beforeAll(async () => {
      pg = await createPostgresTestDatabase({ migrations: allMigrations });
    });
    afterAll(async () => {
      await pg?.drop();
    });

    it('a plain global_position poll would skip an event that commits late; readAll does not', async () => {
      const store = new SqlEventStore(pg.db);
      const meta = { userId: 'u', role: 'system' as const, at: 'now', requestId: 'r', electionId: 'e' };
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let written!: () => void;
      const early = new Promise<void>((resolve) => (written = resolve));
      // Takes a global position first, commits last.
      const slow = pg.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO messages (stream_id, stream_position, type, data, metadata) VALUES ('early', 1, 'T', '{}', '{}')`);
        written();
        await gate;
      });
      await early;
      await store.append('later', [{ type: 'T', data: {}, metadata: meta }], 'NO_STREAM');

      const naive = await pg.db.query<{ stream_id: string; global_position: string }>(
        'SELECT stream_id, global_position::text AS global_position FROM messages WHERE global_position > 0 ORDER BY global_position',
      );
      expect(naive.rows.map((r) => r.stream_id)).toEqual(['later']);
      expect((await store.readAll('0', 10)).events).toEqual([]);

      release();
      await slow;
      const all = await store.readAll('0', 10);
      expect(all.events.map((e) => e.streamId)).toEqual(['early', 'later']);
      // A checkpoint taken after the naive poll's 'later' position would have lost 'early' for good.
      expect(Number(naive.rows[0].global_position)).toBeGreaterThan(1);
      await store.close();
    });
  });
});
