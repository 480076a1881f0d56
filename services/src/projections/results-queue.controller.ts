import { Controller, Get, Query } from '@nestjs/common';
import { Ballot, FLAG_CODES, ResultStatus, ResultView } from '@suara/contracts';
import { z } from 'zod';
import { ElectionService } from '../election/election.service';
import { parseParam } from '../http/parse-body';
import { Roles } from '../identity/auth.decorators';
import { ApiDoc } from '../openapi/api-doc';
import { ResultsQueueRepository } from './results-queue.repository';

/** The queue's photo filter: `none` ("tanpa foto") or `some`. */
const PhotoFilter = z.enum(['none', 'some']);
/** A region whose TPS the queue is narrowed to: a kabupaten, kecamatan or desa code. */
const QueueRegion = z.string().regex(/^(\d{4}|\d{6}|\d{10})$/, 'kode wilayah: 4, 6 atau 10 angka');
const QueueFlag = z.enum(FLAG_CODES);

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
    query: z.object({
      status: z.string().optional().describe('comma-separated ResultStatus list; default submitted,corrected'),
      ballot: Ballot.optional(),
      photos: PhotoFilter.optional(),
      region: QueueRegion.optional().describe('only TPS in this kabupaten, kecamatan or desa'),
      flag: QueueFlag.optional().describe('only results carrying this flag'),
    }),
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
    const optional = <T>(schema: z.ZodType<T>, value: unknown, name: string) => (value === undefined ? undefined : parseParam(schema, value, name));
    return this.queue.list(await this.election.activeElectionId(), statuses, {
      ballot: optional(Ballot, ballot, 'ballot'),
      photos: optional(PhotoFilter, photos, 'photos'),
      region: optional(QueueRegion, region, 'region'),
      flag: optional(QueueFlag, flag, 'flag'),
    });
  }
}
