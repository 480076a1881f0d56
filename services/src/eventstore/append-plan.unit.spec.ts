import { describe, expect, it } from 'vitest';
import { planAppends, type AppendRequest } from './append-plan';
import { ConcurrencyError, type ExpectedVersion } from './event-store.port';
import type { StreamHead } from './hash-chain';

const meta = { userId: 'u1', role: 'operator' as const, at: '2024-02-14T10:00:00Z', requestId: 'r1', electionId: 'e1' };
const ev = (n: number) => ({ type: 'T', data: { n }, metadata: meta });
const req = (streamId: string, expected: ExpectedVersion, count = 1): AppendRequest => ({
  streamId,
  expected,
  events: Array.from({ length: count }, (_, i) => ev(i)),
});
const existing = (version: number): StreamHead => ({ version, lastHash: `h${version}` });

function verdicts(requests: AppendRequest[], heads: Map<string, StreamHead>) {
  return planAppends(requests, heads).decisions.map((d) => (d.accepted ? d.nextVersion : (d.error as ConcurrencyError).actual ?? 'none'));
}

describe('planAppends: expected version', () => {
  const heads = new Map([['s', existing(2)]]);

  it.each<[ExpectedVersion, string, number | string]>([
    ['NO_STREAM', 'new', 1],
    ['NO_STREAM', 's', 2],
    ['STREAM_EXISTS', 'new', 'none'],
    ['STREAM_EXISTS', 's', 3],
    ['ANY', 'new', 1],
    ['ANY', 's', 3],
    [0, 'new', 1],
    [0, 's', 2],
    [2, 's', 3],
    [1, 's', 2],
    [2, 'new', 'none'],
  ])('%s on stream %s → %s', (expected, streamId, verdict) => {
    expect(verdicts([req(streamId, expected)], heads)).toEqual([verdict]);
  });

  it('rejects with ConcurrencyError carrying stream, expectation and actual version', () => {
    const [decision] = planAppends([req('s', 5)], heads).decisions;
    expect(decision.accepted).toBe(false);
    const error = (decision as { error: Error }).error;
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: 's', expected: 5, actual: 2 });
  });
});

describe('planAppends: a group', () => {
  it('applies appends to one stream in order, each seeing the ones before', () => {
    expect(verdicts([req('s', 'NO_STREAM', 2), req('s', 2), req('s', 2), req('s', 'NO_STREAM'), req('s', 3, 3)], new Map())).toEqual([
      2, 3, 3, 3, 6,
    ]);
  });

  it('writes each stream once, new ones as inserts and existing ones as conditional updates', () => {
    const plan = planAppends([req('a', 'NO_STREAM'), req('b', 4), req('a', 1), req('c', 0)], new Map([['b', existing(4)], ['c', existing(1)]]));
    expect(plan.newStreams.map((s) => [s.streamId, s.version])).toEqual([['a', 2]]);
    expect(plan.changedStreams.map((s) => [s.streamId, s.fromVersion, s.version])).toEqual([['b', 4, 5]]);
    expect(plan.messages.map((m) => [m.streamId, m.streamPosition])).toEqual([
      ['a', 1],
      ['b', 5],
      ['a', 2],
    ]);
  });

  it('chains hashes across appends of the same group and from the stored head', () => {
    const plan = planAppends([req('b', 1), req('b', 2)], new Map([['b', existing(1)]]));
    const metas = plan.messages.map((m) => JSON.parse(m.metadataJson) as { prevHash: string; hash: string });
    expect(metas[0].prevHash).toBe('h1');
    expect(metas[1].prevHash).toBe(metas[0].hash);
    expect(plan.changedStreams[0].lastHash).toBe(metas[1].hash);
  });

  it('rejects an event that cannot be stored as JSON without affecting the others', () => {
    const bad: AppendRequest = { streamId: 'x', expected: 'ANY', events: [{ type: 'T', data: { n: 1n }, metadata: meta }] };
    const plan = planAppends([req('a', 'ANY'), bad, req('x', 'NO_STREAM')], new Map());
    expect(plan.decisions.map((d) => d.accepted)).toEqual([true, false, true]);
    expect(plan.messages.map((m) => m.streamId)).toEqual(['a', 'x']);
  });
});
