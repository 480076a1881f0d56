import { Body, Controller, Get, HttpCode, Ip, Post, Query } from '@nestjs/common';
import { Ballot, DrawSampleBody, SamplePlanQuery, type QuickCountView, type Sample, type SamplePlan } from '@suara/contracts';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { parseBody, parseParam } from '../http/parse-body';
import { QuickcountService } from './quickcount.service';
import { AuditLog } from '../identity/audit-log';

@Controller('api')
export class QuickcountController {
  constructor(private readonly quickcount: QuickcountService, private readonly audit: AuditLog) {}

  @Get('quickcount')
  @Roles('verifier', 'official', 'admin')
  view(@Query('ballot') ballot = 'PPWP'): Promise<QuickCountView> {
    return this.quickcount.view(parseParam(Ballot, ballot, 'ballot'));
  }

  /** The margin of error a sample size buys, before drawing (`planner.ts`). */
  @Get('admin/quickcount/plan')
  @Roles('admin')
  plan(@Query() query: unknown): SamplePlan {
    return this.quickcount.plan(parseBody(SamplePlanQuery, query, 'Parameter rencana sampel tidak valid'));
  }

  @Post('admin/quickcount/sample')
  @Roles('admin')
  @HttpCode(201)
  async draw(@Body() raw: unknown, @CurrentUser() user: AuthUser, @Ip() ip: string): Promise<Sample> {
    const body = parseBody(DrawSampleBody, raw);
    const sample = await this.quickcount.draw(body.ballot, body.size, body.seed, user.username);
    await this.audit.record({ actor: user, action: 'sample_drawn', target: body.ballot, detail: { size: sample.size, seed: sample.seed }, ip });
    return sample;
  }
}
