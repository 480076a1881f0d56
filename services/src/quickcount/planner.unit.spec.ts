import { describe, expect, it } from 'vitest';
import { normalQuantile } from './distributions';
import { DEFAULT_SPREAD, planSample } from './planner';

const strata = [{ code: 'A', name: 'A', population: 100 }, { code: 'B', name: 'B', population: 300 }];

describe('planSample', () => {
  it('computes the stratified margin by hand: proportional allocation, finite population correction, binomial noise', () => {
    const plan = planSample({ strata, size: 40, spread: 0.1, share: 0.5, validPerTps: 200 });
    expect(plan.strata.map((s) => s.size)).toEqual([10, 30]);
    // σ² = 0.01 + 0.25/200; V = (100²(1/10 − 1/100) + 300²(1/30 − 1/300))·σ² / 400²
    const v = ((100 ** 2 * (1 / 10 - 1 / 100) + 300 ** 2 * (1 / 30 - 1 / 300)) * (0.01 + 0.25 / 200)) / 400 ** 2;
    expect(plan.moe).toBeCloseTo(normalQuantile(0.975) * Math.sqrt(v), 12);
    const half = ((100 ** 2 * (1 / 5 - 1 / 100) + 300 ** 2 * (1 / 15 - 1 / 300)) * (0.01 + 0.25 / 200)) / 400 ** 2;
    expect(plan.moeHalfIn).toBeCloseTo(normalQuantile(0.975) * Math.sqrt(half), 12);
    expect(plan.callMargin).toBeCloseTo(normalQuantile(0.995) * Math.sqrt(half), 12);
  });

  it('shrinks the margin as the sample grows, to nothing when every TPS is in, and offers the sizes around', () => {
    const plan = planSample({ strata, size: 200, spread: DEFAULT_SPREAD, share: 0.5, validPerTps: 200 });
    const moes = plan.curve.map((c) => c.moe);
    expect(moes).toEqual([...moes].sort((a, b) => b - a));
    expect(plan.curve.map((c) => c.size)).toContain(200);
    expect(planSample({ strata, size: 400, spread: 0.1, share: 0.5, validPerTps: 200 }).moe).toBe(0);
  });

  it('is widest at a 50% share and grows with the spread', () => {
    const at = (share: number, spread = 0.1) => planSample({ strata, size: 40, spread, share, validPerTps: 200 }).moe;
    expect(at(0.5)).toBeGreaterThan(at(0.2));
    expect(at(0.5, 0.2)).toBeGreaterThan(at(0.5, 0.1));
  });

  it('refuses a size the draw would refuse, with its reason', () => {
    expect(() => planSample({ strata, size: 3, spread: 0.1, share: 0.5, validPerTps: 200 })).toThrow(/below 2 TPS for each/);
    expect(() => planSample({ strata, size: 401, spread: 0.1, share: 0.5, validPerTps: 200 })).toThrow(/exceeds/);
  });
});
