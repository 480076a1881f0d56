import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReadAllBatch } from './event-store.port';
import { pollSubscription, type PollSource, type Subscription } from './poll-subscription';

/**
 * On a fake clock (vitest's timers replace setTimeout and performance.now): reads are
 * counted at exact virtual times, so a busy machine cannot change the answer.
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A source with one new event at every read, which notifies right after each of its first `notifications` reads. */
function notifyingSource(notifications: number) {
  const readsAt: number[] = [];
  let wake: (() => void) | undefined;
  const source: PollSource = {
    async readAll(): Promise<ReadAllBatch> {
      readsAt.push(performance.now());
      const n = readsAt.length;
      // Notified while the read is still in flight: the subscription must not lose it.
      if (n <= notifications) queueMicrotask(() => wake?.());
      return { events: [{ checkpoint: `0:${n}` } as never], checkpoint: `0:${n}` };
    },
    async onAppended(w) {
      wake = w;
      return async () => undefined;
    },
  };
  return { source, readsAt };
}

function subscribe(source: PollSource, minIntervalMs?: number) {
  return pollSubscription(source, '0', async () => undefined, { batchSize: 100, idleMs: 1_000, minIntervalMs, logger: { warn: () => undefined } });
}

/** Moves the fake clock by `ms`, then lets the reads it released start. */
async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await vi.advanceTimersByTimeAsync(0);
}

/** Stops a subscription that may be waiting on a fake timer. */
async function stop(sub: Subscription): Promise<void> {
  const stopped = sub.stop();
  await vi.runAllTimersAsync();
  await stopped;
}

describe('pollSubscription', () => {
  it('given notifications after every read, then without minIntervalMs it reads again at once', async () => {
    const { source, readsAt } = notifyingSource(10);
    const sub = subscribe(source);
    await advance(0);
    // Ten notified reads and the one after the last notification, all without the clock moving.
    expect(readsAt).toEqual(Array(11).fill(0));
    // Then nothing until the idle poll.
    await advance(999);
    expect(readsAt).toHaveLength(11);
    await advance(1);
    expect(readsAt).toEqual([...Array(11).fill(0), 1_000]);
    await stop(sub);
  });

  it('given minIntervalMs, then reads start exactly that far apart however often it is notified, and idle polls go on', async () => {
    const { source, readsAt } = notifyingSource(10);
    const sub = subscribe(source, 100);
    await advance(2_100);
    // After the last notified read: minIntervalMs, then the idle wait.
    expect(readsAt).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000, 2_100]);
    await stop(sub);
  });

  it('given no notifications, then it polls every idleMs', async () => {
    const { source, readsAt } = notifyingSource(0);
    const sub = subscribe(source);
    await advance(3_500);
    expect(readsAt).toEqual([0, 1_000, 2_000, 3_000]);
    await stop(sub);
  });
});
