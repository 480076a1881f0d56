import type { EventStore, RecordedEvent } from '../eventstore/event-store.port';
import { verifyStreamChain, type ChainReport } from '../eventstore/hash-chain';

/**
 * Walks every stream's hash chain: altered content, reordered or deleted events, broken links, and
 * (where the store records stream heads, as the SQL store's streams table) events deleted from a stream's end.
 */
export async function verifyAllChains(
  store: EventStore,
  /** Also sees every event, in log order (the seal check rides on the same read). */
  onEvent?: (event: RecordedEvent) => void,
): Promise<ChainReport & { events: number; streams: number }> {
  const byStream = new Map<string, RecordedEvent[]>();
  let events = 0;
  // The stream heads are read in the same snapshot as the events, so a concurrent append is never
  // mistaken for a deleted event.
  const heads = await store.readLog(async (log) => {
    for await (const batch of log.events) {
      for (const e of batch) {
        onEvent?.(e);
        const list = byStream.get(e.streamId);
        if (list) list.push(e);
        else byStream.set(e.streamId, [e]);
        events++;
      }
    }
    return log.streamHeads();
  });
  // Chains are per stream and ordered by stream position, whatever the global order was.
  const ordered = [...byStream.values()].flatMap((list) => list.sort((a, b) => a.streamPosition - b.streamPosition));
  const report = verifyStreamChain(ordered, heads);
  return { ...report, events, streams: new Set([...byStream.keys(), ...(heads?.keys() ?? [])]).size };
}
