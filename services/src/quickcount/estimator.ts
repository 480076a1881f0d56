import { studentTQuantile } from './distributions';
import { compareCodes } from './sample';

/**
 * Post-stratified combined ratio estimator of each option's vote share from the sample TPS received so far.
 *
 * The sample is a stratified random sample of TPS (strata = kecamatan). Within each stratum the TPS
 * are further split into post-strata ("cells") by what the master data says about their place
 * (`post-strata.ts`: town-like vs village-like desa), because on a real evening town TPS report first
 * and vote differently: the first TPS in are not a random part of the sample, but within a cell they
 * are much closer to one. Each cell c is weighted by its own population:
 *
 *   p̂_k = Σ_c w_c Y_ck / Σ_c w_c X_c,   w_c = N_c / r_c
 *
 * N_c = TPS of the cell in the population (master data), r_c = its sample TPS received, Y_ck = their
 * votes for option k, X_c = their valid votes. The variance is linearised (d_i = y_ik − p̂_k x_i) in two
 * phases, the drawn sample (n_c TPS) and the part of it that has arrived:
 *
 *   V(p̂) = (1/X̂²) Σ_c N_c² [ (1/n_c − 1/N_c) s²_c  +  σ²_a,c Σ_j (m_j/r_c − n_j/n_c)²  +  σ²_e,c (1/r_c − 1/n_c) ]
 *
 * The first term is the usual stratified-sampling variance (Cochran, Sampling Techniques, §6.11; NDI,
 * The Quick Count and Election Observation, ch. 5). The other two are what is still unknown about the
 * sample TPS that have not come in. Arrivals come by desa (a desa's TPS share a road and a patch of
 * signal), so the spread of a TPS's residual is split into a desa part σ²_a = ρS² and a within-desa
 * part σ²_e = (1 − ρ)S², ρ the intra-desa correlation by one-way ANOVA pooled over the cells (Searle,
 * Casella & McCulloch, Variance Components, §3.5); desa j has n_j TPS in the sample and m_j in so far, so
 * a desa under-represented so far (m_j/r below n_j/n) leaves its lean unknown. TPS that came in from few
 * desa spread less than the population, E[s²] = S²·(1 − ρ(1 − m₀(a − 1)/(r − 1))), which S² undoes.
 * While few desa are in the interval is wide; both arrival terms vanish when the whole sample is in.
 * Intervals use Student's t at the Welch–Satterthwaite degrees of freedom (r − 1 for the parts resting
 * on the TPS, desa − 1 for the desa part).
 *
 * A cell with fewer than two TPS or (while incomplete) two desa in has no variance estimate: it joins
 * the same place class of the nearest stratum (code order), and if that class has too few TPS in
 * anywhere, the neighbouring class (collapsed strata; cotecora-team-2/quickcountmx collapses empty
 * strata too). Classes are bands, so the TPS in can still be more town-like than the drawn ones within
 * a band: the possible shift (`placeDrift`) widens the interval until the sample is complete.
 *
 * Everything is kept as additive sums per cell (TPS-level and desa-level), so a TPS is added in O(k²)
 * and an estimate costs O(cells · k²): the evening can be replayed arrival by arrival (`call.ts`).
 */

/** A post-stratum: the TPS of one stratum (kecamatan) that share a place class. */
export interface EstimateCell {
  code: string;
  /** The sample's stratum (kecamatan) the cell lies in. */
  stratum: string;
  /** Order of the cell within its stratum (0 = most town-like); neighbours are collapsed together. */
  rank: number;
  /** N_c: all TPS of the cell. */
  population: number;
  /** n_c: sample TPS drawn in the cell. */
  sampleSize: number;
  /** Sample TPS per desa of the cell; absent: each drawn TPS not yet in counts as a desa of its own. */
  sampleByDesa?: ReadonlyMap<string, number>;
  /** Σ of the covariate over the cell's drawn TPS. */
  sampleAuxiliary?: number;
}

export interface ReceivedTps {
  cell: string;
  /** The TPS's desa: TPS of one desa tend to arrive together. Absent: the TPS is its own cluster. */
  desa?: string;
  /** Votes per option; a missing option counts 0. */
  votes: Readonly<Record<string, number>>;
  /** Valid votes at the TPS (the ratio's denominator). */
  valid: number;
  /** A covariate known for every drawn TPS before any result (`EstimateCell.sampleAuxiliary`). */
  auxiliary?: number;
}

export interface EstimateInput {
  options: readonly string[];
  cells: readonly EstimateCell[];
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
}

export interface ShareEstimation {
  estimates: ShareEstimate[];
  /** Sample TPS received (counted in the estimate). */
  received: number;
  /** True while the numbers should not be read as a result (`isPreliminary`). */
  preliminary: boolean;
  confidence: number;
  /** Design degrees of freedom (received − groups); 0 when no variance can be estimated. */
  degreesOfFreedom: number;
  strata: StratumReceipt[];
}

/** Share of the drawn sample below which an estimate stays preliminary (early TPS are not a random sample). */
export const PRELIMINARY_BELOW_RECEIVED_SHARE = 0.5;
/** A cell's variance needs two TPS and, while the cell is incomplete, two desa. */
const MIN_TPS = 2;
const MIN_DESA = 2;
/** TPS in a desa with another TPS in, before the intra-desa correlation is estimated. */
const MIN_WITHIN_DF = 5;

export function estimateShares(input: EstimateInput): ShareEstimation {
  const acc = new QuickCountAccumulator(input.options, input.cells);
  for (const tps of input.received) acc.add(tps);
  return acc.estimation(input.confidence ?? 0.95);
}

/** One cell per stratum: the plain stratified estimator, for a sample without place classes. */
export function stratumCells(strata: readonly { code: string; population: number; sampleSize: number }[]): EstimateCell[] {
  return strata.map((s) => ({ code: s.code, stratum: s.code, rank: 0, population: s.population, sampleSize: s.sampleSize }));
}

/**
 * Additive sums over a set of received TPS for k options — TPS-level (x = valid, y = votes, u = the
 * covariate) and desa-level (m_j TPS in, n_j drawn, X_j, Y_j of desa j) — so that sets of disjoint
 * desa add up, which is how cells are collapsed, and a TPS is added in O(k²).
 */
class Moments {
  r = 0;
  x = 0;
  xx = 0;
  u = 0;
  uu = 0;
  ux = 0;
  /** Desa in (a), Σ m_j², Σ m_j n_j, Σ n_j² over the sample's desa, Σ X_j²/m_j. */
  a = 0;
  mm = 0;
  mn = 0;
  nn = 0;
  xxByDesa = 0;
  /** Drawn TPS and Σ of the covariate over them (the cell's sample). */
  n = 0;
  sampleU = 0;
  readonly y: Float64Array;
  readonly xy: Float64Array;
  readonly yy: Float64Array;
  readonly uy: Float64Array;
  /** Σ_j X_j·Y_j/m_j and Σ_j Y_j·Y_jᵀ/m_j. */
  readonly xyByDesa: Float64Array;
  readonly yyByDesa: Float64Array;

  constructor(readonly k: number) {
    this.y = new Float64Array(k);
    this.xy = new Float64Array(k);
    this.yy = new Float64Array(k * k);
    this.uy = new Float64Array(k);
    this.xyByDesa = new Float64Array(k);
    this.yyByDesa = new Float64Array(k * k);
  }

  addTps(x: number, y: ArrayLike<number>, u: number): void {
    const k = this.k;
    this.r += 1;
    this.x += x;
    this.xx += x * x;
    this.u += u;
    this.uu += u * u;
    this.ux += u * x;
    for (let i = 0; i < k; i++) {
      this.y[i] += y[i];
      this.xy[i] += x * y[i];
      this.uy[i] += u * y[i];
      for (let j = 0; j < k; j++) this.yy[i * k + j] += y[i] * y[j];
    }
  }

  /**
   * Moves desa j from (m, X, Y) to (m + 1, X + x, Y + y). `drawn` is its n_j from the sample's list;
   * without one, the desa counts as drawn exactly as far as it has come in (n_j = m_j) — and where the
   * cell has no list at all, that TPS was counted as a desa of its own in Σn_j² until now.
   */
  growDesa(before: DesaTotals, x: number, y: ArrayLike<number>, drawn: number | undefined, listed: boolean): void {
    const k = this.k;
    const m = before.m;
    if (m === 0) this.a += 1;
    this.mm += 2 * m + 1;
    if (drawn !== undefined) {
      this.mn += drawn;
    } else {
      this.mn += 2 * m + 1;
      this.nn += listed ? 2 * m + 1 : 2 * m;
    }
    const X = before.x + x;
    this.xxByDesa += X * X / (m + 1) - (m > 0 ? (before.x * before.x) / m : 0);
    for (let i = 0; i < k; i++) {
      const Yi = before.y[i] + y[i];
      this.xyByDesa[i] += (X * Yi) / (m + 1) - (m > 0 ? (before.x * before.y[i]) / m : 0);
      for (let j = 0; j < k; j++) {
        this.yyByDesa[i * k + j] += (Yi * (before.y[j] + y[j])) / (m + 1) - (m > 0 ? (before.y[i] * before.y[j]) / m : 0);
      }
    }
  }

  addAll(other: Moments): void {
    for (const key of ['r', 'x', 'xx', 'u', 'uu', 'ux', 'a', 'mm', 'mn', 'nn', 'xxByDesa', 'n', 'sampleU'] as const) this[key] += other[key];
    for (const key of ['y', 'xy', 'yy', 'uy', 'xyByDesa', 'yyByDesa'] as const) {
      const a = this[key];
      const b = other[key];
      for (let i = 0; i < a.length; i++) a[i] += b[i];
    }
  }
}

interface DesaTotals { m: number; x: number; y: Float64Array }

interface CellState {
  cell: EstimateCell;
  /** Index of the cell's stratum in code order (neighbouring strata are collapsed first). */
  position: number;
  moments: Moments;
  desa: Map<string, DesaTotals>;
}

/** A group of cells estimated together (one cell, or cells collapsed because some were thin). */
interface Group {
  cells: CellState[];
  population: number;
  /** The cell's own sums while the group is that one cell; a copy once cells are merged into it. */
  moments: Moments;
  merged: boolean;
}

/**
 * One group's share of the variance at the shares p̂: its sums (from which the residuals' quadratic
 * forms are taken for each combination λ, see `residualSquares`) and the factors (already divided by
 * X̂²) of the design, desa and within-desa parts.
 */
interface VarianceTerm {
  moments: Moments;
  shares: readonly number[];
  /** r − Σ_j m_j²/r: (a − 1)·m₀ of the ANOVA; the same over the drawn sample, n − Σ_j n_j²/n. */
  m0Total: number;
  sampleM0Total: number;
  n: number;
  design: number;
  desa: number;
  within: number;
  r: number;
  a: number;
}

/** The estimate as a whole: shares, the terms of their covariance, and how the cells were grouped. */
export interface ShareFit {
  options: readonly string[];
  /** Undefined while no valid vote is in. */
  shares?: number[];
  /** How far the shares could move if the TPS not yet in follow the place gradient of those in (`placeDrift`). */
  drift: number[];
  terms: VarianceTerm[];
  /** At most received − groups degrees of freedom. */
  maxDf: number;
  received: number;
  drawn: number;
  /** A group spans place classes while TPS of it are missing: the arrival correction is incomplete. */
  classesCollapsed: boolean;
  strata: StratumReceipt[];
}

/** Received sample TPS, added one at a time; an estimate can be taken at any moment. */
export class QuickCountAccumulator {
  private readonly cells = new Map<string, CellState>();
  private readonly strata: string[];
  private readonly ordered: CellState[];
  private readonly withAuxiliary: boolean;
  private received = 0;

  constructor(readonly options: readonly string[], cells: readonly EstimateCell[]) {
    for (const cell of cells) {
      const moments = new Moments(options.length);
      moments.n = cell.sampleSize;
      moments.sampleU = cell.sampleAuxiliary ?? 0;
      // without the sample's desa, every drawn TPS not yet in is its own desa
      moments.nn = cell.sampleByDesa ? [...cell.sampleByDesa.values()].reduce((a, d) => a + d * d, 0) : cell.sampleSize;
      this.cells.set(cell.code, { cell, position: 0, moments, desa: new Map() });
    }
    this.strata = [...new Set(cells.map((c) => c.stratum))].sort(compareCodes);
    for (const c of this.cells.values()) c.position = this.strata.indexOf(c.cell.stratum);
    this.ordered = [...this.cells.values()].sort((a, b) => a.cell.rank - b.cell.rank || compareCodes(a.cell.stratum, b.cell.stratum));
    this.withAuxiliary = cells.length > 0 && cells.every((c) => c.sampleAuxiliary !== undefined);
  }

  add(tps: ReceivedTps): void {
    const state = this.cells.get(tps.cell);
    if (!state) throw new RangeError(`received TPS of unknown cell ${tps.cell}`);
    const y = new Float64Array(this.options.length);
    for (let i = 0; i < y.length; i++) y[i] = tps.votes[this.options[i]] ?? 0;
    state.moments.addTps(tps.valid, y, tps.auxiliary ?? 0);
    const key = tps.desa ?? `tps#${this.received}`;
    let desa = state.desa.get(key);
    if (!desa) state.desa.set(key, (desa = { m: 0, x: 0, y: new Float64Array(y.length) }));
    state.moments.growDesa(desa, tps.valid, y, state.cell.sampleByDesa?.get(key), state.cell.sampleByDesa !== undefined);
    desa.m += 1;
    desa.x += tps.valid;
    for (let i = 0; i < y.length; i++) desa.y[i] += y[i];
    this.received += 1;
  }

  get count(): number {
    return this.received;
  }

  /** The estimate now; `shares` is undefined while no valid vote is in. */
  fit(): ShareFit {
    const { groups, classesCollapsed } = this.groups();
    const k = this.options.length;
    const strata = this.strata.map((code) => ({ code, population: 0, sampleSize: 0, received: 0 }));
    for (const c of this.cells.values()) {
      const s = strata[c.position];
      s.population += c.cell.population;
      s.sampleSize += c.cell.sampleSize;
      s.received += c.moments.r;
    }
    const base = { options: this.options, received: this.received, drawn: sum(strata.map((s) => s.sampleSize)), classesCollapsed, strata };
    const xHat = groups.reduce((a, g) => a + weight(g) * g.moments.x, 0);
    if (!(xHat > 0)) return { ...base, terms: [], drift: [], maxDf: 0 };
    const shares = Array.from({ length: k }, (_, i) => groups.reduce((a, g) => a + weight(g) * g.moments.y[i], 0) / xHat);
    const terms = groups.map((g) => varianceTerm(g, shares, xHat));
    return { ...base, shares, terms, drift: placeDrift(groups, shares, this.withAuxiliary), maxDf: Math.max(0, this.received - groups.length) };
  }

  estimation(confidence: number): ShareEstimation {
    if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
    const fit = this.fit();
    const estimates = this.options.map((option, i) => {
      if (!fit.shares) return { option, share: 0, moe: 1, lower: 0, upper: 1 };
      const { estimate, moe } = linearInterval(fit, unit(this.options.length, i), confidence);
      return { option, share: estimate, moe, lower: clip01(estimate - moe), upper: clip01(estimate + moe) };
    });
    return { received: fit.received, confidence, degreesOfFreedom: fit.maxDf, strata: fit.strata, preliminary: isPreliminary(fit), estimates };
  }

  /**
   * Collapses thin cells: while a group cannot carry its own variance, it joins its nearest group —
   * the same place class in the nearest stratum (code order) first, since towns vote like towns and
   * arrive like towns; only when a class has too few TPS in across all strata does it join the
   * neighbouring class (then the arrival correction is incomplete: `classesCollapsed`).
   */
  private groups(): { groups: Group[]; classesCollapsed: boolean } {
    const groups: Group[] = this.ordered.map((c) => ({ cells: [c], population: c.cell.population, moments: c.moments, merged: false }));
    const distance = (a: Group, b: Group) => {
      let best = Infinity;
      for (const x of a.cells) {
        for (const y of b.cells) best = Math.min(best, Math.abs(x.cell.rank - y.cell.rank) * 1e6 + Math.abs(x.position - y.position));
      }
      return best;
    };
    for (;;) {
      const thin = groups.findIndex((g) => !ready(g));
      if (thin < 0 || groups.length < 2) break;
      let nearest = -1;
      let best = Infinity;
      groups.forEach((g, i) => {
        if (i === thin) return;
        const d = distance(groups[thin], g);
        if (d < best) { best = d; nearest = i; }
      });
      mergeInto(groups[nearest], groups[thin]);
      groups.splice(thin, 1);
    }
    // a class merged with another while its sample is incomplete: arrivals, not the draw, left it thin
    const classesCollapsed = groups.some((g) => g.cells.some((c) => c.cell.rank !== g.cells[0].cell.rank) && g.moments.r < g.moments.n);
    return { groups, classesCollapsed };
  }
}

function mergeInto(target: Group, g: Group): void {
  if (!target.merged) {
    const copy = new Moments(target.moments.k);
    copy.addAll(target.moments);
    target.moments = copy;
    target.merged = true;
  }
  target.cells.push(...g.cells);
  target.population += g.population;
  target.moments.addAll(g.moments);
}

/** A group can carry its own variance: two TPS in, and two desa unless the group's whole sample is in. */
function ready(g: Group): boolean {
  const m = g.moments;
  return m.r >= MIN_TPS && (m.a >= MIN_DESA || m.r >= m.n);
}

function weight(g: Group): number {
  return g.moments.r > 0 ? g.population / g.moments.r : 0;
}

/**
 * The place drift: within a group, the TPS in so far are more town-like than the drawn ones (towns
 * report first), and classes are bands, so a gradient inside a band can still tilt the estimate. The
 * shares are re-estimated by the two-phase regression estimator on the place covariate (Cochran,
 * Sampling Techniques, §12.6: each group's means moved by the pooled within-group slope times the
 * difference between the drawn and the received TPS's mean covariate); the difference to p̂ is not used
 * as a correction — with few TPS in the slope is too noisy to trust — but widens the interval (see
 * `linearInterval`). It vanishes when the whole sample is in, and is zero without a covariate.
 */
function placeDrift(groups: readonly Group[], shares: readonly number[], withAuxiliary: boolean): number[] {
  const k = shares.length;
  const none = shares.map(() => 0);
  if (!withAuxiliary) return none;
  let suu = 0;
  let sux = 0;
  const suy = new Float64Array(k);
  for (const g of groups) {
    const m = g.moments;
    if (m.r < 2) continue;
    const ubar = m.u / m.r;
    suu += m.uu - m.r * ubar * ubar;
    sux += m.ux - ubar * m.x;
    for (let i = 0; i < k; i++) suy[i] += m.uy[i] - ubar * m.y[i];
  }
  if (!(suu > 0)) return none;
  let x = 0;
  const y = new Float64Array(k);
  for (const g of groups) {
    const m = g.moments;
    if (m.r === 0) continue;
    const shift = m.sampleU / m.n - m.u / m.r;
    x += g.population * (m.x / m.r + (sux / suu) * shift);
    for (let i = 0; i < k; i++) y[i] += g.population * (m.y[i] / m.r + (suy[i] / suu) * shift);
  }
  return x > 0 ? shares.map((p, i) => y[i] / x - p) : none;
}

/** The group's variance term at the shares p. */
function varianceTerm(g: Group, p: readonly number[], xHat: number): VarianceTerm {
  const m = g.moments;
  const r = m.r;
  const n = Math.max(m.n, r);
  const N = g.population;
  const scale = (N * N) / (xHat * xHat);
  return {
    moments: m, shares: p, r, a: m.a, n,
    m0Total: r > 0 ? r - m.mm / r : 0,
    sampleM0Total: n > 0 ? n - m.nn / n : 0,
    design: scale * Math.max(0, 1 / n - 1 / N),
    // Σ_j (m_j/r − n_j/n)² over the sample's desa
    desa: r > 0 ? scale * Math.max(0, m.mm / (r * r) - (2 * m.mn) / (r * n) + m.nn / (n * n)) : 0,
    within: r > 0 ? scale * Math.max(0, 1 / r - 1 / n) : 0,
  };
}

/**
 * For the residual e = λ·(y − p·x) of a group's TPS: s² (divisor r − 1) and the one-way ANOVA sums of
 * squares between desa (Σ_j E_j²/m_j − r·ē²) and within (Σ_i e_i² − Σ_j E_j²/m_j), straight from the sums.
 */
function residualSquares(t: VarianceTerm, lambda: readonly number[]): { s2: number; between: number; within: number } {
  const m = t.moments;
  const k = lambda.length;
  let lp = 0;
  let ly = 0;
  let lxy = 0;
  let lxyByDesa = 0;
  let lyy = 0;
  let lyyByDesa = 0;
  for (let i = 0; i < k; i++) {
    const li = lambda[i];
    if (li === 0) continue;
    lp += li * t.shares[i];
    ly += li * m.y[i];
    lxy += li * m.xy[i];
    lxyByDesa += li * m.xyByDesa[i];
    for (let j = 0; j < k; j++) {
      if (lambda[j] === 0) continue;
      lyy += li * lambda[j] * m.yy[i * k + j];
      lyyByDesa += li * lambda[j] * m.yyByDesa[i * k + j];
    }
  }
  const r = m.r;
  const mean = (ly - lp * m.x) / r;
  const cross = lyy - 2 * lp * lxy + lp * lp * m.xx;
  const byDesa = lyyByDesa - 2 * lp * lxyByDesa + lp * lp * m.xxByDesa;
  return { s2: Math.max(0, (cross - r * mean * mean) / (r - 1)), between: byDesa - r * mean * mean, within: cross - byDesa };
}

/**
 * The intra-desa correlation of λ·d (σ²_a / (σ²_a + σ²_e)), by one-way ANOVA pooled over all groups
 * (and over all options when λ is undefined)
 * (Searle, Casella & McCulloch, Variance Components, §3.5); undefined while fewer than
 * `MIN_WITHIN_DF` TPS share a desa with another one in.
 */
function intraDesaCorrelation(terms: readonly VarianceTerm[], lambda: readonly number[] | undefined): number | undefined {
  let ssb = 0;
  let ssw = 0;
  let dfb = 0;
  let dfw = 0;
  let m0Total = 0;
  const k = terms[0]?.shares.length ?? 0;
  // one λ, or (undefined) pooled over every option's share
  const combinations = lambda ? [lambda] : Array.from({ length: k }, (_, i) => unit(k, i));
  for (const t of terms) {
    if (t.r < 2 || t.a < 1) continue;
    for (const l of combinations) {
      const squares = residualSquares(t, l);
      ssb += squares.between;
      ssw += squares.within;
    }
    dfb += t.a - 1;
    dfw += t.r - t.a;
    m0Total += t.m0Total;
  }
  ssb /= combinations.length;
  ssw /= combinations.length;
  if (dfw < MIN_WITHIN_DF || dfb < 1) return undefined;
  const msw = Math.max(0, ssw / dfw);
  const sigmaA = Math.max(0, (ssb / dfb - msw) / (m0Total / dfb));
  return sigmaA + msw > 0 ? sigmaA / (sigmaA + msw) : 0;
}

/**
 * Variance of λ·p̂ and its Welch–Satterthwaite degrees of freedom: per group s²·(design + ρ·desa +
 * (1 − ρ)·within) with r − 1 df, ρ the pooled intra-desa correlation. Without an estimate of ρ (no desa
 * with two TPS in yet) both arrival parts are taken at the whole s², to be safe; where every desa has
 * one sample TPS the desa part alone is the plain (1/r − 1/n)·s² and the within part is not needed.
 */
function varianceOf(terms: readonly VarianceTerm[], lambda: readonly number[]): { v: number; df: number } {
  const rho = intraDesaCorrelation(terms, lambda);
  let v = 0;
  let denominator = 0;
  const add = (x: number, df: number) => {
    if (!(x > 0)) return;
    v += x;
    denominator += (x * x) / Math.max(1, df);
  };
  for (const t of terms) {
    if (t.r < 2) continue;
    const { s2 } = residualSquares(t, lambda);
    const f = termFactors(t, rho);
    add(s2 * f.perTps, t.r - 1);
    add(s2 * f.desa, t.a - 1);
  }
  return { v, df: denominator > 0 ? (v * v) / denominator : Infinity };
}

/** What multiplies a group's s² in the variance: the part resting on its TPS (r − 1 df) and on its desa (desa − 1 df). */
function termFactors(t: VarianceTerm, rho: number | undefined): { perTps: number; desa: number } {
  if (rho === undefined) return { perTps: t.design + t.desa + (t.a < t.r ? t.within : 0), desa: 0 };
  // TPS from few desa spread less than the population: E[s²] = S²·(1 − ρ·(1 − m₀(a − 1)/(r − 1))),
  // for the TPS in (the arrival parts need S²) as for the whole drawn sample (the design part)
  const clustering = (m0Total: number, count: number) => Math.max(1 - rho, 1 - rho * (1 - m0Total / Math.max(1, count - 1)));
  const spread = 1 / clustering(t.m0Total, t.r);
  return { perTps: spread * (t.design * clustering(t.sampleM0Total, t.n) + (1 - rho) * t.within), desa: spread * rho * t.desa };
}

/**
 * The covariance matrix of the shares (k×k, row by row), for draws from their joint sampling
 * distribution (seat ranges): each group's residual covariance times its factors, with one intra-desa
 * correlation pooled over all options, plus the place drift's outer product. Positive semi-definite.
 */
export function shareCovariance(fit: ShareFit): Float64Array {
  const k = fit.options.length;
  const cov = new Float64Array(k * k);
  if (!fit.shares) return cov;
  const rho = intraDesaCorrelation(fit.terms, undefined);
  for (const t of fit.terms) {
    if (t.r < 2) continue;
    const f = termFactors(t, rho);
    const factor = f.perTps + f.desa;
    const m = t.moments;
    for (let i = 0; i < k; i++) {
      const meanI = (m.y[i] - t.shares[i] * m.x) / t.r;
      for (let j = 0; j < k; j++) {
        const meanJ = (m.y[j] - t.shares[j] * m.x) / t.r;
        const cross = m.yy[i * k + j] - t.shares[j] * m.xy[i] - t.shares[i] * m.xy[j] + t.shares[i] * t.shares[j] * m.xx;
        cov[i * k + j] += (factor * (cross - t.r * meanI * meanJ)) / (t.r - 1);
      }
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) cov[i * k + j] += fit.drift[i] * fit.drift[j];
  return cov;
}

/**
 * The estimate of a linear combination λ of the shares (one share, or a difference of two) with the
 * half-width of its two-sided interval at `confidence`; moe 1 when no variance can be estimated.
 */
export function linearInterval(fit: ShareFit, lambda: readonly number[], confidence: number): { estimate: number; moe: number; df: number } {
  const estimate = lambda.reduce((a, l, i) => a + l * (fit.shares?.[i] ?? 0), 0);
  if (!fit.shares || fit.maxDf < 1) return { estimate, moe: 1, df: 0 };
  const { v: sampling, df } = varianceOf(fit.terms, lambda);
  // the drift is a possible bias, not noise: its square widens the interval (a mean squared error)
  const v = sampling + lambda.reduce((a, l, i) => a + l * (fit.drift[i] ?? 0), 0) ** 2;
  const dfUsed = Math.min(fit.maxDf, Math.max(1, df));
  return { estimate, moe: studentTQuantile((1 + confidence) / 2, dfUsed) * Math.sqrt(v), df: dfUsed };
}

/**
 * Not to be read as a result yet: fewer than half of the drawn sample in, a stratum with fewer than
 * two TPS in, a place class left without TPS in anywhere, or no variance at all.
 */
export function isPreliminary(fit: ShareFit): boolean {
  return !fit.shares || fit.classesCollapsed || fit.maxDf < 1 || fit.received < PRELIMINARY_BELOW_RECEIVED_SHARE * fit.drawn ||
    fit.strata.some((s) => s.received < Math.min(2, s.sampleSize));
}

export function unit(k: number, i: number): number[] {
  return Array.from({ length: k }, (_, j) => (j === i ? 1 : 0));
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function clip01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
