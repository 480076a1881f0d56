import { beforeAll, describe, expect, it } from 'vitest';
import type { Ballot } from '@suara/contracts';
import { sainteLague } from '../election/sainte-lague';
import { standardNormal } from './distributions';
import { QuickCountAccumulator } from './estimator';
import { simulateEvening, type Evening, type EveningTps } from './test-support/evening';
import { loadLabusel } from './test-support/labusel';
import { postStrata, sampleCells, type PostStrata } from './post-strata';
import { drawStratifiedSample, seededRandom } from './sample';
import { seatRanges } from './seats';
import { urbanity } from './tps-place';

/**
 * The Pileg quick count on simulated evenings with realistic arrival (`simulator/evening.ts`: each
 * party leans town or village, the legislative C.Hasil come after the PPWP one): party shares of DPR
 * over the whole kabupaten and of DPRD_KAB per dapil (a kecamatan each, as the placeholder dapils are),
 * from the same 200-TPS sample, when 20, 40, 60 and 100% of the sample's C.Hasil of that ballot are in.
 * Their 95% intervals must cover 93–97% (pooled over parties with a share of at least 2%, and dapils);
 * the seat ranges (middle 90% of Sainte-Laguë over draws) must hold the full count's seats at least 90%
 * of the time. DPRD_PROV's dapil covers the kabupaten like DPR's: the same estimate, not played twice.
 * Seeded: the same evenings on every run.
 */

const PARTIES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '24'];
const EVENINGS = 100;
const SAMPLE_SIZE = 200;
const POINTS = [0.2, 0.4, 0.6, 1] as const;
/** Seats of the placeholder DPRD Labusel dapils, one per kecamatan (services/election-data). */
const DPRD_KAB_SEATS: Record<string, number> = { 122201: 7, 122202: 7, 122203: 12, 122204: 5, 122205: 4 };
/** Seat ranges are checked on the first evenings, with fewer draws than the service's (they cost most). */
const SEAT_EVENINGS = 40;
const SEAT_DRAWS = 250;

interface Interval { point: number; truth: number; lower: number; upper: number }
interface SeatCheck { point: number; truth: number; low: number; high: number }

describe('Pileg quick count per dapil on a real evening', () => {
  const labusel = loadLabusel();
  const urbanityOf = new Map(labusel.tps.map((t) => [t.code, urbanity(t)]));
  const sampleTps = labusel.tps.map((t) => ({ code: t.code, stratum: t.kecamatan }));
  const domains = new Map<string, PostStrata>([['1222', postStrata(labusel.tps)]]);
  for (const k of labusel.kecamatan) domains.set(k.code, postStrata(labusel.tps.filter((t) => t.kecamatan === k.code)));
  const intervals: Record<'DPR' | 'DPRD_KAB', Interval[]> = { DPR: [], DPRD_KAB: [] };
  const seats: SeatCheck[] = [];

  beforeAll(() => {
    const rng = seededRandom(process.env.PILEG_SEED ?? 'pileg-coverage');
    for (let e = 0; e < EVENINGS; e++) {
      const drawn = drawStratifiedSample({ tps: sampleTps, strata: labusel.kecamatan, size: SAMPLE_SIZE, seed: `pileg-${e}` });
      for (const ballot of ['DPR', 'DPRD_KAB'] as const) {
        const base = PARTIES.map(() => standardNormal(rng));
        const evening = simulateEvening(labusel.tps, rng, `pileg-${e}-${ballot}`, { ballot, options: PARTIES, base }, new Set(drawn.tpsCodes));
        const inOrder = drawn.tpsCodes.map((c) => evening.tps.get(c)!).sort((a, b) => a.arrival - b.arrival);
        const dapils = ballot === 'DPR' ? [{ code: '1222', full: fullCount(evening, () => true) }]
          : labusel.kecamatan.map((k) => ({ code: k.code, full: fullCount(evening, (kec) => kec === k.code) }));
        for (const dapil of dapils) playDapil(ballot, dapil.code, dapil.full, inOrder, e < SEAT_EVENINGS);
      }
    }
  });

  /** One dapil's evening: its sample TPS fed in arrival order, the estimate read at each point. */
  function playDapil(ballot: 'DPR' | 'DPRD_KAB', domain: string, full: { votes: Record<string, number>; valid: number }, inOrder: EveningTps[], checkSeats: boolean) {
    const strata = domains.get(domain)!;
    const inside = (t: EveningTps) => strata.cellOf.has(t.code);
    const cells = sampleCells(strata, inOrder.filter(inside).map((t) => ({ code: t.code, desa: t.desa, auxiliary: urbanityOf.get(t.code) })));
    const acc = new QuickCountAccumulator(PARTIES, cells);
    let fed = 0;
    for (const point of POINTS) {
      const upTo = Math.round(point * inOrder.length);
      for (const t of inOrder.slice(fed, upTo).filter(inside)) acc.add({ cell: strata.cellOf.get(t.code)!, desa: t.desa, votes: t.votes, valid: t.valid, auxiliary: urbanityOf.get(t.code) });
      fed = upTo;
      acc.estimation(0.95).estimates.forEach((x, i) => {
        const truth = full.votes[PARTIES[i]] / full.valid;
        if (truth >= 0.02) intervals[ballot].push({ point, truth, lower: x.lower, upper: x.upper });
      });
      if (ballot === 'DPRD_KAB' && point >= 0.6 && checkSeats) checkSeatRange(domain, point, full.votes, acc);
    }
  }

  function checkSeatRange(domain: string, point: number, votes: Record<string, number>, acc: QuickCountAccumulator) {
    const wholeVotes = Object.fromEntries(Object.entries(votes).map(([p, v]) => [p, Math.round(v)]));
    const trueSeats = new Map(sainteLague(wholeVotes, DPRD_KAB_SEATS[domain]).map((s) => [s.party, s.seats]));
    const ranges = new Map(seatRanges(acc.fit(), DPRD_KAB_SEATS[domain], `${domain}/${point}/${acc.count}`, SEAT_DRAWS).map((r) => [r.party, r]));
    for (const party of PARTIES) {
      const r = ranges.get(party) ?? { low: 0, high: 0 };
      const truth = trueSeats.get(party) ?? 0;
      if (truth > 0 || r.high > 0) seats.push({ point, truth, low: r.low, high: r.high });
    }
  }

  const coverage = (xs: { truth: number; lower: number; upper: number }[]) => xs.filter((x) => x.lower <= x.truth && x.truth <= x.upper).length / xs.length;

  for (const ballot of ['DPR', 'DPRD_KAB'] as Ballot[]) {
    for (const point of POINTS) {
      it(`covers ${ballot} party shares 93–97% with ${point * 100}% of the sample in${ballot === 'DPRD_KAB' ? ', per dapil' : ''}`, () => {
        const xs = intervals[ballot as 'DPR' | 'DPRD_KAB'].filter((x) => x.point === point);
        const cov = coverage(xs);
        console.info(`${ballot} ${point * 100}% in: coverage ${cov.toFixed(4)} over ${xs.length} party shares of at least 2%`);
        expect(cov).toBeGreaterThanOrEqual(0.93);
        expect(cov).toBeLessThanOrEqual(0.97);
      });
    }
  }

  it('puts the full count\'s seats inside the 90% seat range at least 90% of the time (DPRD_KAB, 60% and 100% in)', () => {
    for (const point of [0.6, 1]) {
      const xs = seats.filter((s) => s.point === point);
      const held = xs.filter((s) => s.low <= s.truth && s.truth <= s.high).length / xs.length;
      console.info(`DPRD_KAB seats, ${point * 100}% in: the range holds the full count's seats for ${(100 * held).toFixed(1)}% of ${xs.length} party-dapils`);
      expect(held).toBeGreaterThanOrEqual(0.9);
    }
  });
});

/** The full count of the kecamatan a domain holds: votes per party and valid votes. */
function fullCount(evening: Evening, inDomain: (kecamatan: string) => boolean): { votes: Record<string, number>; valid: number } {
  const votes: Record<string, number> = {};
  let valid = 0;
  for (const [kecamatan, full] of evening.byKecamatan) {
    if (!inDomain(kecamatan)) continue;
    valid += full.valid;
    PARTIES.forEach((p, i) => (votes[p] = (votes[p] ?? 0) + full.votes[i]));
  }
  return { votes, valid };
}
