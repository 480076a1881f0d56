import { jsonLines } from '../../db/json-lines';
import type { SqlExecutor } from '../../db/sql';
import type { SqlPosition } from '../checkpoint';

export interface MessageToInsert {
  streamId: string;
  streamPosition: number;
  type: string;
  /** JSON text, serialised by the caller so a value that cannot be serialised fails before SQL. */
  dataJson: string;
  metadataJson: string;
}

/**
 * Inserts events in the given order (global positions follow it); returns each event's position,
 * keyed by `messageKey(streamId, streamPosition)`.
 */
export async function insertMessages(tx: SqlExecutor, messages: MessageToInsert[]): Promise<Map<string, SqlPosition>> {
  if (messages.length === 0) return new Map();
  const { rows } = await tx.query<{ stream_id: string; stream_pos: string; tx: string; global_pos: string }>(
    `INSERT INTO messages (stream_id, stream_position, type, data, metadata)
     SELECT stream_id, stream_position, type, data::jsonb, metadata::jsonb
       FROM ROWS FROM (unnest($1::text[]), unnest($2::bigint[]), unnest($3::text[]), string_to_table($4, E'\n'), string_to_table($5, E'\n'))
            WITH ORDINALITY AS m(stream_id, stream_position, type, data, metadata, ord)
      ORDER BY ord
     RETURNING stream_id, stream_position::text AS stream_pos, transaction_id::text AS tx, global_position::text AS global_pos`,
    [
      messages.map((m) => m.streamId),
      messages.map((m) => m.streamPosition),
      messages.map((m) => m.type),
      jsonLines(messages.map((m) => m.dataJson)),
      jsonLines(messages.map((m) => m.metadataJson)),
    ],
  );
  return new Map(
    rows.map((r) => [messageKey(r.stream_id, Number(r.stream_pos)), { transactionId: r.tx, globalPosition: r.global_pos }]),
  );
}

export function messageKey(streamId: string, streamPosition: number): string {
  return `${streamPosition}@${streamId}`;
}
