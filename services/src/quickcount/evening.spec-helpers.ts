import type { Ballot } from '@suara/contracts';
import { apportion } from '../simulator/election-day';
import { arrivalOffsets, clamp, desaDelayMinutes, generateDpt, normal, turnoutShift, urbanLean } from '../simulator/evening';
import type { SeededRandom } from './sample';
import type { TpsPlace } from './tps-place';

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

interface Lean { effects: number[]; turnout?: number; delay?: number }

export function simulateEvening(tps: readonly TpsPlace[], rng: SeededRandom, seed: string, mood: Mood): EveningTps[] {
  const k = mood.options.length;
  const kecamatan = new Map<string, Lean>();
  const desa = new Map<string, Lean>();
  const leanOf = (map: Map<string, Lean>, key: string, sd: number) => {
    let lean = map.get(key);
    if (!lean) map.set(key, (lean = { effects: Array.from({ length: k }, () => sd * normal(rng)) }));
    return lean;
  };
  const urban = new Map<string, number[]>();
  return tps.map((t) => {
    const kec = leanOf(kecamatan, t.kecamatan, 0.25);
    const own = leanOf(desa, t.desa, 0.45);
    own.turnout ??= clamp(0.8 + 0.05 * normal(rng), 0.6, 0.95);
    own.delay ??= desaDelayMinutes(seed, t.desa, t);
    let lean = urban.get(t.desa);
    if (!lean) urban.set(t.desa, (lean = mood.options.map((o) => urbanLean(mood.ballot, o, t))));
    const dpt = generateDpt(rng, t);
    const voted = Math.round(dpt * clamp(own.turnout + turnoutShift(t) + 0.04 * normal(rng), 0.55, 0.97));
    const valid = voted - Math.round(voted * (0.01 + 0.02 * rng.float()));
    const logits = mood.base.map((b, i) => b + kec.effects[i] + own.effects[i] + lean[i] + 0.25 * normal(rng));
    const counts = apportion(valid, softmax(logits));
    const arrival = arrivalOffsets(rng, { ...t, voted, desaDelayMinutes: own.delay })[mood.ballot];
    return { code: t.code, stratum: t.kecamatan, desa: t.desa, valid, votes: Object.fromEntries(mood.options.map((o, i) => [o, counts[i]])), arrival };
  });
}

export function trueShares(results: readonly EveningTps[], options: readonly string[]): number[] {
  const valid = results.reduce((a, r) => a + r.valid, 0);
  return options.map((o) => results.reduce((a, r) => a + r.votes[o], 0) / valid);
}

function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
