import { randomBytes } from 'node:crypto';

/**
 * Stratified random sample of TPS for the quick count — pure, reproducible from its seed.
 *
 * How anyone can redraw a sample from the recorded seed (the audit procedure):
 * 1. Keep the strata that have at least one TPS; sort strata and TPS by code (plain string order),
 *    so the input order never matters.
 * 2. Allocation (proportional, largest remainder): stratum h gets quota `size · N_h / N`, bounded
 *    below by min(2, N_h) and above by N_h. A stratum whose quota breaks a bound is fixed at that
 *    bound and the rest is re-shared proportionally among the others, until no quota breaks one.
 *    Each free quota is rounded down; the units left go one each to the largest fractional parts
 *    (ties: lower stratum code first).
 * 3. Within each stratum, a PRNG is seeded with the string `${seed}/${stratumCode}`:
 *    `cyrb128` hashes the string to four 32-bit words which seed `sfc32` (both by bryc, public domain;
 *    code below). The stratum's TPS list (sorted by code) is partially shuffled by Fisher–Yates:
 *    for i = 0 … n_h − 1, j = i + randomInt(N_h − i), swap(i, j); the first n_h codes are the draw.
 *    `randomInt(m)` takes the next 32-bit output `u` and rejects it while `u ≥ 2^32 − (2^32 mod m)`,
 *    then returns `u mod m` (no modulo bias).
 * 4. The sample is the union over strata, sorted by code.
 */

export interface SampleTps { code: string; stratum: string }
export interface SampleStratumInput { code: string; name: string }

export interface DrawSampleInput {
  tps: readonly SampleTps[];
  strata: readonly SampleStratumInput[];
  size: number;
  /** Absent → a fresh random seed (16 hex digits) is generated and returned. */
  seed?: string;
}

export interface DrawnStratum { code: string; name: string; size: number; population: number }

export interface DrawnSample {
  size: number;
  seed: string;
  /** Sorted by code. */
  tpsCodes: string[];
  /** Sorted by code; only strata that have TPS. */
  strata: DrawnStratum[];
}

export type SampleErrorCode = 'sample_too_small' | 'sample_too_large' | 'unknown_stratum' | 'invalid_size';

/** A draw that cannot be made as asked; `code` maps to a 400 answer. */
export class SampleDrawError extends Error {
  constructor(readonly code: SampleErrorCode, message: string) {
    super(message);
    this.name = 'SampleDrawError';
  }
}

/** Minimum TPS per stratum: the within-stratum variance needs two. */
export const MIN_PER_STRATUM = 2;

export function generateSeed(): string {
  return randomBytes(8).toString('hex');
}

export function drawStratifiedSample(input: DrawSampleInput): DrawnSample {
  const seed = input.seed ?? generateSeed();
  const groups = groupByStratum(input.tps, input.strata);
  const populations = groups.map((g) => g.tps.length);
  const allocation = allocateProportional(populations, input.size, MIN_PER_STRATUM);
  const tpsCodes: string[] = [];
  const strata: DrawnStratum[] = groups.map((g, h) => {
    const drawn = drawWithoutReplacement(g.tps, allocation[h], `${seed}/${g.stratum.code}`);
    tpsCodes.push(...drawn);
    return { code: g.stratum.code, name: g.stratum.name, size: allocation[h], population: g.tps.length };
  });
  return { size: input.size, seed, tpsCodes: tpsCodes.sort(compareCodes), strata };
}

interface StratumGroup { stratum: SampleStratumInput; tps: string[] }

function groupByStratum(tps: readonly SampleTps[], strata: readonly SampleStratumInput[]): StratumGroup[] {
  const byCode = new Map<string, StratumGroup>();
  for (const s of [...strata].sort((a, b) => compareCodes(a.code, b.code))) byCode.set(s.code, { stratum: s, tps: [] });
  for (const t of tps) {
    const group = byCode.get(t.stratum);
    if (!group) throw new SampleDrawError('unknown_stratum', `TPS ${t.code} belongs to unknown stratum ${t.stratum}`);
    group.tps.push(t.code);
  }
  const groups = [...byCode.values()].filter((g) => g.tps.length > 0);
  for (const g of groups) g.tps = [...new Set(g.tps)].sort(compareCodes);
  return groups;
}

/**
 * Proportional allocation of `size` units over strata of the given populations, each stratum
 * bounded to [min(minEach, N_h), N_h], integerised by largest remainder. Deterministic.
 */
export function allocateProportional(populations: readonly number[], size: number, minEach = MIN_PER_STRATUM): number[] {
  const total = populations.reduce((a, b) => a + b, 0);
  const lower = populations.map((n) => Math.min(minEach, n));
  const lowerSum = lower.reduce((a, b) => a + b, 0);
  if (!Number.isInteger(size) || size < 1) throw new SampleDrawError('invalid_size', `sample size must be a positive integer, got ${size}`);
  if (size > total) throw new SampleDrawError('sample_too_large', `sample size ${size} exceeds the ${total} TPS there are`);
  if (size < lowerSum) {
    throw new SampleDrawError('sample_too_small', `sample size ${size} is below ${minEach} TPS for each of the ${populations.length} strata (${lowerSum})`);
  }
  const fixed = new Map<number, number>();
  for (;;) {
    const free = populations.map((_, h) => h).filter((h) => !fixed.has(h));
    const remaining = size - [...fixed.values()].reduce((a, b) => a + b, 0);
    const freePop = free.reduce((a, h) => a + populations[h], 0);
    const quota = (h: number) => (freePop === 0 ? 0 : (remaining * populations[h]) / freePop);
    const under = free.filter((h) => quota(h) < lower[h]);
    if (under.length > 0) { for (const h of under) fixed.set(h, lower[h]); continue; }
    const over = free.filter((h) => quota(h) > populations[h]);
    if (over.length > 0) { for (const h of over) fixed.set(h, populations[h]); continue; }
    return integerise(populations.length, fixed, free.map((h) => ({ h, q: quota(h) })), remaining);
  }
}

function integerise(count: number, fixed: Map<number, number>, quotas: { h: number; q: number }[], remaining: number): number[] {
  const out = new Array<number>(count).fill(0);
  for (const [h, n] of fixed) out[h] = n;
  let left = remaining;
  for (const { h, q } of quotas) { out[h] = Math.floor(q + 1e-9); left -= out[h]; }
  const byRemainder = [...quotas].sort((a, b) => (b.q - Math.floor(b.q + 1e-9)) - (a.q - Math.floor(a.q + 1e-9)) || a.h - b.h);
  for (let i = 0; left > 0 && i < byRemainder.length; i++, left--) out[byRemainder[i].h] += 1;
  return out;
}

function drawWithoutReplacement(sortedCodes: readonly string[], n: number, seedString: string): string[] {
  const codes = [...sortedCodes];
  const rng = seededRandom(seedString);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(codes.length - i);
    [codes[i], codes[j]] = [codes[j], codes[i]];
  }
  return codes.slice(0, n);
}

export function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A seeded PRNG: `next()` is a uniform 32-bit unsigned integer, `float()` in [0, 1), `int(m)` in [0, m). */
export interface SeededRandom {
  next(): number;
  float(): number;
  int(m: number): number;
}

/** sfc32 seeded from `cyrb128(seed)`; the generator used for sample draws (and the simulator). */
export function seededRandom(seed: string): SeededRandom {
  const next = sfc32(...cyrb128(seed));
  return {
    next,
    float: () => next() / 4294967296,
    int(m: number): number {
      if (!Number.isInteger(m) || m < 1 || m > 4294967296) throw new RangeError(`int(m) needs an integer 1 ≤ m ≤ 2^32, got ${m}`);
      const limit = 4294967296 - (4294967296 % m);
      for (;;) {
        const u = next();
        if (u < limit) return u % m;
      }
    },
  };
}

/** cyrb128 string hash (bryc, public domain): four 32-bit words. */
export function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4; h2 ^= h1; h3 ^= h1; h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 32-bit), returning unsigned 32-bit integers. */
export function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}
