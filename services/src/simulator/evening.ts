import type { Ballot } from '@suara/contracts';
import { standardNormal as normal } from '../quickcount/distributions';
import { seededRandom, type SeededRandom } from '../quickcount/sample';

/**
 * A real evening, not a random one: how a TPS's place (kelurahan or desa, how many TPS its desa has —
 * what the master data knows) shapes its DPT, its vote and when its C.Hasil arrives. Towns have full
 * TPS, vote differently (here: the first paslon does better in towns, as Anies–Muhaimin did in
 * Sumatera Utara's towns in 2024) and report first (the PPK is near, the signal good); remote villages
 * report late, and a whole desa may be late together (one road, one patch of signal). Used by
 * `npm run simulate` and by the quick count's coverage specs, so both play the same evening.
 *
 * What is NOT modelled, on purpose: a lean that arrives late for a reason the master data does not
 * show. No estimator can correct that; the quick count corrects what the master data can tell.
 */

export const MIN_DPT = 150;
/** Pemilu 2024: at most 300 voters per TPS. */
export const MAX_DPT = 300;

/**
 * Generated, not real (the real DPT per TPS is not public): towns fill their TPS, villages less.
 * `u` is the place's `urbanity` (0 = remote village … 1 = town), as in every function here.
 */
export function generateDpt(rng: SeededRandom, u: number): number {
  return Math.round(clamp(190 + 80 * u + 30 * normal(rng), MIN_DPT, MAX_DPT));
}

/** Town turnout is a little lower than the village's. */
export function turnoutShift(u: number): number {
  return -0.04 * (u - 0.5);
}

/** Town vs village lean of PPWP (logit difference between a town and a remote village). */
const PPWP_URBAN_LEAN: Record<string, number> = { '01': 0.9, '02': -0.35, '03': 0.3 };

/**
 * The logit shift of an option at a place: the option's town-vs-village lean times how far the place
 * is from the middle. Paslon have the lean above; every other option (parties, DPD candidates) a
 * seeded one of the same size.
 */
export function urbanLean(ballot: Ballot, key: string, u: number): number {
  return urbanLeanOf(ballot, key) * (u - 0.5);
}

const leans = new Map<string, number>();
function urbanLeanOf(ballot: Ballot, key: string): number {
  if (ballot === 'PPWP' && key in PPWP_URBAN_LEAN) return PPWP_URBAN_LEAN[key];
  const id = `${ballot}/${key}`;
  let lean = leans.get(id);
  if (lean === undefined) leans.set(id, (lean = 0.6 * normal(seededRandom(`urban/${id}`))));
  return lean;
}

/**
 * A desa's own delay in minutes, shared by all its TPS: the road to the PPK, the one spot with signal.
 * Remote villages have more of it; it does not depend on how the desa votes.
 */
export function desaDelayMinutes(seed: string, desaCode: string, u: number): number {
  const rng = seededRandom(`${seed}/desa-delay/${desaCode}`);
  return 35 * (1 - u) * Math.exp(0.6 * normal(rng));
}

/** Order in which a KPPS counts the five ballots (PKPU 25/2023). */
export const COUNTING_ORDER: readonly Ballot[] = ['PPWP', 'DPR', 'DPD', 'DPRD_PROV', 'DPRD_KAB'];
/** Minutes a KPPS needs for each ballot at about 200 voters. */
const COUNT_MINUTES: Record<Ballot, number> = { PPWP: 35, DPR: 40, DPD: 30, DPRD_PROV: 35, DPRD_KAB: 35 };
/** The evening the simulator plays: 13:00–19:00. Every arrival falls inside it. */
export const EVENING_SECONDS = 6 * 3600;

export interface ArrivalTraits {
  /** The place's `urbanity`. */
  urbanity: number;
  /** Voters at the TPS: more ballots take longer to count. */
  voted: number;
  /** The desa's shared delay (`desaDelayMinutes`). */
  desaDelayMinutes: number;
}

/**
 * When each ballot's C.Hasil of one TPS arrives, in seconds after poll close. The KPPS prepares
 * (~15 min), then counts the five ballots one after the other in `COUNTING_ORDER` at a team speed
 * that varies (log-normal), slower the more voters it has; the operator uploads each after a delay
 * that is short in town and longer, sometimes much longer, in a remote village (signal), plus the
 * desa's own delay. The sum gives a slow start, a peak after two to three hours and a long tail, towns
 * first; a TPS that would finish after 19:00 is redrawn, so the whole evening fits the window.
 */
export function arrivalOffsets(rng: SeededRandom, tps: ArrivalTraits): Record<Ballot, number> {
  const remote = 1 - tps.urbanity;
  const size = Math.pow(Math.max(50, tps.voted) / 200, 0.8);
  for (let attempt = 0; ; attempt++) {
    const speed = Math.exp(0.3 * normal(rng));
    let clock = 60 * 15 * Math.exp(0.5 * normal(rng));
    const out = {} as Record<Ballot, number>;
    for (const ballot of COUNTING_ORDER) {
      clock += 60 * COUNT_MINUTES[ballot] * size * speed * Math.exp(0.2 * normal(rng));
      const signal = rng.float() < 0.05 + 0.25 * remote ? 15 + 45 * rng.float() : 3 * -Math.log(1 - rng.float());
      out[ballot] = Math.round(clock + 60 * (signal + tps.desaDelayMinutes * Math.exp(0.2 * normal(rng))));
    }
    const last = Math.max(...Object.values(out));
    if (last <= EVENING_SECONDS || attempt >= 50) {
      for (const b of COUNTING_ORDER) out[b] = Math.min(out[b], EVENING_SECONDS);
      return out;
    }
  }
}

export { standardNormal as normal } from '../quickcount/distributions';

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
