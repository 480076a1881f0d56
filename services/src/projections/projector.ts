import { randomUUID } from 'node:crypto';
import { comparePositions } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import type { EventStore, ReadAllBatch, RecordedEvent } from '../eventstore/event-store.port';
import { runTogether, type Statement } from '../db/statements';
import {
  auditWrite,
  checkpointWrite,
  currentResultsWrite,
  loadCurrentResults,
  lockCheckpoint,
  notifyWrite,
  readCheckpoint,
  releaseLease,
  sumTallyDeltas,
  tallySumsWrite,
  TALLIES_PROJECTION,
} from './projection-store';
import { encodeTallyChange, TALLIES_CHANNEL, type TallyChange } from './tally-changes';
import { isResultEvent, keyOfEvent, projectBatch, type ChangedRegions } from './tally.projection';

export interface BatchTarget {
  /** Projection name (row of projection_checkpoints). */
  name: string;
  /** Who projects: only the lease holder may move the checkpoint. */
  owner: string;
  leaseSeconds: number;
  /** Identifies this process in NOTIFY payloads. */
  origin: string;
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
 */
export async function applyBatch(db: SqlDatabase, target: BatchTarget, from: string, batch: ReadAllBatch): Promise<BatchOutcome> {
  return db.transaction(async (tx): Promise<BatchOutcome> => {
    // Read models need no fsync of their own: a batch lost in a database crash is lost together with
    // its checkpoint, and is projected again from the events.
    const stored = await lockCheckpoint(tx, target.name, { relaxedCommit: true });
    if (stored.leased && stored.owner !== target.owner) return { kind: 'leased', owner: stored.owner, retryInMs: stored.lease_ms };
    if (comparePositions(stored.position, from) < 0) return { kind: 'behind', stored: stored.position };
    const events = batch.events.filter((e) => isResultEvent(e) && comparePositions(e.checkpoint, stored.position) > 0);
    const position = max(stored.position, batch.checkpoint);
    const writes: Array<Statement | undefined> = [];
    let changed: ChangedRegions[] = [];
    if (events.length > 0) {
      const previous = await loadCurrentResults(tx, streamsProjectedBefore(events));
      const effects = projectBatch(events, previous);
      const sums = await sumTallyDeltas(tx, effects.deltas);
      writes.push(currentResultsWrite(effects.results), tallySumsWrite(sums, position), auditWrite(effects.audit));
      changed = effects.changed;
    }
    writes.push(checkpointWrite(target.name, position, target.owner, target.leaseSeconds));
    const change = changed.length > 0 ? { position, regions: changed } : undefined;
    if (change) writes.push(notifyWrite(TALLIES_CHANNEL, encodeTallyChange(target.origin, change)));
    // One statement for every write of the batch: each round trip waits for a busy event loop.
    await runTogether(tx, writes);
    return { kind: 'applied', position, change };
  });
}

/**
 * The (election, TPS, ballot) keys whose stored state the batch needs: a stream whose first event
 * in the batch is its very first event (position 1) has none, and on election night that is most
 * of them, so the batch skips reading them back.
 */
function streamsProjectedBefore(events: readonly RecordedEvent[]): Array<{ electionId: string; tpsCode: string; ballot: string }> {
  const keys = new Map<string, { electionId: string; tpsCode: string; ballot: string } | null>();
  for (const e of events) {
    const key = keyOfEvent(e);
    if (keys.has(key)) continue;
    const d = e.data as { electionId: string; tpsCode: string; ballot: string };
    keys.set(key, e.streamPosition === 1 ? null : { electionId: d.electionId, tpsCode: d.tpsCode, ballot: d.ballot });
  }
  return [...keys.values()].filter((k) => k !== null);
}

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
  /** How long a batch's lease lasts; a standby projector takes over after it runs out. */
  leaseSeconds?: number;
  /** Called after each committed batch that changed tallies. */
  onCommitted?: (change: TallyChange) => void;
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
    this.leaseSeconds = options.leaseSeconds ?? 15;
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
    const outcome = await applyBatch(this.db, { name: this.name, owner: this.owner, leaseSeconds: this.leaseSeconds, origin: this.origin }, this.expectedFrom, batch);
    if (generation !== this.generation) return;
    if (outcome.kind === 'applied') {
      this.expectedFrom = outcome.position;
      this.resolveWaiters();
      if (outcome.change) this.options.onCommitted?.(outcome.change);
      return;
    }
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

  private resolveWaiters(): void {
    const ready = this.waiters.filter((w) => comparePositions(this.expectedFrom, w.position) >= 0);
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}
