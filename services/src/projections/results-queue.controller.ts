import { Controller, Get, Query } from '@nestjs/common';
import { Ballot, ResultStatus, ResultView } from '@suara/contracts';
import { z } from 'zod';
import { ElectionService } from '../election/election.service';
import { parseParam } from '../http/parse-body';
import { Roles } from '../identity/auth.decorators';
import { ApiDoc } from '../openapi/api-doc';
import { ResultsQueueRepository } from './results-queue.repository';

/** The queue's photo filter: `none` ("tanpa foto") or `some`. */
const PhotoFilter = z.enum(['none', 'some']);

/** `GET /api/results`: the verifiers' queue, read from the `results` read model (one result's own state is tabulation's). */
@Controller('api/results')
export class ResultsQueueController {
  constructor(
    private readonly election: ElectionService,
    private readonly queue: ResultsQueueRepository,
  ) {}

  /** `?status=submitted,corrected&ballot=PPWP&photos=none`, flagged first, then oldest. */
  @Get()
  @Roles('verifier', 'official', 'admin')
  @ApiDoc({
    summary: "The verifier's queue: flagged (worst) first, then oldest; at most 500",
    query: z.object({ status: z.string().optional().describe('comma-separated ResultStatus list; default submitted,corrected'), ballot: Ballot.optional(), photos: PhotoFilter.optional() }),
    response: ResultView.array(),
  })
  async list(@Query('status') status: unknown = 'submitted,corrected', @Query('ballot') ballot?: unknown, @Query('photos') photos?: unknown): Promise<ResultView[]> {
    const statuses = parseParam(ResultStatus.array().min(1).max(4), String(status).split(','), 'status');
    return this.queue.list(
      await this.election.activeElectionId(),
      statuses,
      ballot === undefined ? undefined : parseParam(Ballot, ballot, 'ballot'),
      photos === undefined ? undefined : parseParam(PhotoFilter, photos, 'photos'),
    );
  }
}
