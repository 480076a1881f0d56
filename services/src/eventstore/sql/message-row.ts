import type { EventMetadata } from '@suara/contracts';
import type { RecordedEvent } from '../event-store.port';
import { formatCheckpoint } from '../checkpoint';

/** The columns every event read selects; int8/xid8 are cast to text so PGlite and `pg` return the same. */
export const MESSAGE_COLUMNS = `stream_id, stream_position::text AS stream_position, transaction_id::text AS transaction_id,
  global_position::text AS global_position, type, data, metadata`;

export interface MessageRow {
  stream_id: string;
  stream_position: string;
  transaction_id: string;
  global_position: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export function toRecordedEvent(row: MessageRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    streamPosition: Number(row.stream_position),
    checkpoint: formatCheckpoint({ transactionId: row.transaction_id, globalPosition: row.global_position }),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
  };
}
