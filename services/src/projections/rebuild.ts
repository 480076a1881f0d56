import { randomUUID } from 'node:crypto';
import { comparePositions } from '@suara/contracts';
import type { SqlDatabase, SqlExecutor } from '../db/sql';
import type { EventStore } from '../eventstore/event-store.port';
import { readAll } from '../eventstore/sql/read-all';
import { PROJECTIONS } from './definitions';
import type { ProjectionDefinition, ProjectionDifference, RebuildFold, RebuildFoldOptions } from './projection-definition';
import { MAX_HELD_SUMS } from './tally-fold';
import { applyBatchIn, projectEvents, refusal, type BatchOutcome, type BatchTarget } from './projector';
import { createShadow, finishShadow, liveSchema, SHADOW_SCHEMA, swapShadowIn, useSchema } from './shadow-tables';
import { checkpointWrite, lockCheckpoint, notify, readCheckpoint, readStoredResults, TALLIES_PROJECTION } from './projection-store';
import { compareResults, ResultRecomputation } from './tally-check';
import { runTogether, type Statement } from '../db/statements';
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
  const target: BatchTarget = { name: TALLIES_PROJECTION, owner: `rebuild-${randomUUID()}`, leaseSeconds: REBUILD_LEASE_SECONDS, origin: 'rebuild', quiet: true };
  await db.transaction((tx) => createShadow(tx, live, tables));
  const { folding, finishFolds } = rebuildFolds(projections, { maxHeld: options.maxHeld ?? MAX_HELD_SUMS });
  const shadow = new ShadowWriter(db, live, target, db.kind === 'postgres' ? BATCHES_AHEAD : 0);
  let events = 0;
  let reading = store.readAll('0', batchSize);
  try {
    for (;;) {
      const batch = await reading;
      if (batch.events.length === 0) break;
      // Read the next batch while this one is folded and written.
      reading = store.readAll(batch.checkpoint, batchSize);
      reading.catch(() => undefined);
      const { writes } = await projectEvents(shadow.reader, batch.events, batch.checkpoint, folding);
      await shadow.commit(writes, batch.checkpoint);
      events += batch.events.length;
      await options.onProgress?.({ events, position: batch.checkpoint });
    }
  } finally {
    // Even when abandoned: nothing of this rebuild may still be writing once it has returned.
    await shadow.drain().catch(() => undefined);
  }
  await shadow.drain();
  let from = shadow.position;
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
      await useSchema(tx, SHADOW_SCHEMA, live);
      from = applied(await applyBatchIn(tx, target, from, batch, projections));
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
  if (outcome.kind !== 'applied') throw interrupted(outcome);
  return outcome.position;
}

function interrupted(outcome: Exclude<BatchOutcome, { kind: 'applied' }>): Error {
  return new Error(`rebuild interrupted: ${outcome.kind === 'leased' ? `shadow checkpoint taken by ${outcome.owner}` : 'shadow checkpoint reset'}`);
}

/**
 * Batches handed to the shadow writer and not yet committed while the next one is folded (on
 * PostgreSQL; PGlite has one connection, so it commits each batch before the next).
 */
const BATCHES_AHEAD = 2;

/**
 * Commits the rebuild's batches into the shadow tables one after another, in log order, each with
 * the shadow checkpoint (whose lease keeps a second rebuild out), while the rebuild reads and folds
 * the next ones: PostgreSQL writes while Node folds, on two cores instead of taking turns on one.
 * No batch needs to be atomic with the next, as a rebuild that dies starts over from zero. What the
 * batches read (`reader`: stored results, a definition's own rows) first waits for every batch
 * handed over, so it sees them.
 */
class ShadowWriter {
  /** The checkpoint of the last batch handed over. */
  position = '0';
  private last: Promise<void> = Promise.resolve();
  private waiting = 0;
  readonly reader: SqlExecutor = {
    query: async (sql, params) => {
      await this.drain();
      return this.db.transaction(async (tx) => {
        await useSchema(tx, SHADOW_SCHEMA, this.live);
        return tx.query(sql, params);
      });
    },
    exec: () => Promise.reject(new Error('the rebuild reads only while it folds')),
  };

  constructor(
    private readonly db: SqlDatabase,
    private readonly live: string,
    private readonly target: BatchTarget,
    private readonly ahead: number,
  ) {}

  /** Hands over a batch's writes; waits only when more than `ahead` batches are still uncommitted. */
  async commit(writes: Array<Statement | undefined>, position: string): Promise<void> {
    const from = this.position;
    this.position = position;
    this.waiting += 1;
    this.last = this.last
      .then(() => this.db.transaction((tx) => this.commitIn(tx, from, position, writes)))
      .finally(() => {
        this.waiting -= 1;
      });
    this.last.catch(() => undefined);
    if (this.waiting > this.ahead) await this.drain();
  }

  /** Resolves once every batch handed over is committed; rejects with the first failure. */
  drain(): Promise<void> {
    return this.last;
  }

  private async commitIn(tx: SqlExecutor, from: string, position: string, writes: Array<Statement | undefined>): Promise<void> {
    await useSchema(tx, SHADOW_SCHEMA, this.live);
    const refused = refusal(await lockCheckpoint(tx, this.target.name, { relaxedCommit: true }), this.target, from);
    if (refused) throw interrupted(refused);
    await runTogether(tx, [...writes, checkpointWrite(this.target.name, position, this.target.owner, this.target.leaseSeconds)]);
  }
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
