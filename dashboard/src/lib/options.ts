import type { Ballot, BallotOption, BallotSheet, Candidate, CHasilForm, ElectionView, Totals } from '@suara/contracts';
import { BALLOTS, PARTY_BALLOTS } from '@suara/contracts/lists';

type ElectionBallot = ElectionView['ballots'][number];

/**
 * Colours for options that carry none (parties, DPD candidates), distinct on a projector; each takes
 * white or dark ink at 4.5:1 or more (purple, grey and the second blue were darkened for that).
 */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#8257b0', '#8c564b', '#e377c2', '#17becf',
  '#bcbd22', '#6e6e6e', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#2a72a8', '#e6550d', '#31a354'];

export const paletteColor = (i: number): string => PALETTE[i % PALETTE.length];

const luminance = (hex: string): number | null => {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(m[1]!.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
};

/**
 * The text colour for a number on an option's colour: white or near-black, whichever contrasts more
 * (the paslon colours of 2024 are pale; white on them read at 3:1, under WCAG's 4.5:1).
 */
export function inkOn(background: string): string {
  const l = luminance(background);
  if (l === null) return '#fff';
  const onWhite = 1.05 / (l + 0.05);
  const onInk = (l + 0.05) / (0.0091 + 0.05); // #14181f, the page's ink
  return onWhite >= onInk ? '#fff' : '#14181f';
}

export interface CandidateRow { key: string; number: string; name: string; votes: number }

/** One printed option of a ballot with its votes in a region. */
export interface OptionRow {
  key: string;
  number: string;
  name: string;
  detail?: string;
  color: string;
  votes: number;
  /** Party ballots: party-only votes and each candidate's votes. */
  partyOnly?: number;
  candidates?: CandidateRow[];
}

export function electionBallot(election: ElectionView | null, ballot: string): ElectionBallot | undefined {
  return election?.ballots.find((b) => b.ballot === ballot);
}

/** True for DPR, DPRD_PROV and DPRD_KAB: options are parties with candidates. */
export function isPartyBallot(election: ElectionView | null, ballot: string): boolean {
  const b = electionBallot(election, ballot);
  return b ? (b.parties?.length ?? 0) > 0 : (PARTY_BALLOTS as readonly string[]).includes(ballot);
}

/** The candidate list of each party where the whole region lies in one dapil; unknown otherwise. */
function dapilCandidates(b: ElectionBallot, regionCode: string): Record<string, Candidate[]> | undefined {
  const dapils = (b.dapils ?? []).filter((d) => d.regionCodes.some((r) => regionCode.startsWith(r)));
  if (dapils.length === 0) return undefined;
  const nearest = (d: (typeof dapils)[number]) => Math.max(...d.regionCodes.filter((r) => regionCode.startsWith(r)).map((r) => r.length));
  return dapils.sort((x, y) => nearest(y) - nearest(x))[0].candidates;
}

/** The options of a ballot in the printed order, with their votes from `totals`. */
export function optionRows(election: ElectionView | null, ballot: string, regionCode: string, totals: Totals | null): OptionRow[] {
  const votes = totals?.votes ?? {};
  const b = electionBallot(election, ballot);
  const rows: OptionRow[] = [];
  if (b?.paslon?.length) {
    b.paslon.forEach((p) => rows.push({ key: p.number, number: p.number, name: p.name, detail: `${p.capres} – ${p.cawapres}`, color: p.color, votes: votes[p.number] ?? 0 }));
  } else if (b?.parties?.length) {
    const names = dapilCandidates(b, regionCode);
    b.parties.forEach((p, i) => {
      const prefix = `${p.number}.c`;
      const known = new Map((names?.[p.number] ?? []).map((c) => [c.number, c.name]));
      const candidates = Object.entries(votes)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, n]) => ({ key: k, number: k.slice(prefix.length), name: known.get(k.slice(prefix.length)) ?? '', votes: n }))
        .sort((x, y) => y.votes - x.votes || Number(x.number) - Number(y.number));
      // Above one dapil a region carries no candidate sums (a number is a different person in each dapil).
      rows.push({ key: p.number, number: p.number, name: p.shortName, detail: p.name, color: paletteColor(i), votes: votes[p.number] ?? 0, partyOnly: votes[`${p.number}.p`] ?? 0, candidates: totals?.byDapil ? undefined : candidates });
    });
  } else if (b?.candidates?.length) {
    b.candidates.forEach((c, i) => rows.push({ key: c.number, number: c.number, name: c.name, color: paletteColor(i), votes: votes[c.number] ?? 0 }));
  }
  // Anything counted that the election view does not list is still shown, never silently dropped.
  const listed = new Set(rows.map((r) => r.key));
  Object.entries(votes)
    .filter(([k]) => !k.includes('.') && !listed.has(k))
    .forEach(([k, n], i) => rows.push({ key: k, number: k, name: `Nomor ${k}`, color: paletteColor(rows.length + i), votes: n }));
  return rows;
}

/** A readable label for each form field path (as the API writes issue paths, without "form."). */
export function fieldLabel(sheet: BallotSheet | undefined, path: string): string {
  const parts = path.replace(/^form\./, '').split('.');
  const fixed: Record<string, string> = {
    valid: 'Suara sah', invalid: 'Suara tidak sah', 'voters.dpt': 'DPT', 'voters.voted': 'Pengguna hak pilih',
    'ballots.received': 'Surat suara diterima', 'ballots.used': 'Surat suara terpakai',
    'ballots.damaged': 'Surat suara rusak', 'ballots.unused': 'Surat suara tidak terpakai',
  };
  const joined = parts.join('.');
  if (fixed[joined]) return fixed[joined];
  if (parts[0] === 'administrasi') return administrasiLabel(parts.slice(1));
  if (joined === 'objections') return 'Jumlah keberatan';
  if (joined === 'notes') return 'Catatan kejadian khusus';
  if (parts[0] !== 'votes' || !parts[1]) return joined;
  const option = sheet?.options.find((o) => o.number === parts[1]);
  const name = option ? `${parts[1]} ${option.name}` : parts[1];
  if (parts.length === 2) return sheet?.ballot === 'PPWP' || !option?.candidates ? `Suara ${name}` : `${name}: jumlah`;
  if (parts[2] === 'party') return `${name}: suara partai`;
  const cand = option?.candidates?.find((c) => c.number === parts[3]);
  return `${name}: calon ${parts[3]}${cand ? ` ${cand.name}` : ''}`;
}

const PART_LABEL: Record<string, string> = { registered: 'Pemilih terdaftar', voted: 'Pengguna hak pilih' };
const LIST_LABEL: Record<string, string> = { dpt: 'DPT', dptb: 'DPTb', dpk: 'DPK' };
const SEX_LABEL: Record<string, string> = { l: 'laki-laki', p: 'perempuan' };

/** "registered.dpt.l" → "Pemilih terdaftar DPT laki-laki"; "disabled.voted.p" → "Disabilitas pengguna hak pilih perempuan". */
function administrasiLabel([part, row, sex]: string[]): string {
  if (part === 'disabled') return ['Disabilitas', (PART_LABEL[row] ?? row ?? '').toLowerCase(), SEX_LABEL[sex] ?? sex].filter(Boolean).join(' ');
  return [PART_LABEL[part] ?? part, LIST_LABEL[row] ?? row, SEX_LABEL[sex] ?? sex].filter(Boolean).join(' ');
}

/** Every count of a form keyed by field path ("votes.2.candidates.5", "valid", …). */
export function flattenForm(form: CHasilForm | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!form) return out;
  const votes = form.votes as Record<string, number | { party: number; candidates?: Record<string, number> }>;
  for (const [k, v] of Object.entries(votes)) {
    if (typeof v === 'number') out[`votes.${k}`] = v;
    else {
      out[`votes.${k}.party`] = v.party;
      for (const [c, n] of Object.entries(v.candidates ?? {})) out[`votes.${k}.candidates.${c}`] = n;
    }
  }
  out.valid = form.valid;
  out.invalid = form.invalid;
  if (form.voters) { out['voters.dpt'] = form.voters.dpt; out['voters.voted'] = form.voters.voted; }
  if (form.ballots) for (const [k, n] of Object.entries(form.ballots)) out[`ballots.${k}`] = n;
  flattenCounts(form.administrasi, 'administrasi', out);
  if (form.objections !== undefined) out.objections = form.objections;
  return out;
}

function flattenCounts(node: unknown, prefix: string, out: Record<string, number>): void {
  if (typeof node === 'number') out[prefix] = node;
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) flattenCounts(v, `${prefix}.${k}`, out);
}

export interface FieldChange { path: string; before: number | undefined; after: number | undefined }

/** What a correction changed, field by field; absent votes count as 0 as the API does. */
export function diffForms(before: CHasilForm | null | undefined, after: CHasilForm | null | undefined): FieldChange[] {
  const a = flattenForm(before);
  const b = flattenForm(after);
  const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return paths
    .map((path) => {
      const zero = path.startsWith('votes.') ? 0 : undefined;
      return { path, before: a[path] ?? zero, after: b[path] ?? zero };
    })
    .filter((c) => c.before !== c.after)
    .sort((x, y) => fieldOrder(x.path) - fieldOrder(y.path) || x.path.localeCompare(y.path, 'en', { numeric: true }));
}

function fieldOrder(path: string): number {
  if (path.startsWith('votes.')) return 0;
  if (path === 'valid' || path === 'invalid') return 1;
  return 2;
}

/** Option label for a sheet option, used by forms: "01 Anies-Muhaimin". */
export const optionTitle = (o: BallotOption): string => `${o.number}. ${o.name}`;

export function ballotName(election: ElectionView | null, ballot: string): string {
  return electionBallot(election, ballot)?.name ?? ballot;
}

export function ballotsOf(election: ElectionView | null): Ballot[] {
  return election?.ballots.map((b) => b.ballot) ?? [...BALLOTS];
}
