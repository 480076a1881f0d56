import type { SqlExecutor } from '../db/sql';
import type { Statement } from '../db/statements';
import type { RecordedEvent } from '../eventstore/event-store.port';
import type { ResultKey, ResultState } from '../tabulation/result.decider';
import type { CurrentResult } from './current-result';
import type { ChangedRegions } from './tally-changes';

/**
 * A read model kept by the projector, in the style of Emmett's `postgreSQLProjection({ canHandle,
 * handle })`: the runtime (`applyBatch`) reads the log, keeps `result_current`, and hands every
 * definition of its list the same batch; each returns SQL writes, which commit in the batch's one
 * transaction together with the current results and the checkpoint (exactly once).
 * Register a definition in `PROJECTIONS` (`definitions.ts`); its tables come from a migration of
 * its own module (see `projections.migrations.ts`) and are listed in `tables` for the rebuild.
 */
export interface ProjectionDefinition {
  /** Short stable name (in logs and errors). */
  readonly name: string;
  /** Whether this definition reads the event; it is called only for batches holding at least one. */
  canHandle(event: RecordedEvent): boolean;
  /**
   * The writes of one batch. May read its own tables through `tx` (the batch's transaction, under
   * the checkpoint's row lock, so it is the only writer), must not write through it: return the
   * writes instead, they are sent as one statement with the others (`runTogether`), so none may
   * depend on another's changes. A throw rolls the whole batch back; it is retried from the same
   * checkpoint.
   */
  project(batch: ProjectionBatch, tx: SqlExecutor): Promise<ProjectionOutput>;
  /** The tables a rebuild empties (derived from the events only). */
  readonly tables: readonly string[];
  /** `suara check`: reads the stored rows and compares them with an independent recomputation. */
  check?(tx: SqlExecutor): Promise<StoredProjection>;
  /**
   * A faster way to fill the tables from zero in a rebuild, where this run is the only writer of
   * empty shadow tables and nothing is pushed live: fold batches in memory and write rarely, instead
   * of reading and rewriting the same rows every batch. Without it the rebuild calls `project`.
   */
  startRebuild?(options: RebuildFoldOptions): RebuildFold;
}

export interface RebuildFoldOptions {
  /** Rows a fold may hold in memory before it writes them (see `MAX_HELD_SUMS`). */
  maxHeld: number;
}

/** One rebuild's in-memory fold of a definition (see `ProjectionDefinition.startRebuild`). */
export interface RebuildFold {
  /** Takes in one batch (read-only use of `tx`, like `project`); returns the writes due now, if any. */
  add(batch: ProjectionBatch, tx: SqlExecutor): Promise<Array<Statement | undefined>>;
  /** The writes of everything still held, at `position` (the last batch's). */
  finish(tx: SqlExecutor, position: string): Promise<Array<Statement | undefined>>;
}

/** Before and after a batch, the stored state of one result stream (`result_current`). */
export interface ResultTransition {
  /** undefined when the stream had not been projected before this batch. */
  before: CurrentResult | undefined;
  after: CurrentResult;
}

export interface ProjectionBatch {
  /** The batch's events this definition can handle, after the stored checkpoint, in log order. */
  events: readonly RecordedEvent[];
  /** Every result stream the batch touched (whatever the event types), once each. */
  results: readonly ResultTransition[];
  /** The checkpoint the batch commits. */
  position: string;
}

export interface ProjectionOutput {
  /** Statements to run in the batch's transaction; `undefined` = nothing to write. */
  writes: Array<Statement | undefined>;
  /** Regions whose tally views changed: pushed live after commit (in process and by NOTIFY). */
  changed?: ChangedRegions[];
}

/** One disagreement between a stored read model and the recomputation from the events. */
export interface ProjectionDifference {
  electionId: string;
  /** The row: a region (desa and above), a TPS, or another code of the definition's own. */
  regionCode: string;
  ballot: string;
  /** e.g. `valid`, `tpsReported`, `votes.<option>`, `status`, `version`. */
  field: string;
  expected: number | string;
  actual: number | string;
}

/** The final state of one result stream, folded by the write side's own decider. */
export interface RecomputedResult extends ResultKey {
  state: ResultState;
}

/** What a definition stored, read inside the check's snapshot (with the checkpoint it reflects). */
export interface StoredProjection {
  /** Rows read (for the report). */
  rows: number;
  /** Compares them with every result stream's final state (keyed by stream id) up to that checkpoint. */
  differences(expected: ReadonlyMap<string, RecomputedResult>): ProjectionDifference[];
}
