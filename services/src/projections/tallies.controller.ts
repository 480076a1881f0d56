import { Controller, Get, Param, Query } from '@nestjs/common';
import { Anomaly, Ballot, RegionCode, TallyView } from '@suara/contracts';
import { z } from 'zod';
import { Roles } from '../identity/auth.decorators';
import { parseParam } from '../http/parse-body';
import { ApiDoc } from '../openapi/api-doc';
import { ANOMALIES_DEFAULT_LIMIT, ANOMALIES_MAX_LIMIT, TalliesService } from './tallies.service';

const Limit = z.coerce.number().int().min(1).max(ANOMALIES_MAX_LIMIT);

/** Recap data stays internal: operators never see tallies or the flagged list. */
@Controller('api')
@Roles('verifier', 'official', 'admin')
export class TalliesController {
  constructor(private readonly tallies: TalliesService) {}

  /** `GET /api/tallies/:regionCode?ballot=PPWP` (ballot defaults to PPWP). */
  @Get('tallies/:regionCode')
  @ApiDoc({ summary: 'The tally of a region or TPS for a ballot', params: { regionCode: RegionCode }, query: z.object({ ballot: Ballot.default('PPWP') }), response: TallyView, errors: [404] })
  async tally(@Param('regionCode') rawCode: string, @Query('ballot') rawBallot?: string): Promise<TallyView> {
    const code = parseParam(RegionCode, rawCode, 'regionCode');
    const ballot = parseParam(Ballot, rawBallot ?? 'PPWP', 'ballot');
    return this.tallies.getTally(await this.tallies.activeElectionId(), code, ballot);
  }

  /** `GET /api/anomalies?ballot=PPWP&limit=1000`: flagged results of the active election, worst first. */
  @Get('anomalies')
  @ApiDoc({ summary: 'Flagged results of the active election, worst first', query: z.object({ ballot: Ballot.optional(), limit: Limit.optional() }), response: Anomaly.array() })
  async anomalies(@Query('ballot') rawBallot?: string, @Query('limit') rawLimit?: string): Promise<Anomaly[]> {
    const ballot = rawBallot === undefined || rawBallot === '' ? undefined : parseParam(Ballot, rawBallot, 'ballot');
    const limit = rawLimit === undefined ? ANOMALIES_DEFAULT_LIMIT : parseParam(Limit, rawLimit, 'limit');
    return this.tallies.listAnomalies(await this.tallies.activeElectionId(), ballot, limit);
  }
}
