import type { SqlExecutor } from '../../db/sql';
import type { RecordedEvent } from '../event-store.port';
import type { StreamHead } from '../hash-chain';
import { MESSAGE_COLUMNS, toRecordedEvent, type MessageRow } from './message-row';

export async function readStream(db: SqlExecutor, streamId: string): Promise<RecordedEvent[]> {
  const { rows } = await db.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE stream_id = $1 ORDER BY stream_position`,
    [streamId],
  );
  return rows.map(toRecordedEvent);
}

export async function readStreamHead(db: SqlExecutor, streamId: string): Promise<StreamHead | undefined> {
  const { rows } = await db.query<{ version: string; last_hash: string }>(
    'SELECT version::text AS version, last_hash FROM streams WHERE stream_id = $1',
    [streamId],
  );
  return rows[0] && { version: Number(rows[0].version), lastHash: rows[0].last_hash };
}
