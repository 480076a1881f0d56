import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { Ballot, DrawSampleBody, type QuickCountView, type Sample } from '@suara/contracts';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { parseBody, parseParam } from '../http/parse-body';
import { QuickcountService } from './quickcount.service';

@Controller('api')
export class QuickcountController {
  constructor(private readonly quickcount: QuickcountService) {}

  @Get('quickcount')
  @Roles('verifier', 'official', 'admin')
  view(@Query('ballot') ballot = 'PPWP'): Promise<QuickCountView> {
    return this.quickcount.view(parseParam(Ballot, ballot, 'ballot'));
  }

  @Post('admin/quickcount/sample')
  @Roles('admin')
  @HttpCode(201)
  draw(@Body() raw: unknown, @CurrentUser() user: AuthUser): Promise<Sample> {
    const body = parseBody(DrawSampleBody, raw);
    return this.quickcount.draw(body.ballot, body.size, body.seed, user.username);
  }
}
