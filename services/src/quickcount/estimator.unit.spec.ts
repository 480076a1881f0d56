import { describe, expect, it } from 'vitest';
import { estimateShares, type ReceivedTps } from './estimator';
import { normalQuantile, studentTQuantile } from './distributions';

const tps = (stratum: string, a: number, b: number): ReceivedTps => ({ stratum, votes: { '01': a, '02': b }, valid: a + b });

describe('quantiles', () => {
  it('match the published tables', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 6);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302653, 6);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 6);
    expect(studentTQuantile(0.95, 30)).toBeCloseTo(1.697261, 6);
    expect(studentTQuantile(0.025, 5)).toBeCloseTo(-2.570582, 6);
  });
});

describe('estimateShares', () => {
  // Stratum A: N=10, 3 drawn, 2 in; stratum B: N=20, 3 drawn, 2 in.
  const strata = [{ code: 'A', population: 10, sampleSize: 3 }, { code: 'B', population: 20, sampleSize: 3 }];
  const received = [tps('A', 60, 40), tps('A', 30, 70), tps('B', 20, 80), tps('B', 50, 150)];

  it('computes the combined ratio and its Taylor variance as done by hand', () => {
    // w_A = 10/2 = 5, w_B = 20/2 = 10; Ŷ_01 = 5·90 + 10·70 = 1150; X̂ = 5·200 + 10·300 = 4000; p̂ = 0.2875.
    // d_A = (31.25, 1.25) → s² = 450; d_B = (−8.75, −7.5) → s² = 0.78125.
    // V = (10²·0.8·450/2 + 20²·0.9·0.78125/2) / 4000² = (18000 + 140.625) / 16e6.
    // Satterthwaite df = 18140.625² / (18000²/1 + 140.625²/1) ≈ 1.0156 (stratum A dominates; capped at 4 − 2).
    const r = estimateShares({ options: ['01', '02'], strata, received });
    const [e1, e2] = r.estimates;
    const df = 18140.625 ** 2 / (18000 ** 2 + 140.625 ** 2);
    expect(df).toBeCloseTo(1.0156, 4);
    const moe = studentTQuantile(0.975, df) * Math.sqrt(18140.625 / 16e6);
    expect(moe).toBeCloseTo(0.4126, 4);
    expect(e1.option).toBe('01');
    expect(e1.share).toBeCloseTo(0.2875, 12);
    expect(e1.moe).toBeCloseTo(moe, 8);
    expect(e1.lower).toBe(0);
    expect(e1.upper).toBeCloseTo(0.2875 + moe, 8);
    // With two options d_02 = −d_01, so the variance is the same.
    expect(e2.share).toBeCloseTo(0.7125, 12);
    expect(e2.moe).toBeCloseTo(moe, 8);
    expect(r).toMatchObject({ received: 4, preliminary: false, confidence: 0.95, degreesOfFreedom: 2 });
    expect(r.strata).toEqual([
      { code: 'A', population: 10, sampleSize: 3, received: 2, group: 'A' },
      { code: 'B', population: 20, sampleSize: 3, received: 2, group: 'B' },
    ]);
  });

  it('uses t with received − strata degrees of freedom when the strata weigh alike', () => {
    // Two mirror-image strata: equal variance terms → Satterthwaite df = n − H = 6 − 2 = 4.
    const even = [{ code: 'A', population: 30, sampleSize: 3 }, { code: 'B', population: 30, sampleSize: 3 }];
    const rows = [tps('A', 50, 50), tps('A', 60, 40), tps('A', 70, 30), tps('B', 30, 70), tps('B', 40, 60), tps('B', 50, 50)];
    const r = estimateShares({ options: ['01'], strata: even, received: rows });
    // p̂ = 0.5; d_A = (0, 10, 20), d_B = (−20, −10, 0): s² = 100 each; V = 2·30²·0.9·100/3 / (10·600)² = 54000 / 36e6.
    expect(r.estimates[0].share).toBeCloseTo(0.5, 12);
    expect(r.estimates[0].moe).toBeCloseTo(2.776445 * Math.sqrt(54000 / 36e6), 6);
    const r90 = estimateShares({ options: ['01'], strata: even, received: rows, confidence: 0.9 });
    expect(r90.estimates[0].moe).toBeCloseTo(2.131847 * Math.sqrt(54000 / 36e6), 6);
    expect(r90.confidence).toBe(0.9);
  });

  it('never claims more precision than the unstratified sample when strata were collapsed', () => {
    // C's single TPS joins B; the stratified variance would be tiny (B's TPS agree), the pooled one is not.
    const s3 = [{ code: 'A', population: 10, sampleSize: 2 }, { code: 'B', population: 10, sampleSize: 2 }, { code: 'C', population: 10, sampleSize: 2 }];
    const rows = [tps('A', 50, 50), tps('A', 50, 50), tps('B', 90, 10), tps('B', 90, 10), tps('C', 90, 10)];
    const r = estimateShares({ options: ['01'], strata: s3, received: rows });
    expect(r.preliminary).toBe(true);
    const share = (5 * 100 + (20 / 3) * 270) / 3000;
    expect(r.estimates[0].share).toBeCloseTo(share, 12);
    // pooled: residuals d = y − p̂·100 over all five TPS, N = 30, n = 5; df stays capped at n − groups = 3.
    const d = [50, 50, 90, 90, 90].map((y) => y - share * 100);
    const mean = d.reduce((a, b) => a + b, 0) / 5;
    const s2 = d.reduce((a, x) => a + (x - mean) ** 2, 0) / 4;
    expect(r.estimates[0].moe).toBeCloseTo(3.182446 * Math.sqrt((30 * 30 * (1 - 5 / 30) * s2) / 5) / 3000, 6);
  });

  it('has no variance where the whole stratum is in (finite population correction)', () => {
    const census = estimateShares({
      options: ['01'],
      strata: [{ code: 'A', population: 2, sampleSize: 2 }, { code: 'B', population: 2, sampleSize: 2 }],
      received: [tps('A', 60, 40), tps('A', 30, 70), tps('B', 20, 80), tps('B', 50, 150)],
    });
    expect(census.estimates[0].share).toBeCloseTo(160 / 500, 12);
    expect(census.estimates[0].moe).toBe(0);
  });

  it('counts missing options as zero and keeps shares summing to one', () => {
    const r = estimateShares({
      options: ['01', '02', '03'],
      strata,
      received: [...received.slice(0, 3), { stratum: 'B', votes: { '01': 10, '03': 40 }, valid: 50 }],
    });
    expect(r.estimates.reduce((a, e) => a + e.share, 0)).toBeCloseTo(1, 12);
    expect(r.estimates[2].share).toBeGreaterThan(0);
  });

  it('collapses a stratum with fewer than two TPS in into its neighbour and says preliminary', () => {
    const three = [...strata, { code: 'C', population: 5, sampleSize: 2 }];
    const r = estimateShares({ options: ['01', '02'], strata: three, received: [...received, tps('C', 10, 10)] });
    expect(r.strata.map((s) => [s.code, s.group])).toEqual([['A', 'A'], ['B', 'B'], ['C', 'B']]);
    expect(r.preliminary).toBe(true);
    // B and C form one group: N = 25, n = 3, w = 25/3.
    const x = 5 * 200 + (25 / 3) * 320;
    expect(r.estimates[0].share).toBeCloseTo((5 * 90 + (25 / 3) * 80) / x, 12);
    expect(r.degreesOfFreedom).toBe(5 - 2);
  });

  it('puts an empty stratum\'s population on its neighbours rather than dropping it', () => {
    const three = [{ code: '0A', population: 30, sampleSize: 3 }, ...strata];
    const r = estimateShares({ options: ['01'], strata: three, received });
    expect(r.strata.map((s) => s.group)).toEqual(['0A', '0A', 'B']);
    expect(r.strata[0].received).toBe(0);
    expect(r.preliminary).toBe(true);
    // group {0A, A}: N = 40, n = 2, w = 20.
    expect(r.estimates[0].share).toBeCloseTo((20 * 90 + 10 * 70) / (20 * 200 + 10 * 300), 12);
  });

  it('is preliminary while fewer than half of the drawn sample is in', () => {
    const big = [{ code: 'A', population: 100, sampleSize: 5 }, { code: 'B', population: 100, sampleSize: 5 }];
    expect(estimateShares({ options: ['01'], strata: big, received }).preliminary).toBe(true);
    expect(estimateShares({ options: ['01'], strata: big, received: [...received, tps('A', 1, 2)] }).preliminary).toBe(false);
  });

  it('gives the whole [0, 1] interval when no variance can be estimated', () => {
    const one = estimateShares({ options: ['01'], strata, received: [tps('A', 60, 40)] });
    expect(one.estimates[0]).toEqual({ option: '01', share: 0.6, moe: 1, lower: 0, upper: 1 });
    expect(one).toMatchObject({ preliminary: true, degreesOfFreedom: 0, received: 1 });
    const none = estimateShares({ options: ['01', '02'], strata, received: [] });
    expect(none.estimates).toEqual([
      { option: '01', share: 0, moe: 1, lower: 0, upper: 1 },
      { option: '02', share: 0, moe: 1, lower: 0, upper: 1 },
    ]);
    expect(none.preliminary).toBe(true);
  });

  it('rejects received TPS of an unknown stratum', () => {
    expect(() => estimateShares({ options: ['01'], strata, received: [tps('Z', 1, 1)] })).toThrow(/unknown stratum Z/);
  });
});
