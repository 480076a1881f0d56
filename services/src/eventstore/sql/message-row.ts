import type { EventMetadata } from '@suara/contracts';
import type { RecordedEvent } from '../event-store.port';
import { formatCheckpoint } from '../checkpoint';

/**
 * The columns every event read selects; int8/xid8 are cast to text so PGlite and `pg` return the
 * same. The aliases differ from the column names on purpose: ORDER BY would otherwise sort by the
 * text aliases ('10' < '9').
 */
export const MESSAGE_COLUMNS = `stream_id, stream_position::text AS stream_pos, transaction_id::text AS tx,
  global_position::text AS global_pos, type, data, metadata`;

export interface MessageRow {
  stream_id: string;
  stream_pos: string;
  tx: string;
  global_pos: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export function toRecordedEvent(row: MessageRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    streamPosition: Number(row.stream_pos),
    checkpoint: formatCheckpoint({ transactionId: row.tx, globalPosition: row.global_pos }),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  };
}
