import type { SqlExecutor } from '../../db/sql';
import type { ReadAllBatch } from '../event-store.port';
import { parseCheckpoint } from '../checkpoint';
import { MESSAGE_COLUMNS, toRecordedEvent, type MessageRow } from './message-row';

/**
 * Only transactions older than every running one are read (below the snapshot's xmin): an event
 * whose transaction began earlier but commits later than another's can then never be skipped,
 * because nothing newer than it is returned until it has committed.
 */
export const VISIBLE = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';

export async function readAll(db: SqlExecutor, from: string, limit: number): Promise<ReadAllBatch> {
  const { transactionId, globalPosition } = parseCheckpoint(from);
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE ${VISIBLE} AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
      ORDER BY transaction_id, global_position
      LIMIT $3`,
    [transactionId, globalPosition, limit],
  );
  const events = rows.map(toRecordedEvent);
  return { events, checkpoint: events.at(-1)?.checkpoint ?? from };
}

/** The checkpoint of the newest visible event, or undefined when none is. */
export async function readHead(db: SqlExecutor): Promise<string | undefined> {
  const { rows } = await db.query<{ checkpoint: string }>(
    `SELECT transaction_id::text || ':' || global_position::text AS checkpoint FROM messages
      WHERE ${VISIBLE}
      ORDER BY transaction_id DESC, global_position DESC
      LIMIT 1`,
  );
  return rows[0]?.checkpoint;
}
