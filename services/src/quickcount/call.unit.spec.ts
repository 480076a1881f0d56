import { describe, expect, it } from 'vitest';
import { callsNow, firstCalls, type Arrival } from './call';
import { QuickCountAccumulator, type EstimateCell } from './estimator';

// one stratum, two place cells of 40 drawn TPS each in 20 desa of 2
const byDesa = (prefix: string) => new Map(Array.from({ length: 20 }, (_, i) => [`${prefix}${i}`, 2]));
const cells: EstimateCell[] = [
  { code: 'T', stratum: 'S', rank: 0, population: 200, sampleSize: 40, sampleByDesa: byDesa('t') },
  { code: 'V', stratum: 'S', rank: 1, population: 200, sampleSize: 40, sampleByDesa: byDesa('v') },
];
/** TPS i of a cell: 200 valid votes, the leader's share around `share` (±3 points, fixed pattern). */
function arrival(cell: 'T' | 'V', i: number, share: number, at: number): Arrival {
  const a = Math.round(200 * (share + 0.03 * Math.sin(i * 1.7)));
  const b = Math.round((200 - a) * 0.8);
  return { cell, desa: `${cell.toLowerCase()}${Math.floor(i / 2)}`, votes: { '01': 200 - a - b, '02': a, '03': b }, valid: 200, at };
}
const evening = (share: number) => Array.from({ length: 80 }, (_, i) => arrival(i % 2 ? 'T' : 'V', Math.floor(i / 2), share, 1000 + i));

describe('the call', () => {
  it('calls majority and lead for a clear leader, at the first moment with half the sample in', () => {
    const calls = firstCalls(['01', '02', '03'], cells, evening(0.6));
    expect(calls.map((c) => [c.kind, c.option, c.received, c.at])).toEqual([['majority', '02', 40, 1039], ['lead', '02', 40, 1039]]);
    expect(calls.every((c) => c.lower > 0)).toBe(true);
  });

  it('calls a lead but no majority when the leader is ahead at 45%', () => {
    const calls = firstCalls(['01', '02', '03'], cells, evening(0.45));
    expect(calls.map((c) => c.kind)).toEqual(['lead']);
  });

  it('makes no majority call at 50.5%: too close to half to be sure', () => {
    const calls = firstCalls(['01', '02', '03'], cells, evening(0.505));
    expect(calls.some((c) => c.kind === 'majority')).toBe(false);
  });

  it('never calls before half of the sample is in, however clear', () => {
    expect(firstCalls(['01', '02', '03'], cells, evening(0.7).slice(0, 39))).toEqual([]);
  });

  it('takes TPS that arrive at the same moment together', () => {
    const tied = evening(0.6).map((a, i) => ({ ...a, at: i < 45 ? 5 : 6 }));
    expect(firstCalls(['01', '02', '03'], cells, tied).map((c) => [c.received, c.at])).toEqual([[45, 5], [45, 5]]);
  });

  it('does not call with a single option', () => {
    const acc = new QuickCountAccumulator(['02'], cells);
    for (const a of evening(0.7)) acc.add(a);
    expect(callsNow(acc.fit())).toEqual([]);
  });
});
