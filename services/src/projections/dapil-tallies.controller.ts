import { Controller, Get, Param, Query } from '@nestjs/common';
import { Ballot, DapilCode, DapilSummary, DapilTallyView, PARTY_BALLOTS } from '@suara/contracts';
import { z } from 'zod';
import { Roles } from '../identity/auth.decorators';
import { parseParam } from '../http/parse-body';
import { ApiDoc } from '../openapi/api-doc';
import { DapilTalliesService } from './dapil-tallies.service';
import { TalliesService } from './tallies.service';
import { ElectionService } from '../election/election.service';

const PartyBallot = Ballot.refine((b) => PARTY_BALLOTS.includes(b), 'hanya DPR, DPRD_PROV atau DPRD_KAB yang punya dapil');

/** Dapils and their tallies. Recap data stays internal, as for region tallies: operators never see it. */
@Controller('api')
@Roles('verifier', 'official', 'admin')
export class DapilTalliesController {
  constructor(
    private readonly election: ElectionService,
    private readonly tallies: TalliesService,
    private readonly dapils: DapilTalliesService,
  ) {}

  /** `GET /api/dapil?ballot=DPRD_KAB` (every party-list ballot's dapils without `ballot`). */
  @Get('dapil')
  @ApiDoc({ summary: 'The dapils of the Pileg ballots, with seats and whether each lies wholly in this deployment', query: z.object({ ballot: PartyBallot.optional() }), response: DapilSummary.array() })
  list(@Query('ballot') rawBallot?: string): DapilSummary[] {
    const ballot = rawBallot === undefined || rawBallot === '' ? undefined : parseParam(PartyBallot, rawBallot, 'ballot');
    return this.election.dapils(ballot);
  }

  /** `GET /api/tallies/dapil/:dapilCode?ballot=DPRD_KAB` (ballot defaults to the dapil's own). */
  @Get('tallies/dapil/:dapilCode')
  @ApiDoc({
    summary: "A dapil's tally: parties with candidates, and for a whole dapil the seat projection (proyeksi kursi, sementara)",
    params: { dapilCode: DapilCode }, query: z.object({ ballot: PartyBallot.optional() }), response: DapilTallyView, errors: [404],
  })
  async tally(@Param('dapilCode') rawCode: string, @Query('ballot') rawBallot?: string): Promise<DapilTallyView> {
    const code = parseParam(DapilCode, rawCode, 'dapilCode');
    const ballot = rawBallot === undefined || rawBallot === ''
      ? this.election.dapils().find((d) => d.code === code)?.ballot ?? 'DPRD_KAB'
      : parseParam(PartyBallot, rawBallot, 'ballot');
    return this.dapils.getDapilTally(await this.tallies.activeElectionId(), code, ballot);
  }
}
