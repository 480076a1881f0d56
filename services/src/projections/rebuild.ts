import { randomUUID } from 'node:crypto';
import { comparePositions } from '@suara/contracts';
import type { SqlDatabase, SqlExecutor } from '../db/sql';
import type { EventStore, ReadAllBatch } from '../eventstore/event-store.port';
import { readAll } from '../eventstore/sql/read-all';
import { PROJECTIONS } from './definitions';
import type { ProjectionDefinition, ProjectionDifference, RebuildFold, RebuildFoldOptions } from './projection-definition';
import { MAX_HELD_SUMS } from './tally-fold';
import { applyBatchIn, type BatchOutcome } from './projector';
import { createShadow, finishShadow, liveSchema, SHADOW_SCHEMA, swapShadowIn, useSchema } from './shadow-tables';
import { lockCheckpoint, notify, readCheckpoint, readStoredResults, TALLIES_PROJECTION } from './projection-store';
import { compareResults, ResultRecomputation } from './tally-check';
import { runTogether } from '../db/statements';
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
  /** Called after every batch (progress output of the CLI); a throw abandons the rebuild, the live tables untouched. */
  onProgress?: (p: { events: number; position: string }) => void | Promise<void>;
  /** Rows a definition's rebuild fold holds before writing them (default `MAX_HELD_SUMS`). */
  maxHeld?: number;
}

/** Owns the shadow checkpoint; no projector competes for it. */
const REBUILD_LEASE_SECONDS = 3600;

/**
 * Rebuilds `result_current` and every projection definition's `tables` from position zero, into
 * shadow tables (`shadow-tables.ts`) while the live ones keep serving and the live projector keeps
 * projecting new events into them. Then, in ONE transaction that holds the live checkpoint's row
 * lock (the live projector waits), it projects what was appended meanwhile into the shadows, swaps
 * them in and moves the live checkpoint to theirs. A rebuild that dies before that transaction
 * commits leaves the live tables as they were; the next one starts over. One rebuild at a time.
 */
export async function rebuildProjections(db: SqlDatabase, store: EventStore, options: RebuildOptions = {}): Promise<RebuildReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 5000;
  const projections = options.projections ?? PROJECTIONS;
  const tables = readModelTables(projections);
  const live = await liveSchema(db);
  const target = { name: TALLIES_PROJECTION, owner: `rebuild-${randomUUID()}`, leaseSeconds: REBUILD_LEASE_SECONDS, origin: 'rebuild', quiet: true };
  await db.transaction((tx) => createShadow(tx, live, tables));
  const { folding, finishFolds } = rebuildFolds(projections, { maxHeld: options.maxHeld ?? MAX_HELD_SUMS });
  const inShadow = (tx: SqlExecutor, from: string, batch: ReadAllBatch, with_ = projections) =>
    useSchema(tx, SHADOW_SCHEMA, live).then(() => applyBatchIn(tx, target, from, batch, with_));
  let from = '0';
  let events = 0;
  let reading = store.readAll(from, batchSize);
  for (;;) {
    const batch = await reading;
    if (batch.events.length === 0) break;
    // Read the next batch while this one is written.
    reading = store.readAll(batch.checkpoint, batchSize);
    reading.catch(() => undefined);
    from = applied(await db.transaction((tx) => inShadow(tx, from, batch, folding)));
    events += batch.events.length;
    await options.onProgress?.({ events, position: from });
  }
  await db.transaction(async (tx) => {
    await useSchema(tx, SHADOW_SCHEMA, live);
    await runTogether(tx, await finishFolds(tx, from));
    await finishShadow(tx, live, tables);
  });
  await db.transaction(async (tx) => {
    await lockCheckpoint(tx, TALLIES_PROJECTION);
    for (;;) {
      // Through the transaction where the log is in this database (PGlite has one connection).
      const batch = store.kind === 'kurrentdb' ? await store.readAll(from, batchSize) : await readAll(tx, from, batchSize);
      if (batch.events.length === 0) break;
      from = applied(await inShadow(tx, from, batch));
      events += batch.events.length;
    }
    await useSchema(tx, live);
    await swapShadowIn(tx, live, tables);
    await tx.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [TALLIES_PROJECTION, from]);
    await notify(tx, TALLIES_CHANNEL, encodeTallyChange(target.origin, { position: from, regions: null }));
  });
  return { events, position: from, durationMs: Date.now() - started };
}

/**
 * The definitions as the rebuild's batches run them: those with a `startRebuild` fold in memory
 * (their `project` is replaced by the fold's `add`); `finishFolds` gives what the folds still hold.
 * The catch-up before the swap uses the plain definitions, on the tables the folds wrote.
 */
function rebuildFolds(projections: readonly ProjectionDefinition[], options: RebuildFoldOptions) {
  const folds: RebuildFold[] = [];
  const folding = projections.map((p): ProjectionDefinition => {
    if (!p.startRebuild) return p;
    const fold = p.startRebuild(options);
    folds.push(fold);
    return { ...p, project: async (batch, tx) => ({ writes: await fold.add(batch, tx) }) };
  });
  const finishFolds = async (tx: SqlExecutor, position: string) => {
    const writes = [];
    for (const fold of folds) writes.push(...(await fold.finish(tx, position)));
    return writes;
  };
  return { folding, finishFolds };
}

/** Every table the projector writes: `result_current` and each definition's. */
function readModelTables(projections: readonly ProjectionDefinition[]): string[] {
  return [...new Set(['result_current', ...projections.flatMap((p) => p.tables)])];
}

function applied(outcome: BatchOutcome): string {
  if (outcome.kind !== 'applied') throw new Error(`rebuild interrupted: ${outcome.kind === 'leased' ? `shadow checkpoint taken by ${outcome.owner}` : 'shadow checkpoint reset'}`);
  return outcome.position;
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
