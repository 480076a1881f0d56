import type { SqlDatabase } from '../../db/sql';
import { appendInTransaction } from '../append-in-transaction';
import type { EventStoreContractFixture, OpenTransactionAppend } from './event-store.contract';
import type { NewEvent } from '../event-store.port';
import { SqlEventStore } from '../sql.event-store';

/** The contract fixture for the SQL store over `db` (already migrated). */
export function sqlContractFixture(db: SqlDatabase, teardown: () => Promise<void>): EventStoreContractFixture {
  const store = new SqlEventStore(db, { logger: { warn: () => undefined } });
  return {
    store,
    appendInOpenTransaction: (streamId, events) => appendInOpenTransaction(db, streamId, events),
    async teardown() {
      await store.close();
      await teardown();
    },
  };
}

/** Appends through the store's own SQL in a transaction left open until `commit()`. */
async function appendInOpenTransaction(db: SqlDatabase, streamId: string, events: NewEvent[]): Promise<OpenTransactionAppend> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let written!: () => void;
  const appended = new Promise<void>((resolve) => (written = resolve));
  const transaction = db.transaction(async (tx) => {
    const [outcome] = await appendInTransaction(tx, [{ streamId, events, expected: 'ANY' }]);
    if (!outcome.ok) throw outcome.error;
    written();
    await gate;
  });
  await Promise.race([appended, transaction]);
  return {
    async commit() {
      release();
      await transaction;
    },
  };
}
