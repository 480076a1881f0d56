import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The real Labusel TPS structure for statistical specs: each TPS with its desa and kecamatan (codes without dots). */
export interface LabuselTps { code: string; desa: string; kecamatan: string }
export interface LabuselKecamatan { code: string; name: string }

const CANDIDATE_DIRS = [
  resolve(__dirname, '../../election-data/labusel-2024'),
  resolve(__dirname, '../../../../shared/fixtures/labusel-2024'),
];

export function labuselDir(): string {
  const dir = CANDIDATE_DIRS.find((d) => existsSync(resolve(d, 'tps.csv')) && existsSync(resolve(d, 'regions.csv')));
  if (!dir) throw new Error(`Labusel fixtures not found in ${CANDIDATE_DIRS.join(' or ')}`);
  return dir;
}

/** Minimal CSV reader: header row, comma separated, double-quoted fields with "" escapes. */
export function readCsv(path: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const text = readFileSync(path, 'utf8');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export function loadLabusel(): { tps: LabuselTps[]; kecamatan: LabuselKecamatan[] } {
  const dir = labuselDir();
  const strip = (c: string) => c.replace(/\./g, '');
  const tps = readCsv(resolve(dir, 'tps.csv')).map((r) => {
    const desa = strip(r.desa_code);
    return { code: r.tps_code, desa, kecamatan: desa.slice(0, 6) };
  });
  const kecamatan = readCsv(resolve(dir, 'regions.csv'))
    .filter((r) => r.level === 'kecamatan')
    .map((r) => ({ code: r.kpu_code || strip(r.code), name: r.name }));
  return { tps, kecamatan };
}
