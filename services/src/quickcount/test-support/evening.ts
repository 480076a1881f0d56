import type { Ballot } from '@suara/contracts';
import { apportion } from '../../simulator/election-day';
import { arrivalOffsets, clamp, desaDelayMinutes, generateDpt, normal, turnoutShift, urbanLean } from '../../simulator/evening';
import type { SeededRandom } from '../sample';
import { urbanity, type TpsPlace } from '../tps-place';

/**
 * Simulated evenings on a real TPS structure for the quick count's statistical specs: the simulator's
 * evening model (`simulator/evening.ts`: DPT, town/village lean and arrival driven by the TPS's place)
 * with a national mood that changes from evening to evening, kecamatan and desa leans, and one ballot.
 * Lean and fast (one random stream per evening), so a spec can play a thousand evenings in seconds.
 */

export interface EveningTps {
  code: string;
  /** The TPS's kecamatan: the sample's stratum. */
  stratum: string;
  desa: string;
  valid: number;
  votes: Record<string, number>;
  /** Seconds after poll close when this ballot's C.Hasil arrives. */
  arrival: number;
}

export interface Mood {
  ballot: Ballot;
  options: readonly string[];
  /** The evening's national logit of each option. */
  base: readonly number[];
}

export interface Evening {
  /** The full count's share of each option (every TPS). */
  truth: number[];
  /** The full count per kecamatan: votes of each option (expected votes outside `detailed`) and valid votes. */
  byKecamatan: Map<string, { votes: number[]; valid: number }>;
  /** The TPS asked for (the sample), with their C.Hasil numbers and arrival. */
  tps: Map<string, EveningTps>;
}

/** An evening's national PPWP mood: Prabowo–Gibran ahead as in 2024, by more or less, sometimes barely. */
export function ppwpMood(rng: SeededRandom): number[] {
  return [Math.log(0.3), Math.log(0.58), Math.log(0.12)].map((b) => b + 0.3 * normal(rng));
}

interface Desa { effects: number[]; urbanity: number; turnout: number; delay: number; lean: number[] }

/**
 * One evening over every TPS (for the full count), with the numbers and arrival time of the TPS in
 * `detailed` only: a TPS outside the sample adds its expected votes to the truth, which is all the
 * spec needs of it, and costs a fifth of one in it.
 */
export function simulateEvening(tps: readonly TpsPlace[], rng: SeededRandom, seed: string, mood: Mood, detailed: ReadonlySet<string>): Evening {
  const k = mood.options.length;
  const effects = (sd: number) => Array.from({ length: k }, () => sd * normal(rng));
  const kecamatan = new Map<string, number[]>();
  const desa = new Map<string, Desa>();
  const logits = new Array<number>(k);
  const byKecamatan = new Map<string, { votes: number[]; valid: number }>();
  const out = new Map<string, EveningTps>();
  for (const t of tps) {
    let kec = kecamatan.get(t.kecamatan);
    if (!kec) kecamatan.set(t.kecamatan, (kec = effects(0.25)));
    let own = desa.get(t.desa);
    if (!own) {
      const u = urbanity(t);
      own = {
        effects: effects(0.45), urbanity: u, turnout: clamp(0.8 + 0.05 * normal(rng), 0.6, 0.95),
        delay: desaDelayMinutes(seed, t.desa, u), lean: mood.options.map((o) => urbanLean(mood.ballot, o, u)),
      };
      desa.set(t.desa, own);
    }
    const dpt = generateDpt(rng, own.urbanity);
    const voted = Math.round(dpt * clamp(own.turnout + turnoutShift(own.urbanity) + 0.04 * normal(rng), 0.55, 0.97));
    const valid = voted - Math.round(voted * (0.01 + 0.02 * rng.float()));
    for (let i = 0; i < k; i++) logits[i] = mood.base[i] + kec[i] + own.effects[i] + own.lean[i] + 0.25 * normal(rng);
    const shares = softmax(logits);
    let full = byKecamatan.get(t.kecamatan);
    if (!full) byKecamatan.set(t.kecamatan, (full = { votes: new Array<number>(k).fill(0), valid: 0 }));
    full.valid += valid;
    if (!detailed.has(t.code)) {
      for (let i = 0; i < k; i++) full.votes[i] += valid * shares[i];
      continue;
    }
    const counts = apportion(valid, shares);
    const votes: Record<string, number> = {};
    for (let i = 0; i < k; i++) {
      votes[mood.options[i]] = counts[i];
      full.votes[i] += counts[i];
    }
    const arrival = arrivalOffsets(rng, { urbanity: own.urbanity, voted, desaDelayMinutes: own.delay })[mood.ballot];
    out.set(t.code, { code: t.code, stratum: t.kecamatan, desa: t.desa, valid, votes, arrival });
  }
  const all = [...byKecamatan.values()];
  const valid = all.reduce((a, x) => a + x.valid, 0);
  return { truth: mood.options.map((_, i) => all.reduce((a, x) => a + x.votes[i], 0) / valid), byKecamatan, tps: out };
}

/** The plain share of each option over some TPS. */
export function sharesOf(results: readonly EveningTps[], options: readonly string[]): number[] {
  const valid = results.reduce((a, r) => a + r.valid, 0);
  return options.map((o) => results.reduce((a, r) => a + r.votes[o], 0) / valid);
}

function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
