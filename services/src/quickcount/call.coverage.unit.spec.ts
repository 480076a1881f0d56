import { beforeAll, describe, expect, it } from 'vitest';
import { formatClock } from '../simulator/election-day';
import { firstCalls, type CallMoment } from './call';
import { ppwpMood, simulateEvening } from './test-support/evening';
import { loadLabusel } from './test-support/labusel';
import { postStrata, sampleCells } from './post-strata';
import { drawStratifiedSample, seededRandom } from './sample';
import { urbanity } from './tps-place';

/**
 * The call on 1,000 simulated evenings with realistic arrival (town TPS first, `simulator/evening.ts`)
 * on the real Labusel structure: a 200-TPS sample, replayed arrival by arrival with the production
 * rule (`call.ts`). A call is wrong when the called paslon is not above 50% (majority) or not the
 * leader (lead) in the full count. Seeded: the same evenings on every run.
 */

const PASLON = ['01', '02', '03'];
const EVENINGS = Number(process.env.CALL_EVENINGS ?? 1000);
const SAMPLE_SIZE = 200;

interface Evening { truth: number[]; majority?: CallMoment; lead?: CallMoment }

describe('the call on 1,000 evenings with realistic arrival', () => {
  const labusel = loadLabusel();
  const strata = postStrata(labusel.tps);
  const urbanityOf = new Map(labusel.tps.map((t) => [t.code, urbanity(t)]));
  const sampleTps = labusel.tps.map((t) => ({ code: t.code, stratum: t.kecamatan }));
  const evenings: Evening[] = [];

  beforeAll(() => {
    const rng = seededRandom(process.env.CALL_SEED ?? 'evening-calls');
    for (let e = 0; e < EVENINGS; e++) {
      const drawn = drawStratifiedSample({ tps: sampleTps, strata: labusel.kecamatan, size: SAMPLE_SIZE, seed: `call-${e}` });
      const evening = simulateEvening(labusel.tps, rng, `call-evening-${e}`, { ballot: 'PPWP', options: PASLON, base: ppwpMood(rng) }, new Set(drawn.tpsCodes));
      const sample = drawn.tpsCodes.map((c) => evening.tps.get(c)!);
      const cells = sampleCells(strata, sample.map((t) => ({ code: t.code, desa: t.desa, auxiliary: urbanityOf.get(t.code) })));
      const calls = firstCalls(PASLON, cells, sample.map((t) => ({
        cell: strata.cellOf.get(t.code)!, desa: t.desa, votes: t.votes, valid: t.valid, auxiliary: urbanityOf.get(t.code), at: t.arrival,
      })));
      evenings.push({ truth: evening.truth, majority: calls.find((c) => c.kind === 'majority'), lead: calls.find((c) => c.kind === 'lead') });
    }
  });

  const index = (option: string) => PASLON.indexOf(option);
  const leader = (truth: number[]) => truth.indexOf(Math.max(...truth));
  const wrongMajority = (e: Evening) => e.majority !== undefined && e.truth[index(e.majority.option)] <= 0.5;
  const wrongLead = (e: Evening) => e.lead !== undefined && index(e.lead.option) !== leader(e.truth);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

  it('plays close evenings too: the leader within 3 points of 50% in a fair share of them', () => {
    const close = evenings.filter((e) => Math.abs(Math.max(...e.truth) - 0.5) < 0.03).length;
    console.info(`${close} of ${EVENINGS} evenings have the leader within 3 points of 50%`);
    expect(close).toBeGreaterThan(0.1 * EVENINGS);
  });

  it('calls a majority wrongly on at most 1% of the evenings', () => {
    const wrong = evenings.filter(wrongMajority).length;
    const called = evenings.filter((e) => e.majority).length;
    console.info(`majority: called on ${called} evenings, wrongly on ${wrong} (${(100 * wrong / EVENINGS).toFixed(1)}%)`);
    expect(wrong / EVENINGS).toBeLessThanOrEqual(0.01);
  });

  it('calls a lead wrongly on at most 1% of the evenings', () => {
    const wrong = evenings.filter(wrongLead).length;
    const called = evenings.filter((e) => e.lead).length;
    console.info(`lead: called on ${called} evenings, wrongly on ${wrong} (${(100 * wrong / EVENINGS).toFixed(1)}%)`);
    expect(wrong / EVENINGS).toBeLessThanOrEqual(0.01);
  });

  it('does call: every clear evening (leader above 55%) gets both calls, and the median call time is reported', () => {
    const clear = evenings.filter((e) => Math.max(...e.truth) > 0.55);
    expect(clear.every((e) => e.majority && e.lead)).toBe(true);
    for (const kind of ['majority', 'lead'] as const) {
      const made = evenings.map((e) => e[kind]).filter((c): c is CallMoment => c !== undefined);
      console.info(`${kind}: median call at ${formatClock(median(made.map((c) => c.at)))} with ${median(made.map((c) => c.received))} sample TPS in ` +
        `(${made.length} of ${EVENINGS} evenings called)`);
    }
  });
});
