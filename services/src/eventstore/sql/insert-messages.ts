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
 * The events to insert as a row source `e(stream_id, stream_position, type, data, metadata, ord)`,
 * reading parameters `$<first>` to `$<first + 4>` (`messageParams`); `ord` is the given order.
 */
export function messageSource(first: number): string {
  const [ids, positions, types, data, metadata] = [0, 1, 2, 3, 4].map((i) => `$${first + i}`);
  return `ROWS FROM (unnest(${ids}::text[]), unnest(${positions}::bigint[]), unnest(${types}::text[]), string_to_table(${data}, E'\n'), string_to_table(${metadata}, E'\n'))
            WITH ORDINALITY AS e(stream_id, stream_position, type, data, metadata, ord)`;
}

export function messageParams(messages: MessageToInsert[]): unknown[] {
  return [
    messages.map((m) => m.streamId),
    messages.map((m) => m.streamPosition),
    messages.map((m) => m.type),
    jsonLines(messages.map((m) => m.dataJson)),
    jsonLines(messages.map((m) => m.metadataJson)),
  ];
}

/** The columns an insert of messages returns (`RETURNING ${INSERTED_POSITION}`), one `InsertedRow` per event. */
export const INSERTED_POSITION = 'stream_id, stream_position::text AS stream_pos, transaction_id::text AS tx, global_position::text AS global_pos';

export interface InsertedRow {
  stream_id: string;
  stream_pos: string;
  tx: string;
  global_pos: string;
}

/** Each inserted event's position, keyed by `messageKey`. */
export function positionsOf(rows: InsertedRow[]): Map<string, SqlPosition> {
  return new Map(rows.map((r) => [messageKey(r.stream_id, Number(r.stream_pos)), { transactionId: r.tx, globalPosition: r.global_pos }]));
}

/**
 * Inserts events in the given order (global positions follow it); returns each event's position,
 * keyed by `messageKey(streamId, streamPosition)`.
 */
export async function insertMessages(tx: SqlExecutor, messages: MessageToInsert[]): Promise<Map<string, SqlPosition>> {
  if (messages.length === 0) return new Map();
  const { rows } = await tx.query<InsertedRow>(
    `INSERT INTO messages (stream_id, stream_position, type, data, metadata)
     SELECT stream_id, stream_position, type, data::jsonb, metadata::jsonb
       FROM ${messageSource(1)}
      ORDER BY ord
     RETURNING ${INSERTED_POSITION}`,
    messageParams(messages),
  );
  return positionsOf(rows);
}

export function messageKey(streamId: string, streamPosition: number): string {
  return `${streamPosition}@${streamId}`;
}
