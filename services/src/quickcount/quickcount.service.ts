import { Injectable } from '@nestjs/common';
import { isPartyBallot, type Ballot, type QuickCountView, type Sample } from '@suara/contracts';
import { ElectionService } from '../election/election.service';
import { ApiError, notFound } from '../http/api-error';
import { flattenVotes } from '../tabulation/chasil.validation';
import { estimateShares } from './estimator';
import { drawStratifiedSample, SampleDrawError } from './sample';
import { QuickcountRepository, type StoredSample } from './quickcount.repository';

/** The quick count: a stratified sample of TPS (strata = kecamatan) and the ratio estimate from it. */
@Injectable()
export class QuickcountService {
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

  async view(ballot: Ballot): Promise<QuickCountView> {
    const electionId = await this.election.activeElectionId();
    const sample = await this.repo.sample(electionId, ballot);
    if (!sample) throw notFound(`Sampel hitung cepat ${ballot}`);
    const [forms, position] = await Promise.all([this.repo.receivedForms(electionId, ballot, sample.tpsCodes), this.repo.position()]);
    const options = this.options(ballot);
    const received = forms.map(({ tpsCode, form }) => {
      const votes = flattenVotes(ballot, form);
      return { stratum: tpsCode.slice(0, 6), votes, valid: options.reduce((a, o) => a + (votes[o] ?? 0), 0) };
    });
    const estimation = estimateShares({
      options,
      strata: sample.strata.map((s) => ({ code: s.code, population: s.population, sampleSize: s.size })),
      received,
    });
    return {
      ballot,
      sample: this.sampleView(sample, new Set(forms.map((f) => f.tpsCode))),
      confidence: estimation.confidence,
      estimates: estimation.estimates,
      preliminary: estimation.preliminary,
      position,
    };
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
