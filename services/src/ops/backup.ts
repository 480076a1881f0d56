import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { EventMetadata } from '@suara/contracts';
import type { EventStore, RecordedEvent } from '../eventstore/event-store.port';
import { eventHash } from '../eventstore/hash-chain';

/** One line of a backup file. */
interface BackupLine {
  streamId: string;
  streamPosition: number;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

/** Writes the whole event log to `file`, one event per line (NDJSON) in global order: every committed event (see `EventStore.readLog`). */
export async function exportEvents(store: EventStore, file: string): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  let count = 0;
  await store.readLog(async (log) => {
    for await (const batch of log.events) {
      for (const e of batch) {
        const line: BackupLine = { streamId: e.streamId, streamPosition: e.streamPosition, type: e.type, data: e.data, metadata: e.metadata };
        if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
        count++;
      }
    }
  });
  out.end();
  await once(out, 'finish');
  return count;
}

/**
 * Loads a backup into an EMPTY store. Each event is appended at its recorded position with its
 * recorded metadata, so the store recomputes the same hash chain; a line whose hash does not match
 * its content stops the import before anything from it is written. Answers the election ids the
 * events were written under (the phase is restored from them).
 */
export async function importEvents(store: EventStore, file: string): Promise<{ count: number; electionIds: Set<string> }> {
  if ((await store.head()) !== '0') throw new Error('import needs an empty event store');
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let count = 0;
  const electionIds = new Set<string>();
  for await (const text of lines) {
    if (!text.trim()) continue;
    const line = JSON.parse(text) as BackupLine;
    if (eventHash(line as RecordedEvent) !== line.metadata.hash) {
      throw new Error(`backup line ${count + 1} (${line.streamId} #${line.streamPosition}) does not match its hash: the file was altered`);
    }
    const { prevHash: _p, hash: _h, ...metadata } = line.metadata;
    await store.append(line.streamId, [{ type: line.type, data: line.data, metadata }], line.streamPosition === 1 ? 'NO_STREAM' : line.streamPosition - 1);
    electionIds.add(metadata.electionId);
    count++;
  }
  return { count, electionIds };
}
