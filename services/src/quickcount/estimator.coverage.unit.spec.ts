import { beforeAll, describe, expect, it } from 'vitest';
import { drawStratifiedSample, seededRandom, type SeededRandom } from './sample';
import { estimateShares, type ReceivedTps } from './estimator';
import { loadLabusel, type LabuselTps } from './labusel.spec-helpers';

/**
 * Statistical honesty: on the real Labusel TPS structure (1,025 TPS, 54 desa, 5 kecamatan), simulated
 * elections are sampled and estimated many times; the 95% intervals must cover the true (full count)
 * share about 95% of the time and the estimate must be unbiased. Every random number comes from fixed
 * seeds, so the spec gives the same numbers on every run (deterministic, not flaky).
 */

const PASLON = ['01', '02', '03'];
const ELECTIONS = 1000;
const DRAWS_PER_ELECTION = 2;
const SAMPLE_SIZE = 200;

interface TpsResult extends ReceivedTps { code: string }

function normal(rng: SeededRandom): number {
  const u = 1 - rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

function softmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Splits `total` into integer parts proportional to `shares` (largest remainder), so parts add up exactly. */
function apportion(total: number, shares: number[]): number[] {
  const raw = shares.map((s) => s * total);
  const parts = raw.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0]);
  for (let i = 0; left > 0; i++, left--) parts[order[i][1]] += 1;
  return parts;
}

/**
 * One election: paslon logits vary by election, kecamatan, desa and TPS (so TPS in one desa vote alike);
 * DPT 150–300 per TPS; turnout varies by desa and TPS, and the first paslon does better where turnout is low.
 */
function simulateElection(tps: readonly LabuselTps[], rng: SeededRandom): TpsResult[] {
  const base = [-0.7 + 0.4 * normal(rng), 0.5 + 0.4 * normal(rng), -1.0 + 0.4 * normal(rng)];
  const effects = new Map<string, number[]>();
  const effect = (key: string, sd: number) => {
    let e = effects.get(key);
    if (!e) effects.set(key, (e = [sd * normal(rng), sd * normal(rng), sd * normal(rng), normal(rng)]));
    return e;
  };
  return tps.map((t) => {
    const kec = effect(t.kecamatan, 0.3);
    const desa = effect(t.desa, 0.45);
    const own = [0.25 * normal(rng), 0.25 * normal(rng), 0.25 * normal(rng)];
    const dpt = 150 + rng.int(151);
    const turnout = Math.min(0.97, Math.max(0.45, 0.8 + 0.05 * desa[3] + 0.04 * normal(rng)));
    const voted = Math.round(dpt * turnout);
    const invalid = Math.round(voted * (0.01 + 0.03 * rng.float()));
    const valid = voted - invalid;
    const shares = softmax(base.map((b, k) => b + kec[k] + desa[k] + own[k] + (k === 0 ? -1.5 * (turnout - 0.8) : 0)));
    const counts = apportion(valid, shares);
    return { code: t.code, stratum: t.kecamatan, valid, votes: Object.fromEntries(PASLON.map((p, k) => [p, counts[k]])) };
  });
}

function trueShares(results: readonly TpsResult[]): number[] {
  const valid = results.reduce((a, r) => a + r.valid, 0);
  return PASLON.map((p) => results.reduce((a, r) => a + r.votes[p], 0) / valid);
}

function shuffled<T>(items: readonly T[], rng: SeededRandom): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('quick count estimator on the Labusel TPS structure', () => {
  const labusel = loadLabusel();
  const strataNames = labusel.kecamatan;
  const sampleTps = labusel.tps.map((t) => ({ code: t.code, stratum: t.kecamatan }));

  interface Run { truth: number[]; share: number[]; lower: number[]; upper: number[]; moe: number[]; preliminary: boolean }
  type Scenario = 'all' | 'sixtyPercent' | 'six';
  const receive: Record<Scenario, (sample: TpsResult[], rng: SeededRandom) => TpsResult[]> = {
    all: (sample) => sample,
    // non-response at random within the sample
    sixtyPercent: (sample, rng) => shuffled(sample, rng).slice(0, Math.round(sample.length * 0.6)),
    six: (sample, rng) => shuffled(sample, rng).slice(0, 6),
  };

  /** Every scenario over the same simulated elections and draws, in one pass (the elections are the slow part). */
  function simulateRuns(): Record<Scenario, Run[]> {
    const rng = seededRandom(process.env.COVERAGE_SEED ?? 'coverage-spec');
    const runs: Record<Scenario, Run[]> = { all: [], sixtyPercent: [], six: [] };
    for (let e = 0; e < ELECTIONS; e++) {
      const results = simulateElection(labusel.tps, rng);
      const byCode = new Map(results.map((r) => [r.code, r]));
      const truth = trueShares(results);
      for (let d = 0; d < DRAWS_PER_ELECTION; d++) {
        const sample = drawStratifiedSample({ tps: sampleTps, strata: strataNames, size: SAMPLE_SIZE, seed: `e${e}-d${d}` });
        const sampleResults = sample.tpsCodes.map((c) => byCode.get(c)!);
        const strata = sample.strata.map((s) => ({ code: s.code, population: s.population, sampleSize: s.size }));
        for (const scenario of Object.keys(receive) as Scenario[]) {
          const est = estimateShares({ options: PASLON, strata, received: receive[scenario](sampleResults, rng) });
          runs[scenario].push({
            truth,
            share: est.estimates.map((x) => x.share),
            lower: est.estimates.map((x) => x.lower),
            upper: est.estimates.map((x) => x.upper),
            moe: est.estimates.map((x) => x.moe),
            preliminary: est.preliminary,
          });
        }
      }
    }
    return runs;
  }

  let runs: Record<Scenario, Run[]>;
  beforeAll(() => { runs = simulateRuns(); });
  const coverage = (rs: Run[], k: number) => rs.filter((r) => r.lower[k] <= r.truth[k] && r.truth[k] <= r.upper[k]).length / rs.length;
  const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

  it('uses the real structure: 1,025 TPS in 5 kecamatan', () => {
    expect(labusel.tps).toHaveLength(1025);
    expect(strataNames.map((k) => k.code)).toEqual(['122201', '122202', '122203', '122204', '122205']);
    expect(new Set(labusel.tps.map((t) => t.desa)).size).toBe(54);
  });

  it('covers the true share 93–97% of the time and is unbiased, with the whole sample in', () => {
    const all = runs.all;
    expect(all).toHaveLength(ELECTIONS * DRAWS_PER_ELECTION);
    for (let k = 0; k < PASLON.length; k++) {
      const cov = coverage(all, k);
      console.info(`paslon ${PASLON[k]}: coverage ${cov.toFixed(4)}, median moe ${quantile(all.map((r) => r.moe[k]), 0.5).toFixed(4)}`);
      expect(cov).toBeGreaterThanOrEqual(0.93);
      expect(cov).toBeLessThanOrEqual(0.97);
      const errors = all.map((r) => r.share[k] - r.truth[k]);
      const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
      const sd = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / (errors.length - 1));
      console.info(`paslon ${PASLON[k]}: mean error ${mean.toExponential(2)}, z ${(mean / (sd / Math.sqrt(errors.length))).toFixed(2)}`);
      expect(Math.abs(mean / (sd / Math.sqrt(errors.length)))).toBeLessThan(3);
    }
    expect(all.every((r) => !r.preliminary)).toBe(true);
  });

  it('still covers when only a random 60% of the sample has come in', () => {
    for (let k = 0; k < PASLON.length; k++) {
      const cov = coverage(runs.sixtyPercent, k);
      console.info(`60% in, paslon ${PASLON[k]}: coverage ${cov.toFixed(4)}`);
      expect(cov).toBeGreaterThanOrEqual(0.93);
      expect(cov).toBeLessThanOrEqual(0.97);
    }
  });

  it('is wide and preliminary with only six sample TPS in', () => {
    const six = runs.six;
    expect(six.every((r) => r.preliminary)).toBe(true);
    for (let k = 0; k < PASLON.length; k++) {
      const moes = six.map((r) => r.moe[k]);
      console.info(`6 in, paslon ${PASLON[k]}: coverage ${coverage(six, k).toFixed(4)}, moe q01 ${quantile(moes, 0.01).toFixed(4)} q05 ${quantile(moes, 0.05).toFixed(4)} q50 ${quantile(moes, 0.5).toFixed(4)}`);
      const fullSampleMoe = quantile(runs.all.map((r) => r.moe[k]), 0.5);
      expect(quantile(moes, 0.5)).toBeGreaterThan(0.05);
      expect(quantile(moes, 0.5)).toBeGreaterThan(5 * fullSampleMoe);
      expect(coverage(six, k)).toBeGreaterThanOrEqual(0.93);
    }
  });
});
