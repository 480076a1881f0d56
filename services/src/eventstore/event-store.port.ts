import type { EventMetadata } from '@suara/contracts';
import type { StreamHead } from './hash-chain';

/**
 * What a writer expects of a stream's version before appending. A number is the exact current
 * version (the count of events in the stream; 0 = empty).
 */
export type ExpectedVersion = number | 'NO_STREAM' | 'STREAM_EXISTS' | 'ANY';

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
  /** who, when, request id, election; the store adds `prevHash` and `hash`. */
  metadata: Omit<EventMetadata, 'prevHash' | 'hash'>;
}

export interface RecordedEvent {
  streamId: string;
  /** 1-based position within its stream; equals the stream version after this event. */
  streamPosition: number;
  /** Global order position, opaque; compare with `comparePositions` from contracts. */
  checkpoint: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface AppendResult {
  /** The stream's version after the append. */
  nextExpectedVersion: number;
  /** Checkpoint of the last appended event. */
  checkpoint: string;
}

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number | null,
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual ${actual === null ? 'none' : actual}`);
    this.name = 'ConcurrencyError';
  }
}

export interface ReadAllBatch {
  events: RecordedEvent[];
  /** Where the next read should start; equals the input when nothing new is visible yet. */
  checkpoint: string;
}

/** The whole log as of one moment, for a backup or a check (`EventStore.readLog`). */
export interface LogSnapshot {
  /** Every event committed when the snapshot began, in global order, a batch at a time. */
  events: AsyncIterable<RecordedEvent[]>;
  /** Each stream's recorded head (version, last hash) in the same snapshot; undefined where the store records none. */
  streamHeads(): Promise<ReadonlyMap<string, StreamHead> | undefined>;
}

/** The event store port. Adapters: SQL (PGlite and PostgreSQL), KurrentDB. */
export interface EventStore {
  readonly kind: string;
  append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  /** Every event of the stream, oldest first; empty when the stream does not exist. */
  read(streamId: string): Promise<RecordedEvent[]>;
  /**
   * The next events in global order after `from` ("0" = the beginning), never skipping an event
   * whose transaction commits later than a later-numbered one.
   */
  readAll(from: string, limit: number): Promise<ReadAllBatch>;
  /** Calls `onEvents` for each new batch from `from`; resolves when stopped. Returns a stop function. */
  subscribe(from: string, onEvents: (batch: ReadAllBatch) => Promise<void>, options?: { batchSize?: number }): { stop(): Promise<void> };
  /**
   * Hands `fn` the whole log as of one moment. Unlike paging with `readAll`, which stops short of
   * any transaction still open (so a subscription never skips a late commit), it sees every event
   * committed when the read began.
   */
  readLog<T>(fn: (log: LogSnapshot) => Promise<T>): Promise<T>;
  /** The checkpoint of the newest event visible to readers, "0" when empty. */
  head(): Promise<string>;
  close(): Promise<void>;
}
