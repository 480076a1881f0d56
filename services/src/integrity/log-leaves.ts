import type { SqlExecutor } from '../db/sql';
import { parseCheckpoint, formatCheckpoint } from '../eventstore/checkpoint';
import type { EventStore } from '../eventstore/event-store.port';
import { VISIBLE } from '../eventstore/sql/read-all';
import { leafHash } from './merkle';

/** One event as the tree sees it: where it is in the log, and its hash. */
export interface LogLeaf {
  checkpoint: string;
  /** The event's hash from its metadata (hex SHA-256 of its content, see hash-chain.ts). */
  hash: string;
}

/** The next leaves in log order after `from`, never past an event that might still be followed by a late commit. */
export type ReadLeaves = (from: string, limit: number) => Promise<{ leaves: LogLeaf[]; checkpoint: string }>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The tree's leaf for an event: RFC 6962 leaf hash over the 32 bytes of the event's SHA-256. A
 * value that is not a SHA-256 (only a tampered row has one) is hashed as its text, so it still
 * yields a leaf, just not the sealed one.
 */
export function eventLeaf(hash: string | undefined): Buffer {
  const value = hash ?? '';
  return leafHash(SHA256_HEX.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'utf8'));
}

/**
 * Reads leaves from the SQL store: only the hash of each event, in the same order and with the
 * same visibility rule as `readAll`, so sealing costs a narrow index-ordered scan, not the events.
 */
export function sqlLeafReader(db: SqlExecutor): ReadLeaves {
  return async (from, limit) => {
    const { transactionId, globalPosition } = parseCheckpoint(from);
    const { rows } = await db.query<{ tx: string; global_pos: string; hash: string | null }>(
      `SELECT transaction_id::text AS tx, global_position::text AS global_pos, metadata->>'hash' AS hash FROM messages
        WHERE ${VISIBLE} AND (transaction_id, global_position) > ($1::xid8, $2::bigint)
        ORDER BY transaction_id, global_position
        LIMIT $3`,
      [transactionId, globalPosition, limit],
    );
    const leaves = rows.map((r) => ({ checkpoint: formatCheckpoint({ transactionId: r.tx, globalPosition: r.global_pos }), hash: r.hash ?? '' }));
    return { leaves, checkpoint: leaves.at(-1)?.checkpoint ?? from };
  };
}

/**
 * Waits until every transaction that had committed when called is visible to `sqlLeafReader`:
 * the visibility horizon is cluster-wide, so another database's open transaction holds it back.
 * A forced seal ("seal now, we print") must cover what was acknowledged before it was asked for.
 * Gives up after `timeoutMs` (the seal then covers what is visible; the next one takes the rest).
 */
export async function awaitCommittedVisible(db: SqlExecutor, timeoutMs = 10_000): Promise<boolean> {
  const { rows: [{ xmax }] } = await db.query<{ xmax: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows: [{ ok }] } = await db.query<{ ok: boolean }>('SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8 AS ok', [xmax]);
    if (ok) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Reads leaves through any store's `readAll` (KurrentDB). */
export function storeLeafReader(store: EventStore): ReadLeaves {
  return async (from, limit) => {
    const batch = await store.readAll(from, limit);
    return { leaves: batch.events.map((e) => ({ checkpoint: e.checkpoint, hash: e.metadata.hash ?? '' })), checkpoint: batch.checkpoint };
  };
}
