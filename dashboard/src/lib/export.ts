import type { ElectionView, TallyView } from '@suara/contracts';
import { zip } from './zip';
import { isPartyBallot, optionRows } from './options';

export const INTERNAL_NOTICE = 'Data pemantauan internal — bukan hasil resmi KPU';

export type Cell = string | number;

/**
 * The recap of a region as a table: one row per child region (or TPS) and a total row.
 * Party ballots get, per party, its total, its party-only votes and each candidate's votes.
 */
export function recapTable(election: ElectionView | null, tally: TallyView): Cell[][] {
  const options = optionRows(election, tally.ballot, tally.region.code, tally.totals);
  const party = isPartyBallot(election, tally.ballot);
  const keys: { key: string; label: string }[] = [];
  for (const o of options) {
    keys.push({ key: o.key, label: party ? `${o.number} ${o.name} (jumlah)` : `${o.number} ${o.name}` });
    if (!party) continue;
    keys.push({ key: `${o.key}.p`, label: `${o.number} ${o.name} (suara partai)` });
    const cands = new Set<string>();
    for (const row of [tally.totals, ...tally.children.map((c) => c.totals)]) {
      for (const k of Object.keys(row.votes)) if (k.startsWith(`${o.key}.c`)) cands.add(k);
    }
    [...cands]
      .sort((a, b) => Number(a.split('.c')[1]) - Number(b.split('.c')[1]))
      .forEach((k) => keys.push({ key: k, label: `${o.number} ${o.name} calon ${k.split('.c')[1]}` }));
  }
  const header: Cell[] = ['Kode', 'Wilayah', 'Jumlah TPS', 'TPS masuk', 'TPS terverifikasi', ...keys.map((k) => k.label), 'Suara sah', 'Suara tidak sah'];
  const line = (code: string, name: string, t: TallyView['totals'], p: TallyView['progress']): Cell[] => [
    code, name, p.tpsTotal, p.tpsReported, p.tpsVerified, ...keys.map((k) => t.votes[k.key] ?? 0), t.valid, t.invalid,
  ];
  return [
    header,
    ...tally.children.map((c) => line(c.code, c.name, c.totals, c.progress)),
    line(tally.region.code, `Jumlah ${tally.region.name}`, tally.totals, tally.progress),
  ];
}

function titleRows(ballotName: string, tally: TallyView, now: Date): Cell[][] {
  return [[`Rekap ${ballotName} — ${tally.region.name}`], [INTERNAL_NOTICE], [`Diunduh ${now.toLocaleString('id-ID')}`], []];
}

function csvCell(c: Cell): string {
  const s = String(c);
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a BOM so that Excel reads the UTF-8 names correctly. */
export function toCsv(rows: Cell[][]): string {
  return '\ufeff' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

const xmlEscape = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function sheetXml(rows: Cell[][]): string {
  const body = rows.map((row, r) => {
    const cells = row.map((c, i) => {
      const ref = `${columnName(i)}${r + 1}`;
      return typeof c === 'number'
        ? `<c r="${ref}"><v>${c}</v></c>`
        : `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlEscape(c)}</t></is></c>`;
    });
    return `<row r="${r + 1}">${cells.join('')}</row>`;
  });
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${body.join('')}</sheetData></worksheet>`;
}

/** A minimal valid .xlsx workbook with one sheet of inline strings and numbers. */
export function toXlsx(rows: Cell[][], sheetName = 'Rekap'): Uint8Array {
  const enc = new TextEncoder();
  const files: Record<string, string> = {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${xmlEscape(sheetName.slice(0, 31))}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml': sheetXml(rows),
  };
  return zip(Object.entries(files).map(([name, text]) => ({ name, data: enc.encode(text) })));
}

function fileBase(tally: TallyView): string {
  const name = tally.region.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `rekap-${tally.ballot}-${tally.region.code}-${name}`;
}

function download(data: BlobPart, type: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadCsv(election: ElectionView | null, ballotName: string, tally: TallyView): void {
  const rows = [...titleRows(ballotName, tally, new Date()), ...recapTable(election, tally)];
  download(toCsv(rows), 'text/csv;charset=utf-8', `${fileBase(tally)}.csv`);
}

export function downloadXlsx(election: ElectionView | null, ballotName: string, tally: TallyView): void {
  const rows = [...titleRows(ballotName, tally, new Date()), ...recapTable(election, tally)];
  download(toXlsx(rows) as BlobPart, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `${fileBase(tally)}.xlsx`);
}
