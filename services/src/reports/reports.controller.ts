import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { RegionCode, ReportQuery } from '@suara/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseBody, parseParam } from '../http/parse-body';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { ApiDoc } from '../openapi/api-doc';
import { CONTENT_TYPES, ReportsService } from './reports.service';

/** Recaps leave the building only as files someone asked for, and the audit log says who. Never operators. */
@Controller('api/reports')
@Roles('verifier', 'official', 'admin')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  /** `GET /api/reports/:regionCode?ballot=PPWP&format=pdf|xlsx|csv&separator=semicolon|comma`. */
  @Get(':regionCode')
  @ApiDoc({
    summary: 'A D.Hasil-like recap of the region by its children, watermarked, as PDF, XLSX or CSV (audit-logged)',
    params: { regionCode: RegionCode },
    query: ReportQuery,
    response: { contentType: Object.values(CONTENT_TYPES) },
    errors: [404],
  })
  async report(
    @Param('regionCode') rawCode: string,
    @Query() rawQuery: unknown,
    @CurrentUser() user: AuthUser,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buffer | string> {
    const code = parseParam(RegionCode, rawCode, 'regionCode');
    const query = parseBody(ReportQuery, rawQuery, 'Parameter laporan tidak valid');
    const file = await this.reports.export(code, query, user, req.ip);
    reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.filename}"`)
      .header('cache-control', 'no-store');
    return file.body;
  }
}
