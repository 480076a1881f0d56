import type { SqlExecutor } from '../../db/sql';

export interface StreamVersionChange {
  streamId: string;
  /** The version the row must still have; the update is conditional on it. */
  fromVersion: number;
  version: number;
  lastHash: string;
}

/** Moves existing streams to their new version where they still have `fromVersion`; returns the ids updated. */
export async function updateStreams(tx: SqlExecutor, changes: StreamVersionChange[]): Promise<Set<string>> {
  if (changes.length === 0) return new Set();
  const { rows } = await tx.query<{ stream_id: string }>(
    `UPDATE streams AS s
        SET version = u.version, last_hash = u.last_hash, updated_at = now()
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) AS u(stream_id, from_version, version, last_hash)
      WHERE s.stream_id = u.stream_id AND s.version = u.from_version
     RETURNING s.stream_id`,
    [changes.map((c) => c.streamId), changes.map((c) => c.fromVersion), changes.map((c) => c.version), changes.map((c) => c.lastHash)],
  );
  return new Set(rows.map((r) => r.stream_id));
}
