import type { SqlExecutor } from '../../db/sql';

export interface NewStreamRow {
  streamId: string;
  version: number;
  lastHash: string;
}

/**
 * Creates stream rows; returns the ids actually created. A missing id means another transaction
 * created that stream first (ON CONFLICT waits for it to commit).
 */
export async function insertStreams(tx: SqlExecutor, streams: NewStreamRow[]): Promise<Set<string>> {
  if (streams.length === 0) return new Set();
  const { rows } = await tx.query<{ stream_id: string }>(
    `INSERT INTO streams (stream_id, version, last_hash)
     SELECT stream_id, version, last_hash
       FROM unnest($1::text[], $2::bigint[], $3::text[]) AS s(stream_id, version, last_hash)
      ORDER BY stream_id -- the lock order of lockStreams, so concurrent writers wait rather than deadlock
     ON CONFLICT (stream_id) DO NOTHING
     RETURNING stream_id`,
    [streams.map((s) => s.streamId), streams.map((s) => s.version), streams.map((s) => s.lastHash)],
  );
  return new Set(rows.map((r) => r.stream_id));
}
