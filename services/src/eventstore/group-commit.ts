import type { SqlDatabase } from '../db/sql';
import type { AppendResult } from './event-store.port';
import type { AppendRequest } from './append-plan';
import { appendInTransaction, appendNewStreams, StreamsChangedError, type AppendOutcome } from './append-in-transaction';
import { UNIQUE_VIOLATION } from './sql/create-streams';
import { groupCommitSize } from '../metrics/metrics';

export interface GroupCommitOptions {
  /** Most appends taken into one transaction; default 500. */
  maxGroupSize?: number;
  /** Attempts per group on deadlock, serialization failure or a stream changed by another writer; default 8. */
  maxAttempts?: number;
}

interface Pending {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: Error): void;
}

/**
 * Commits appends in groups: while one transaction is in flight, new appends queue, and the next
 * transaction takes the whole queue (up to `maxGroupSize`). One commit then carries many
 * submissions, which is what lifts ingest above one fsync per submission. Callers are resolved
 * only after their group committed; a rejected append never fails the others in its group.
 */
export class GroupCommitter {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  private readonly maxGroupSize: number;
  private readonly maxAttempts: number;

  constructor(private readonly db: SqlDatabase, options: GroupCommitOptions = {}) {
    this.maxGroupSize = options.maxGroupSize ?? 500;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  append(request: AppendRequest): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.draining ??= this.drainSoon();
    });
  }

  /** Refuses new appends and resolves once every queued one has been committed or rejected. */
  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
  }

  private async drainSoon(): Promise<void> {
    // Wait one turn of the event loop, so every request already read from the sockets joins the
    // first group. On PGlite this is what groups at all: its queries run on this thread, so while a
    // transaction runs no request is read, and without the wait each group would hold one append.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroupSize);
        groupCommitSize.observe(group.length);
        await this.commitGroup(group);
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async commitGroup(group: Pending[]): Promise<void> {
    let outcomes: AppendOutcome[];
    try {
      outcomes = await this.transactWithRetry(group.map((p) => p.request));
    } catch (err) {
      // Something in the group broke the whole transaction (e.g. a value the database refuses):
      // commit the appends one by one so only the culprit fails.
      if (group.length > 1) {
        for (const pending of group) await this.commitGroup([pending]);
      } else {
        group[0].reject(err as Error);
      }
      return;
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? group[i].resolve(outcome.result) : group[i].reject(outcome.error)));
  }

  private async transactWithRetry(requests: AppendRequest[]): Promise<AppendOutcome[]> {
    if (requests.every((r) => r.expected === 'NO_STREAM')) {
      try {
        return await appendNewStreams(this.db, requests);
      } catch (err) {
        // Nothing was written: a stream exists, or a concurrent writer raced the statement.
        if (errorCode(err) !== UNIQUE_VIOLATION && !isRetryable(err)) throw err;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction((tx) => appendInTransaction(tx, requests));
      } catch (err) {
        if (!isRetryable(err) || attempt >= this.maxAttempts) throw err;
        await sleep(Math.random() * 5 * attempt);
      }
    }
  }
}

/** Deadlock, serialization failure, or a stream created by another writer since we locked. */
function isRetryable(err: unknown): boolean {
  if (err instanceof StreamsChangedError) return true;
  const code = errorCode(err);
  return code === '40P01' || code === '40001';
}

const errorCode = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
