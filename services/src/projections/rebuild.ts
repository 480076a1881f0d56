import { randomUUID } from 'node:crypto';
import { comparePositions } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import type { EventStore } from '../eventstore/event-store.port';
import { PROJECTIONS } from './definitions';
import type { ProjectionDefinition, ProjectionDifference } from './projection-definition';
import { applyBatch } from './projector';
import { lockCheckpoint, notify, readCheckpoint, readStoredResults, releaseLease, TALLIES_PROJECTION, truncateReadModels, writeCheckpoint } from './projection-store';
import { compareResults, ResultRecomputation } from './tally-check';
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
  /** The projection definitions to rebuild (default `PROJECTIONS`): their tables are emptied and replayed. */
  projections?: readonly ProjectionDefinition[];
  /** Called after every batch (progress output of the CLI). */
  onProgress?: (p: { events: number; position: string }) => void;
}

/** A running projector that finds the lease taken backs off; it must not take it back mid-rebuild. */
const REBUILD_LEASE_SECONDS = 120;

/**
 * Rebuilds `result_current` and every projection definition's `tables` from position zero: empties
 * them, resets the checkpoint, and replays the whole event log in batches. While it runs it holds
 * the projection's lease, so projectors in running processes stand by and resume from its
 * checkpoint afterwards.
 */
export async function rebuildProjections(db: SqlDatabase, store: EventStore, options: RebuildOptions = {}): Promise<RebuildReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 5000;
  const projections = options.projections ?? PROJECTIONS;
  const target = { name: TALLIES_PROJECTION, owner: `rebuild-${randomUUID()}`, leaseSeconds: REBUILD_LEASE_SECONDS, origin: `rebuild-${randomUUID()}` };
  await db.transaction(async (tx) => {
    await lockCheckpoint(tx, target.name);
    await truncateReadModels(tx, projections.flatMap((p) => p.tables));
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
      const outcome = await applyBatch(db, target, from, batch, projections);
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
  /** true when every stored row equals the recomputation. */
  ok: boolean;
  /** The checkpoint both sides were compared at. */
  position: string;
  /** Events read from the store up to `position`. */
  events: number;
  /** Stored rows of the definitions compared (e.g. `region_tallies`, desa and above). */
  rows: number;
  /** Stored current results (one per TPS and ballot) compared. */
  results: number;
  differences: ProjectionDifference[];
}

/**
 * Recomputes every result stream straight from the events with the write side's decider (an
 * independent fold, see `ResultRecomputation`) and compares it with `result_current` (every TPS:
 * status, version and the numbers of its form) and with what each definition with a `check`
 * stored (tallies: `region_tallies`, desa and above). Consistent while the projector runs: the
 * stored rows and their checkpoint are read in one snapshot, and only events up to that checkpoint
 * are replayed. The CLI exits non-zero when `ok` is false.
 */
export async function checkTallies(
  db: SqlDatabase,
  store: EventStore,
  options: { batchSize?: number; projections?: readonly ProjectionDefinition[] } = {},
): Promise<CheckReport> {
  const batchSize = options.batchSize ?? 5000;
  const projections = options.projections ?? PROJECTIONS;
  const snapshot = await db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const position = await readCheckpoint(tx, TALLIES_PROJECTION);
    const results = await readStoredResults(tx);
    const stored = [];
    for (const p of projections) if (p.check) stored.push(await p.check(tx));
    return { position, results, stored };
  });
  const recomputation = new ResultRecomputation();
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
  const expected = recomputation.results();
  const differences = [...snapshot.stored.flatMap((s) => s.differences(expected)), ...compareResults(expected, snapshot.results)];
  const rows = snapshot.stored.reduce((n, s) => n + s.rows, 0);
  return { ok: differences.length === 0, position: snapshot.position, events, rows, results: snapshot.results.length, differences };
}
