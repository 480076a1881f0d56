import type { SqlExecutor } from '../../db/sql';

/** The channel appends NOTIFY on, delivered at commit. Only a wake-up: readers poll for the truth. */
export const EVENTS_CHANNEL = 'suara_events';

export async function notifyAppended(tx: SqlExecutor, checkpoint: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, checkpoint]);
}
