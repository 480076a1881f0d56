import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ancestorOf, CODE_LENGTH, PARTY_BALLOTS, ElectionConfig, kecamatanOf, REGION_CODE_LENGTHS, MASTER_DATA_FILES, normalizeCode, REGION_LEVELS, type Candidate, type Dapil, type MasterDataFile, type MasterDataProblem,
  type Region, type RegionLevel,
} from '@suara/contracts';
import { readCsvTable, type CsvRow } from './csv-table';
import { DapilIndex } from './dapil-index';

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

/** The texts of a master-data folder's files, by file name; a missing file is absent. */
export type MasterDataFiles = Partial<Record<MasterDataFile, string>>;

export type MasterDataValidation = { ok: true; data: MasterData } | { ok: false; problems: MasterDataProblem[] };

/** What `election.json` holds; an import without it keeps the loaded election's. */
export interface ElectionMeta {
  id: string;
  name: string;
  provinsiCode: string;
  kabupatenCode: string;
}

const CANDIDATE_BALLOTS = [...PARTY_BALLOTS, 'DPD'] as const;
const DESA_LEVELS: ReadonlySet<string> = new Set(['desa', 'kelurahan']);
const COLOR = /^#[0-9a-fA-F]{6}$/;
const NUMBER = /^[0-9]{1,3}$/;
const CODE = /^[0-9]+$/;
/** A TPS is a row of tps.csv, never of regions.csv. */
const LEVELS = REGION_LEVELS.filter((l) => l !== 'tps');

const COLUMNS: Record<Exclude<MasterDataFile, 'election.json'>, readonly string[]> = {
  'regions.csv': ['code', 'level', 'name', 'parent_code'],
  'tps.csv': ['tps_code', 'desa_code', 'tps_no', 'name'],
  'parties.csv': ['number', 'name', 'short_name'],
  'paslon.csv': ['number', 'capres', 'cawapres', 'short_name', 'color'],
  'dapils.csv': ['ballot', 'code', 'name', 'seats', 'region_codes'],
  'candidates.csv': ['ballot', 'dapil_code', 'party_number', 'candidate_number', 'name'],
};

/** Reads a master-data folder's files (those present) as texts. */
export function readMasterDataFolder(dir: string): MasterDataFiles {
  const files: MasterDataFiles = {};
  for (const name of MASTER_DATA_FILES) {
    const path = join(dir, name);
    if (existsSync(path)) files[name] = readFileSync(path, 'utf8');
  }
  return files;
}

/**
 * Reads an election's data folder (README, "Master data") at start-up; throws listing every problem.
 * A new kabupaten is a new folder.
 */
export function loadMasterData(dir: string): MasterData {
  if (!existsSync(join(dir, 'election.json'))) throw new Error(`ELECTION_DATA: no election.json in ${dir}`);
  const result = validateMasterData(readMasterDataFolder(dir));
  if (!result.ok) throw new Error(`ELECTION_DATA ${dir}: ${result.problems.length} problem(s)\n${result.problems.map(formatProblem).join('\n')}`);
  return result.data;
}

/** Where a problem is: `regions.csv:12 parent_code`. */
export const problemPath = (p: MasterDataProblem): string => `${p.file}:${p.line}${p.field ? ` ${p.field}` : ''}`;
/** `regions.csv:12 parent_code: …` — one problem per line, for logs and the CLI. */
export const formatProblem = (p: MasterDataProblem): string => `${problemPath(p)}: ${p.message}`;

/**
 * Checks a master-data folder line by line and lists **every** bad line (file, line, column, why),
 * never stopping at the first; only a folder without problems gives the data. `current` is the
 * loaded election: an import without `election.json` keeps its meta, and one with a different id
 * is refused (a deployment holds one election; another election is another deployment).
 */
export function validateMasterData(files: MasterDataFiles, current?: ElectionMeta): MasterDataValidation {
  const problems: MasterDataProblem[] = [];
  const report = (file: MasterDataFile) => (line: number, field: string | undefined, message: string) =>
    problems.push({ file, line, ...(field ? { field } : {}), message });

  const meta = readMeta(files['election.json'], current, report('election.json'));
  const table = (file: Exclude<MasterDataFile, 'election.json'>): CsvRow[] => {
    const text = files[file];
    if (text === undefined) {
      report(file)(0, undefined, 'file tidak ada');
      return [];
    }
    const t = readCsvTable(text, COLUMNS[file]);
    for (const p of t.problems) report(file)(p.line, p.field, p.message);
    return t.problems.some((p) => p.field && COLUMNS[file].includes(p.field)) ? [] : t.rows;
  };

  // A line refused for one field still names its key (`listed`): lines referring to it are not
  // listed again for that, so one bad line is one problem, not a cascade.
  const regionRows = table('regions.csv');
  const regions = checkRegions(regionRows, report('regions.csv'));
  const regionsByCode = new Map(regions.map((r) => [r.region.code, r]));
  const tps = checkTps(table('tps.csv'), regionsByCode, listed(regionRows, (v) => normalizeCode(v.kpu_code || v.code || '')), report('tps.csv'));
  const partyRows = table('parties.csv');
  const parties = checkParties(partyRows, report('parties.csv'));
  const paslon = checkPaslon(table('paslon.csv'), report('paslon.csv'));
  const dapilRows = table('dapils.csv');
  const dapils = checkDapils(dapilRows, report('dapils.csv'));
  const known = {
    parties: new Set(parties.map((p) => p.number)),
    listedParties: listed(partyRows, (v) => String(Number(v.number || NaN))),
    listedDapils: listed(dapilRows, (v) => `${v.ballot}|${v.code}`),
  };
  const candidates = checkCandidates(table('candidates.csv'), dapils, known, meta?.provinsiCode, report('candidates.csv'));
  // Coverage only of a dapil map read whole: a refused dapil line is its one problem.
  if (!problems.some((p) => p.file === 'dapils.csv')) checkDapilCoverage(regions, dapils, meta?.kabupatenCode, report('regions.csv'));
  if (meta && regions.length > 0 && !regionsByCode.has(meta.kabupatenCode)) {
    report('election.json')(0, 'kabupatenCode', `kabupaten ${meta.kabupatenCode} tidak ada di regions.csv`);
  }
  if (problems.length > 0 || !meta) return { ok: false, problems };

  for (const d of dapils) {
    for (const c of candidates.filter((c) => c.ballot === d.dapil.ballot && c.dapilCode === d.dapil.code)) (d.dapil.candidates[c.party] ??= []).push(c.candidate);
  }
  const parsed = ElectionConfig.safeParse({
    id: meta.id,
    name: meta.name,
    kabupatenCode: meta.kabupatenCode,
    provinsiCode: meta.provinsiCode,
    paslon,
    parties,
    dapils: dapils.map((d) => d.dapil),
    dpd: { provinsiCode: meta.provinsiCode, candidates: candidates.filter((c) => c.ballot === 'DPD').map((c) => c.candidate) },
  });
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ file: 'election.json', line: 0, field: i.path.join('.'), message: i.message })) };
  }
  return { ok: true, data: { config: parsed.data, regions: regions.map((r) => r.region), tps } };
}

type Report = (line: number, field: string | undefined, message: string) => void;

/** The keys a file's lines name, whether or not the line was taken. */
const listed = (rows: CsvRow[], key: (values: Record<string, string>) => string): ReadonlySet<string> => new Set(rows.map((r) => key(r.values)));

function readMeta(text: string | undefined, current: ElectionMeta | undefined, report: Report): ElectionMeta | undefined {
  if (text === undefined) {
    if (!current) report(0, undefined, 'file tidak ada');
    return current;
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (err) {
    report(1, undefined, `bukan JSON yang sah: ${(err as Error).message}`);
    return undefined;
  }
  const text_ = (field: keyof ElectionMeta): string => {
    const v = raw?.[field];
    if (typeof v !== 'string' || v.trim() === '') {
      report(0, field, 'wajib diisi (teks)');
      return '';
    }
    return field.endsWith('Code') ? normalizeCode(v.trim()) : v.trim();
  };
  const meta: ElectionMeta = { id: text_('id'), name: text_('name'), provinsiCode: text_('provinsiCode'), kabupatenCode: text_('kabupatenCode') };
  if (meta.provinsiCode && meta.provinsiCode.length !== CODE_LENGTH.provinsi) report(0, 'provinsiCode', 'kode provinsi 2 digit');
  if (meta.kabupatenCode && (meta.kabupatenCode.length !== CODE_LENGTH.kabupaten || !meta.kabupatenCode.startsWith(meta.provinsiCode))) {
    report(0, 'kabupatenCode', 'kode kabupaten 4 digit, diawali kode provinsinya');
  }
  if (current && meta.id && meta.id !== current.id) {
    report(0, 'id', `pemilu ${meta.id} bukan pemilu deployment ini (${current.id}); pemilu lain memerlukan deployment lain`);
  }
  return meta;
}

/** A required, non-empty value; reports the line otherwise. */
function required(row: CsvRow, field: string, report: Report): string | undefined {
  const v = row.values[field] ?? '';
  if (v === '') report(row.line, field, 'wajib diisi');
  return v === '' ? undefined : v;
}

/** Reports a repeated key (the first line keeps it). */
function unique<T>(seen: Map<string, number>, key: string, row: CsvRow, field: string, report: Report, what: string): boolean {
  const first = seen.get(key);
  if (first !== undefined) {
    report(row.line, field, `${what} sudah ada di baris ${first}`);
    return false;
  }
  seen.set(key, row.line);
  return true;
}

const generatedFlag = (row: CsvRow, report: Report): boolean => {
  const v = (row.values.generated ?? '').toLowerCase();
  if (v !== '' && v !== 'true' && v !== 'false') report(row.line, 'generated', 'true, false atau kosong');
  return v === 'true';
};

interface RegionRow { line: number; region: Region }

function checkRegions(rows: CsvRow[], report: Report): RegionRow[] {
  const seen = new Map<string, number>();
  const out: RegionRow[] = [];
  for (const row of rows) {
    const raw = row.values.kpu_code || row.values.code;
    const code = raw ? normalizeCode(raw) : '';
    const level = required(row, 'level', report);
    const name = required(row, 'name', report);
    let ok = !!level && !!name;
    if (!CODE.test(code) || !REGION_CODE_LENGTHS.includes(code.length)) {
      report(row.line, 'code', `kode wilayah "${raw ?? ''}" tidak sah (2, 4, 6 atau 10 digit, titik boleh)`);
      ok = false;
    }
    if (level && !(LEVELS as readonly string[]).includes(level)) {
      report(row.line, 'level', `tingkat "${level}" tidak dikenal (${LEVELS.join(', ')})`);
      ok = false;
    }
    if (row.values.code && row.values.kpu_code && normalizeCode(row.values.code) !== normalizeCode(row.values.kpu_code)) {
      report(row.line, 'kpu_code', `${row.values.kpu_code} bukan kode ${row.values.code} tanpa titik`);
      ok = false;
    }
    const parentCode = row.values.parent_code ? normalizeCode(row.values.parent_code) : null;
    if (ok && !unique(seen, code, row, 'code', report, `wilayah ${code}`)) ok = false;
    if (ok) out.push({ line: row.line, region: { code, level: level as RegionLevel, name: name!, parentCode } });
  }
  const byCode = new Map(out.map((r) => [r.region.code, r.region]));
  for (const { line, region } of out) {
    if (region.parentCode === null) continue;
    if (!byCode.has(region.parentCode)) report(line, 'parent_code', `induk ${region.parentCode} tidak ada di regions.csv`);
    else if (!region.code.startsWith(region.parentCode) || region.code.length <= region.parentCode.length) {
      report(line, 'parent_code', `kode ${region.code} tidak berada di bawah induknya ${region.parentCode}`);
    }
  }
  return out;
}

function checkTps(rows: CsvRow[], regions: Map<string, RegionRow>, listedRegions: ReadonlySet<string>, report: Report): TpsRecord[] {
  const seen = new Map<string, number>();
  const out: TpsRecord[] = [];
  for (const row of rows) {
    const code = normalizeCode(row.values.tps_code ?? '');
    const desaCode = normalizeCode(row.values.desa_code ?? '');
    const no = row.values.tps_no ?? '';
    const name = required(row, 'name', report);
    let ok = !!name;
    if (!/^[0-9]{13}$/.test(code)) { report(row.line, 'tps_code', `kode TPS "${row.values.tps_code}" harus 13 digit`); ok = false; }
    const desa = regions.get(desaCode)?.region;
    if (!desa) {
      if (!listedRegions.has(desaCode)) report(row.line, 'desa_code', `desa ${desaCode || '(kosong)'} tidak ada di regions.csv`);
      ok = false;
    }
    else if (!DESA_LEVELS.has(desa.level)) { report(row.line, 'desa_code', `${desaCode} adalah ${desa.level}, bukan desa/kelurahan`); ok = false; }
    if (!/^[0-9]{1,3}$/.test(no) || Number(no) < 1) { report(row.line, 'tps_no', `nomor TPS "${no}" harus bilangan bulat 1–999`); ok = false; }
    else if (ok && code !== `${desaCode}${no.padStart(3, '0')}`) {
      report(row.line, 'tps_code', `kode TPS ${code} harus kode desa ${desaCode} + nomor TPS ${no.padStart(3, '0')}`);
      ok = false;
    }
    if (ok && !unique(seen, code, row, 'tps_code', report, `TPS ${code}`)) ok = false;
    if (ok) out.push({ code, desaCode, kecamatanCode: kecamatanOf(desaCode), kabupatenCode: ancestorOf(desaCode, 'kabupaten'), number: Number(no), name: name! });
  }
  return out;
}

function checkParties(rows: CsvRow[], report: Report) {
  const seen = new Map<string, number>();
  const out: Array<{ number: string; name: string; shortName: string }> = [];
  for (const row of rows) {
    const number = required(row, 'number', report);
    const name = required(row, 'name', report);
    const shortName = required(row, 'short_name', report);
    if (number && !NUMBER.test(number)) { report(row.line, 'number', `nomor partai "${number}" harus angka`); continue; }
    if (number && name && shortName && unique(seen, String(Number(number)), row, 'number', report, `partai nomor ${number}`)) {
      out.push({ number: String(Number(number)), name, shortName });
    }
  }
  return out;
}

function checkPaslon(rows: CsvRow[], report: Report) {
  const seen = new Map<string, number>();
  const out: Array<{ number: string; name: string; capres: string; cawapres: string; color: string }> = [];
  for (const row of rows) {
    const number = required(row, 'number', report);
    const capres = required(row, 'capres', report);
    const cawapres = required(row, 'cawapres', report);
    const name = required(row, 'short_name', report);
    const color = required(row, 'color', report);
    if (number && !NUMBER.test(number)) { report(row.line, 'number', `nomor paslon "${number}" harus angka`); continue; }
    if (color && !COLOR.test(color)) { report(row.line, 'color', `warna "${color}" harus #RRGGBB`); continue; }
    if (number && capres && cawapres && name && color && unique(seen, number, row, 'number', report, `paslon nomor ${number}`)) {
      out.push({ number, name, capres, cawapres, color });
    }
  }
  return out;
}

interface DapilRow { line: number; dapil: Dapil }

function checkDapils(rows: CsvRow[], report: Report): DapilRow[] {
  const seen = new Map<string, number>();
  const out: DapilRow[] = [];
  for (const row of rows) {
    const ballot = required(row, 'ballot', report);
    const code = required(row, 'code', report);
    const name = required(row, 'name', report);
    const seatsText = required(row, 'seats', report);
    const regionText = required(row, 'region_codes', report);
    let ok = !!(ballot && code && name && seatsText && regionText);
    if (ballot && !(PARTY_BALLOTS as readonly string[]).includes(ballot)) { report(row.line, 'ballot', `surat suara "${ballot}" tidak berdapil (${PARTY_BALLOTS.join(', ')})`); ok = false; }
    // UU 7/2017: 3–10 seats per DPR dapil, 3–12 per DPRD dapil.
    const maxSeats = ballot === 'DPR' ? 10 : 12;
    const seats = Number(seatsText);
    if (seatsText && (!/^[0-9]+$/.test(seatsText) || seats < 3 || seats > maxSeats)) { report(row.line, 'seats', `kursi "${seatsText}" harus 3–${maxSeats} (UU 7/2017)`); ok = false; }
    const regionCodes = (regionText ?? '').split(/\s+/).filter(Boolean).map(normalizeCode);
    const badCode = regionCodes.find((c) => !CODE.test(c) || !REGION_CODE_LENGTHS.includes(c.length));
    if (badCode !== undefined) { report(row.line, 'region_codes', `kode wilayah "${badCode}" tidak sah; pisahkan kode dengan spasi`); ok = false; }
    if (ok && !unique(seen, `${ballot}|${code}`, row, 'code', report, `dapil ${code} untuk ${ballot}`)) ok = false;
    if (ok) {
      out.push({
        line: row.line,
        dapil: { ballot: ballot as Dapil['ballot'], code: code!, name: name!, seats, regionCodes, candidates: {}, generated: generatedFlag(row, report) },
      });
    }
  }
  // Two dapils of one ballot may not list the same region: a TPS votes in exactly one.
  const listed = new Map<string, string>();
  for (const { line, dapil } of out) {
    for (const r of dapil.regionCodes) {
      const other = listed.get(`${dapil.ballot}|${r}`);
      if (other) report(line, 'region_codes', `wilayah ${r} sudah masuk dapil ${other} (${dapil.ballot})`);
      else listed.set(`${dapil.ballot}|${r}`, dapil.code);
    }
  }
  return out;
}

interface CandidateRow { ballot: string; dapilCode: string; party: string; candidate: Candidate }

interface KnownKeys { parties: ReadonlySet<string>; listedParties: ReadonlySet<string>; listedDapils: ReadonlySet<string> }

function checkCandidates(rows: CsvRow[], dapils: DapilRow[], known: KnownKeys, provinsiCode: string | undefined, report: Report): CandidateRow[] {
  const seen = new Map<string, number>();
  const perParty = new Map<string, number>();
  const dapilByKey = new Map(dapils.map((d) => [`${d.dapil.ballot}|${d.dapil.code}`, d.dapil]));
  const out: CandidateRow[] = [];
  for (const row of rows) {
    const ballot = required(row, 'ballot', report);
    const dapilCode = required(row, 'dapil_code', report);
    const number = required(row, 'candidate_number', report);
    const name = required(row, 'name', report);
    let ok = !!(ballot && dapilCode && number && name);
    if (ballot && !(CANDIDATE_BALLOTS as readonly string[]).includes(ballot)) { report(row.line, 'ballot', `surat suara "${ballot}" tanpa calon di berkas ini (${CANDIDATE_BALLOTS.join(', ')})`); ok = false; }
    if (number && (!NUMBER.test(number) || Number(number) < 1)) { report(row.line, 'candidate_number', `nomor urut "${number}" harus bilangan bulat ≥ 1`); ok = false; }
    const party = ballot === 'DPD' ? '' : String(Number(row.values.party_number || NaN));
    let dapil: Dapil | undefined;
    if (ballot === 'DPD') {
      if (row.values.party_number) { report(row.line, 'party_number', 'calon DPD tidak berpartai: kosongkan'); ok = false; }
      if (dapilCode && provinsiCode && normalizeCode(dapilCode) !== provinsiCode) { report(row.line, 'dapil_code', `dapil DPD adalah provinsi ${provinsiCode}`); ok = false; }
    } else if (ballot && ok) {
      dapil = dapilByKey.get(`${ballot}|${dapilCode}`);
      if (!dapil) {
        if (!known.listedDapils.has(`${ballot}|${dapilCode}`)) report(row.line, 'dapil_code', `dapil ${dapilCode} untuk ${ballot} tidak ada di dapils.csv`);
        ok = false;
      }
      if (!known.parties.has(party)) {
        if (!known.listedParties.has(party)) report(row.line, 'party_number', `partai "${row.values.party_number ?? ''}" tidak ada di parties.csv`);
        ok = false;
      }
    }
    const candidateNumber = String(Number(number));
    if (ok && !unique(seen, `${ballot}|${dapilCode}|${party}|${candidateNumber}`, row, 'candidate_number', report, `calon nomor ${candidateNumber} partai ${party || '-'} di ${dapilCode}`)) ok = false;
    if (ok && dapil) {
      // UU 7/2017 art. 244: a party lists at most as many candidates as the dapil has seats.
      const key = `${ballot}|${dapilCode}|${party}`;
      const count = (perParty.get(key) ?? 0) + 1;
      perParty.set(key, count);
      if (count > dapil.seats) { report(row.line, 'candidate_number', `partai ${party} sudah punya ${dapil.seats} calon di ${dapilCode}, sebanyak kursinya`); ok = false; }
    }
    if (ok) out.push({ ballot: ballot!, dapilCode: dapilCode!, party, candidate: { number: candidateNumber, name: name!, generated: generatedFlag(row, report) } });
  }
  return out;
}

/** Every desa of the deployment's kabupaten votes in one dapil of each party-list ballot. */
function checkDapilCoverage(regions: RegionRow[], dapils: DapilRow[], kabupatenCode: string | undefined, report: Report): void {
  if (!kabupatenCode || dapils.length === 0) return;
  const index = new DapilIndex(dapils.map((d) => d.dapil));
  for (const { line, region } of regions) {
    if (!DESA_LEVELS.has(region.level) || !region.code.startsWith(kabupatenCode)) continue;
    const missing = PARTY_BALLOTS.filter((b) => index.dapilOf(b, region.code) === undefined);
    if (missing.length) report(line, 'code', `${region.name} (${region.code}) tidak masuk dapil mana pun untuk ${missing.join(', ')} (dapils.csv)`);
  }
}
