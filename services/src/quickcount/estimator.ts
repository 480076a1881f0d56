import { studentTQuantile } from './distributions';
import { compareCodes } from './sample';

/**
 * Combined ratio estimator of each option's vote share from the sample TPS received so far.
 *
 *   p̂_k = Σ_h w_h Σ_i y_hik / Σ_h w_h Σ_i x_hi,   w_h = N_h / n_h
 *
 * N_h = TPS in stratum h, n_h = sample TPS of h RECEIVED (non-response is treated as random within
 * a stratum), y = votes for option k at a TPS, x = its valid votes. Variance by Taylor linearisation:
 *
 *   V(p̂_k) = (1 / X̂²) Σ_h N_h² (1 − n_h/N_h) s²_{d,h} / n_h,   d_hi = y_hik − p̂_k x_hi,
 *
 * s²_{d,h} the sample variance of d within h (Cochran, Sampling Techniques, §6.11; NDI, The Quick
 * Count and Election Observation, ch. 5). A stratum with fewer than two received TPS has no variance
 * estimate, so strata are collapsed with their neighbours (in code order) until every group has two
 * (the collapsed-strata technique; cotecora-team-2/quickcountmx also collapses empty strata); while
 * strata are collapsed the variance is never taken below that of the same TPS as one unstratified
 * sample. The interval is p̂ ± t·√V with Student's t at the Welch–Satterthwaite degrees of freedom
 * (at most received TPS − groups): it tends to 1.96 for 95% as TPS come in but stays honestly wide
 * while only a handful are in (estimator.coverage.unit.spec.ts checks the coverage).
 */

export interface EstimateStratumInput {
  code: string;
  /** N_h: all TPS of the stratum. */
  population: number;
  /** Sample TPS drawn in the stratum. */
  sampleSize: number;
}

export interface ReceivedTps {
  stratum: string;
  /** Votes per option; a missing option counts 0. */
  votes: Readonly<Record<string, number>>;
  /** Valid votes at the TPS (the ratio's denominator). */
  valid: number;
}

export interface EstimateInput {
  options: readonly string[];
  strata: readonly EstimateStratumInput[];
  received: readonly ReceivedTps[];
  /** Two-sided confidence level of the intervals; default 0.95. */
  confidence?: number;
}

export interface ShareEstimate {
  option: string;
  share: number;
  /** Half-width of the interval before clipping to [0, 1]. */
  moe: number;
  lower: number;
  upper: number;
}

export interface StratumReceipt {
  code: string;
  population: number;
  sampleSize: number;
  received: number;
  /** Code of the (collapsed) group the stratum was estimated in: its own code when not collapsed. */
  group: string;
}

export interface ShareEstimation {
  estimates: ShareEstimate[];
  /** Sample TPS received (counted in the estimate). */
  received: number;
  /**
   * True while the numbers should not be read as a result: strata had to be collapsed (a stratum has
   * fewer than two received TPS), fewer than half of the drawn sample is in, or nothing can be estimated.
   */
  preliminary: boolean;
  confidence: number;
  /** Design degrees of freedom of the t quantile (received − groups); 0 when no variance can be estimated. */
  degreesOfFreedom: number;
  strata: StratumReceipt[];
}

/** Share of the drawn sample below which an estimate stays preliminary (early TPS are not a random sample). */
export const PRELIMINARY_BELOW_RECEIVED_SHARE = 0.5;

export function estimateShares(input: EstimateInput): ShareEstimation {
  const confidence = input.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const strata = [...input.strata].sort((a, b) => compareCodes(a.code, b.code));
  const receivedBy = receivedPerStratum(strata, input.received);
  const groups = collapseStrata(strata, receivedBy);
  const receipts = strata.map((s) => ({
    code: s.code, population: s.population, sampleSize: s.sampleSize,
    received: receivedBy.get(s.code)!.length, group: groups.find((g) => g.codes.includes(s.code))!.codes[0],
  }));
  const received = input.received.length;
  const drawn = strata.reduce((a, s) => a + s.sampleSize, 0);
  const collapsed = receipts.some((r) => r.received < 2);
  const df = Math.max(0, received - groups.length);
  const xHat = groups.reduce((a, g) => a + g.weight * sum(g.tps.map((t) => t.valid)), 0);
  const base = { received, confidence, degreesOfFreedom: df, strata: receipts };
  if (!(xHat > 0)) {
    return { ...base, preliminary: true, estimates: input.options.map((option) => ({ option, share: 0, moe: 1, lower: 0, upper: 1 })) };
  }
  const estimates = input.options.map((option) => estimateOption(option, groups, xHat, confidence, df, collapsed));
  const preliminary = collapsed || df < 1 || received < PRELIMINARY_BELOW_RECEIVED_SHARE * drawn;
  return { ...base, preliminary, estimates };
}

interface Group { codes: string[]; population: number; tps: ReceivedTps[]; weight: number }

function receivedPerStratum(strata: readonly EstimateStratumInput[], received: readonly ReceivedTps[]): Map<string, ReceivedTps[]> {
  const by = new Map<string, ReceivedTps[]>(strata.map((s) => [s.code, []]));
  for (const r of received) {
    const list = by.get(r.stratum);
    if (!list) throw new RangeError(`received TPS of unknown stratum ${r.stratum}`);
    list.push(r);
  }
  return by;
}

/** Walks strata in code order, closing a group once it holds two received TPS; a short tail joins the last group. */
export function collapseStrata(strata: readonly EstimateStratumInput[], receivedBy: ReadonlyMap<string, readonly ReceivedTps[]>): Group[] {
  const groups: Group[] = [];
  let open: Group | undefined;
  for (const s of strata) {
    open ??= { codes: [], population: 0, tps: [], weight: 0 };
    open.codes.push(s.code);
    open.population += s.population;
    open.tps.push(...(receivedBy.get(s.code) ?? []));
    if (open.tps.length >= 2) { groups.push(open); open = undefined; }
  }
  if (open) {
    const last = groups.at(-1);
    if (last) { last.codes.push(...open.codes); last.population += open.population; last.tps.push(...open.tps); }
    else groups.push(open);
  }
  for (const g of groups) g.weight = g.tps.length > 0 ? g.population / g.tps.length : 0;
  return groups;
}

function estimateOption(option: string, groups: readonly Group[], xHat: number, confidence: number, maxDf: number, collapsed: boolean): ShareEstimate {
  const yHat = groups.reduce((a, g) => a + g.weight * sum(g.tps.map((tps) => tps.votes[option] ?? 0)), 0);
  const share = yHat / xHat;
  if (maxDf < 1) return { option, share, moe: 1, lower: 0, upper: 1 };
  const residual = (tps: ReceivedTps) => (tps.votes[option] ?? 0) - share * tps.valid;
  const terms = groups.filter((g) => g.tps.length >= 2).map((g) => varianceTerm(g.population, g.tps.map(residual)));
  let total = sum(terms.map((x) => x.v));
  // Welch–Satterthwaite: when one group dominates the variance, its few TPS set the degrees of freedom.
  let df = total > 0 ? (total * total) / sum(terms.map((x) => (x.v * x.v) / x.df)) : maxDf;
  if (collapsed) {
    // Sparse strata: two TPS that happen to agree would claim a precision nobody has. Stay conservative by
    // never going below the variance of the same TPS taken as one unstratified random sample.
    const pooled = varianceTerm(sum(groups.map((g) => g.population)), groups.flatMap((g) => g.tps.map(residual)));
    if (pooled.v > total) { total = pooled.v; df = pooled.df; }
  }
  const moe = studentTQuantile((1 + confidence) / 2, Math.min(maxDf, Math.max(1, df))) * Math.sqrt(total / (xHat * xHat));
  return { option, share, moe, lower: clip01(share - moe), upper: clip01(share + moe) };
}

/** One group's term N²(1 − n/N)s²/n of the linearised variance, with its degrees of freedom n − 1. */
function varianceTerm(population: number, residuals: readonly number[]): { v: number; df: number } {
  const n = residuals.length;
  const fpc = Math.max(0, 1 - n / population);
  return { v: (population * population * fpc * sampleVariance(residuals)) / n, df: n - 1 };
}

function sampleVariance(values: readonly number[]): number {
  const mean = sum(values) / values.length;
  return values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function clip01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
