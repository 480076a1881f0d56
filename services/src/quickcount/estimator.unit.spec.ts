import { describe, expect, it } from 'vitest';
import { estimateShares, linearInterval, QuickCountAccumulator, stratumCells, type EstimateCell, type ReceivedTps } from './estimator';
import { normalQuantile, studentTQuantile } from './distributions';

const tps = (cell: string, a: number, b: number, desa?: string, auxiliary?: number): ReceivedTps => ({ cell, desa, auxiliary, votes: { '01': a, '02': b }, valid: a + b });
const plain = (strata: { code: string; population: number; sampleSize: number }[]) => stratumCells(strata);

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

describe('estimateShares as a plain stratified estimator (one cell per stratum, no desa known)', () => {
  // Stratum A: N=10, 3 drawn, 2 in; stratum B: N=20, 3 drawn, 2 in.
  const strata = plain([{ code: 'A', population: 10, sampleSize: 3 }, { code: 'B', population: 20, sampleSize: 3 }]);
  const received = [tps('A', 60, 40), tps('A', 30, 70), tps('B', 20, 80), tps('B', 50, 150)];

  it('computes the combined ratio and its Taylor variance as done by hand', () => {
    // w_A = 10/2 = 5, w_B = 20/2 = 10; Ŷ_01 = 5·90 + 10·70 = 1150; X̂ = 5·200 + 10·300 = 4000; p̂ = 0.2875.
    // d_A = (31.25, 1.25) → s² = 450; d_B = (−8.75, −7.5) → s² = 0.78125.
    // V = (10²·0.8·450/2 + 20²·0.9·0.78125/2) / 4000² = (18000 + 140.625) / 16e6.
    // Satterthwaite df = 18140.625² / (18000²/1 + 140.625²/1) ≈ 1.0156 (stratum A dominates; capped at 4 − 2).
    const r = estimateShares({ options: ['01', '02'], cells: strata, received });
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
      { code: 'A', population: 10, sampleSize: 3, received: 2 },
      { code: 'B', population: 20, sampleSize: 3, received: 2 },
    ]);
  });

  it('uses t with received − strata degrees of freedom when the strata weigh alike', () => {
    // Two mirror-image strata: equal variance terms → Satterthwaite df = n − H = 6 − 2 = 4.
    const even = plain([{ code: 'A', population: 30, sampleSize: 3 }, { code: 'B', population: 30, sampleSize: 3 }]);
    const rows = [tps('A', 50, 50), tps('A', 60, 40), tps('A', 70, 30), tps('B', 30, 70), tps('B', 40, 60), tps('B', 50, 50)];
    const r = estimateShares({ options: ['01'], cells: even, received: rows });
    // p̂ = 0.5; d_A = (0, 10, 20), d_B = (−20, −10, 0): s² = 100 each; V = 2·30²·0.9·100/3 / (10·600)² = 54000 / 36e6.
    expect(r.estimates[0].share).toBeCloseTo(0.5, 12);
    expect(r.estimates[0].moe).toBeCloseTo(2.776445 * Math.sqrt(54000 / 36e6), 6);
    const r90 = estimateShares({ options: ['01'], cells: even, received: rows, confidence: 0.9 });
    expect(r90.estimates[0].moe).toBeCloseTo(2.131847 * Math.sqrt(54000 / 36e6), 6);
    expect(r90.confidence).toBe(0.9);
  });

  it('has no variance where the whole stratum is in (finite population correction)', () => {
    const census = estimateShares({
      options: ['01'],
      cells: plain([{ code: 'A', population: 2, sampleSize: 2 }, { code: 'B', population: 2, sampleSize: 2 }]),
      received: [tps('A', 60, 40), tps('A', 30, 70), tps('B', 20, 80), tps('B', 50, 150)],
    });
    expect(census.estimates[0].share).toBeCloseTo(160 / 500, 12);
    expect(census.estimates[0].moe).toBe(0);
  });

  it('counts missing options as zero and keeps shares summing to one', () => {
    const r = estimateShares({
      options: ['01', '02', '03'],
      cells: strata,
      received: [...received.slice(0, 3), { cell: 'B', votes: { '01': 10, '03': 40 }, valid: 50 }],
    });
    expect(r.estimates.reduce((a, e) => a + e.share, 0)).toBeCloseTo(1, 12);
    expect(r.estimates[2].share).toBeGreaterThan(0);
  });

  it('collapses a stratum with fewer than two TPS in into its neighbour and says preliminary', () => {
    const three = [...strata, ...plain([{ code: 'C', population: 5, sampleSize: 2 }])];
    const r = estimateShares({ options: ['01', '02'], cells: three, received: [...received, tps('C', 10, 10)] });
    expect(r.strata.map((s) => [s.code, s.received])).toEqual([['A', 2], ['B', 2], ['C', 1]]);
    expect(r.preliminary).toBe(true);
    // B and C form one group: N = 25, n = 3, w = 25/3.
    const x = 5 * 200 + (25 / 3) * 320;
    expect(r.estimates[0].share).toBeCloseTo((5 * 90 + (25 / 3) * 80) / x, 12);
    expect(r.degreesOfFreedom).toBe(5 - 2);
  });

  it('puts an empty stratum\'s population on its neighbours rather than dropping it', () => {
    const three = [...plain([{ code: '0A', population: 30, sampleSize: 3 }]), ...strata];
    const r = estimateShares({ options: ['01'], cells: three, received });
    expect(r.strata[0].received).toBe(0);
    expect(r.preliminary).toBe(true);
    // group {0A, A}: N = 40, n = 2, w = 20.
    expect(r.estimates[0].share).toBeCloseTo((20 * 90 + 10 * 70) / (20 * 200 + 10 * 300), 12);
  });

  it('is preliminary while fewer than half of the drawn sample is in', () => {
    const big = plain([{ code: 'A', population: 100, sampleSize: 5 }, { code: 'B', population: 100, sampleSize: 5 }]);
    expect(estimateShares({ options: ['01'], cells: big, received }).preliminary).toBe(true);
    expect(estimateShares({ options: ['01'], cells: big, received: [...received, tps('A', 1, 2)] }).preliminary).toBe(false);
  });

  it('gives the whole [0, 1] interval when no variance can be estimated', () => {
    const one = estimateShares({ options: ['01'], cells: strata, received: [tps('A', 60, 40)] });
    expect(one.estimates[0]).toEqual({ option: '01', share: 0.6, moe: 1, lower: 0, upper: 1 });
    expect(one).toMatchObject({ preliminary: true, degreesOfFreedom: 0, received: 1 });
    const none = estimateShares({ options: ['01', '02'], cells: strata, received: [] });
    expect(none.estimates).toEqual([
      { option: '01', share: 0, moe: 1, lower: 0, upper: 1 },
      { option: '02', share: 0, moe: 1, lower: 0, upper: 1 },
    ]);
    expect(none.preliminary).toBe(true);
  });

  it('rejects received TPS of an unknown cell', () => {
    expect(() => estimateShares({ options: ['01'], cells: strata, received: [tps('Z', 1, 1)] })).toThrow(/unknown cell Z/);
  });
});

describe('estimateShares post-stratified by place, with the desa of every TPS', () => {
  const cell = (code: string, rank: number, population: number, sampleSize: number, extra: Partial<EstimateCell> = {}): EstimateCell =>
    ({ code, stratum: 'S', rank, population, sampleSize, ...extra });

  it('weighs each place class by its own population, so the town TPS in first do not outweigh the villages', () => {
    // town cell: N = 10, all 4 drawn TPS in; village cell: N = 30, 2 of 4 in.
    const cells = [cell('T', 0, 10, 4), cell('V', 1, 30, 4)];
    const received = [tps('T', 60, 40), tps('T', 50, 50), tps('T', 70, 30), tps('T', 60, 40), tps('V', 20, 80), tps('V', 30, 70)];
    const r = estimateShares({ options: ['01'], cells, received });
    // w_T = 10/4, w_V = 30/2: p̂ = (2.5·240 + 15·50) / (2.5·400 + 15·200) = 1350/4000
    expect(r.estimates[0].share).toBeCloseTo(0.3375, 12);
    // one cell for the kecamatan (N = 40, 6 in) would say 290/600 = 0.483
    expect(estimateShares({ options: ['01'], cells: plain([{ code: 'S', population: 40, sampleSize: 8 }]), received: received.map((t) => ({ ...t, cell: 'S' })) }).estimates[0].share).toBeCloseTo(290 / 600, 12);
    // d = y − 0.3375·100: town (26.25, 16.25, 36.25, 26.25) s² = 200/3, complete: 10²·(1/4 − 1/10)·s² = 1000;
    // village (−13.75, −3.75) s² = 50, half in: 30²·((1/4 − 1/30) + (1/2 − 1/4))·50 = 21000 (each TPS its own desa)
    const df = 22000 ** 2 / (1000 ** 2 / 3 + 21000 ** 2 / 1);
    expect(r.estimates[0].moe).toBeCloseTo(studentTQuantile(0.975, df) * Math.sqrt(22000 / 4000 ** 2), 10);
  });

  // one cell of 8 drawn TPS in 4 desa of 2; 4 TPS in with the same numbers, spread or bunched
  const byDesa = new Map([['d1', 2], ['d2', 2], ['d3', 2], ['d4', 2]]);
  const cells = [cell('C', 0, 80, 8, { sampleByDesa: byDesa })];
  const numbers = [[40, 60], [55, 45], [45, 55], [60, 40]];
  const moeOf = (desa: string[]) => estimateShares({ options: ['01'], cells, received: numbers.map(([a, b], i) => tps('C', a, b, desa[i])) }).estimates[0].moe;

  it('is wider when the TPS in come from few desa than when they cover the sample\'s desa', () => {
    const spread = moeOf(['d1', 'd2', 'd3', 'd4']);
    const bunched = moeOf(['d1', 'd1', 'd2', 'd2']);
    expect(bunched).toBeGreaterThan(1.2 * spread);
  });

  it('drops the arrival part once the whole sample is in: the plain design variance is left', () => {
    // 12 drawn TPS in 4 desa of 3, all in: enough TPS per desa to estimate the intra-desa correlation
    const full = [cell('C', 0, 120, 12, { sampleByDesa: new Map([['d1', 3], ['d2', 3], ['d3', 3], ['d4', 3]]) })];
    const rows = [[40, 60], [42, 58], [45, 55], [55, 45], [57, 43], [60, 40], [50, 50], [52, 48], [48, 52], [30, 70], [33, 67], [35, 65]];
    const withDesa = estimateShares({ options: ['01'], cells: full, received: rows.map(([a, b], i) => tps('C', a, b, `d${1 + Math.floor(i / 3)}`)) });
    const without = estimateShares({ options: ['01'], cells: plain([{ code: 'C', population: 120, sampleSize: 12 }]), received: rows.map(([a, b]) => tps('C', a, b)) });
    expect(withDesa.estimates[0].moe).toBeCloseTo(without.estimates[0].moe, 10);
  });

  it('widens by the place drift while the TPS in are more town-like than the drawn ones, not once all are in', () => {
    // 8 drawn TPS, covariate 0..7 (mean 3.5); the first 5 in are the most town-like and lean to 01 with it
    const drawn = [cell('C', 0, 80, 8, { sampleAuxiliary: 28 })];
    const blind = [cell('C', 0, 80, 8)];
    const rows = [[70, 30, 7], [65, 35, 6], [62, 38, 5], [55, 45, 4], [52, 48, 3], [45, 55, 2], [40, 60, 1], [35, 65, 0]];
    const moe = (cs: EstimateCell[], n: number) => estimateShares({ options: ['01'], cells: cs, received: rows.slice(0, n).map(([a, b, u]) => tps('C', a, b, undefined, u)) }).estimates[0].moe;
    expect(moe(drawn, 5)).toBeGreaterThan(moe(blind, 5) * 1.1);
    expect(moe(drawn, 8)).toBeCloseTo(moe(blind, 8), 12);
  });

  it('gives a difference of two shares its own interval: with two options, twice one share\'s', () => {
    const acc = new QuickCountAccumulator(['01', '02'], cells);
    numbers.forEach(([a, b], i) => acc.add(tps('C', a, b, ['d1', 'd2', 'd3', 'd4'][i])));
    const fit = acc.fit();
    const one = linearInterval(fit, [1, 0], 0.99);
    const lead = linearInterval(fit, [1, -1], 0.99);
    expect(lead.estimate).toBeCloseTo(2 * one.estimate - 1, 12);
    expect(lead.moe).toBeCloseTo(2 * one.moe, 10);
  });
});
