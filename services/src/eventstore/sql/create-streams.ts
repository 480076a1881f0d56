import type { SqlExecutor } from '../../db/sql';
import type { SqlPosition } from '../checkpoint';
import { INSERTED_POSITION, messageParams, messageSource, positionsOf, type InsertedRow, type MessageToInsert } from './insert-messages';
import type { NewStreamRow } from './insert-streams';
import { EVENTS_CHANNEL } from './notify-appended';

/** PostgreSQL's unique_violation: one of the streams exists already (or another writer created it first). */
export const UNIQUE_VIOLATION = '23505';

/**
 * Creates `streams` with their first `messages` and NOTIFYs readers, all in ONE statement, so on
 * its own (autocommit) it is one round trip and one transaction. Only for streams the caller
 * believes new: any that exists makes the statement fail with a unique violation (`streams` and
 * the messages' primary key both refuse it) and nothing is written. The message insert reads its
 * stream ids through the stream insert and sorts, so every stream row is taken first, in stream id
 * order — the lock order of `lockStreams`, so concurrent writers wait rather than deadlock.
 */
export async function createStreams(db: SqlExecutor, streams: NewStreamRow[], messages: MessageToInsert[]): Promise<Map<string, SqlPosition>> {
  const { rows } = await db.query<InsertedRow>(
    `WITH s AS (
       INSERT INTO streams (stream_id, version, last_hash)
       SELECT stream_id, version, last_hash
         FROM unnest($1::text[], $2::bigint[], $3::text[]) AS s(stream_id, version, last_hash)
        ORDER BY stream_id
       RETURNING stream_id
     ), m AS (
       INSERT INTO messages (stream_id, stream_position, type, data, metadata)
       SELECT e.stream_id, e.stream_position, e.type, e.data::jsonb, e.metadata::jsonb
         FROM ${messageSource(4)}
         JOIN s USING (stream_id)
        ORDER BY e.ord
       RETURNING stream_id, stream_position, transaction_id, global_position
     ), notified AS (
       SELECT pg_notify($9, pg_current_xact_id()::text || ':' || max(global_position)::text) FROM m
     )
     SELECT ${INSERTED_POSITION} FROM m CROSS JOIN notified`,
    [streams.map((s) => s.streamId), streams.map((s) => s.version), streams.map((s) => s.lastHash), ...messageParams(messages), EVENTS_CHANNEL],
  );
  return positionsOf(rows);
}
