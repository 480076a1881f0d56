import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString';
import { comparePositions, type EventMetadata } from '@suara/contracts';
import { ConcurrencyError, type NewEvent, type RecordedEvent } from './event-store.port';
import { verifyStreamChain } from './hash-chain';
import {
  actualVersionOf,
  backoffDelay,
  decodeCheckpoint,
  encodePosition,
  isAfterCheckpoint,
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
} from './kurrentdb.translation';

const meta: Omit<EventMetadata, 'prevHash' | 'hash'> = {
  userId: 'u-1',
  role: 'operator',
  at: '2024-02-14T13:00:00.000Z',
  requestId: 'req-1',
  electionId: 'pemilu-2024',
};

function wrongVersion(expected: bigint | typeof NO_STREAM | typeof STREAM_EXISTS | typeof ANY, current: bigint | typeof NO_STREAM) {
  return new WrongExpectedVersionError(undefined, { streamName: 'result-a', expected, current });
}

/** A stored event as the client hands it back from a stream or `$all` read. */
function stored(streamId: string, revision: bigint, commit: bigint, overrides: Record<string, unknown> = {}): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: `id-${streamId}-${revision}`,
      isJson: true,
      revision,
      type: 'ResultSubmitted',
      created: new Date('2024-02-14T13:00:00Z'),
      data: { tpsCode: '1222011001001' },
      metadata: { ...meta, prevHash: '', hash: 'h' },
      position: { commit, prepare: commit },
      ...overrides,
    },
    commitPosition: commit,
  } as AllStreamResolvedEvent;
}

describe('expected version → KurrentDB expected revision', () => {
  it('maps a version (event count) to the 0-based revision of the last event', () => {
    expect(toExpectedRevision(1)).toBe(0n);
    expect(toExpectedRevision(2)).toBe(1n);
    expect(toExpectedRevision(42)).toBe(41n);
  });

  it('maps version 0 (empty) to NO_STREAM: there is no revision −1', () => {
    expect(toExpectedRevision(0)).toBe(NO_STREAM);
  });

  it('maps the named expectations one to one', () => {
    expect(toExpectedRevision('NO_STREAM')).toBe(NO_STREAM);
    expect(toExpectedRevision('STREAM_EXISTS')).toBe(STREAM_EXISTS);
    expect(toExpectedRevision('ANY')).toBe(ANY);
  });

  it('refuses versions that are not non-negative integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(() => toExpectedRevision(bad)).toThrow(RangeError);
    }
  });

  it('round-trips every version through the revision the server reports back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (version) => {
        const revision = toExpectedRevision(version);
        expect(versionOfRevision(revision === NO_STREAM ? NO_STREAM : (revision as bigint))).toBe(version);
      }),
    );
  });
});

describe('revision → version', () => {
  it('counts events: revision r means r + 1 events, no stream means 0', () => {
    expect(versionOfRevision(0n)).toBe(1);
    expect(versionOfRevision(9n)).toBe(10);
    expect(versionOfRevision(NO_STREAM)).toBe(0);
  });

  it('refuses negative revisions', () => {
    expect(() => versionOfRevision(-1n)).toThrow(RangeError);
  });
});

describe('errors', () => {
  it('turns WrongExpectedVersionError into ConcurrencyError with the actual version in our terms', () => {
    const err = translateAppendError(wrongVersion(2n, 4n), 'result-a', 3);
    expect(err).toBeInstanceOf(ConcurrencyError);
    expect(err).toMatchObject({ streamId: 'result-a', expected: 3, actual: 5 });
  });

  it('reports a missing stream as actual null, like the SQL store', () => {
    const err = translateAppendError(wrongVersion(STREAM_EXISTS, NO_STREAM), 'result-a', 'STREAM_EXISTS');
    expect(err).toMatchObject({ name: 'ConcurrencyError', expected: 'STREAM_EXISTS', actual: null });
  });

  it('keeps the caller’s expectation, not the revision sent on the wire', () => {
    const err = translateAppendError(wrongVersion(NO_STREAM, 0n), 'result-a', 'NO_STREAM') as ConcurrencyError;
    expect(err.expected).toBe('NO_STREAM');
    expect(err.actual).toBe(1);
    expect(err.message).toBe('stream result-a: expected version NO_STREAM, actual 1');
  });

  it('passes other errors through unchanged', () => {
    const unavailable = new UnavailableError();
    expect(translateAppendError(unavailable, 'result-a', 1)).toBe(unavailable);
    const plain = new Error('boom');
    expect(translateAppendError(plain, 'result-a', 'ANY')).toBe(plain);
  });

  it('recognises the client’s error kinds by their type tag', () => {
    expect(isWrongExpectedVersion(wrongVersion(ANY, 3n))).toBe(true);
    expect(isWrongExpectedVersion(new StreamNotFoundError(undefined, 'result-a'))).toBe(false);
    expect(isStreamNotFound(new StreamNotFoundError(undefined, 'result-a'))).toBe(true);
    expect(isStreamNotFound(new UnavailableError())).toBe(false);
    expect(isStreamNotFound(null)).toBe(false);
    expect(isStreamNotFound('stream-not-found')).toBe(false);
    expect(actualVersionOf(wrongVersion(ANY, 0n))).toBe(1);
  });
});

describe('positions and checkpoints', () => {
  it('encodes a position as "commit:prepare"', () => {
    expect(encodePosition({ commit: 1234n, prepare: 1200n })).toBe('1234:1200');
  });

  it('decodes "0" and "" as the start of $all', () => {
    expect(decodeCheckpoint(START_CHECKPOINT)).toBe(START);
    expect(decodeCheckpoint('')).toBe(START);
  });

  it('round-trips positions beyond 2^53 exactly', () => {
    const position = { commit: 2n ** 62n + 3n, prepare: 2n ** 62n + 1n };
    expect(decodeCheckpoint(encodePosition(position))).toEqual(position);
  });

  it('refuses checkpoints of another store or garbage', () => {
    for (const bad of ['12', '1:2:3', 'abc', '-1:0', '1:-2', ' 1:2']) {
      expect(() => decodeCheckpoint(bad)).toThrow(RangeError);
    }
    expect(() => encodePosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
  });

  it('orders checkpoints with comparePositions exactly as the log orders positions (commit, then prepare)', () => {
    const position = fc.record({ commit: fc.bigInt({ min: 1n, max: 2n ** 63n }), prepare: fc.bigInt({ min: 0n, max: 2n ** 63n }) });
    fc.assert(
      fc.property(position, position, (a, b) => {
        const log = a.commit !== b.commit ? Math.sign(Number(a.commit - b.commit)) : Math.sign(Number(a.prepare - b.prepare));
        expect(Math.sign(comparePositions(encodePosition(a), encodePosition(b)))).toBe(log);
        expect(comparePositions(START_CHECKPOINT, encodePosition(a))).toBeLessThan(0);
      }),
    );
  });

  it('compares numerically, not as text', () => {
    expect(comparePositions('9:9', '10:0')).toBeLessThan(0);
    expect(isAfterCheckpoint({ commit: 10n, prepare: 0n }, '9:9')).toBe(true);
  });

  it('treats a read position as inclusive: the event at the checkpoint is not after it', () => {
    expect(isAfterCheckpoint({ commit: 500n, prepare: 500n }, '500:500')).toBe(false);
    expect(isAfterCheckpoint({ commit: 500n, prepare: 501n }, '500:500')).toBe(true);
    expect(isAfterCheckpoint({ commit: 1n, prepare: 1n }, START_CHECKPOINT)).toBe(true);
    expect(isAfterCheckpoint({ commit: 1n, prepare: 1n }, '')).toBe(true);
  });
});

describe('recorded events', () => {
  it('maps a stored event: 0-based revision → 1-based stream position, $all position → checkpoint', () => {
    const recorded = toRecordedEvent(stored('result-a', 0n, 700n));
    expect(recorded).toEqual({
      streamId: 'result-a',
      streamPosition: 1,
      checkpoint: '700:700',
      type: 'ResultSubmitted',
      data: { tpsCode: '1222011001001' },
      metadata: { ...meta, prevHash: '', hash: 'h' },
    });
  });

  it('skips what is not one of our JSON events', () => {
    expect(toRecordedEvent({ commitPosition: 5n } as ResolvedEvent)).toBeNull();
    expect(toRecordedEvent(stored('result-a', 0n, 5n, { isJson: false, data: new Uint8Array([1]) }))).toBeNull();
    expect(toRecordedEvent(stored('result-a', 0n, 5n, { type: '$metadata' }))).toBeNull();
  });

  it('fails loudly when the server does not report positions or the payload is not an object', () => {
    expect(() => toRecordedEvent(stored('result-a', 0n, 5n, { position: undefined }))).toThrow(/no \$all position/);
    expect(() => toRecordedEvent(stored('result-a', 0n, 5n, { data: [1, 2] }))).toThrow(/data is not a JSON object/);
    expect(() => toRecordedEvent(stored('result-a', 0n, 5n, { metadata: 'x' }))).toThrow(/metadata is not a JSON object/);
  });

  it('writes our events as JSON with the chained metadata', () => {
    const [stamped] = stampEvents('result-a', [{ type: 'ResultSubmitted', data: { a: 1 }, metadata: meta }], undefined, () => 'id-1');
    const data = toEventData(stamped!);
    expect(data).toEqual({ id: 'id-1', contentType: 'application/json', type: 'ResultSubmitted', data: { a: 1 }, metadata: stamped!.metadata });
    expect(data.metadata).toMatchObject({ ...meta, prevHash: '' });
    expect((data.metadata as EventMetadata).hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('hash chain of appended events', () => {
  const newEvent = (n: number): NewEvent => ({ type: 'ResultVerified', data: { n }, metadata: { ...meta, requestId: `req-${n}` } });
  const asRecorded = (streamId: string, first: number, stamped: ReturnType<typeof stampEvents>): RecordedEvent[] =>
    stamped.map((e, i) => ({ streamId, streamPosition: first + i, checkpoint: `${first + i}:${first + i}`, type: e.type, data: e.data, metadata: e.metadata }));

  it('numbers new events after the head and links them into one verifiable chain', () => {
    const first = stampEvents('result-a', [newEvent(1), newEvent(2)], undefined);
    const firstRecorded = asRecorded('result-a', 1, first);
    const head = { version: 2, lastHash: first[1]!.metadata.hash! };
    const second = stampEvents('result-a', [newEvent(3)], head);
    expect(second[0]!.metadata.prevHash).toBe(head.lastHash);
    const report = verifyStreamChain([...firstRecorded, ...asRecorded('result-a', 3, second)], new Map([['result-a', { version: 3, lastHash: second[0]!.metadata.hash! }]]));
    expect(report).toEqual({ ok: true, problems: [] });
  });

  it('gives every event a fresh id so the server never deduplicates two different appends', () => {
    const stamped = stampEvents('result-a', [newEvent(1), newEvent(1)], undefined);
    expect(new Set(stamped.map((e) => e.id)).size).toBe(2);
  });

  it('chains against the head that was read: a stale head gives a chain the verifier rejects', () => {
    const first = stampEvents('result-a', [newEvent(1)], undefined);
    const stale = stampEvents('result-a', [newEvent(2)], undefined); // as if the first append were not seen
    const report = verifyStreamChain([...asRecorded('result-a', 1, first), ...asRecorded('result-a', 2, stale)]);
    expect(report.ok).toBe(false);
  });
});

describe('selecting our events after a checkpoint', () => {
  const page = [
    stored('result-a', 0n, 100n),
    stored('$stats-127.0.0.1:2113', 5n, 150n),
    stored('user-x', 0n, 180n),
    stored('result-b', 0n, 200n),
    stored('result-a', 1n, 300n),
  ];

  it('keeps only events of our prefixes, in log order, and advances the checkpoint to the last kept', () => {
    const batch = selectAfter(page, START_CHECKPOINT, ['result-']);
    expect(batch.events.map((e) => `${e.streamId}@${e.streamPosition}`)).toEqual(['result-a@1', 'result-b@1', 'result-a@2']);
    expect(batch.checkpoint).toBe('300:300');
  });

  it('drops the event at the checkpoint itself and everything before it (reads from a position include it)', () => {
    const batch = selectAfter(page, '200:200', ['result-']);
    expect(batch.events.map((e) => e.checkpoint)).toEqual(['300:300']);
  });

  it('leaves the checkpoint where it was when nothing new is ours', () => {
    expect(selectAfter(page, '300:300', ['result-'])).toEqual({ events: [], checkpoint: '300:300' });
    expect(selectAfter(page.slice(1, 3), '120:120', ['result-'])).toEqual({ events: [], checkpoint: '120:120' });
  });

  it('takes several prefixes', () => {
    const batch = selectAfter(page, START_CHECKPOINT, ['result-', 'user-']);
    expect(batch.events.map((e) => e.streamId)).toEqual(['result-a', 'user-x', 'result-b', 'result-a']);
  });

  it('matches prefixes at the start of the stream name only', () => {
    expect(matchesPrefixes('result-1', ['result-'])).toBe(true);
    expect(matchesPrefixes('x-result-1', ['result-'])).toBe(false);
    expect(matchesPrefixes('$et-result-1', ['result-'])).toBe(false);
  });
});

describe('resubscription backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const options = { initialMs: 250, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, options))).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000]);
    expect(backoffDelay(10_000, options)).toBe(10_000);
    expect(backoffDelay(0, options)).toBe(0);
  });
});

describe('connection string', () => {
  it('accepts the kurrentdb:// scheme by rewriting it to the esdb:// this client parses', () => {
    expect(toClientConnectionString('kurrentdb://localhost:2113?tls=false')).toBe('esdb://localhost:2113?tls=false');
    expect(toClientConnectionString('kurrent://a:2113')).toBe('esdb://a:2113');
    expect(toClientConnectionString('kurrentdb+discover://cluster.local:2113')).toBe('esdb+discover://cluster.local:2113');
    expect(toClientConnectionString('esdb://admin:pw@a:2113,b:2113')).toBe('esdb://admin:pw@a:2113,b:2113');
  });

  it('yields strings the client parses into the cluster’s gossip seeds and credentials', () => {
    const parsed = parseConnectionString(
      toClientConnectionString('kurrentdb://admin:s3cret@kurrentdb-1:2113,kurrentdb-2:2113,kurrentdb-3:2113?tls=true&tlsCAFile=/certs/ca/ca.crt'),
    );
    expect(parsed.hosts).toEqual([
      { address: 'kurrentdb-1', port: 2113 },
      { address: 'kurrentdb-2', port: 2113 },
      { address: 'kurrentdb-3', port: 2113 },
    ]);
    expect(parsed.defaultCredentials).toEqual({ username: 'admin', password: 's3cret' });
    expect(parsed.tls).toBe(true);
    expect(parsed.tlsCAFile).toBe('/certs/ca/ca.crt');
  });

  it('refuses other schemes without echoing the URL (it may hold a password)', () => {
    expect(() => toClientConnectionString('postgres://admin:s3cret@db/x')).toThrow(/EVENTSTORE_URL must start with/);
    const thrown = (() => {
      try {
        toClientConnectionString('http://admin:s3cret@db');
      } catch (err) {
        return err as Error;
      }
    })();
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown!.message).not.toContain('s3cret');
  });
});
