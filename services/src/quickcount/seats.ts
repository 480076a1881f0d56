import { sainteLague } from '../election/sainte-lague';
import { standardNormal } from './distributions';
import { shareCovariance, type ShareFit } from './estimator';
import { seededRandom } from './sample';

/**
 * Seat ranges of a dapil from the quick count: the party shares are drawn from the estimate's sampling
 * distribution (multivariate normal at p̂ with the estimated covariance, `shareCovariance`), each draw
 * is turned into seats by Sainte-Laguë (`election/sainte-lague.ts`), and each party's range is the
 * middle 90% of its seats over the draws. The draws are seeded from what they rest on, so the same
 * estimate shows the same range on every screen and push.
 */
export const SEAT_DRAWS = 1000;
export const SEAT_RANGE = 0.9;
/** Votes per draw handed to Sainte-Laguë (it takes integers): fine enough that rounding never decides a seat. */
const DRAW_SCALE = 1_000_000;

export interface PartySeatRange {
  party: string;
  /** Seats at the estimate itself. */
  seats: number;
  low: number;
  high: number;
}

export function seatRanges(fit: ShareFit, seats: number, seed: string, draws = SEAT_DRAWS): PartySeatRange[] {
  const shares = fit.shares;
  if (!shares) return [];
  const parties = fit.options;
  const k = parties.length;
  const atEstimate = seatsOf(parties, shares, seats);
  const factor = cholesky(shareCovariance(fit), k);
  const rng = seededRandom(seed);
  const won = parties.map(() => new Int32Array(draws));
  const z = new Float64Array(k);
  const drawn = new Array<number>(k);
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < k; i++) z[i] = standardNormal(rng);
    for (let i = 0; i < k; i++) {
      let x = shares[i];
      for (let j = 0; j <= i; j++) x += factor[i * k + j] * z[j];
      drawn[i] = Math.max(0, x);
    }
    const result = seatsOf(parties, drawn, seats);
    for (let i = 0; i < k; i++) won[i][d] = result.get(parties[i]) ?? 0;
  }
  const lowAt = Math.floor(((1 - SEAT_RANGE) / 2) * (draws - 1));
  const highAt = Math.ceil(((1 + SEAT_RANGE) / 2) * (draws - 1));
  return parties
    .map((party, i) => {
      const sorted = [...won[i]].sort((a, b) => a - b);
      return { party, seats: atEstimate.get(party) ?? 0, low: sorted[lowAt], high: sorted[highAt] };
    })
    .filter((r) => r.high > 0 || r.seats > 0);
}

function seatsOf(parties: readonly string[], shares: ArrayLike<number>, seats: number): Map<string, number> {
  const votes: Record<string, number> = {};
  parties.forEach((p, i) => (votes[p] = Math.round(Math.max(0, shares[i]) * DRAW_SCALE)));
  return new Map(sainteLague(votes, seats).map((s) => [s.party, s.seats]));
}

/**
 * Lower-triangular L with L·Lᵀ = the covariance (row by row). The shares sum to one, so the matrix is
 * singular: a pivot that is (numerically) zero leaves its column at zero instead of failing.
 */
export function cholesky(cov: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  const scale = Math.max(1e-300, ...Array.from({ length: k }, (_, i) => cov[i * k + i]));
  for (let j = 0; j < k; j++) {
    let diagonal = cov[j * k + j];
    for (let m = 0; m < j; m++) diagonal -= l[j * k + m] ** 2;
    if (diagonal <= 1e-12 * scale) continue;
    const root = Math.sqrt(diagonal);
    l[j * k + j] = root;
    for (let i = j + 1; i < k; i++) {
      let x = cov[i * k + j];
      for (let m = 0; m < j; m++) x -= l[i * k + m] * l[j * k + m];
      l[i * k + j] = x / root;
    }
  }
  return l;
}
