import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readCsvValues } from '../../election/csv-table';
import { tpsPlaces, type TpsPlace } from '../tps-place';
import { kecamatanOf } from '@suara/contracts';

/** The real Labusel TPS structure for statistical specs: each TPS with its desa, kecamatan and place traits (codes without dots). */
export type LabuselTps = TpsPlace;
export interface LabuselKecamatan { code: string; name: string }

const DATA_DIR = resolve(__dirname, '../../../election-data/labusel-2024');

/** The repo's own copy of the Labusel master data, parsed with the importer's CSV reader. */
const readCsv = (file: string) => readCsvValues(readFileSync(resolve(DATA_DIR, file), 'utf8'));

export function loadLabusel(): { tps: LabuselTps[]; kecamatan: LabuselKecamatan[] } {
  const strip = (c: string) => c.replace(/\./g, '');
  const regions = readCsv('regions.csv');
  const kelurahan = new Set(regions.filter((r) => r.level === 'kelurahan').map((r) => r.kpu_code || strip(r.code)));
  const tps = tpsPlaces(readCsv('tps.csv').map((r) => {
    const desaCode = strip(r.desa_code);
    return { code: r.tps_code, desaCode, kecamatanCode: kecamatanOf(desaCode) };
  }), (desa) => kelurahan.has(desa));
  const kecamatan = regions
    .filter((r) => r.level === 'kecamatan')
    .map((r) => ({ code: r.kpu_code || strip(r.code), name: r.name }));
  return { tps, kecamatan };
}
