import { describe, expect, it } from 'vitest';
import { allocateProportional, cyrb128, drawStratifiedSample, SampleDrawError, seededRandom, type SampleTps } from './sample';

function population(sizes: Record<string, number>): { tps: SampleTps[]; strata: { code: string; name: string }[] } {
  const tps: SampleTps[] = [];
  for (const [stratum, n] of Object.entries(sizes)) {
    for (let i = 1; i <= n; i++) tps.push({ code: `${stratum}${String(i).padStart(3, '0')}`, stratum });
  }
  return { tps, strata: Object.keys(sizes).map((code) => ({ code, name: `Kecamatan ${code}` })) };
}

describe('allocateProportional', () => {
  it('allocates proportionally by largest remainder and sums to the size', () => {
    // quotas 20·(50, 30, 20)/100 = 10, 6, 4
    expect(allocateProportional([50, 30, 20], 20)).toEqual([10, 6, 4]);
    // quotas 10·(5, 3, 3)/11 = 4.545, 2.727, 2.727 → floors 4, 2, 2; the 2 left go to the largest remainders (ties: lower index)
    expect(allocateProportional([5, 3, 3], 10)).toEqual([4, 3, 3]);
    expect(allocateProportional([202, 203, 352, 161, 107], 200)).toEqual([39, 40, 69, 31, 21]);
  });

  it('gives every stratum at least two and re-shares the rest proportionally', () => {
    // 10·(1000, 10, 10)/1020 → 9.8, 0.1, 0.1 → the small strata are raised to 2, the large one keeps 6
    expect(allocateProportional([1000, 10, 10], 10)).toEqual([6, 2, 2]);
  });

  it('never allocates more than a stratum has', () => {
    expect(allocateProportional([3, 4], 7)).toEqual([3, 4]);
    expect(allocateProportional([2, 2, 100], 104)).toEqual([2, 2, 100]);
    expect(allocateProportional([1, 50], 30)).toEqual([1, 29]);
  });

  it('sums to the size for many shapes', () => {
    const rng = seededRandom('alloc');
    for (let run = 0; run < 300; run++) {
      const pops = Array.from({ length: 1 + rng.int(12) }, () => 2 + rng.int(400));
      const total = pops.reduce((a, b) => a + b, 0);
      const size = 2 * pops.length + rng.int(total - 2 * pops.length + 1);
      const alloc = allocateProportional(pops, size);
      expect(alloc.reduce((a, b) => a + b, 0)).toBe(size);
      alloc.forEach((n, h) => { expect(n).toBeGreaterThanOrEqual(2); expect(n).toBeLessThanOrEqual(pops[h]); });
    }
  });

  it('refuses sizes that cannot be drawn', () => {
    expect(() => allocateProportional([10, 10, 10], 5)).toThrow(SampleDrawError);
    expect(() => allocateProportional([10, 10], 21)).toThrow(/exceeds/);
    expect(() => allocateProportional([10, 10], 4.5)).toThrow(/positive integer/);
  });
});

describe('drawStratifiedSample', () => {
  const { tps, strata } = population({ K1: 202, K2: 203, K3: 352, K4: 161, K5: 107 });

  it('draws the allocated number per stratum, without duplicates, sorted, with strata populations', () => {
    const s = drawStratifiedSample({ tps, strata, size: 200, seed: 'audit-2024' });
    expect(s.size).toBe(200);
    expect(s.seed).toBe('audit-2024');
    expect(s.tpsCodes).toHaveLength(200);
    expect(new Set(s.tpsCodes).size).toBe(200);
    expect(s.tpsCodes).toEqual([...s.tpsCodes].sort());
    expect(s.strata).toEqual([
      { code: 'K1', name: 'Kecamatan K1', size: 39, population: 202 },
      { code: 'K2', name: 'Kecamatan K2', size: 40, population: 203 },
      { code: 'K3', name: 'Kecamatan K3', size: 69, population: 352 },
      { code: 'K4', name: 'Kecamatan K4', size: 31, population: 161 },
      { code: 'K5', name: 'Kecamatan K5', size: 21, population: 107 },
    ]);
    for (const st of s.strata) expect(s.tpsCodes.filter((c) => c.startsWith(st.code))).toHaveLength(st.size);
  });

  it('is the same draw for the same seed whatever the input order, and another for another seed', () => {
    const a = drawStratifiedSample({ tps, strata, size: 60, seed: 'x' });
    const b = drawStratifiedSample({ tps: [...tps].reverse(), strata: [...strata].reverse(), size: 60, seed: 'x' });
    const c = drawStratifiedSample({ tps, strata, size: 60, seed: 'y' });
    expect(b).toEqual(a);
    expect(c.tpsCodes).not.toEqual(a.tpsCodes);
  });

  it('is pinned: this seed always gives these TPS (changing the algorithm breaks recorded audits)', () => {
    const s = drawStratifiedSample({ tps, strata, size: 10, seed: 'labusel' });
    expect(s.tpsCodes).toMatchInlineSnapshot(`
      [
        "K1077",
        "K1135",
        "K2062",
        "K2103",
        "K3010",
        "K3322",
        "K4093",
        "K4144",
        "K5036",
        "K5087",
      ]
    `);
  });

  it('draws each stratum from its own stream: a larger allocation only adds TPS to the same stratum', () => {
    const a = drawStratifiedSample({ tps, strata, size: 50, seed: 's' });
    const b = drawStratifiedSample({ tps, strata, size: 100, seed: 's' });
    for (const st of a.strata) {
      const inA = a.tpsCodes.filter((c) => c.startsWith(st.code));
      const inB = new Set(b.tpsCodes.filter((c) => c.startsWith(st.code)));
      expect(inA.every((c) => inB.has(c))).toBe(true);
    }
  });

  it('generates a hex seed when none is given', () => {
    const s = drawStratifiedSample({ tps, strata, size: 10 });
    expect(s.seed).toMatch(/^[0-9a-f]{16}$/);
    expect(drawStratifiedSample({ tps, strata, size: 10, seed: s.seed })).toEqual(s);
  });

  it('selects each TPS with about its stratum\'s inclusion probability', () => {
    const small = population({ A: 10, B: 30 });
    const hits = new Map<string, number>();
    const runs = 2000;
    for (let r = 0; r < runs; r++) {
      for (const c of drawStratifiedSample({ ...small, size: 8, seed: `run-${r}` }).tpsCodes) hits.set(c, (hits.get(c) ?? 0) + 1);
    }
    // allocation 2 of 10 in A, 6 of 30 in B: every TPS has probability 0.2; binomial sd ≈ 0.009
    for (const t of small.tps) expect(Math.abs((hits.get(t.code) ?? 0) / runs - 0.2)).toBeLessThan(0.04);
  });

  it('refuses unknown strata and impossible sizes', () => {
    expect(() => drawStratifiedSample({ tps: [{ code: 'X1', stratum: 'X' }], strata, size: 2 })).toThrow(/unknown stratum/);
    expect(() => drawStratifiedSample({ tps, strata, size: 9 })).toThrow(expect.objectContaining({ code: 'sample_too_small' }));
    expect(() => drawStratifiedSample({ tps, strata, size: 2000 })).toThrow(expect.objectContaining({ code: 'sample_too_large' }));
  });
});

describe('seeded PRNG', () => {
  // Pinned values from a second implementation (Python, 32-bit masks; UTF-16 code units as charCodeAt):
  // a published seed must draw the same sample in every version, so any change here must fail.
  it('hashes a seed and draws the values of a second implementation', () => {
    expect(cyrb128('suara')).toEqual([3582797061, 3135508356, 4108767477, 60453250]);
    expect(cyrb128('uji-benih')).toEqual([4025534492, 3135157280, 1494053311, 2307846382]);
    expect(cyrb128('')).toEqual([41608494, 3485963809, 1435736333, 1262568316]);
    const r = seededRandom('suara');
    expect(Array.from({ length: 4 }, () => r.next())).toEqual([2483791371, 1517373347, 3909755330, 3174559208]);
  });

  it('is reproducible from a string and uniform enough', () => {
    const a = seededRandom('suara');
    const b = seededRandom('suara');
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b.next()));
    const r = seededRandom('uniform');
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});
