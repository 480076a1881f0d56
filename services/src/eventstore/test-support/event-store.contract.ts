import { randomUUID } from 'node:crypto';
import { comparePositions } from '@suara/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConcurrencyError, type AppendResult, type EventStore, type ExpectedVersion, type NewEvent, type ReadAllBatch, type RecordedEvent } from '../event-store.port';
import { verifyStreamChain } from '../hash-chain';

export interface OpenTransactionAppend {
  /** Commits the transaction that holds the append. */
  commit(): Promise<void>;
}

export interface EventStoreContractFixture {
  store: EventStore;
  /**
   * Appends `events` inside a transaction that stays open until `commit()`: the late-commit case.
   * Resolves once the events are written (not committed).
   */
  appendInOpenTransaction?(streamId: string, events: NewEvent[]): Promise<OpenTransactionAppend>;
  teardown(): Promise<void>;
}

export interface EventStoreContractOptions {
  /**
   * How a second writer behaves while `appendInOpenTransaction` holds a transaction open:
   * 'concurrent' (PostgreSQL: it commits first) or 'serialized' (PGlite: one connection, it waits).
   */
  lateCommit?: 'concurrent' | 'serialized';
  /** The store takes appends issued together into one commit, applied in call order. */
  groupCommit?: boolean;
}

const meta = { userId: 'contract', role: 'system' as const, at: '2024-02-14T10:00:00.000Z', requestId: 'req', electionId: 'pemilu-2024' };

function events(count: number, label = 'e'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'ContractTested', data: { label, i, nested: { z: 1, a: [i, 'x'] } }, metadata: meta }));
}

/** Every event of `streams`, in global order, through readAll pages of `pageSize` from `from`. */
async function readAllOf(store: EventStore, from: string, streams: Set<string>, pageSize = 1000): Promise<RecordedEvent[]> {
  const found: RecordedEvent[] = [];
  let checkpoint = from;
  for (;;) {
    const batch = await store.readAll(checkpoint, pageSize);
    found.push(...batch.events.filter((e) => streams.has(e.streamId)));
    if (batch.events.length < pageSize) return found;
    checkpoint = batch.checkpoint;
  }
}

/** A subscription that records what it receives, for the streams of interest only. */
function recordingSubscription(store: EventStore, from: string, streams: Set<string>, batchSize?: number) {
  const received: RecordedEvent[] = [];
  const batches: ReadAllBatch[] = [];
  const subscription = store.subscribe(
    from,
    async (batch) => {
      batches.push(batch);
      received.push(...batch.events.filter((e) => streams.has(e.streamId)));
    },
    { batchSize },
  );
  return { received, batches, stop: () => subscription.stop() };
}

const ids = (events: RecordedEvent[]) => events.map((e) => `${e.streamId}#${e.streamPosition}`);

async function rejection(promise: Promise<unknown>): Promise<ConcurrencyError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConcurrencyError);
  return error as ConcurrencyError;
}

/** The behaviour every event store adapter must have. */
export function runEventStoreContract(name: string, factory: () => Promise<EventStoreContractFixture>, options: EventStoreContractOptions = {}): void {
  describe(`event store contract: ${name}`, () => {
    let fixture: EventStoreContractFixture;
    let store: EventStore;
    const stream = (label: string) => `contract-${label}-${randomUUID()}`;

    beforeAll(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.teardown();
    });

    describe('append and read', () => {
      it('reads a stream back in order with 1-based positions and versions', async () => {
        const id = stream('order');
        expect(await store.append(id, events(3, 'first'), 'NO_STREAM')).toMatchObject({ nextExpectedVersion: 3 });
        expect(await store.append(id, events(2, 'second'), 3)).toMatchObject({ nextExpectedVersion: 5 });
        const read = await store.read(id);
        expect(read.map((e) => e.streamPosition)).toEqual([1, 2, 3, 4, 5]);
        expect(read.map((e) => [e.data.label, e.data.i])).toEqual([
          ['first', 0],
          ['first', 1],
          ['first', 2],
          ['second', 0],
          ['second', 1],
        ]);
        expect(read[0]).toMatchObject({ streamId: id, type: 'ContractTested', data: { nested: { z: 1, a: [0, 'x'] } }, metadata: meta });
      });

      it('returns the checkpoint of the last appended event', async () => {
        const id = stream('checkpoint');
        const result = await store.append(id, events(2), 'NO_STREAM');
        const read = await store.read(id);
        expect(result.checkpoint).toBe(read[1].checkpoint);
        expect(comparePositions(read[0].checkpoint, read[1].checkpoint)).toBeLessThan(0);
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.read(stream('missing'))).toEqual([]);
      });
    });

    describe('expected version', () => {
      const cases: [string, ExpectedVersion, 'new' | 'existing (2 events)', number | null | 'ok'][] = [
        ['NO_STREAM accepts a new stream', 'NO_STREAM', 'new', 'ok'],
        ['NO_STREAM rejects an existing stream', 'NO_STREAM', 'existing (2 events)', 2],
        ['STREAM_EXISTS rejects a new stream', 'STREAM_EXISTS', 'new', null],
        ['STREAM_EXISTS accepts an existing stream', 'STREAM_EXISTS', 'existing (2 events)', 'ok'],
        ['ANY accepts a new stream', 'ANY', 'new', 'ok'],
        ['ANY accepts an existing stream', 'ANY', 'existing (2 events)', 'ok'],
        ['0 accepts a new stream', 0, 'new', 'ok'],
        ['0 rejects an existing stream', 0, 'existing (2 events)', 2],
        ['the exact version accepts', 2, 'existing (2 events)', 'ok'],
        ['an older version rejects', 1, 'existing (2 events)', 2],
        ['a newer version rejects', 3, 'existing (2 events)', 2],
        ['a version on a new stream rejects', 2, 'new', null],
      ];
      it.each(cases)('%s', async (_title, expected, given, outcome) => {
        const id = stream('expected');
        if (given !== 'new') await store.append(id, events(2), 'NO_STREAM');
        const before = given === 'new' ? 0 : 2;
        const attempt = store.append(id, events(1, 'attempt'), expected);
        if (outcome === 'ok') {
          expect(await attempt).toMatchObject({ nextExpectedVersion: before + 1 });
          expect(await store.read(id)).toHaveLength(before + 1);
        } else {
          const error = await rejection(attempt);
          expect(error).toMatchObject({ streamId: id, expected, actual: outcome });
          expect(await store.read(id)).toHaveLength(before);
        }
      });

      it('lets exactly one of 50 concurrent NO_STREAM appends win', async () => {
        const id = stream('race');
        const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.append(id, events(1, `racer-${i}`), 'NO_STREAM')));
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(49);
        for (const error of lost) expect(error).toMatchObject({ name: 'ConcurrencyError', actual: 1 });
        expect(await store.read(id)).toHaveLength(1);
      });

      it('lets exactly one of 20 concurrent appends expecting the same version win', async () => {
        const id = stream('race-version');
        await store.append(id, events(1), 'NO_STREAM');
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.append(id, events(2), 1)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect((await store.read(id)).map((e) => e.streamPosition)).toEqual([1, 2, 3]);
      });
    });

    describe('concurrent appends', () => {
      it('a rejected append does not affect the others issued with it', async () => {
        const existing = stream('existing');
        await store.append(existing, events(2), 'NO_STREAM');
        const fresh = Array.from({ length: 10 }, () => stream('fresh'));
        const attempts: [string, Promise<unknown>, boolean][] = [
          ...fresh.map((id): [string, Promise<unknown>, boolean] => [id, store.append(id, events(2), 'NO_STREAM'), true]),
          [existing, store.append(existing, events(1), 'NO_STREAM'), false],
          [existing, store.append(existing, events(1), 7), false],
          [stream('missing'), store.append(stream('missing'), events(1), 'STREAM_EXISTS'), false],
          [existing, store.append(existing, events(1), 'ANY'), true],
          [existing, store.append(existing, events(1), 'STREAM_EXISTS'), true],
          [existing, store.append(existing, [{ type: 'Unserialisable', data: { n: 10n }, metadata: meta }], 'ANY'), false],
        ];
        const settled = await Promise.allSettled(attempts.map(([, p]) => p));
        expect(settled.map((s) => s.status === 'fulfilled')).toEqual(attempts.map(([, , ok]) => ok));
        for (const id of fresh) expect(await store.read(id)).toHaveLength(2);
        expect(await store.read(existing)).toHaveLength(4);
        expect(verifyStreamChain(await store.read(existing)).ok).toBe(true);
      });

      it('keeps every stream consistent under many concurrent writers', async () => {
        const streams = Array.from({ length: 5 }, () => stream('busy'));
        const appends = Array.from({ length: 200 }, (_, i) => store.append(streams[i % 5], events(1, `w${i}`), 'ANY'));
        const results = await Promise.all(appends);
        for (const id of streams) {
          const read = await store.read(id);
          expect(read.map((e) => e.streamPosition)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
          expect(verifyStreamChain(read).ok).toBe(true);
        }
        expect(new Set(results.map((r) => r.checkpoint)).size).toBe(200);
      });

      if (options.groupCommit) {
        it('applies appends to one stream issued together in call order', async () => {
          const id = stream('sequence');
          const results = await Promise.all([0, 1, 2, 3].map((v) => store.append(id, events(1, `v${v}`), v === 0 ? 'NO_STREAM' : v)));
          expect(results.map((r) => r.nextExpectedVersion)).toEqual([1, 2, 3, 4]);
          expect((await store.read(id)).map((e) => e.data.label)).toEqual(['v0', 'v1', 'v2', 'v3']);
        });

        it('commits appends issued together in one transaction', async () => {
          const streams = Array.from({ length: 10 }, () => stream('grouped'));
          const results = await Promise.all(streams.map((id) => store.append(id, events(1), 'NO_STREAM')));
          const transactions = new Set(results.map((r) => r.checkpoint.split(':')[0]));
          expect(transactions.size).toBe(1);
        });

        it('commits appends issued from separate callbacks of one event-loop turn in one transaction', async () => {
          // As requests read from different sockets are: on PGlite, whose queries run on this thread,
          // only waiting for the turn to end lets them group at all.
          const streams = Array.from({ length: 10 }, () => stream('turn'));
          const results = await Promise.all(
            streams.map((id) => new Promise<AppendResult>((resolve, reject) => setImmediate(() => store.append(id, events(1), 'NO_STREAM').then(resolve, reject)))),
          );
          expect(new Set(results.map((r) => r.checkpoint.split(':')[0])).size).toBe(1);
        });

        it('of appends issued together expecting new streams, only the one whose stream exists is refused', async () => {
          // Such a group is first written by one statement; the existing stream makes it fail whole,
          // and the group is then sorted out by the locking transaction.
          const existing = stream('exists');
          await store.append(existing, events(2), 'NO_STREAM');
          const fresh = Array.from({ length: 6 }, () => stream('new'));
          const settled = await Promise.allSettled([...fresh, existing].map((id) => store.append(id, events(1), 'NO_STREAM')));
          expect(settled.map((s) => s.status)).toEqual([...fresh.map(() => 'fulfilled'), 'rejected']);
          expect((settled[6] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
          for (const id of fresh) expect(await store.read(id)).toHaveLength(1);
          expect(await store.read(existing)).toHaveLength(2);
          const committed = settled.slice(0, 6).map((s) => (s as PromiseFulfilledResult<AppendResult>).value.checkpoint.split(':')[0]);
          expect(new Set(committed).size).toBe(1);
        });

        it('a value the database refuses fails only its own append', async () => {
          const good = Array.from({ length: 5 }, () => stream('good'));
          const bad = stream('nul');
          const settled = await Promise.allSettled([
            ...good.map((id) => store.append(id, events(1), 'NO_STREAM')),
            store.append(bad, [{ type: 'Refused', data: { text: 'nul \u0000 byte' }, metadata: meta }], 'NO_STREAM'),
          ]);
          expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
          for (const id of good) expect(await store.read(id)).toHaveLength(1);
          expect(await store.read(bad)).toEqual([]);
        });
      }
    });

    describe('global order', () => {
      it('readAll from "0" returns every event once, in append order, page by page', async () => {
        const streams = [stream('all-a'), stream('all-b'), stream('all-c')];
        const appended: string[] = [];
        for (let round = 0; round < 4; round++) {
          for (const id of streams) {
            const count = 1 + ((round + appended.length) % 3);
            const result = await store.append(id, events(count), 'ANY');
            for (let p = result.nextExpectedVersion - count + 1; p <= result.nextExpectedVersion; p++) appended.push(`${id}#${p}`);
          }
        }
        const interesting = new Set(streams);
        // Eventually: on a shared PostgreSQL server, any older open transaction holds readers back.
        await vi.waitFor(async () => expect(ids(await readAllOf(store, '0', interesting, 7))).toEqual(appended), { timeout: 20_000 });
        await vi.waitFor(
          async () => {
            const all = (await store.readAll('0', 100_000)).events;
            for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1].checkpoint, all[i].checkpoint)).toBeLessThan(0);
            expect(await store.head()).toBe(all[all.length - 1].checkpoint);
          },
          { timeout: 20_000 },
        );
      });

      it('readLog hands over every committed event in global order, with the stream heads where the store records them', async () => {
        const a = stream('log-a');
        const b = stream('log-b');
        await store.append(a, events(2), 'NO_STREAM');
        await store.append(b, events(1), 'NO_STREAM');
        await store.append(a, events(1), 2);
        const { seen, heads } = await store.readLog(async (log) => {
          const seen: RecordedEvent[] = [];
          for await (const batch of log.events) seen.push(...batch);
          return { seen, heads: await log.streamHeads() };
        });
        expect(ids(seen.filter((e) => e.streamId === a || e.streamId === b))).toEqual([`${a}#1`, `${a}#2`, `${b}#1`, `${a}#3`]);
        for (let i = 1; i < seen.length; i++) expect(comparePositions(seen[i - 1].checkpoint, seen[i].checkpoint)).toBeLessThan(0);
        if (heads) expect(heads.get(a)).toEqual({ version: 3, lastHash: (await store.read(a)).at(-1)!.metadata.hash });
      });

      it('readAll returns the input checkpoint when nothing is new', async () => {
        await vi.waitFor(
          async () => {
            const head = await store.head();
            expect(await store.readAll(head, 10)).toEqual({ events: [], checkpoint: head });
          },
          { timeout: 20_000 },
        );
      });

      it('a subscription resumed from its checkpoint delivers nothing twice and misses nothing', async () => {
        const id = stream('resume');
        const interesting = new Set([id]);
        const start = await store.head();
        await store.append(id, events(5), 'NO_STREAM');
        const first = recordingSubscription(store, start, interesting, 2);
        await vi.waitFor(() => expect(first.received).toHaveLength(5), { timeout: 20_000 });
        await first.stop();
        const resumeFrom = first.batches[first.batches.length - 1].checkpoint;

        await store.append(id, events(3), 5);
        const second = recordingSubscription(store, resumeFrom, interesting, 2);
        await vi.waitFor(() => expect(second.received).toHaveLength(3), { timeout: 20_000 });
        await store.append(id, events(2), 8);
        await vi.waitFor(() => expect(second.received).toHaveLength(5), { timeout: 20_000 });
        await second.stop();
        expect([...ids(first.received), ...ids(second.received)]).toEqual(Array.from({ length: 10 }, (_, i) => `${id}#${i + 1}`));
      });

      it('waits for onEvents before reading on, and stop() resolves after the current batch', async () => {
        const id = stream('backpressure');
        const start = await store.head();
        await store.append(id, events(4), 'NO_STREAM');
        let inFlight = 0;
        let maxInFlight = 0;
        const calls: number[] = [];
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const subscription = store.subscribe(
          start,
          async (batch) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            calls.push(batch.events.length);
            if (calls.length === 2) await gate;
            inFlight--;
          },
          { batchSize: 1 },
        );
        await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 20_000 });
        let stopped = false;
        const stopping = subscription.stop().then(() => (stopped = true));
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(stopped).toBe(false);
        release();
        await stopping;
        expect(calls).toHaveLength(2);
        expect(maxInFlight).toBe(1);
      });

      it('redelivers a batch whose handler failed', async () => {
        const id = stream('redeliver');
        const start = await store.head();
        await store.append(id, events(2), 'NO_STREAM');
        const seen: string[] = [];
        let failed = false;
        const subscription = store.subscribe(start, async (batch) => {
          const mine = batch.events.filter((e) => e.streamId === id);
          if (mine.length > 0 && !failed) {
            failed = true;
            throw new Error('projection failed once');
          }
          seen.push(...ids(mine));
        });
        await vi.waitFor(() => expect(seen).toEqual([`${id}#1`, `${id}#2`]), { timeout: 20_000 });
        await subscription.stop();
      });
    });

    describe('hash chain', () => {
      it('links every event to its predecessor across appends', async () => {
        const id = stream('chain');
        await store.append(id, events(2), 'NO_STREAM');
        await store.append(id, events(3), 2);
        const read = await store.read(id);
        expect(read[0].metadata.prevHash).toBe('');
        for (let i = 1; i < read.length; i++) expect(read[i].metadata.prevHash).toBe(read[i - 1].metadata.hash);
        expect(verifyStreamChain(read)).toEqual({ ok: true, problems: [] });
      });

      it('detects an event altered after it was stored', async () => {
        const id = stream('tamper');
        await store.append(id, events(3), 'NO_STREAM');
        const read = await store.read(id);
        read[1] = { ...read[1], data: { ...read[1].data, i: 42 } };
        expect(verifyStreamChain(read).problems).toEqual([expect.objectContaining({ streamId: id, streamPosition: 2, problem: 'altered' })]);
      });
    });

    if (options.lateCommit) {
      const lateCommit = options.lateCommit;
      it(`never skips an event whose transaction began earlier but committed later (${lateCommit} writers)`, async () => {
        const early = stream('late-early');
        const later = stream('late-later');
        const interesting = new Set([early, later]);
        const start = await store.head();
        const subscriber = recordingSubscription(store, start, interesting);
        expect(fixture.appendInOpenTransaction).toBeDefined();
        const open = await fixture.appendInOpenTransaction!(early, events(1, 'early'));

        if (lateCommit === 'concurrent') {
          // The later transaction commits while the earlier one is still open…
          await store.append(later, events(1, 'later'), 'NO_STREAM');
          expect(await store.read(later)).toHaveLength(1);
          // …yet readers must not move past the open one: give the subscriber a few polls to prove it.
          await new Promise((resolve) => setTimeout(resolve, 750));
          expect(ids(await readAllOf(store, start, interesting))).toEqual([]);
          expect(subscriber.received).toEqual([]);
          await open.commit();
        } else {
          // One connection: the second writer cannot run until the open transaction ends.
          let laterCommitted = false;
          const laterAppend = store.append(later, events(1, 'later'), 'NO_STREAM').then(() => (laterCommitted = true));
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(laterCommitted).toBe(false);
          await open.commit();
          await laterAppend;
        }

        const expected = [`${early}#1`, `${later}#1`];
        await vi.waitFor(() => expect(ids(subscriber.received)).toEqual(expected), { timeout: 20_000 });
        expect(ids(await readAllOf(store, start, interesting))).toEqual(expected);
        await new Promise((resolve) => setTimeout(resolve, 600));
        await subscriber.stop();
        expect(ids(subscriber.received)).toEqual(expected);
      });
    }
  });
}
