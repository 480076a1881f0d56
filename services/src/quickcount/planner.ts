import { normalQuantile } from './distributions';
import { allocateProportional, MIN_PER_STRATUM } from './sample';

/**
 * The sample planner: before drawing, the margin of error a sample size buys, from the master data
 * (the strata, their TPS, the proportional allocation the draw will make) and a prior of how far a
 * TPS's share strays from its kecamatan's — the last election's spread, or a cautious assumption.
 *
 *   V(p̂) ≈ (1/N²) Σ_h N_h² (1/n_h − 1/N_h) σ²,   σ² = spread² + p(1 − p)/m
 *
 * (the stratified variance of a mean of TPS shares; m valid votes per TPS add the binomial noise of the
 * count itself). The margin is z·√V at 95%; the same at half the sample in (the earliest a call can
 * come) and the smallest lead over 50% a call could then see at 99%. Real evenings cost more than
 * this random-arrival figure early on (town TPS first): the estimator widens honestly for it.
 */

export interface PlanStratum { code: string; name: string; population: number }

export interface PlanInput {
  strata: readonly PlanStratum[];
  size: number;
  /** SD of a TPS's share around its kecamatan's (the prior), in (0, 0.5]. */
  spread: number;
  /** The share the margin is for; 0.5 is the widest. */
  share: number;
  /** Valid votes per TPS. */
  validPerTps: number;
}

export interface SamplePlan {
  size: number;
  strata: { code: string; name: string; population: number; size: number }[];
  assumptions: { spread: number; share: number; validPerTps: number; confidence: number };
  /** Margin of error (half-width at 95%) with the whole sample in, and with half of it in. */
  moe: number;
  moeHalfIn: number;
  /** The leader must be this far above 50% for a call at 99% with half the sample in. */
  callMargin: number;
  /** The margin for other sizes, to choose from. */
  curve: { size: number; moe: number }[];
}

/**
 * The spread assumed when none is given: what the simulator's evenings show for a paslon's TPS share
 * within a kecamatan. Replace it with the last election's (KPU publishes every TPS's result).
 */
export const DEFAULT_SPREAD = 0.14;
export const DEFAULT_VALID_PER_TPS = 200;
const CONFIDENCE = 0.95;
const CALL_CONFIDENCE = 0.99;

export function planSample(input: PlanInput): SamplePlan {
  const strata = [...input.strata].filter((s) => s.population > 0);
  const allocation = allocateProportional(strata.map((s) => s.population), input.size, MIN_PER_STRATUM);
  const z = normalQuantile((1 + CONFIDENCE) / 2);
  const se = (fraction: number) => Math.sqrt(varianceOf(strata.map((s) => s.population), allocation.map((n) => Math.max(1, n * fraction)), input));
  const total = strata.reduce((a, s) => a + s.population, 0);
  return {
    size: input.size,
    strata: strata.map((s, h) => ({ ...s, size: allocation[h] })),
    assumptions: { spread: input.spread, share: input.share, validPerTps: input.validPerTps, confidence: CONFIDENCE },
    moe: z * se(1),
    moeHalfIn: z * se(0.5),
    callMargin: normalQuantile((1 + CALL_CONFIDENCE) / 2) * se(0.5),
    curve: ladder(total, strata.length * MIN_PER_STRATUM, input.size).map((size) => {
      const n = allocateProportional(strata.map((s) => s.population), size, MIN_PER_STRATUM);
      return { size, moe: z * Math.sqrt(varianceOf(strata.map((s) => s.population), n, input)) };
    }),
  };
}

function varianceOf(populations: readonly number[], sizes: readonly number[], input: PlanInput): number {
  const total = populations.reduce((a, b) => a + b, 0);
  const perTps = input.spread ** 2 + (input.share * (1 - input.share)) / input.validPerTps;
  const sum = populations.reduce((a, N, h) => a + N * N * Math.max(0, 1 / sizes[h] - 1 / N), 0);
  return (sum * perTps) / (total * total);
}

/** Sizes worth comparing: round numbers from the smallest possible to the whole population, with the chosen one. */
function ladder(population: number, smallest: number, chosen: number): number[] {
  const steps = [50, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];
  return [...new Set([...steps, chosen])].filter((n) => n >= smallest && n <= population).sort((a, b) => a - b);
}
