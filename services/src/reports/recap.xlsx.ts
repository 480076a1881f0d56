import ExcelJS from 'exceljs';
import { SIMULATION_MARK, type RecapColumn, type RecapReport } from './recap';

const NUMBER_FORMATS: Record<RecapColumn['kind'], string | undefined> = { code: '@', text: undefined, count: '#,##0', percent: '0.0%' };
const RED = 'FFB00020';

/** `&` starts a code in Excel's header and footer language: a literal one is doubled. */
const headerText = (text: string) => text.replace(/&/g, '&&');

/**
 * The recap as one worksheet: notice, SIMULASI, who and when in the top rows and in the printed
 * header of every page; codes stored as text (a TPS code is not a number: no 1.22E+12, no lost
 * zeros); counts with thousands separators; widths per column; the header row frozen.
 */
export async function recapXlsx(report: RecapReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'suara';
  workbook.title = report.title;
  workbook.subject = report.notice;
  const sheet = workbook.addWorksheet('Rekap', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    headerFooter: {
      oddHeader: `&L&"-,Bold"${report.simulation ? SIMULATION_MARK : ''}&C&"-,Bold"${headerText(report.notice)}&R${headerText(report.stamp)}`,
      oddFooter: `&L${headerText(report.footer)}&RHalaman &P dari &N`,
    },
  });
  const lead: Array<{ text: string; bold?: boolean; size?: number; red?: boolean }> = [
    { text: report.title, bold: true, size: 14 },
    { text: report.electionName },
    ...(report.simulation ? [{ text: `${SIMULATION_MARK} — data latihan, bukan hasil pemilu`, bold: true, red: true }] : []),
    { text: report.notice, bold: true, red: true },
    { text: report.stamp },
    { text: report.footer, size: 8 },
  ];
  for (const l of lead) {
    const row = sheet.addRow([l.text]);
    row.getCell(1).font = { bold: l.bold, size: l.size, color: l.red ? { argb: RED } : undefined };
  }
  sheet.addRow([]);

  report.columns.forEach((c, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = c.width;
    if (NUMBER_FORMATS[c.kind]) column.numFmt = NUMBER_FORMATS[c.kind]!;
  });
  const header = sheet.addRow(report.columns.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } };
    cell.border = { bottom: { style: 'thin' } };
    cell.numFmt = '@';
  });
  for (const r of report.rows) sheet.addRow(r);
  const total = sheet.addRow(report.total);
  total.font = { bold: true };
  total.eachCell((cell) => (cell.border = { top: { style: 'thin' } }));
  sheet.views = [{ state: 'frozen', xSplit: 2, ySplit: header.number }];
  sheet.pageSetup.printTitlesRow = `${header.number}:${header.number}`;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
