import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCsv } from '../election/csv';

/** The real Labusel TPS structure for statistical specs: each TPS with its desa and kecamatan (codes without dots). */
export interface LabuselTps { code: string; desa: string; kecamatan: string }
export interface LabuselKecamatan { code: string; name: string }

const DATA_DIR = resolve(__dirname, '../../election-data/labusel-2024');

/** The repo's own copy of the Labusel master data, parsed with the importer's CSV reader. */
const readCsv = (file: string) => parseCsv(readFileSync(resolve(DATA_DIR, file), 'utf8'));

export function loadLabusel(): { tps: LabuselTps[]; kecamatan: LabuselKecamatan[] } {
  const strip = (c: string) => c.replace(/\./g, '');
  const tps = readCsv('tps.csv').map((r) => {
    const desa = strip(r.desa_code);
    return { code: r.tps_code, desa, kecamatan: desa.slice(0, 6) };
  });
  const kecamatan = readCsv('regions.csv')
    .filter((r) => r.level === 'kecamatan')
    .map((r) => ({ code: r.kpu_code || strip(r.code), name: r.name }));
  return { tps, kecamatan };
}
