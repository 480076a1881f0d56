import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchReader, createKurrentDbEventStore, KurrentDbEventStore } from './kurrentdb.event-store';

// What can be checked without a server: argument checks that refuse before any I/O, and the
// batching of a subscription's readable stream (a plain Node stream here, not a fake server).

const url = 'kurrentdb://127.0.0.1:1?tls=false';
const metadata = { userId: 'u', role: 'operator' as const, at: '2024-02-14T13:00:00Z', requestId: 'r', electionId: 'e' };

describe('KurrentDbEventStore without a server', () => {
  it('refuses a URL of another kind', () => {
    expect(() => createKurrentDbEventStore('postgres://db/x')).toThrow(/EVENTSTORE_URL/);
  });

  it('refuses an empty stream prefix (it would subscribe to every stream, system ones included)', () => {
    expect(() => new KurrentDbEventStore({ connectionString: url, streamPrefixes: [] })).toThrow(/prefixes/);
    expect(() => new KurrentDbEventStore({ connectionString: url, streamPrefixes: [''] })).toThrow(/prefixes/);
  });

  it('refuses to append to a stream its subscriptions would never see', async () => {
    const store = createKurrentDbEventStore(url);
    await expect(store.append('user-1', [{ type: 'X', data: {}, metadata }], 'ANY')).rejects.toThrow(/outside this store's prefixes/);
    await store.close();
  });

  it('refuses a checkpoint of another store when subscribing', async () => {
    const store = createKurrentDbEventStore(url, { streamPrefixes: ['result-', 'user-'] });
    expect(() => store.subscribe('12', async () => undefined)).toThrow(RangeError);
    expect(store.kind).toBe('kurrentdb');
    await store.close();
  });
});

describe('batchReader', () => {
  it('hands over what is buffered as one batch, at most max at a time', async () => {
    const stream = new PassThrough({ objectMode: true });
    const next = batchReader<number>(stream);
    for (const n of [1, 2, 3, 4, 5]) stream.write(n);
    expect(await next(3)).toEqual([1, 2, 3]);
    expect(await next(3)).toEqual([4, 5]);
  });

  it('waits for the next item when nothing is buffered', async () => {
    const stream = new PassThrough({ objectMode: true });
    const next = batchReader<string>(stream);
    const pending = next(10);
    setImmediate(() => stream.write('late'));
    expect(await pending).toEqual(['late']);
  });

  it('ends with null once the stream ends and everything was taken', async () => {
    const stream = new PassThrough({ objectMode: true });
    const next = batchReader<number>(stream);
    stream.end(7);
    expect(await next(10)).toEqual([7]);
    expect(await next(10)).toBeNull();
  });

  it('rejects with the stream’s error (a dropped subscription)', async () => {
    const stream = new PassThrough({ objectMode: true });
    const next = batchReader<number>(stream);
    const pending = next(10);
    stream.destroy(new Error('connection reset'));
    await expect(pending).rejects.toThrow('connection reset');
  });
});
