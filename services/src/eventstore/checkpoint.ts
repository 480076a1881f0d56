/** The beginning of the global order: read from here to get every event. */
export const START_CHECKPOINT = '0';

/** A position in the SQL store's global order: (transaction id, global position), both decimal strings. */
export interface SqlPosition {
  transactionId: string;
  globalPosition: string;
}

/** Formats a position as the opaque checkpoint "tx:pos" (comparable with `comparePositions`). */
export function formatCheckpoint(position: SqlPosition): string {
  return `${position.transactionId}:${position.globalPosition}`;
}

/** Parses "tx:pos" or "0" (the start). Throws on anything else. */
export function parseCheckpoint(checkpoint: string): SqlPosition {
  if (checkpoint === START_CHECKPOINT) return { transactionId: '0', globalPosition: '0' };
  const match = /^(\d+):(\d+)$/.exec(checkpoint);
  if (!match) throw new Error(`invalid event store checkpoint "${checkpoint}" (expected "tx:pos" or "0")`);
  return { transactionId: match[1], globalPosition: match[2] };
}
