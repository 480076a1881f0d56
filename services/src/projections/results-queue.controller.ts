import { Controller, Get, Query } from '@nestjs/common';
import { ResultStatus, ResultsQueueFilter, ResultView } from '@suara/contracts';
import { z } from 'zod';
import { ElectionService } from '../election/election.service';
import { parseParam } from '../http/parse-body';
import { Roles } from '../identity/auth.decorators';
import { ApiDoc } from '../openapi/api-doc';
import { ResultsQueueRepository } from './results-queue.repository';

/** `GET /api/results`: the verifiers' queue, read from the `results` read model (one result's own state is tabulation's). */
@Controller('api/results')
export class ResultsQueueController {
  constructor(
    private readonly election: ElectionService,
    private readonly queue: ResultsQueueRepository,
  ) {}

  /** `?status=submitted,corrected&ballot=PPWP&photos=none&region=122203&flag=high_invalid`, flagged first, then oldest. */
  @Get()
  @Roles('verifier', 'official', 'admin')
  @ApiDoc({
    summary: "The verifier's queue: flagged (worst) first, then oldest; at most 500",
    query: ResultsQueueFilter.extend({ status: z.string().optional().describe('comma-separated ResultStatus list; default submitted,corrected') }),
    response: ResultView.array(),
  })
  async list(
    @Query('status') status: unknown = 'submitted,corrected',
    @Query('ballot') ballot?: unknown,
    @Query('photos') photos?: unknown,
    @Query('region') region?: unknown,
    @Query('flag') flag?: unknown,
  ): Promise<ResultView[]> {
    const statuses = parseParam(ResultStatus.array().min(1).max(4), String(status).split(','), 'status');
    const { shape } = ResultsQueueFilter;
    return this.queue.list(await this.election.activeElectionId(), statuses, {
      ballot: parseParam(shape.ballot, ballot, 'ballot'),
      photos: parseParam(shape.photos, photos, 'photos'),
      region: parseParam(shape.region, region, 'region'),
      flag: parseParam(shape.flag, flag, 'flag'),
    });
  }
}
