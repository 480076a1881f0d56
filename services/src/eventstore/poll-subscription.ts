import type { ReadAllBatch } from './event-store.port';

/** Where a subscription logs what it recovers from; Nest's Logger and console both fit. */
export interface EventStoreLogger {
  warn(message: string, ...rest: unknown[]): void;
}

export interface PollSubscriptionOptions {
  batchSize?: number;
  /** Poll interval when caught up; default 250 ms. */
  idleMs?: number;
  /**
   * Least time from one read's start to the next when caught up, even when notified at once; default 0.
   * Events arriving in between are read in one batch: fewer, larger batches.
   */
  minIntervalMs?: number;
  /** Longest wait between retries after a failure; default 5 s. */
  maxBackoffMs?: number;
  logger?: EventStoreLogger;
}

export interface PollSource {
  readAll(from: string, limit: number): Promise<ReadAllBatch>;
  /** Calls `wake` on every append notification; resolves to an unlisten function. */
  onAppended(wake: () => void): Promise<() => Promise<void>>;
}

export interface Subscription {
  stop(): Promise<void>;
}

/**
 * Delivers every event after `from`, in order and once, batch by batch. Polling is the source of
 * truth; a notification only cuts the idle wait short. The next read starts after `onEvents`
 * resolved (back-pressure). Failures of the read or of `onEvents` are logged and retried from the
 * last delivered checkpoint with growing backoff, so a restarting database only pauses delivery.
 */
export function pollSubscription(
  source: PollSource,
  from: string,
  onEvents: (batch: ReadAllBatch) => Promise<void>,
  options: PollSubscriptionOptions = {},
): Subscription {
  const batchSize = options.batchSize ?? 500;
  const idleMs = options.idleMs ?? 250;
  const minIntervalMs = options.minIntervalMs ?? 0;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const logger = options.logger ?? console;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  // Set by a notification that arrives while a read is in flight, so it is not lost.
  let notified = false;
  const wake = () => {
    notified = true;
    wakeUp?.();
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (notified || stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });

  async function run(): Promise<void> {
    const unlisten = await source.onAppended(wake).catch((err: unknown) => {
      logger.warn(`event subscription: no append notifications, polling only: ${String(err)}`);
      return undefined;
    });
    let checkpoint = from;
    let failures = 0;
    try {
      while (!stopped) {
        notified = false;
        const readStarted = performance.now();
        try {
          const batch = await source.readAll(checkpoint, batchSize);
          if (batch.events.length > 0) await onEvents(batch);
          checkpoint = batch.checkpoint;
          failures = 0;
          if (batch.events.length < batchSize && !stopped) {
            await sleepUntil(readStarted + minIntervalMs, () => stopped);
            await pause(idleMs);
          }
        } catch (err) {
          failures += 1;
          const backoff = Math.min(maxBackoffMs, idleMs * 2 ** Math.min(failures, 10));
          logger.warn(`event subscription failed at ${checkpoint} (attempt ${failures}), retrying in ${backoff} ms: ${String(err)}`);
          if (!stopped) await pause(backoff);
        }
      }
    } finally {
      await unlisten?.().catch(() => undefined);
    }
  }

  const running = run();
  return {
    async stop() {
      stopped = true;
      wake();
      await running;
    },
  };
}

/** Waits until `performance.now()` reaches `deadline` (a loop: a timer may fire a little early against it). */
async function sleepUntil(deadline: number, stopped: () => boolean): Promise<void> {
  for (let left = deadline - performance.now(); left > 0 && !stopped(); left = deadline - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}
