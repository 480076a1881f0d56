import type { SqlDatabase, SqlExecutor } from '../db/sql';
import type { EventStore, RecordedEvent } from '../eventstore/event-store.port';
import { verifyStreamChain, type ChainReport, type StreamHead } from '../eventstore/hash-chain';
import { MESSAGE_COLUMNS, toRecordedEvent, type MessageRow } from '../eventstore/sql/message-row';

/** Every event of the store, in global order, a batch at a time (through the store's port). */
export async function* allEvents(store: EventStore, batchSize = 5000): AsyncGenerator<RecordedEvent[]> {
  let from = '0';
  for (;;) {
    const batch = await store.readAll(from, batchSize);
    if (batch.events.length === 0) return;
    yield batch.events;
    from = batch.checkpoint;
  }
}

/**
 * Hands `fn` the whole event log, in global order. On the SQL store it is every event committed
 * when the read began, all from ONE repeatable-read snapshot (with `sql`, the same snapshot, for
 * other tables). `readAll` would not do for a backup or a check: it only returns transactions
 * older than every running one (so a subscription never skips a late commit), and stops short
 * whenever any transaction is open on the server, even in another database.
 */
export async function withEventLog<T>(
  store: EventStore,
  db: SqlDatabase | undefined,
  fn: (batches: AsyncIterable<RecordedEvent[]>, sql?: SqlExecutor) => Promise<T>,
): Promise<T> {
  if (!db || store.kind === 'kurrentdb') return fn(allEvents(store));
  return db.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(committedEvents(tx), tx);
  });
}

async function* committedEvents(tx: SqlExecutor, batchSize = 5000): AsyncGenerator<RecordedEvent[]> {
  let after: [string, string] = ['0', '0'];
  for (;;) {
    const { rows } = await tx.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
        ORDER BY transaction_id, global_position
        LIMIT $3`,
      [...after, batchSize],
    );
    if (rows.length === 0) return;
    yield rows.map(toRecordedEvent);
    const last = rows[rows.length - 1];
    after = [last.tx, last.global_pos];
  }
}

/**
 * Walks every stream's hash chain: altered content, reordered or deleted events, broken links, and
 * (with the SQL store's streams table) events deleted from a stream's end.
 */
export async function verifyAllChains(
  store: EventStore,
  db?: SqlDatabase,
  /** Also sees every event, in log order (the seal check rides on the same read). */
  onEvent?: (event: RecordedEvent) => void,
): Promise<ChainReport & { events: number; streams: number }> {
  const byStream = new Map<string, RecordedEvent[]>();
  let events = 0;
  // The stream heads are read in the same snapshot as the events, so a concurrent append is never
  // mistaken for a deleted event.
  const heads = await withEventLog(store, db, async (batches, sql) => {
    for await (const batch of batches) {
      for (const e of batch) {
        onEvent?.(e);
        const list = byStream.get(e.streamId);
        if (list) list.push(e);
        else byStream.set(e.streamId, [e]);
        events++;
      }
    }
    return sql ? streamHeads(sql) : undefined;
  });
  // Chains are per stream and ordered by stream position, whatever the global order was.
  const ordered = [...byStream.values()].flatMap((list) => list.sort((a, b) => a.streamPosition - b.streamPosition));
  const report = verifyStreamChain(ordered, heads);
  return { ...report, events, streams: new Set([...byStream.keys(), ...(heads?.keys() ?? [])]).size };
}

async function streamHeads(db: SqlExecutor): Promise<Map<string, StreamHead>> {
  const { rows } = await db.query<{ stream_id: string; version: string; last_hash: string | null }>(
    'SELECT stream_id, version::text AS version, last_hash FROM streams',
  );
  return new Map(rows.map((r) => [r.stream_id, { version: Number(r.version), lastHash: r.last_hash ?? '' }]));
}
