import type { SqlDatabase } from '../db/sql';
import type { AppendResult, EventStore, ExpectedVersion, LogSnapshot, NewEvent, ReadAllBatch, RecordedEvent } from './event-store.port';
import { START_CHECKPOINT } from './checkpoint';
import { GroupCommitter, type GroupCommitOptions } from './group-commit';
import type { StreamHead } from './hash-chain';
import { pollSubscription, type EventStoreLogger, type Subscription } from './poll-subscription';
import { EVENTS_CHANNEL } from './sql/notify-appended';
import { readAll, readHead } from './sql/read-all';
import { readLog } from './sql/read-log';
import { readStream, readStreamHead } from './sql/read-stream';

export interface SqlEventStoreOptions extends GroupCommitOptions {
  /** Subscription poll interval when caught up; default 250 ms. */
  pollIdleMs?: number;
  /**
   * Least time between two subscription reads when caught up, however soon appends notify; default
   * 100 ms on PGlite, 0 on PostgreSQL. PGlite runs every statement on this process's one thread and
   * a projector batch costs about ten of them whatever its size: reading what arrived within 100 ms
   * as one batch, rather than event by event, is what lets the embedded service keep up.
   */
  pollMinIntervalMs?: number;
  logger?: EventStoreLogger;
}

/**
 * The event store on PostgreSQL or PGlite (same SQL). Appends are group-committed; readers page
 * through the global order by (transaction id, global position), never past a running transaction.
 * It does not own `db`: `close()` stops subscriptions and flushes appends, the caller closes `db`.
 */
export class SqlEventStore implements EventStore {
  readonly kind: SqlDatabase['kind'];
  private readonly committer: GroupCommitter;
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly options: SqlEventStoreOptions = {},
  ) {
    this.kind = db.kind;
    this.committer = new GroupCommitter(db, options);
  }

  append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) return Promise.reject(new Error(`stream ${streamId}: append needs at least one event`));
    return this.committer.append({ streamId, events, expected });
  }

  read(streamId: string): Promise<RecordedEvent[]> {
    return readStream(this.db, streamId);
  }

  readAll(from: string, limit: number): Promise<ReadAllBatch> {
    return readAll(this.db, from, limit);
  }

  subscribe(from: string, onEvents: (batch: ReadAllBatch) => Promise<void>, options: { batchSize?: number } = {}): Subscription {
    const source = {
      readAll: (checkpoint: string, limit: number) => this.readAll(checkpoint, limit),
      onAppended: (wake: () => void) => this.db.listen(EVENTS_CHANNEL, wake),
    };
    const inner = pollSubscription(source, from, onEvents, {
      batchSize: options.batchSize,
      idleMs: this.options.pollIdleMs,
      minIntervalMs: this.options.pollMinIntervalMs ?? (this.kind === 'pglite' ? 100 : 0),
      logger: this.options.logger,
    });
    const subscription: Subscription = {
      stop: async () => {
        this.subscriptions.delete(subscription);
        await inner.stop();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  readLog<T>(fn: (log: LogSnapshot) => Promise<T>): Promise<T> {
    return readLog(this.db, fn);
  }

  async head(): Promise<string> {
    return (await readHead(this.db)) ?? START_CHECKPOINT;
  }

  /** The stream's recorded version and last hash (the head of its hash chain); undefined when it does not exist. */
  streamHead(streamId: string): Promise<StreamHead | undefined> {
    return readStreamHead(this.db, streamId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.committer.close();
  }
}
