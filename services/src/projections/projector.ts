import { randomUUID } from 'node:crypto';
import { comparePositions } from '@suara/contracts';
import type { SqlDatabase, SqlExecutor } from '../db/sql';
import type { EventStore, ReadAllBatch, RecordedEvent } from '../eventstore/event-store.port';
import { runTogether, type Statement } from '../db/statements';
import { evolveResults, isResultStreamEvent, streamsProjectedBefore } from './current-result';
import { PROJECTIONS } from './definitions';
import type { ProjectionDefinition, ResultTransition } from './projection-definition';
import { checkpointWrite, currentResultsWrite, loadCurrentResults, lockCheckpoint, type CheckpointRow, notifyWrite, readCheckpoint, releaseLease, renewLease, TALLIES_PROJECTION } from './projection-store';
import { encodeTallyChange, TALLIES_CHANNEL, type ChangedRegions, type TallyChange } from './tally-changes';

export interface BatchTarget {
  /** Projection name (row of projection_checkpoints). */
  name: string;
  /** Who projects: only the lease holder may move the checkpoint. */
  owner: string;
  leaseSeconds: number;
  /** Identifies this process in NOTIFY payloads. */
  origin: string;
  /** No NOTIFY of changed tallies (a rebuild into shadow tables: nothing live changed). */
  quiet?: boolean;
}

export type BatchOutcome =
  | { kind: 'applied'; position: string; change: TallyChange | undefined }
  /** Another owner holds the lease: back off. */
  | { kind: 'leased'; owner: string | null; retryInMs: number }
  /** The stored checkpoint is before `from` (a rebuild reset it): resubscribe from `stored`. */
  | { kind: 'behind'; stored: string };

const max = (a: string, b: string) => (comparePositions(a, b) >= 0 ? a : b);

/**
 * Projects one batch in ONE transaction with its checkpoint: exactly once per event whatever
 * crashes or retries happen, because events at or before the stored checkpoint are skipped and the
 * checkpoint only moves with the read models. `from` is where the batch was read from.
 * Loads the stored current result of every result stream the batch touches once, evolves it
 * through every event of the stream, hands each definition its events and those transitions, and
 * sends every write (current results, the definitions', checkpoint, NOTIFY) as one statement.
 */
export function applyBatch(
  db: SqlDatabase,
  target: BatchTarget,
  from: string,
  batch: ReadAllBatch,
  projections: readonly ProjectionDefinition[] = PROJECTIONS,
): Promise<BatchOutcome> {
  return db.transaction((tx) => applyBatchIn(tx, target, from, batch, projections));
}

/** `applyBatch` inside a transaction the caller holds (the rebuild's swap catches up in its own). */
export async function applyBatchIn(
  tx: SqlExecutor,
  target: BatchTarget,
  from: string,
  batch: ReadAllBatch,
  projections: readonly ProjectionDefinition[] = PROJECTIONS,
): Promise<BatchOutcome> {
  // Read models need no fsync of their own: a batch lost in a database crash is lost together with
  // its checkpoint, and is projected again from the events.
  const stored = await lockCheckpoint(tx, target.name, { relaxedCommit: true });
  const refused = refusal(stored, target, from);
  if (refused) return refused;
  const events = batch.events.filter((e) => comparePositions(e.checkpoint, stored.position) > 0);
  const position = max(stored.position, batch.checkpoint);
  const { writes, changed } = await projectEvents(tx, events, position, projections);
  writes.push(checkpointWrite(target.name, position, target.owner, target.leaseSeconds));
  const change = changed.length > 0 ? { position, regions: mergeChanged(changed) } : undefined;
  if (change && !target.quiet) writes.push(notifyWrite(TALLIES_CHANNEL, encodeTallyChange(target.origin, change)));
  // One statement for every write of the batch: each round trip waits for a busy event loop.
  await runTogether(tx, writes);
  return { kind: 'applied', position, change };
}

/** Why the checkpoint `stored` (locked) may not move from `from` for `target`, if it may not. */
export function refusal(stored: CheckpointRow, target: BatchTarget, from: string): Exclude<BatchOutcome, { kind: 'applied' }> | undefined {
  if (stored.leased && stored.owner !== target.owner) return { kind: 'leased', owner: stored.owner, retryInMs: stored.lease_ms };
  if (comparePositions(stored.position, from) < 0) return { kind: 'behind', stored: stored.position };
  return undefined;
}

/**
 * The writes of a batch's events (those after the checkpoint, ending at `position`): the current
 * results of the streams they touch and every definition's, none sent yet. Reads only, through `ex`.
 */
export async function projectEvents(
  ex: SqlExecutor,
  events: readonly RecordedEvent[],
  position: string,
  projections: readonly ProjectionDefinition[],
): Promise<{ writes: Array<Statement | undefined>; changed: ChangedRegions[] }> {
  const results = await evolveStoredResults(ex, events.filter(isResultStreamEvent));
  const writes = currentResultsWrite(results);
  const changed: ChangedRegions[] = [];
  for (const projection of projections) {
    const handled = events.filter((e) => projection.canHandle(e));
    if (handled.length === 0) continue;
    const output = await projection.project({ events: handled, results, position }, ex);
    writes.push(...output.writes);
    changed.push(...(output.changed ?? []));
  }
  return { writes, changed };
}

/** The stored current results the events start from (read once per batch), evolved through them. */
async function evolveStoredResults(tx: SqlExecutor, events: readonly RecordedEvent[]): Promise<ResultTransition[]> {
  if (events.length === 0) return [];
  return evolveResults(events, await loadCurrentResults(tx, streamsProjectedBefore(events)));
}

/** One entry per (election, ballot), however many definitions reported regions of it. */
function mergeChanged(changed: readonly ChangedRegions[]): ChangedRegions[] {
  const merged = new Map<string, ChangedRegions>();
  for (const c of changed) {
    const key = `${c.electionId}|${c.ballot}`;
    const entry = merged.get(key);
    if (!entry) merged.set(key, c);
    else merged.set(key, { ...c, regionCodes: [...new Set([...entry.regionCodes, ...c.regionCodes])].sort() });
  }
  return [...merged.values()];
}

/** Failover within 2 s of the leader's death: its lease runs out after 1.5 s. */
export const DEFAULT_LEASE_SECONDS = 1.5;

export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface ProjectorOptions {
  name?: string;
  /** Lease holder id; default a fresh UUID per projector. */
  owner?: string;
  /** NOTIFY origin (the process's TallyChangeFeed.origin); default the owner. */
  origin?: string;
  batchSize?: number;
  /**
   * How long the leader's lease lasts without renewal; a standby takes over after it runs out (the
   * failover time). The leader renews it with every batch and on a heartbeat every quarter of it.
   * Default 1.5 s.
   */
  leaseSeconds?: number;
  /** Called after each committed batch that changed tallies. */
  onCommitted?: (change: TallyChange) => void;
  /** The projection definitions to keep (default `PROJECTIONS`). */
  projections?: readonly ProjectionDefinition[];
  logger?: ProjectorLogger;
}

/**
 * Keeps the read models up to date from the event store's subscription, from the stored checkpoint
 * on. Several processes may run one: a lease in the checkpoint row lets one project while the
 * others wait and take over when its lease runs out.
 */
export class Projector {
  readonly name: string;
  readonly owner: string;
  private readonly origin: string;
  private readonly batchSize: number;
  private readonly leaseSeconds: number;
  private subscription?: { stop(): Promise<void> };
  /** Bumped on every (re)subscription; callbacks of an older one are ignored. */
  private generation = 0;
  private expectedFrom = '0';
  private running = false;
  private restartTimer?: NodeJS.Timeout;
  /** Renews the lease while this projector leads, batches or not. */
  private heartbeat?: NodeJS.Timeout;
  private waiters: Array<{ position: string; resolve: () => void }> = [];

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: EventStore,
    private readonly options: ProjectorOptions = {},
  ) {
    this.name = options.name ?? TALLIES_PROJECTION;
    this.owner = options.owner ?? `projector-${randomUUID()}`;
    this.origin = options.origin ?? this.owner;
    this.batchSize = options.batchSize ?? 1000;
    this.leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  }

  /** The checkpoint this projector has committed up to. */
  get position(): string {
    return this.expectedFrom;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.subscribe();
  }

  /** Stops projecting and hands the lease back, so a standby takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    this.generation += 1;
    clearTimeout(this.restartTimer);
    this.stopHeartbeat();
    const sub = this.subscription;
    this.subscription = undefined;
    await sub?.stop();
    await releaseLease(this.db, this.name, this.owner).catch(() => undefined);
  }

  /** Resolves once this projector has committed `position` or later (for tests and the CLI). */
  waitFor(position: string): Promise<void> {
    if (comparePositions(this.expectedFrom, position) >= 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  private async subscribe(): Promise<void> {
    const generation = ++this.generation;
    this.expectedFrom = await readCheckpoint(this.db, this.name);
    if (!this.running || generation !== this.generation) return;
    this.resolveWaiters();
    this.subscription = this.store.subscribe(this.expectedFrom, (batch) => this.onBatch(generation, batch), { batchSize: this.batchSize });
  }

  private async onBatch(generation: number, batch: ReadAllBatch): Promise<void> {
    if (generation !== this.generation) return;
    // A throw here makes the subscription retry the same batch after a backoff.
    const target = { name: this.name, owner: this.owner, leaseSeconds: this.leaseSeconds, origin: this.origin };
    const outcome = await applyBatch(this.db, target, this.expectedFrom, batch, this.options.projections);
    if (generation !== this.generation) return;
    if (outcome.kind === 'applied') {
      this.startHeartbeat();
      this.expectedFrom = outcome.position;
      this.resolveWaiters();
      if (outcome.change) this.options.onCommitted?.(outcome.change);
      return;
    }
    this.stopHeartbeat();
    const delayMs = outcome.kind === 'leased' ? outcome.retryInMs + 50 : 0;
    if (outcome.kind === 'leased') this.options.logger?.log(`projector ${this.name}: ${outcome.owner ?? 'another process'} projects; standing by`);
    else this.options.logger?.warn(`projector ${this.name}: checkpoint was reset to ${outcome.stored}; resubscribing`);
    this.restart(delayMs);
  }

  /** Drops the current subscription (without waiting inside its own callback) and subscribes again later. */
  private restart(delayMs: number): void {
    this.generation += 1;
    const sub = this.subscription;
    this.subscription = undefined;
    void sub?.stop();
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.running) return;
      this.subscribe().catch((err: unknown) => {
        this.options.logger?.warn(`projector ${this.name}: resubscribe failed: ${String(err)}`);
        this.restart(1000);
      });
    }, delayMs);
  }

  /**
   * Keeps the lease while leading, so leadership ends with the process (SIGKILL, lost network)
   * within one lease, not at the next batch. A renewal that finds another owner stops it: the next
   * batch then finds the lease taken and this projector stands by. Exactly once does not rest on
   * it: every batch locks the checkpoint row and checks the owner in its own transaction.
   */
  private startHeartbeat(): void {
    if (this.heartbeat) return;
    const every = Math.max(100, (this.leaseSeconds * 1000) / 4);
    this.heartbeat = setInterval(() => {
      renewLease(this.db, this.name, this.owner, this.leaseSeconds).then(
        (held) => {
          if (!held) this.stopHeartbeat();
        },
        (err: unknown) => this.options.logger?.warn(`projector ${this.name}: lease renewal failed: ${String(err)}`),
      );
    }, every);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private resolveWaiters(): void {
    const ready = this.waiters.filter((w) => comparePositions(this.expectedFrom, w.position) >= 0);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
