import { randomUUID } from 'node:crypto';
import { comparePositions } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import type { EventStore } from '../eventstore/event-store.port';
import { applyBatch } from './projector';
import { lockCheckpoint, notify, readTallySnapshot, releaseLease, TALLIES_PROJECTION, truncateReadModels, writeCheckpoint } from './projection-store';
import { compareResults, compareTallies, TallyRecomputation, type TallyDifference } from './tally-check';
import { encodeTallyChange, TALLIES_CHANNEL } from './tally-changes';

export interface RebuildReport {
  /** Events read from the store (of any type). */
  events: number;
  /** Checkpoint the read models now reflect. */
  position: string;
  durationMs: number;
}

export interface RebuildOptions {
  batchSize?: number;
  /** Called after every batch (progress output of the CLI). */
  onProgress?: (p: { events: number; position: string }) => void;
}

/** A running projector that finds the lease taken backs off; it must not take it back mid-rebuild. */
const REBUILD_LEASE_SECONDS = 120;

/**
 * Rebuilds every read model of the tallies projection from position zero: empties them, resets the
 * checkpoint, and replays the whole event log in batches. While it runs it holds the projection's
 * lease, so projectors in running processes stand by and resume from its checkpoint afterwards.
 */
export async function rebuildProjections(db: SqlDatabase, store: EventStore, options: RebuildOptions = {}): Promise<RebuildReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 5000;
  const target = { name: TALLIES_PROJECTION, owner: `rebuild-${randomUUID()}`, leaseSeconds: REBUILD_LEASE_SECONDS, origin: `rebuild-${randomUUID()}` };
  await db.transaction(async (tx) => {
    await lockCheckpoint(tx, target.name);
    await truncateReadModels(tx);
    await writeCheckpoint(tx, target.name, '0', target.owner, target.leaseSeconds);
    await notify(tx, TALLIES_CHANNEL, encodeTallyChange(target.origin, { position: '0', regions: null }));
  });
  let from = '0';
  let events = 0;
  try {
    let reading = store.readAll(from, batchSize);
    for (;;) {
      const batch = await reading;
      if (batch.events.length === 0) break;
      // Read the next batch while this one is written.
      reading = store.readAll(batch.checkpoint, batchSize);
      reading.catch(() => undefined);
      const outcome = await applyBatch(db, target, from, batch);
      if (outcome.kind !== 'applied') throw new Error(`rebuild interrupted: ${outcome.kind === 'leased' ? `lease taken by ${outcome.owner}` : 'checkpoint reset'}`);
      from = outcome.position;
      events += batch.events.length;
      options.onProgress?.({ events, position: from });
    }
    await db.transaction((tx) => notify(tx, TALLIES_CHANNEL, encodeTallyChange(target.origin, { position: from, regions: null })));
  } finally {
    await releaseLease(db, target.name, target.owner);
  }
  return { events, position: from, durationMs: Date.now() - started };
}

export interface CheckReport {
  /** true when every stored tally equals the recomputation. */
  ok: boolean;
  /** The checkpoint both sides were compared at. */
  position: string;
  /** Events read from the store up to `position`. */
  events: number;
  /** Stored tally rows compared (desa and above). */
  rows: number;
  /** Stored current results (one per TPS and ballot) compared. */
  results: number;
  differences: TallyDifference[];
}

/**
 * Recomputes every tally straight from the events (an independent fold, see `TallyRecomputation`)
 * and compares it with `region_tallies` (desa and above) and `result_current` (every TPS: status,
 * version and the numbers of its form). Consistent while the projector runs: the stored rows and
 * their checkpoint are read in one snapshot, and only events up to that checkpoint are replayed.
 * The CLI exits non-zero when `ok` is false.
 */
export async function checkTallies(db: SqlDatabase, store: EventStore, options: { batchSize?: number } = {}): Promise<CheckReport> {
  const batchSize = options.batchSize ?? 5000;
  const snapshot = await readTallySnapshot(db, TALLIES_PROJECTION);
  const recomputation = new TallyRecomputation();
  let from = '0';
  let events = 0;
  while (comparePositions(from, snapshot.position) < 0) {
    const batch = await store.readAll(from, batchSize);
    if (batch.events.length === 0) break;
    const upTo = batch.events.filter((e) => comparePositions(e.checkpoint, snapshot.position) <= 0);
    recomputation.add(upTo);
    events += upTo.length;
    if (upTo.length < batch.events.length) break;
    from = batch.checkpoint;
  }
  const differences = [...compareTallies(recomputation.tallies(), snapshot.rows), ...compareResults(recomputation.results(), snapshot.results)];
  return { ok: differences.length === 0, position: snapshot.position, events, rows: snapshot.rows.length, results: snapshot.results.length, differences };
}
