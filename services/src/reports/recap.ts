import { REPORT_NOTICE, type Candidate, type ElectionView, type Progress, type TallyView, type Totals } from '@suara/contracts';

/*
 * The recap of one region by its children as a table (what D.Hasil prints: one line per desa or TPS,
 * votes per option, valid and invalid, and the voters where the forms gave them), independent of the
 * file format. The PDF, XLSX and CSV writers only lay this out.
 */

export type CellKind = 'code' | 'text' | 'count' | 'percent';
export type Cell = string | number | null;

export interface RecapColumn {
  header: string;
  kind: CellKind;
  /** Width in characters, for the spreadsheet and the PDF's proportions. */
  width: number;
  /** Option columns may be split over several PDF tables; the others repeat or stay together. */
  option?: boolean;
}

/** Voter numbers of one region summed over its TPS's current forms (absent parts count as nothing). */
export interface VoterSums {
  /** TPS whose form gave `voters`. */
  withVoters: number;
  dpt: number;
  voted: number;
  /** TPS whose form gave `administrasi` (the real form's men/women split). */
  withAdministrasi: number;
  registeredL: number;
  registeredP: number;
  votedL: number;
  votedP: number;
}

export const NO_VOTERS: VoterSums = { withVoters: 0, dpt: 0, voted: 0, withAdministrasi: 0, registeredL: 0, registeredP: 0, votedL: 0, votedP: 0 };

export interface RecapInput {
  election: ElectionView;
  tally: TallyView;
  /** Per child code and for the region itself. */
  voters: Map<string, VoterSums>;
  /** Who asked for it and when. */
  username: string;
  at: Date;
  /** The latest seal's footer line, or undefined before the first seal. */
  seal?: string;
}

export interface RecapReport {
  title: string;
  electionName: string;
  ballotName: string;
  notice: string;
  /** "Dibuat oleh … pada … WIB". */
  stamp: string;
  simulation: boolean;
  columns: RecapColumn[];
  rows: Cell[][];
  total: Cell[];
  footer: string;
  fileBase: string;
}

export const SIMULATION_MARK = 'SIMULASI';

const LEVEL_NAMES: Record<string, string> = { provinsi: 'Provinsi', kabupaten: 'Kabupaten', kecamatan: 'Kecamatan', desa: 'Desa', kelurahan: 'Kelurahan', tps: 'TPS' };
/** A kecamatan's children mix desa and kelurahan. */
const childHeader = (level: string | undefined) => (level === 'desa' || level === 'kelurahan' ? 'Desa/Kelurahan' : level ? LEVEL_NAMES[level] ?? 'Wilayah' : 'Wilayah');

/** "4 Desember 2026 pukul 16.44.05 WIB": the time officials read, whatever the server's time zone. */
export function wibTime(at: Date): string {
  const text = new Intl.DateTimeFormat('id-ID', {
    timeZone: 'Asia/Jakarta', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).format(at);
  return `${text} WIB`;
}

interface OptionColumn { key: string; header: string }

export function buildRecap(input: RecapInput): RecapReport {
  const { election, tally } = input;
  const ballot = election.ballots.find((b) => b.ballot === tally.ballot);
  const ballotName = ballot?.name ?? tally.ballot;
  const options = optionColumns(election, tally);
  const sums = [...input.voters.values()];
  const withVoters = sums.some((s) => s.withVoters > 0);
  const withAdministrasi = sums.some((s) => s.withAdministrasi > 0);
  const childLevel = tally.children[0]?.level;

  const columns: RecapColumn[] = [
    { header: 'Kode', kind: 'code', width: tally.children.some((c) => c.level === 'tps') ? 15 : 12 },
    { header: childHeader(childLevel), kind: 'text', width: 24 },
    { header: 'Jumlah TPS', kind: 'count', width: 8 },
    { header: 'TPS masuk', kind: 'count', width: 8 },
    { header: 'TPS terverifikasi', kind: 'count', width: 10 },
    { header: '% TPS masuk', kind: 'percent', width: 8 },
    ...(withVoters ? [{ header: 'DPT', kind: 'count' as const, width: 9 }, { header: 'Pengguna hak pilih', kind: 'count' as const, width: 10 }] : []),
    ...(withAdministrasi
      ? (['Pemilih terdaftar L', 'Pemilih terdaftar P', 'Pengguna hak pilih L', 'Pengguna hak pilih P'] as const).map((header) => ({ header, kind: 'count' as const, width: 10 }))
      : []),
    ...options.map((o) => ({ header: o.header, kind: 'count' as const, width: Math.min(Math.max(9, Math.ceil(o.header.length * 0.6)), 22), option: true })),
    { header: 'Suara sah', kind: 'count', width: 10 },
    { header: 'Suara tidak sah', kind: 'count', width: 10 },
  ];

  const line = (code: string, name: string, totals: Totals, progress: Progress): Cell[] => {
    const v = input.voters.get(code) ?? NO_VOTERS;
    return [
      code,
      name,
      progress.tpsTotal,
      progress.tpsReported,
      progress.tpsVerified,
      progress.tpsTotal > 0 ? progress.tpsReported / progress.tpsTotal : 0,
      ...(withVoters ? [v.dpt, v.voted] : []),
      ...(withAdministrasi ? [v.registeredL, v.registeredP, v.votedL, v.votedP] : []),
      ...options.map((o) => totals.votes[o.key] ?? 0),
      totals.valid,
      totals.invalid,
    ];
  };

  const simulation = election.mode === 'simulation';
  const regionName = `${LEVEL_NAMES[tally.region.level] ?? ''} ${tally.region.name}`.trim();
  const slug = tally.region.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return {
    title: `Rekapitulasi ${ballotName} — ${regionName}`,
    electionName: election.name,
    ballotName,
    notice: REPORT_NOTICE,
    stamp: `Dibuat oleh ${input.username} pada ${wibTime(input.at)}`,
    simulation,
    columns,
    rows: tally.children.map((c) => line(c.code, c.name, c.totals, c.progress)),
    total: line(tally.region.code, `Jumlah ${regionName}`, tally.totals, tally.progress),
    footer: input.seal ?? 'Belum ada segel log',
    fileBase: `rekap-${tally.ballot}-${tally.region.code}-${slug}${simulation ? '-simulasi' : ''}`,
  };
}

/** Candidate names where the whole region lies in one dapil of the ballot; undefined otherwise. */
function dapilCandidates(ballot: ElectionView['ballots'][number] | undefined, regionCode: string): Record<string, Candidate[]> | undefined {
  const inside = (ballot?.dapils ?? []).filter((d) => d.regionCodes.some((r) => regionCode.startsWith(r)));
  if (inside.length === 0) return undefined;
  const depth = (d: (typeof inside)[number]) => Math.max(...d.regionCodes.filter((r) => regionCode.startsWith(r)).map((r) => r.length));
  return inside.sort((x, y) => depth(y) - depth(x))[0].candidates;
}

/**
 * One column per option in the printed order, named as on the ballot. Party ballots: the party's
 * total, and where the region lies in one dapil, its party-only votes and each candidate by name.
 * Anything counted that the election does not list still gets a column (never silently dropped).
 */
function optionColumns(election: ElectionView, tally: TallyView): OptionColumn[] {
  const ballot = election.ballots.find((b) => b.ballot === tally.ballot);
  const counted = new Set<string>();
  for (const t of [tally.totals, ...tally.children.map((c) => c.totals)]) for (const k of Object.keys(t.votes)) counted.add(k);
  const out: OptionColumn[] = [];
  if (ballot?.paslon?.length) {
    for (const p of ballot.paslon) out.push({ key: p.number, header: `${p.number} ${p.name}` });
  } else if (ballot?.parties?.length) {
    const names = dapilCandidates(ballot, tally.region.code);
    for (const p of ballot.parties) {
      out.push({ key: p.number, header: `${p.number} ${p.shortName}` });
      const candidateKeys = [...counted].filter((k) => k.startsWith(`${p.number}.c`));
      if (!names || (candidateKeys.length === 0 && !counted.has(`${p.number}.p`))) continue;
      out.push({ key: `${p.number}.p`, header: `${p.shortName}: suara partai` });
      const known = new Map((names[p.number] ?? []).map((c) => [c.number, c.name]));
      candidateKeys
        .map((k) => k.slice(`${p.number}.c`.length))
        .sort((a, b) => Number(a) - Number(b))
        .forEach((n) => out.push({ key: `${p.number}.c${n}`, header: `${p.shortName} ${n}. ${known.get(n) ?? `calon nomor ${n}`}` }));
    }
  } else if (ballot?.candidates?.length) {
    for (const c of ballot.candidates) out.push({ key: c.number, header: `${c.number} ${c.name}` });
  }
  const listed = new Set(out.map((o) => o.key));
  for (const k of [...counted].sort()) if (!k.includes('.') && !listed.has(k)) out.push({ key: k, header: `Nomor ${k}` });
  return out;
}
