import type { Ballot, ReportFormat } from '@suara/contracts';
import { client } from './api';

export const INTERNAL_NOTICE = 'Data pemantauan internal — bukan hasil resmi KPU';

/**
 * Downloads a recap the server wrote (`GET /api/reports/:region`): the file carries the notice, who
 * asked and when, and the export is in the audit log. Fetched with the session's token, since a
 * plain link would carry none.
 */
export async function downloadReport(regionCode: string, ballot: Ballot, format: ReportFormat, separator?: 'semicolon' | 'comma'): Promise<void> {
  const file = await client().report(regionCode, { ballot, format, separator });
  const url = URL.createObjectURL(new Blob([file.bytes as BlobPart], { type: file.contentType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
