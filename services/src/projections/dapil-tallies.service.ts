import { Injectable } from '@nestjs/common';
import { SEAT_PROJECTION_LABEL, type Ballot, type DapilPartyTotals, type DapilTallyView } from '@suara/contracts';
import { ElectionService } from '../election/election.service';
import { sainteLague } from '../election/sainte-lague';
import { DapilTalliesRepository } from './dapil-tallies.repository';

/**
 * The query side of the dapil tallies: a dapil's parties with their candidates (one dapil, so one
 * person per candidate number), and for a dapil wholly inside the deployment the seats Sainte-Laguë
 * would give on the party totals so far, labelled as the provisional projection it is.
 */
@Injectable()
export class DapilTalliesService {
  constructor(
    private readonly election: ElectionService,
    private readonly repo: DapilTalliesRepository,
  ) {}

  /** `GET /api/tallies/dapil/:dapilCode?ballot=…`; `404` for a dapil the ballot does not have. */
  async getDapilTally(electionId: string, dapilCode: string, ballot: Ballot, atLeast?: string): Promise<DapilTallyView> {
    const dapil = this.election.requireDapil(dapilCode, ballot);
    const whole = this.election.isWholeDapil(dapil);
    const snapshot = await this.repo.snapshot(electionId, dapilCode, ballot, atLeast);
    const numbers = snapshot.numbers;
    const parties = partyTotals(numbers?.votes ?? {});
    const view: DapilTallyView = {
      dapil: { code: dapil.code, name: dapil.name, seats: dapil.seats, whole, generated: dapil.generated },
      ballot,
      electionId,
      totals: { parties, valid: numbers?.valid ?? 0, invalid: numbers?.invalid ?? 0 },
      progress: { tpsTotal: this.election.dapilTpsCount(ballot, dapilCode), tpsReported: numbers?.tpsReported ?? 0, tpsVerified: numbers?.tpsVerified ?? 0 },
      position: snapshot.position,
      updatedAt: snapshot.updatedAt,
    };
    if (!whole) return view;
    const votes = Object.fromEntries(Object.entries(parties).map(([party, p]) => [party, p.total]));
    return { ...view, seats: sainteLague(votes, dapil.seats).map((s) => ({ ...s, votes: votes[s.party] })), seatsLabel: SEAT_PROJECTION_LABEL };
  }
}

/** `{party}`, `{party}.p`, `{party}.c{n}` vote keys → one entry per party. */
export function partyTotals(votes: Record<string, number>): Record<string, DapilPartyTotals> {
  const parties: Record<string, DapilPartyTotals> = {};
  const of = (party: string) => (parties[party] ??= { party: 0, candidates: {}, total: 0 });
  for (const [key, n] of Object.entries(votes)) {
    const dot = key.indexOf('.');
    if (dot < 0) of(key).total = n;
    else if (key.slice(dot + 1) === 'p') of(key.slice(0, dot)).party = n;
    else if (key[dot + 1] === 'c') of(key.slice(0, dot)).candidates[key.slice(dot + 2)] = n;
  }
  return parties;
}
