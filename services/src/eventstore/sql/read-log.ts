import type { SqlDatabase, SqlExecutor } from '../../db/sql';
import type { LogSnapshot, RecordedEvent } from '../event-store.port';
import type { StreamHead } from '../hash-chain';
import { MESSAGE_COLUMNS, toRecordedEvent, type MessageRow } from './message-row';

/**
 * The log from ONE repeatable-read snapshot: every event committed when the read began and the
 * stream heads as of then, so a concurrent append is never mistaken for a deleted event.
 */
export function readLog<T>(db: SqlDatabase, fn: (log: LogSnapshot) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn({ events: committedEvents(tx), streamHeads: () => streamHeads(tx) });
  });
}

async function* committedEvents(tx: SqlExecutor, batchSize = 5000): AsyncGenerator<RecordedEvent[]> {
  let after: [string, string] = ['0', '0'];
  for (;;) {
    const { rows } = await tx.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
        ORDER BY transaction_id, global_position
        LIMIT $3`,
      [...after, batchSize],
    );
    if (rows.length === 0) return;
    yield rows.map(toRecordedEvent);
    const last = rows[rows.length - 1];
    after = [last.tx, last.global_pos];
  }
}

async function streamHeads(tx: SqlExecutor): Promise<Map<string, StreamHead>> {
  const { rows } = await tx.query<{ stream_id: string; version: string; last_hash: string | null }>(
    'SELECT stream_id, version::text AS version, last_hash FROM streams',
  );
  return new Map(rows.map((r) => [r.stream_id, { version: Number(r.version), lastHash: r.last_hash ?? '' }]));
}
