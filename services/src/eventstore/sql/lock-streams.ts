import type { SqlExecutor } from '../../db/sql';
import type { StreamHead } from '../hash-chain';

/**
 * Locks the existing rows of `streamIds` until the transaction ends and returns their heads.
 * Locking in stream id order keeps concurrent groups (other processes) from deadlocking.
 */
export async function lockStreams(tx: SqlExecutor, streamIds: string[]): Promise<Map<string, StreamHead>> {
  const { rows } = await tx.query<{ stream_id: string; version: string; last_hash: string }>(
    `SELECT stream_id, version::text AS version, last_hash FROM streams
      WHERE stream_id = ANY($1::text[]) ORDER BY stream_id FOR UPDATE`,
    [streamIds],
  );
  return new Map(rows.map((r) => [r.stream_id, { version: Number(r.version), lastHash: r.last_hash }]));
}
