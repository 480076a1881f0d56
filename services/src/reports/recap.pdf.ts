import { dirname, join } from 'node:path';
import pdfmake from 'pdfmake';
import type { Content, TableCell } from 'pdfmake/interfaces';
import { SIMULATION_MARK, type Cell, type RecapColumn, type RecapReport } from './recap';

// pdfmake ships Roboto (covers the em dash and Indonesian names); nothing else may be read or fetched.
const FONT_DIR = join(dirname(require.resolve('pdfmake/package.json')), 'fonts', 'Roboto');
pdfmake.setFonts({
  Roboto: {
    normal: join(FONT_DIR, 'Roboto-Regular.ttf'),
    bold: join(FONT_DIR, 'Roboto-Medium.ttf'),
    italics: join(FONT_DIR, 'Roboto-Italic.ttf'),
    bolditalics: join(FONT_DIR, 'Roboto-MediumItalic.ttf'),
  },
});
pdfmake.setUrlAccessPolicy(() => false);
pdfmake.setLocalAccessPolicy((path) => path.startsWith(FONT_DIR));

/** Option columns per table on an A4 landscape page before the table is split. */
const MAX_COLUMNS = 16;
const RED = '#b00020';

const count = new Intl.NumberFormat('id-ID');
const percent = new Intl.NumberFormat('id-ID', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

function text(value: Cell, column: RecapColumn, bold = false): TableCell {
  if (value === null) return { text: '' };
  if (column.kind === 'count' && typeof value === 'number') return { text: count.format(value), alignment: 'right', bold };
  if (column.kind === 'percent' && typeof value === 'number') return { text: percent.format(value), alignment: 'right', bold };
  return { text: String(value), bold, noWrap: column.kind === 'code' };
}

/** One table over the columns `indexes` (the code and name always first), header repeated on every page. */
function table(report: RecapReport, indexes: number[]): Content {
  const columns = indexes.map((i) => report.columns[i]);
  const pick = (row: Cell[], bold = false) => indexes.map((i, j) => text(row[i], columns[j], bold));
  return {
    table: {
      headerRows: 1,
      dontBreakRows: true,
      widths: columns.map((c) => (c.kind === 'text' ? '*' : 'auto')),
      body: [
        columns.map((c) => ({ text: c.header, bold: true, fillColor: '#e8e8e8', alignment: c.kind === 'count' || c.kind === 'percent' ? 'right' : 'left' }) as TableCell),
        ...report.rows.map((r) => pick(r)),
        pick(report.total, true),
      ],
    },
    layout: 'lightHorizontalLines',
    fontSize: 7,
    margin: [0, 6, 0, 6],
  };
}

/**
 * The recap as an A4 landscape PDF: every page carries the notice with who made it and when in its
 * header (SIMULASI too during the simulation), the notice as a watermark, and the latest seal in the
 * footer. A ballot with many options is split into several tables, each repeating code and name.
 */
export function recapPdf(report: RecapReport, at: Date): Promise<Buffer> {
  const front = report.columns.flatMap((c, i) => (c.option ? [] : [i]));
  const options = report.columns.flatMap((c, i) => (c.option ? [i] : []));
  const tables: Content[] = [];
  if (report.columns.length <= MAX_COLUMNS) tables.push(table(report, report.columns.map((_, i) => i)));
  else {
    tables.push(table(report, front));
    for (let i = 0; i < options.length; i += MAX_COLUMNS - 2) tables.push(table(report, [0, 1, ...options.slice(i, i + MAX_COLUMNS - 2)]));
  }
  const doc = pdfmake.createPdf({
    info: { title: report.title, subject: report.notice, creator: 'suara', creationDate: at },
    pageSize: 'A4',
    pageOrientation: 'landscape',
    pageMargins: [28, 46, 28, 40],
    defaultStyle: { font: 'Roboto', fontSize: 8 },
    watermark: { text: report.simulation ? `${SIMULATION_MARK} · ${report.notice}` : report.notice, color: RED, opacity: 0.07, bold: true, fontSize: 28 },
    header: () => ({
      margin: [28, 14, 28, 0],
      columns: [
        { text: report.simulation ? SIMULATION_MARK : '', bold: true, color: RED, width: 70, fontSize: 11 },
        { text: report.notice, bold: true, color: RED, alignment: 'center', width: '*', fontSize: 10 },
        { text: report.stamp, alignment: 'right', width: 250, fontSize: 8 },
      ],
    }),
    footer: (page: number, pages: number) => ({
      margin: [28, 10, 28, 0],
      columns: [
        { text: report.footer, fontSize: 6, width: '*' },
        { text: `Halaman ${page} dari ${pages}`, alignment: 'right', fontSize: 8, width: 90 },
      ],
    }),
    content: [
      { text: report.title, bold: true, fontSize: 13 },
      { text: report.electionName, margin: [0, 2, 0, 0] },
      ...tables,
    ],
  });
  return doc.getBuffer();
}
