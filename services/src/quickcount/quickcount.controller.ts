import { Body, Controller, Get, HttpCode, Ip, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { Ballot, DrawSampleBody, QuickCountView, Sample, SamplePlan, SamplePlanQuery } from '@suara/contracts';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { parseBody, parseParam } from '../http/parse-body';
import { QuickcountService } from './quickcount.service';
import { AuditLog } from '../identity/audit-log';
import { ApiDoc } from '../openapi/api-doc';

@Controller('api')
export class QuickcountController {
  constructor(private readonly quickcount: QuickcountService, private readonly audit: AuditLog) {}

  @Get('quickcount')
  @Roles('verifier', 'official', 'admin')
  @ApiDoc({ summary: 'The quick count estimate of a ballot, with the calls', query: z.object({ ballot: Ballot.default('PPWP') }), response: QuickCountView, errors: [404] })
  view(@Query('ballot') ballot = 'PPWP'): Promise<QuickCountView> {
    return this.quickcount.view(parseParam(Ballot, ballot, 'ballot'));
  }

  /** The margin of error a sample size buys, before drawing (`planner.ts`). */
  @Get('admin/quickcount/plan')
  @Roles('admin')
  @ApiDoc({ summary: 'The sample planner: the margin of error a sample size buys', query: SamplePlanQuery, response: SamplePlan })
  plan(@Query() query: unknown): SamplePlan {
    return this.quickcount.plan(parseBody(SamplePlanQuery, query, 'Parameter rencana sampel tidak valid'));
  }

  @Post('admin/quickcount/sample')
  @Roles('admin')
  @HttpCode(201)
  @ApiDoc({ summary: 'Draw the stratified quick count sample (seed in the audit log)', body: DrawSampleBody, response: Sample, errors: [409] })
  async draw(@Body() raw: unknown, @CurrentUser() user: AuthUser, @Ip() ip: string): Promise<Sample> {
    const body = parseBody(DrawSampleBody, raw);
    const sample = await this.quickcount.draw(body.ballot, body.size, body.seed, user.username);
    await this.audit.record({ actor: user, action: 'sample_drawn', target: body.ballot, detail: { size: sample.size, seed: sample.seed }, ip });
    return sample;
  }
}
