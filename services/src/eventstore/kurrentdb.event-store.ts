/**
 * EventStore port on KurrentDB / EventStoreDB.
 *
 * Client: `@eventstore/db-client` 6.2.1 rather than its successor `@kurrent/kurrentdb-client` 1.3.1.
 * Both speak the same gRPC protocol to KurrentDB 24–25 servers and expose the same calls (a switch is
 * an import rename). 6.2.1 is pure JavaScript on `@grpc/grpc-js`; 1.3.1 routes reads through a native
 * Rust bridge (`@kurrent/bridge`, a prebuilt binary per platform/libc) and pins `@types/node` 22 while
 * we build on Node 20. What 1.3.1 adds that we would use — server-side filtering of `$all` reads — is
 * covered by filtering on the client here (subscriptions are filtered on the server by both).
 */
import type { Readable } from 'node:stream';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { checkExpected } from './append-plan';
import type { AppendResult, EventStore, ExpectedVersion, LogSnapshot, NewEvent, ReadAllBatch, RecordedEvent } from './event-store.port';
import type { StreamHead } from './hash-chain';
import {
  backoffDelay,
  decodeCheckpoint,
  DEFAULT_BACKOFF,
  DEFAULT_STREAM_PREFIXES,
  encodePosition,
  isStreamNotFound,
  isWrongExpectedVersion,
  matchesPrefixes,
  selectAfter,
  stampEvents,
  START_CHECKPOINT,
  toClientConnectionString,
  toEventData,
  toExpectedRevision,
  toRecordedEvent,
  translateAppendError,
  versionOfRevision,
  type BackoffOptions,
} from './kurrentdb.translation';

export interface KurrentDbEventStoreOptions {
  /** `esdb://`, `esdb+discover://` or `kurrentdb://` connection string (EVENTSTORE_URL). */
  connectionString: string;
  /** Streams that belong to suara; `readAll`, `subscribe` and `head` see only these. */
  streamPrefixes?: readonly string[];
  /** Resubscription delays after a dropped subscription. */
  backoff?: BackoffOptions;
  /** `$all` events fetched per read request. */
  pageSize?: number;
  /** Attempts for ANY / STREAM_EXISTS appends that lose a race with a writer in another process. */
  appendAttempts?: number;
  log?: { warn(message: string, detail?: Record<string, unknown>): void };
}

type Head = StreamHead & { checkpoint: string };

export class KurrentDbEventStore implements EventStore {
  readonly kind = 'kurrentdb';
  private readonly client: EventStoreDBClient;
  private readonly prefixes: readonly string[];
  private readonly backoff: BackoffOptions;
  private readonly pageSize: number;
  private readonly appendAttempts: number;
  private readonly log: NonNullable<KurrentDbEventStoreOptions['log']>;
  private readonly subscriptions = new Set<{ stop(): Promise<void> }>();
  private readonly streamQueues = new Map<string, Promise<void>>();

  constructor(options: KurrentDbEventStoreOptions) {
    // Lazy: no connection is opened until the first call.
    this.client = EventStoreDBClient.connectionString(toClientConnectionString(options.connectionString));
    this.prefixes = options.streamPrefixes ?? DEFAULT_STREAM_PREFIXES;
    if (this.prefixes.length === 0 || this.prefixes.some((p) => p === '')) throw new Error('KurrentDbEventStore: stream prefixes must be non-empty');
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.pageSize = options.pageSize ?? 1000;
    this.appendAttempts = options.appendAttempts ?? 20;
    this.log = options.log ?? { warn: (message, detail) => console.warn(message, detail ?? '') };
  }

  /**
   * The hash chain links each event to the stream's last one, so every append first reads that
   * event and then demands exactly the revision it saw: a writer slipping in between makes the
   * server refuse the write (WrongExpectedVersion) instead of forking the chain. For a numeric or
   * NO_STREAM expectation that demanded revision is precisely `toExpectedRevision(expected)`;
   * ANY and STREAM_EXISTS are checked against what was read and retried when another writer won.
   * Appends to one stream from this process queue behind each other, so only writers in other
   * processes can race (and retry).
   */
  append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    try {
      this.assertOurs(streamId);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.exclusive(streamId, () => this.appendNow(streamId, events, expected));
  }

  private async appendNow(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const head = await this.readHead(streamId);
      const rejection = checkExpected({ streamId, events, expected }, head);
      if (rejection) throw rejection;
      const version = head?.version ?? 0;
      if (events.length === 0) return { nextExpectedVersion: version, checkpoint: head?.checkpoint ?? (await this.head()) };
      const chained = stampEvents(streamId, events, head);
      try {
        const result = await this.client.appendToStream(streamId, chained.map(toEventData), { expectedRevision: toExpectedRevision(version) });
        const nextExpectedVersion = versionOfRevision(result.nextExpectedRevision);
        const checkpoint = result.position ? encodePosition(result.position) : (await this.readHead(streamId))!.checkpoint;
        return { nextExpectedVersion, checkpoint };
      } catch (err) {
        const exact = typeof expected === 'number' || expected === 'NO_STREAM';
        if (!isWrongExpectedVersion(err) || exact || attempt >= this.appendAttempts) throw translateAppendError(err, streamId, expected);
        // Another process won this round; spread the retries so the two do not collide again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /** Runs `fn` after every earlier call for the same stream has settled. */
  private async exclusive<T>(streamId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.streamQueues.get(streamId) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.streamQueues.set(streamId, tail);
    try {
      return await run;
    } finally {
      if (this.streamQueues.get(streamId) === tail) this.streamQueues.delete(streamId);
    }
  }

  async read(streamId: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: START })) {
        const recorded = toRecordedEvent(resolved);
        if (recorded) events.push(recorded);
      }
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw err;
    }
    return events;
  }

  /** `$all` reads cannot be filtered on the server with this client: pages are filtered here. */
  async readAll(from: string, limit: number): Promise<ReadAllBatch> {
    const events: RecordedEvent[] = [];
    let checkpoint = from;
    let position: ReadPosition = decodeCheckpoint(from);
    while (events.length < limit) {
      const page: AllStreamResolvedEvent[] = await this.collect(this.client.readAll({ direction: FORWARDS, fromPosition: position, maxCount: this.pageSize }));
      const selected = selectAfter(page, checkpoint, this.prefixes);
      const kept = selected.events.slice(0, limit - events.length);
      events.push(...kept);
      checkpoint = kept.at(-1)?.checkpoint ?? checkpoint;
      const last: Position | undefined = page.at(-1)?.event?.position;
      if (page.length < this.pageSize || !last) break;
      position = last; // inclusive: the event at `last` comes again and is dropped by selectAfter
    }
    return { events, checkpoint };
  }

  /** Every appended event is readable at once here (no transactions to wait for): the log is `readAll` paged from the start; streams have no separate head. */
  readLog<T>(fn: (log: LogSnapshot) => Promise<T>): Promise<T> {
    return fn({ events: this.pagedLog(), streamHeads: async () => undefined });
  }

  private async *pagedLog(batchSize = 5000): AsyncGenerator<RecordedEvent[]> {
    let from = START_CHECKPOINT;
    for (;;) {
      const batch = await this.readAll(from, batchSize);
      if (batch.events.length === 0) return;
      yield batch.events;
      from = batch.checkpoint;
    }
  }

  subscribe(from: string, onEvents: (batch: ReadAllBatch) => Promise<void>, options?: { batchSize?: number }): { stop(): Promise<void> } {
    decodeCheckpoint(from);
    const batchSize = options?.batchSize ?? 500;
    let stopped = false;
    let current: { unsubscribe(): Promise<void> } | undefined;
    let wakeSleeper: (() => void) | undefined;

    const runOnce = async (checkpoint: string): Promise<string> => {
      const subscription = this.client.subscribeToAll({
        fromPosition: decodeCheckpoint(checkpoint),
        filter: streamNameFilter({ prefixes: [...this.prefixes] }),
      });
      current = subscription;
      const next = batchReader<AllStreamResolvedEvent>(subscription);
      try {
        for (;;) {
          const raw = await next(batchSize);
          if (raw === null || stopped) return checkpoint;
          const batch = selectAfter(raw, checkpoint, this.prefixes);
          if (batch.events.length === 0) continue;
          await onEvents(batch);
          checkpoint = batch.checkpoint;
        }
      } finally {
        current = undefined;
        await subscription.unsubscribe().catch(() => undefined);
      }
    };

    // Resubscribes from the last checkpoint whose batch `onEvents` completed: nothing is skipped,
    // and a batch interrupted by a drop or a failing handler is delivered again.
    const loop = async () => {
      let checkpoint = from;
      let failures = 0;
      while (!stopped) {
        const before = checkpoint;
        try {
          checkpoint = await runOnce(checkpoint);
          if (stopped) break;
          this.log.warn('kurrentdb subscription ended; resubscribing', { checkpoint });
        } catch (err) {
          if (stopped) break;
          this.log.warn('kurrentdb subscription dropped; resubscribing', { checkpoint, error: (err as Error).message });
        }
        failures = checkpoint === before ? failures + 1 : 1;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, backoffDelay(failures, this.backoff));
          wakeSleeper = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wakeSleeper = undefined;
      }
    };

    const done = loop();
    const handle = {
      stop: async () => {
        stopped = true;
        wakeSleeper?.();
        await current?.unsubscribe().catch(() => undefined);
        await done;
        this.subscriptions.delete(handle);
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  /** The newest of our events in `$all`, read backwards past other streams' events. */
  async head(): Promise<string> {
    let position: ReadPosition = END;
    for (;;) {
      const page: AllStreamResolvedEvent[] = await this.collect(this.client.readAll({ direction: BACKWARDS, fromPosition: position, maxCount: this.pageSize }));
      for (const resolved of page) {
        const e = resolved.event;
        if (e?.position && matchesPrefixes(e.streamId, this.prefixes) && toRecordedEvent(resolved)) return encodePosition(e.position);
      }
      const last: Position | undefined = page.at(-1)?.event?.position;
      if (page.length < this.pageSize || !last) return START_CHECKPOINT;
      position = last;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  private assertOurs(streamId: string): void {
    // An event outside our prefixes would be stored but never reach a projection.
    if (!matchesPrefixes(streamId, this.prefixes)) throw new Error(`stream ${streamId} is outside this store's prefixes (${this.prefixes.join(', ')})`);
  }

  private async readHead(streamId: string): Promise<Head | undefined> {
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        const last = toRecordedEvent(resolved as ResolvedEvent);
        if (last) return { version: last.streamPosition, lastHash: last.metadata.hash ?? '', checkpoint: last.checkpoint };
      }
    } catch (err) {
      if (isStreamNotFound(err)) return undefined;
      throw err;
    }
    return undefined;
  }

  private async collect<T>(read: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of read) out.push(item);
    return out;
  }
}

/** EVENTSTORE_URL → the store (used by the event store factory). */
export function createKurrentDbEventStore(connectionString: string, options: Omit<KurrentDbEventStoreOptions, 'connectionString'> = {}): KurrentDbEventStore {
  return new KurrentDbEventStore({ connectionString, ...options });
}

/**
 * Takes whatever a readable subscription has buffered, up to `max`, waiting only when nothing is:
 * a burst becomes one batch (one projector transaction) while a trickle is passed on at once.
 * Resolves null when the stream ends; rejects with its error.
 */
export function batchReader<T>(stream: Readable): (max: number) => Promise<T[] | null> {
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on('readable', notify);
  stream.on('error', (err: Error) => {
    failure = err;
    notify();
  });
  stream.on('end', () => {
    ended = true;
    notify();
  });
  stream.on('close', () => {
    ended = true;
    notify();
  });
  return async (max) => {
    for (;;) {
      const items: T[] = [];
      let item: T | null;
      while (items.length < max && (item = stream.read() as T | null) !== null) items.push(item);
      if (items.length > 0) return items;
      if (failure) throw failure;
      if (ended) return null;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
}
