import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ancestorOf, kecamatanOf, ElectionConfig, normalizeCode, type Candidate, type Dapil, type Region, type RegionLevel,
} from '@suara/contracts';
import { parseCsv } from './csv';

/** A TPS with the codes of its desa, kecamatan and kabupaten. */
export interface TpsRecord {
  code: string;
  desaCode: string;
  kecamatanCode: string;
  kabupatenCode: string;
  number: number;
  name: string;
}

export interface MasterData {
  config: ElectionConfig;
  regions: Region[];
  tps: TpsRecord[];
}

const read = (dir: string, file: string) => parseCsv(readFileSync(join(dir, file), 'utf8'));

/**
 * Reads an election's data folder (election.json, regions.csv, tps.csv, paslon.csv, parties.csv,
 * dapils.csv, candidates.csv) and checks it hangs together. A new kabupaten is a new folder.
 */
export function loadMasterData(dir: string): MasterData {
  if (!existsSync(join(dir, 'election.json'))) throw new Error(`ELECTION_DATA: no election.json in ${dir}`);
  const meta = JSON.parse(readFileSync(join(dir, 'election.json'), 'utf8'));
  const regions: Region[] = read(dir, 'regions.csv').map((r) => ({
    code: normalizeCode(r.kpu_code || r.code),
    level: r.level as RegionLevel,
    name: r.name,
    parentCode: r.parent_code ? normalizeCode(r.parent_code) : null,
  }));
  const byCode = new Map(regions.map((r) => [r.code, r]));
  for (const r of regions) {
    if (r.parentCode && !byCode.has(r.parentCode)) throw new Error(`regions.csv: ${r.code} has unknown parent ${r.parentCode}`);
  }
  const tps: TpsRecord[] = read(dir, 'tps.csv').map((t) => {
    const desaCode = normalizeCode(t.desa_code);
    if (!byCode.has(desaCode)) throw new Error(`tps.csv: ${t.tps_code} in unknown desa ${desaCode}`);
    return { code: t.tps_code, desaCode, kecamatanCode: kecamatanOf(desaCode), kabupatenCode: ancestorOf(desaCode, 'kabupaten'), number: Number(t.tps_no), name: t.name };
  });
  const candidates = read(dir, 'candidates.csv');
  const candidate = (c: Record<string, string>): Candidate => ({ number: c.candidate_number, name: c.name, generated: c.generated === 'true' });
  const dapils: Dapil[] = read(dir, 'dapils.csv').map((d) => {
    const own = candidates.filter((c) => c.ballot === d.ballot && c.dapil_code === d.code);
    const byParty: Record<string, Candidate[]> = {};
    for (const c of own) (byParty[c.party_number] ??= []).push(candidate(c));
    return {
      ballot: d.ballot as Dapil['ballot'],
      code: d.code,
      name: d.name,
      seats: Number(d.seats),
      regionCodes: d.region_codes.split(/\s+/).map(normalizeCode),
      candidates: byParty,
      generated: d.generated === 'true',
    };
  });
  const config = ElectionConfig.parse({
    id: meta.id,
    name: meta.name,
    kabupatenCode: normalizeCode(meta.kabupatenCode),
    provinsiCode: normalizeCode(meta.provinsiCode),
    paslon: read(dir, 'paslon.csv').map((p) => ({ number: p.number, name: p.short_name, capres: p.capres, cawapres: p.cawapres, color: p.color })),
    parties: read(dir, 'parties.csv').map((p) => ({ number: p.number, name: p.name, shortName: p.short_name })),
    dapils,
    dpd: { provinsiCode: normalizeCode(meta.provinsiCode), candidates: candidates.filter((c) => c.ballot === 'DPD').map(candidate) },
  });
  return { config, regions, tps };
}
