import { toCsv, type CsvSeparator } from '@suara/contracts';
import { SIMULATION_MARK, type Cell, type RecapReport } from './recap';

/** The recap as CSV: the notice, who and when above the table; percentages as numbers of percent. */
export function recapCsv(report: RecapReport, separator: CsvSeparator): string {
  const asCsv = (row: Cell[]): Cell[] =>
    row.map((c, i) => (report.columns[i].kind === 'percent' && typeof c === 'number' ? Math.round(c * 1000) / 10 : c));
  return toCsv(
    [
      [report.title],
      [report.electionName],
      ...(report.simulation ? [[`${SIMULATION_MARK} — data latihan, bukan hasil pemilu`]] : []),
      [report.notice],
      [report.stamp],
      [report.footer],
      [],
      report.columns.map((c) => c.header),
      ...report.rows.map(asCsv),
      asCsv(report.total),
    ],
    separator,
  );
}
