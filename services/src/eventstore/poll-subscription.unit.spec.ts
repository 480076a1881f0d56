import { describe, expect, it } from 'vitest';
import type { ReadAllBatch } from './event-store.port';
import { pollSubscription, type PollSource } from './poll-subscription';

/** A source that has one new event at every read and notifies right after each read. */
function busySource() {
  const readsAt: number[] = [];
  let wake: (() => void) | undefined;
  let n = 0;
  const source: PollSource = {
    async readAll(): Promise<ReadAllBatch> {
      readsAt.push(performance.now());
      n += 1;
      setImmediate(() => wake?.());
      return { events: [{ checkpoint: `0:${n}` } as never], checkpoint: `0:${n}` };
    },
    async onAppended(w) {
      wake = w;
      return async () => undefined;
    },
  };
  return { source, readsAt };
}

async function readsFor(ms: number, minIntervalMs: number | undefined): Promise<number[]> {
  const { source, readsAt } = busySource();
  const sub = pollSubscription(source, '0', async () => undefined, { batchSize: 100, idleMs: 1_000, minIntervalMs, logger: { warn: () => undefined } });
  await new Promise((r) => setTimeout(r, ms));
  await sub.stop();
  return readsAt;
}

describe('pollSubscription', () => {
  it('given notifications after every read, then without minIntervalMs it reads again at once', async () => {
    const reads = await readsFor(200, undefined);
    expect(reads.length).toBeGreaterThan(20);
  });

  it('given minIntervalMs, then reads start at least that far apart however often it is notified', async () => {
    const reads = await readsFor(450, 100);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < reads.length; i++) expect(reads[i] - reads[i - 1]).toBeGreaterThanOrEqual(100);
  });
});
