import type { SqlExecutor } from '../db/sql';
import type { EventStore, RecordedEvent } from '../eventstore/event-store.port';
import { verifyStreamChain, type ChainReport, type StreamHead } from '../eventstore/hash-chain';

/** Every event of the store, in global order, a batch at a time. */
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
 * Walks every stream's hash chain: altered content, reordered or deleted events, broken links, and
 * (with the SQL store's streams table) events deleted from a stream's end.
 */
export async function verifyAllChains(store: EventStore, db?: SqlExecutor): Promise<ChainReport & { events: number; streams: number }> {
  const byStream = new Map<string, RecordedEvent[]>();
  let events = 0;
  for await (const batch of allEvents(store)) {
    for (const e of batch) {
      const list = byStream.get(e.streamId);
      if (list) list.push(e);
      else byStream.set(e.streamId, [e]);
      events++;
    }
  }
  const heads = db && store.kind !== 'kurrentdb' ? await streamHeads(db) : undefined;
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
