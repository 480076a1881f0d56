import { Injectable } from '@nestjs/common';
import { sealFooter, type ReportQuery } from '@suara/contracts';
import { ElectionService } from '../election/election.service';
import { AuditLog } from '../identity/audit-log';
import type { AuthUser } from '../identity/auth.decorators';
import { TalliesService } from '../projections/tallies.service';
import { buildRecap } from './recap';
import { recapCsv } from './recap.csv';
import { recapPdf } from './recap.pdf';
import { recapXlsx } from './recap.xlsx';
import { ReportsRepository } from './reports.repository';
import { voterSumsByChild } from './voter-sums';

export interface ReportFile {
  body: Buffer | string;
  contentType: string;
  filename: string;
}

export const CONTENT_TYPES = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

/**
 * `GET /api/reports/:regionCode`: the region's recap by its children as PDF, XLSX or CSV, from the
 * same numbers as `GET /api/tallies`. Every export is written to the audit log before it is handed out.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly election: ElectionService,
    private readonly tallies: TalliesService,
    private readonly repo: ReportsRepository,
    private readonly audit: AuditLog,
  ) {}

  async export(regionCode: string, query: ReportQuery, user: AuthUser, ip: string | undefined): Promise<ReportFile> {
    const electionId = await this.tallies.activeElectionId();
    const tally = await this.tallies.getTally(electionId, regionCode, query.ballot);
    const [election, forms, seal] = await Promise.all([this.election.view(), this.repo.forms(electionId, query.ballot, regionCode), this.repo.latestSeal()]);
    const at = new Date();
    const report = buildRecap({
      election,
      tally,
      voters: voterSumsByChild(regionCode, tally.children.map((c) => c.code), forms),
      username: user.username,
      at,
      seal: seal ? sealFooter(seal) : undefined,
    });
    const body =
      query.format === 'pdf' ? await recapPdf(report, at)
      : query.format === 'xlsx' ? await recapXlsx(report)
      : recapCsv(report, query.separator === 'comma' ? ',' : ';');
    await this.audit.record({
      actor: user,
      action: 'report_exported',
      target: regionCode,
      detail: { ballot: query.ballot, format: query.format, electionId, mode: election.mode, position: tally.position },
      ip,
    });
    return { body, contentType: CONTENT_TYPES[query.format], filename: `${report.fileBase}.${query.format}` };
  }
}
