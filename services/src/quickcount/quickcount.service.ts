import { Injectable } from '@nestjs/common';
import {
  flattenVotes, isPartyBallot, type Ballot, type DapilEstimate, type ElectionConfig, type QuickCountCall, type QuickCountView, type Sample,
  type SamplePlan, type SamplePlanQuery,
} from '@suara/contracts';
import { dapilFor } from '../election/ballot-sheets';
import { ElectionService } from '../election/election.service';
import { ApiError, notFound } from '../http/api-error';
import { CALL_CONFIDENCE, callsNow, firstCalls, type Arrival } from './call';
import { QuickCountAccumulator, type EstimateCell, type ShareEstimation } from './estimator';
import { postStrata, sampleCells, type PostStrata } from './post-strata';
import { DEFAULT_SPREAD, DEFAULT_VALID_PER_TPS, planSample } from './planner';
import { drawStratifiedSample, SampleDrawError } from './sample';
import { seatRanges } from './seats';
import { tpsPlaces, urbanity, type TpsPlace } from './tps-place';
import { QuickcountRepository, type StoredSample } from './quickcount.repository';

export const CONFIDENCE = 0.95;

/** What the master data says about every TPS, and the place cells of a set of TPS (the deployment, a dapil). */
interface Places {
  config: ElectionConfig;
  byCode: Map<string, TpsPlace & { urbanity: number }>;
  strata: Map<string, PostStrata>;
}

/**
 * The quick count: a stratified sample of TPS (strata = kecamatan), estimated post-stratified by place
 * (`estimator.ts`), the call on PPWP (`call.ts`), and for Pileg the party shares per dapil with seat
 * ranges for the dapils wholly inside the deployment (`seats.ts`).
 */
@Injectable()
export class QuickcountService {
  private cache?: Places;

  constructor(private readonly election: ElectionService, private readonly repo: QuickcountRepository) {}

  async draw(ballot: Ballot, size: number, seed: string | undefined, drawnBy: string): Promise<Sample> {
    const d = await this.election.deployment();
    const tps = this.election.allTps().map((t) => ({ code: t.code, stratum: t.kecamatanCode }));
    const strata = [...new Set(tps.map((t) => t.stratum))].map((code) => ({ code, name: this.election.region(code)?.name ?? code }));
    let sample;
    try {
      sample = drawStratifiedSample({ tps, strata, size, seed });
    } catch (err) {
      if (err instanceof SampleDrawError) throw new ApiError(400, err.code, err.message, [{ path: 'size', message: err.message }]);
      throw err;
    }
    const saved = await this.repo.saveSample(d.activeElectionId, ballot, sample, drawnBy, d.phase === 'real');
    if (!saved) throw new ApiError(409, 'results_arrived', `Hasil ${ballot} sudah mulai masuk; sampel tidak boleh ditarik ulang`);
    return this.sampleView({ ...sample, drawnBy, drawnAt: new Date().toISOString() }, new Set());
  }

  /** The margin of error a sample of `size` would give, from the master data's strata and the prior spread. */
  plan(query: SamplePlanQuery): SamplePlan {
    const strata = this.strata();
    try {
      return planSample({
        strata, size: query.size, spread: query.spread ?? DEFAULT_SPREAD, share: query.share ?? 0.5, validPerTps: DEFAULT_VALID_PER_TPS,
      });
    } catch (err) {
      if (err instanceof SampleDrawError) throw new ApiError(400, err.code, err.message, [{ path: 'size', message: err.message }]);
      throw err;
    }
  }

  /** The strata of the draw: every kecamatan with its TPS. */
  private strata(): { code: string; name: string; population: number }[] {
    const count = new Map<string, number>();
    for (const t of this.election.allTps()) count.set(t.kecamatanCode, (count.get(t.kecamatanCode) ?? 0) + 1);
    return [...count].map(([code, population]) => ({ code, name: this.election.region(code)?.name ?? code, population }));
  }

  /** The ballot's own sample, or for another ballot without one the PPWP sample (the same TPS report every ballot). */
  private async sampleFor(electionId: string, ballot: Ballot): Promise<{ sample: StoredSample; sampleBallot: Ballot }> {
    const own = await this.repo.sample(electionId, ballot);
    if (own) return { sample: own, sampleBallot: ballot };
    const ppwp = ballot === 'PPWP' ? undefined : await this.repo.sample(electionId, 'PPWP');
    if (ppwp) return { sample: ppwp, sampleBallot: 'PPWP' };
    throw notFound(`Sampel hitung cepat ${ballot}`);
  }

  async view(ballot: Ballot): Promise<QuickCountView> {
    const electionId = await this.election.activeElectionId();
    const { sample, sampleBallot } = await this.sampleFor(electionId, ballot);
    const [forms, position] = await Promise.all([this.repo.receivedForms(electionId, ballot, sample.tpsCodes), this.repo.position()]);
    const options = this.options(ballot);
    const places = this.places();
    const arrivals = new Map(forms.map(({ tpsCode, form, submittedAt }) => {
      const votes = flattenVotes(ballot, form);
      return [tpsCode, { votes, valid: options.reduce((a, o) => a + (votes[o] ?? 0), 0), at: submittedAt ? Date.parse(submittedAt) : 0 }];
    }));
    const kabupaten = this.election.electionConfig.kabupatenCode;
    const whole = this.estimate(options, places, kabupaten, sample.tpsCodes, arrivals);
    const view: QuickCountView = {
      ballot,
      sampleBallot,
      coverage: { regionCode: kabupaten, name: this.election.region(kabupaten)?.name ?? kabupaten },
      sample: this.sampleView(sample, new Set(arrivals.keys())),
      confidence: CONFIDENCE,
      estimates: whole.estimation.estimates,
      preliminary: whole.estimation.preliminary,
      position,
    };
    if (ballot === 'PPWP') {
      view.calls = this.calls(options, whole.cells, whole.arrivals, whole.accumulator);
      view.callConfidence = CALL_CONFIDENCE;
    }
    if (isPartyBallot(ballot)) view.dapils = this.dapilEstimates(ballot, options, places, sample.tpsCodes, arrivals);
    return view;
  }

  /** The estimate over the TPS of one domain (the deployment, or a dapil): its own place cells and sample TPS. */
  private estimate(options: string[], places: Places, domain: string, sampleTps: readonly string[],
    arrivals: ReadonlyMap<string, { votes: Record<string, number>; valid: number; at: number }>) {
    const strata = places.strata.get(domain)!;
    const drawn = sampleTps.filter((code) => strata.cellOf.has(code)).map((code) => places.byCode.get(code)!);
    const cells = sampleCells(strata, drawn.map((t) => ({ code: t.code, desa: t.desa, auxiliary: t.urbanity })));
    const accumulator = new QuickCountAccumulator(options, cells);
    const received: Arrival[] = [];
    for (const t of drawn) {
      const a = arrivals.get(t.code);
      if (!a) continue;
      const arrival = { cell: strata.cellOf.get(t.code)!, desa: t.desa, auxiliary: t.urbanity, votes: a.votes, valid: a.valid, at: a.at };
      accumulator.add(arrival);
      received.push(arrival);
    }
    const estimation: ShareEstimation = accumulator.estimation(CONFIDENCE);
    return { cells, accumulator, arrivals: received, estimation, drawn: drawn.length };
  }

  /** The first moment of each call (replayed in arrival order), and whether it still holds now. */
  private calls(options: string[], cells: EstimateCell[], arrivals: Arrival[], now: QuickCountAccumulator): QuickCountCall[] {
    const holding = callsNow(now.fit());
    return firstCalls(options, cells, arrivals).map((c) => ({
      kind: c.kind, option: c.option, since: new Date(c.at).toISOString(), received: c.received,
      holds: holding.some((h) => h.kind === c.kind && h.option === c.option),
    }));
  }

  private dapilEstimates(ballot: Ballot, options: string[], places: Places, sampleTps: readonly string[],
    arrivals: ReadonlyMap<string, { votes: Record<string, number>; valid: number; at: number }>): DapilEstimate[] {
    const config = this.election.electionConfig;
    return config.dapils.filter((d) => d.ballot === ballot && places.strata.has(d.code)).map((d) => {
      const est = this.estimate(options, places, d.code, sampleTps, arrivals);
      const whole = this.election.isWholeDapil(d);
      const fit = est.accumulator.fit();
      const seed = `${d.code}/${est.arrivals.length}/${est.arrivals.reduce((a, t) => a + t.valid, 0)}`;
      return {
        code: d.code, name: d.name, seats: d.seats, whole, sampleSize: est.drawn, received: est.arrivals.length,
        preliminary: est.estimation.preliminary, estimates: est.estimation.estimates,
        ...(whole && fit.shares ? { seatRanges: seatRanges(fit, d.seats, seed) } : {}),
      };
    });
  }

  /** Place traits and cells from the master data, computed once per master data (it does not change while running). */
  private places(): Places {
    const config = this.election.electionConfig;
    if (this.cache?.config === config) return this.cache;
    const all = tpsPlaces(this.election.allTps(), (desa) => this.election.region(desa)?.level === 'kelurahan');
    const byCode = new Map(all.map((p) => [p.code, { ...p, urbanity: urbanity(p) }]));
    const strata = new Map<string, PostStrata>([[config.kabupatenCode, postStrata(all)]]);
    for (const d of config.dapils) {
      const inside = all.filter((p) => dapilFor(config, d.ballot, p.code)?.code === d.code);
      if (inside.length > 0) strata.set(d.code, postStrata(inside));
    }
    this.cache = { config, byCode, strata };
    return this.cache;
  }

  private options(ballot: Ballot): string[] {
    const c = this.election.electionConfig;
    if (ballot === 'PPWP') return c.paslon.map((p) => p.number);
    if (ballot === 'DPD') return c.dpd.candidates.map((x) => x.number);
    return isPartyBallot(ballot) ? c.parties.map((p) => p.number) : [];
  }

  private sampleView(sample: StoredSample, received: Set<string>): Sample {
    return {
      size: sample.size,
      seed: sample.seed,
      received: received.size,
      tpsCodes: sample.tpsCodes,
      strata: sample.strata.map((s) => ({
        code: s.code, name: s.name, size: s.size, population: s.population,
        received: sample.tpsCodes.filter((t) => t.startsWith(s.code) && received.has(t)).length,
      })),
    };
  }
}
