import { describe, expect, it } from 'vitest';
import { QuickCountAccumulator, type EstimateCell } from './estimator';
import { cholesky, seatRanges } from './seats';

const PARTIES = ['1', '2', '3', '4'];
const cells: EstimateCell[] = [{ code: 'C', stratum: 'S', rank: 0, population: 400, sampleSize: 40 }];
/** 40 TPS of 200 votes around the given shares, with a fixed wobble. */
function fitAround(shares: number[], tpsIn = 40) {
  const acc = new QuickCountAccumulator(PARTIES, cells);
  for (let i = 0; i < tpsIn; i++) {
    const raw = shares.map((s, k) => Math.max(0, s + 0.04 * Math.sin(i * (k + 1.3))));
    const total = raw.reduce((a, b) => a + b, 0);
    const votes = Object.fromEntries(PARTIES.map((p, k) => [p, Math.round((200 * raw[k]) / total)]));
    acc.add({ cell: 'C', votes, valid: Object.values(votes).reduce((a, b) => a + b, 0) });
  }
  return acc.fit();
}

describe('cholesky', () => {
  it('factors a covariance, and a singular one (shares summing to one) without failing', () => {
    const cov = new Float64Array([4, 2, 2, 3]);
    const l = cholesky(cov, 2);
    expect([l[0] * l[0], l[2] * l[0], l[2] * l[2] + l[3] * l[3]]).toEqual([4, 2, 3].map((x) => expect.closeTo(x, 12)));
    const singular = new Float64Array([1, -1, -1, 1]);
    const ls = cholesky(singular, 2);
    expect([ls[0], ls[2], ls[3]]).toEqual([1, -1, 0]);
  });
});

describe('seatRanges', () => {
  it('gives seats at the estimate that fill the dapil, each inside its own 90% range', () => {
    const ranges = seatRanges(fitAround([0.4, 0.3, 0.2, 0.1]), 7, 'dapil-a');
    expect(ranges.reduce((a, r) => a + r.seats, 0)).toBe(7);
    for (const r of ranges) {
      expect(r.low).toBeLessThanOrEqual(r.seats);
      expect(r.seats).toBeLessThanOrEqual(r.high);
    }
    // 40/30/20/10 of 7 seats by Sainte-Laguë: 3, 2, 1, 1
    expect(ranges.map((r) => [r.party, r.seats])).toEqual([['1', 3], ['2', 2], ['3', 1], ['4', 1]]);
  });

  it('is the same for the same estimate and seed (no flicker between pushes)', () => {
    const fit = fitAround([0.35, 0.33, 0.22, 0.1]);
    expect(seatRanges(fit, 7, 'same')).toEqual(seatRanges(fit, 7, 'same'));
  });

  it('narrows as the sample comes in: a close seat is uncertain with ten TPS in, less so with forty', () => {
    const width = (n: number) => seatRanges(fitAround([0.36, 0.34, 0.2, 0.1], n), 7, 'w').reduce((a, r) => a + r.high - r.low, 0);
    expect(width(10)).toBeGreaterThan(width(40));
  });

  it('has nothing to say before a vote is in', () => {
    expect(seatRanges(new QuickCountAccumulator(PARTIES, cells).fit(), 7, 'none')).toEqual([]);
  });
});
