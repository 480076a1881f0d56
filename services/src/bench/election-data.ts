import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeCode } from '@suara/contracts';
import { readCsvValues } from '../election/csv-table';

/** TPS per generated desa: well under the 999 a 3-digit TPS number allows. */
const TPS_PER_DESA = 400;
const COPIED = ['paslon.csv', 'parties.csv', 'dapils.csv', 'candidates.csv'];

export interface GeneratedTps {
  code: string;
  desaCode: string;
}

export interface GeneratedElection {
  dir: string;
  electionId: string;
  kabupatenCode: string;
  tps: GeneratedTps[];
  /** Every desa holding TPS, with the TPS codes in it. */
  desa: Map<string, string[]>;
}

/**
 * Writes an election data folder in the layout of `services/election-data/labusel-2024` with
 * `tpsCount` TPS: the real regions, ballots, parties, dapils and candidates, plus generated desa
 * (codes `<kecamatan>9nnn`, which Kemendagri does not use) under the same kecamatan, each with
 * up to 400 TPS. Party-list ballots keep working because dapils are defined by kabupaten and kecamatan.
 */
export function generateElectionData(sourceDir: string, targetDir: string, tpsCount: number): GeneratedElection {
  mkdirSync(targetDir, { recursive: true });
  for (const f of COPIED) copyFileSync(join(sourceDir, f), join(targetDir, f));
  const meta = JSON.parse(readFileSync(join(sourceDir, 'election.json'), 'utf8')) as { id: string; name: string; provinsiCode: string; kabupatenCode: string };
  const electionId = `bench-${tpsCount}`;
  writeFileSync(join(targetDir, 'election.json'), JSON.stringify({ ...meta, id: electionId, name: `${meta.name} (bench: ${tpsCount} TPS, generated)` }, null, 2));

  const regionsCsv = readFileSync(join(sourceDir, 'regions.csv'), 'utf8').trimEnd();
  const regions = readCsvValues(regionsCsv);
  const kecamatan = regions.filter((r) => r.level === 'kecamatan');
  const desaCodes = regions.filter((r) => r.level === 'desa' || r.level === 'kelurahan').map((r) => normalizeCode(r.kpu_code || r.code));
  const extraRegionLines: string[] = [];
  for (let i = 0; desaCodes.length * TPS_PER_DESA < tpsCount; i++) {
    const kec = kecamatan[i % kecamatan.length];
    const kecCode = normalizeCode(kec.kpu_code || kec.code);
    const n = 9000 + Math.floor(i / kecamatan.length) + 1;
    if (n > 9999) throw new Error(`too many TPS for one kabupaten: ${tpsCount}`);
    const code = `${kecCode}${n}`;
    desaCodes.push(code);
    extraRegionLines.push(`${dotted(code)},${code},desa,"Desa Bench ${n - 9000} ${kec.name} (generated)",${kec.code}`);
  }
  writeFileSync(join(targetDir, 'regions.csv'), [regionsCsv, ...extraRegionLines].join('\n') + '\n');

  const tps: GeneratedTps[] = [];
  const desa = new Map<string, string[]>();
  const perDesa = Math.ceil(tpsCount / desaCodes.length);
  for (let no = 1; no <= perDesa; no++) {
    for (const desaCode of desaCodes) {
      if (tps.length >= tpsCount) break;
      const code = `${desaCode}${String(no).padStart(3, '0')}`;
      tps.push({ code, desaCode });
      let list = desa.get(desaCode);
      if (!list) desa.set(desaCode, (list = []));
      list.push(code);
    }
  }
  const lines = ['tps_code,desa_code,tps_no,name', ...tps.map((t) => `${t.code},${dotted(t.desaCode)},${Number(t.code.slice(10))},TPS ${t.code.slice(10)}`)];
  writeFileSync(join(targetDir, 'tps.csv'), lines.join('\n') + '\n');
  return { dir: targetDir, electionId, kabupatenCode: normalizeCode(meta.kabupatenCode), tps, desa };
}

/** 1222011001 → 12.22.01.1001 (the layout regions.csv uses in its `code` column). */
function dotted(code: string): string {
  return [code.slice(0, 2), code.slice(2, 4), code.slice(4, 6), code.slice(6)].filter(Boolean).join('.');
}
