import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from './event-store.port';
import { canonicalJson, chainEvent, eventHash, verifyStreamChain } from './hash-chain';

const meta = { userId: 'u1', role: 'operator' as const, at: '2024-02-14T10:00:00Z', requestId: 'r1', electionId: 'e1' };

function chain(streamId: string, count: number): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let prevHash = '';
  for (let i = 1; i <= count; i++) {
    const chained = chainEvent({ streamId, streamPosition: i, type: 'ResultSubmitted', data: { n: i, nested: { b: 1, a: [i] } }, metadata: meta }, prevHash);
    prevHash = chained.metadata.hash ?? '';
    events.push({ ...chained, checkpoint: `1:${i}` });
  }
  return events;
}

describe('canonicalJson', () => {
  it('sorts keys recursively, keeps array order, drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('is the same for objects built in different key orders', () => {
    expect(canonicalJson({ x: 1, y: { p: 'a', q: 'b' } })).toBe(canonicalJson({ y: { q: 'b', p: 'a' }, x: 1 }));
  });
});

describe('eventHash', () => {
  const event = { streamId: 's', streamPosition: 1, type: 'T', data: { a: 1 }, metadata: { ...meta, prevHash: '' } };

  it('is sha256 hex and ignores a hash already in the metadata', () => {
    const hash = eventHash(event);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash({ ...event, metadata: { ...event.metadata, hash: 'whatever' } })).toBe(hash);
  });

  it('covers position, stream, type, data, metadata and the previous hash', () => {
    const hash = eventHash(event);
    expect(eventHash({ ...event, streamPosition: 2 })).not.toBe(hash);
    expect(eventHash({ ...event, streamId: 't' })).not.toBe(hash);
    expect(eventHash({ ...event, type: 'U' })).not.toBe(hash);
    expect(eventHash({ ...event, data: { a: 2 } })).not.toBe(hash);
    expect(eventHash({ ...event, metadata: { ...event.metadata, userId: 'u2' } })).not.toBe(hash);
    expect(eventHash({ ...event, metadata: { ...event.metadata, prevHash: 'x' } })).not.toBe(hash);
  });
});

/**
 * Fixed vectors: a known event → known canonical bytes → a known SHA-256, derived outside this
 * code (the bytes written by hand from the rule: keys sorted, integer-like keys first in numeric
 * order as JavaScript objects keep them, UTF-8, no spaces), then hashed with coreutils:
 *
 *   printf '%s' '<BYTES_1 below>' | sha256sum
 *     → 7cac731f5b1a81e36bc4fdb3443d614f6bd6147cda10f0a2ad85b3e231a86792
 *   H1=7cac731f…86792; printf '<BYTES_2 with %s for both prevHash>' $H1 $H1 | sha256sum
 *     → 43ff2825721b3d390936ee5cd4682e26264e7bd0d8e5b44dfe75b9e4c1815b15
 *
 * Every stored event's hash depends on these bytes: a change to the canonical JSON (key order,
 * escaping, what the hash covers) breaks the verification of every existing history, so it must
 * fail here first.
 */
describe('hash chain test vectors', () => {
  const STREAM = 'result-e1-1222011001001-DPR';
  const BYTES_1 =
    '{"data":{"ballot":"DPR","clientRequestId":"crid-1","electionId":"e1","flags":[],"form":{"invalid":2,"valid":14,"votes":{"2":{"candidates":{},"party":1},"10":{"candidates":{"1":7,"3":2},"party":4}}},"tpsCode":"1222011001001"},' +
    '"metadata":{"at":"2024-02-14T10:00:00.000Z","electionId":"e1","prevHash":"","requestId":"req-1","role":"operator","userId":"u-1","username":"Dewi \\"Ayu\\" — Kotapinang"},' +
    '"prevHash":"","streamId":"result-e1-1222011001001-DPR","streamPosition":1,"type":"ResultSubmitted"}';
  const HASH_1 = '7cac731f5b1a81e36bc4fdb3443d614f6bd6147cda10f0a2ad85b3e231a86792';
  const HASH_2 = '43ff2825721b3d390936ee5cd4682e26264e7bd0d8e5b44dfe75b9e4c1815b15';

  // Built in a scrambled key order, as a handler or jsonb might hand it over.
  const submitted = {
    streamId: STREAM,
    streamPosition: 1,
    type: 'ResultSubmitted',
    data: {
      tpsCode: '1222011001001', form: { votes: { '10': { party: 4, candidates: { '3': 2, '1': 7 } }, '2': { candidates: {}, party: 1 } }, valid: 14, invalid: 2 },
      flags: [], electionId: 'e1', clientRequestId: 'crid-1', ballot: 'DPR',
    },
    metadata: { username: 'Dewi "Ayu" — Kotapinang', userId: 'u-1', role: 'operator' as const, requestId: 'req-1', electionId: 'e1', at: '2024-02-14T10:00:00.000Z' },
  };
  const verified = {
    streamId: STREAM,
    streamPosition: 2,
    type: 'ResultVerified',
    data: { electionId: 'e1', tpsCode: '1222011001001', ballot: 'DPR' },
    metadata: { userId: 'u-2', role: 'verifier' as const, at: '2024-02-14T10:05:00.000Z', requestId: 'req-2', electionId: 'e1' },
  };

  it('gives the known canonical bytes and SHA-256 for a known event', () => {
    const first = chainEvent(submitted, '');
    const { hash: _hash, ...metadata } = first.metadata;
    expect(canonicalJson({ prevHash: '', streamId: STREAM, streamPosition: 1, type: 'ResultSubmitted', data: submitted.data, metadata })).toBe(BYTES_1);
    expect(first.metadata.hash).toBe(HASH_1);
  });

  it('chains the next event to the known hash', () => {
    const second = chainEvent(verified, HASH_1);
    expect(second.metadata.prevHash).toBe(HASH_1);
    expect(second.metadata.hash).toBe(HASH_2);
    const stream = [chainEvent(submitted, ''), second].map((e, i) => ({ ...e, checkpoint: `1:${i + 1}` }));
    expect(verifyStreamChain(stream)).toEqual({ ok: true, problems: [] });
  });
});

describe('chainEvent', () => {
  it('links each event to the previous one, starting from ""', () => {
    const [first, second] = chain('s', 2);
    expect(first.metadata.prevHash).toBe('');
    expect(second.metadata.prevHash).toBe(first.metadata.hash);
    expect(first.metadata.hash).toBe(eventHash(first));
  });
});

describe('verifyStreamChain', () => {
  it('accepts intact streams, several mixed together', () => {
    const a = chain('a', 3);
    const b = chain('b', 2);
    expect(verifyStreamChain([a[0], b[0], a[1], b[1], a[2]])).toEqual({ ok: true, problems: [] });
  });

  it('detects altered content', () => {
    const events = chain('s', 3);
    events[1] = { ...events[1], data: { ...events[1].data, n: 99 } };
    const report = verifyStreamChain(events);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ streamId: 's', streamPosition: 2, problem: 'altered' })]);
  });

  it('detects altered metadata', () => {
    const events = chain('s', 2);
    events[0] = { ...events[0], metadata: { ...events[0].metadata, userId: 'intruder' } };
    expect(verifyStreamChain(events).problems).toEqual([expect.objectContaining({ streamPosition: 1, problem: 'altered' })]);
  });

  it('detects a deleted event in the middle', () => {
    const events = chain('s', 4);
    const report = verifyStreamChain([events[0], events[1], events[3]]);
    expect(report.problems.map((p) => [p.streamPosition, p.problem])).toEqual([
      [4, 'position'],
      [4, 'broken-link'],
    ]);
  });

  it('detects swapped events', () => {
    const events = chain('s', 3);
    const report = verifyStreamChain([events[0], events[2], events[1]]);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.problem)).toEqual(['position', 'broken-link', 'position', 'broken-link']);
  });

  it('detects a re-hashed event whose successor still links to the original', () => {
    const events = chain('s', 3);
    const forged = chainEvent({ ...events[1], data: { n: 1000 }, metadata: meta }, events[0].metadata.hash ?? '');
    const report = verifyStreamChain([events[0], { ...forged, checkpoint: events[1].checkpoint }, events[2]]);
    expect(report.problems).toEqual([expect.objectContaining({ streamPosition: 3, problem: 'broken-link' })]);
  });

  it('detects events deleted from the end when given the recorded stream head', () => {
    const events = chain('s', 3);
    const heads = new Map([['s', { version: 3, lastHash: events[2].metadata.hash ?? '' }]]);
    expect(verifyStreamChain(events, heads).ok).toBe(true);
    expect(verifyStreamChain(events.slice(0, 2), heads).problems).toEqual([expect.objectContaining({ problem: 'head' })]);
    expect(verifyStreamChain([], heads).problems).toEqual([expect.objectContaining({ streamId: 's', problem: 'head' })]);
  });
});
