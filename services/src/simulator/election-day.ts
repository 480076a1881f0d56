import { kecamatanOf, isPartyBallot, type Administrasi, type Ballot, type BallotSheet, type CHasilForm, type FlatForm, type PartyForm, type SexCounts } from '@suara/contracts';
import { seededRandom, type SeededRandom } from '../quickcount/sample';
import { urbanity, type PlaceTraits } from '../quickcount/tps-place';
import {
  arrivalOffsets, clamp, COUNTING_ORDER, desaDelayMinutes, EVENING_SECONDS, generateDpt, MAX_DPT, normal, turnoutShift, urbanLean,
} from './evening';

export { arrivalOffsets, COUNTING_ORDER, EVENING_SECONDS, MAX_DPT, MIN_DPT, normal } from './evening';

/**
 * The election day the simulator plays, generated purely from a seed: each TPS's DPT (generated —
 * the real DPT per TPS is not public), turnout and votes, when each C.Hasil reaches the server, and
 * which forms carry an operator's mistake. Same seed and TPS → same day, whatever the TPS order.
 */

/** Polls close at 13:00 local time; every arrival is an offset in seconds from then. */
export const POLL_CLOSE = { hour: 13, minute: 0 };

export interface TpsInfo {
  code: string;
  desaCode: string;
  /** Kelurahan or desa, TPS in the desa: where it is shapes its vote and its arrival (`evening.ts`). */
  place: PlaceTraits;
  /** The ballots as printed at this TPS (`GET /api/tps/:code/ballots`). */
  ballots: readonly BallotSheet[];
}

/** Mistakes an operator makes copying a C.Hasil: the first four the server must reject, the last two it must flag. */
export const MISTAKE_KINDS = ['misread_digit', 'swapped_digits', 'sum_mismatch', 'ballots_mismatch', 'dpt_misread', 'extra_digit'] as const;
export type MistakeKind = (typeof MISTAKE_KINDS)[number];
export const REJECTED_MISTAKES: readonly MistakeKind[] = ['misread_digit', 'swapped_digits', 'sum_mismatch', 'ballots_mismatch'];

export interface Mistake {
  kind: MistakeKind;
  /** What the server must do with the mistaken form: reject it (400) or accept and flag it. */
  expect: 'rejected' | 'flagged';
  /** Where the mistake is, as an API issue path (`form.votes.02`). */
  path: string;
  /** In Bahasa Indonesia, e.g. for a verifier's correction reason. */
  description: string;
}

export interface PlannedSubmission {
  tpsCode: string;
  desaCode: string;
  ballot: Ballot;
  /** Seconds after poll close when the operator submits. */
  offsetSeconds: number;
  /** What the C.Hasil really says. */
  trueForm: CHasilForm;
  /** What the operator sends first: the true form, or a mistaken copy. */
  form: CHasilForm;
  mistake?: Mistake;
  /**
   * The paper itself does not add up (the KPPS's slip, in `trueForm`): the operator copies it, is
   * refused, confirms the paper says so and sends it again with `asWritten`.
   */
  paperSlip?: string;
  /** The TPS's operator cannot send (no signal, phone lost): a verifier enters it on behalf, with this reason. */
  onBehalf?: string;
}

export interface TpsDay {
  tpsCode: string;
  desaCode: string;
  /** Generated, not real: 150–300 per TPS. */
  dpt: number;
  dptGenerated: true;
  voted: number;
  submissions: PlannedSubmission[];
}

export interface ElectionDayOptions {
  seed: string;
  /** Share of submissions carrying a mistake, in [0, 1]. */
  mistakeShare: number;
  /** Ballots to play; default all the TPS has. */
  ballots?: readonly Ballot[];
  /** Share of papers without an operator's mistake whose own sum is wrong (sent as written), in [0, 1]; default 0. */
  asWrittenShare?: number;
  /** Share of TPS whose operator is unreachable, so a verifier enters their forms, in [0, 1]; default 0. */
  onBehalfShare?: number;
}

/** Every TPS's day, and all submissions in arrival order. */
export function planElectionDay(tps: readonly TpsInfo[], options: ElectionDayOptions): { tps: TpsDay[]; submissions: PlannedSubmission[] } {
  const days = tps.map((t) => planTps(t, options));
  const submissions = days.flatMap((d) => d.submissions).sort((a, b) => a.offsetSeconds - b.offsetSeconds || cmp(a.tpsCode, b.tpsCode) || cmp(a.ballot, b.ballot));
  return { tps: days, submissions };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function planTps(tps: TpsInfo, options: ElectionDayOptions): TpsDay {
  const rng = seededRandom(`${options.seed}/tps/${tps.code}`);
  const desa = desaProfile(options.seed, tps.desaCode);
  const u = urbanity(tps.place);
  const dpt = generateDpt(rng, u);
  const turnout = clamp(desa.turnout + turnoutShift(u) + 0.04 * normal(rng), 0.55, 0.97);
  const voted = Math.round(dpt * turnout);
  const wanted = options.ballots ?? COUNTING_ORDER;
  const sheets = COUNTING_ORDER.filter((b) => wanted.includes(b))
    .map((b) => tps.ballots.find((s) => s.ballot === b))
    .filter((s): s is BallotSheet => s !== undefined);
  const offsets = arrivalOffsets(rng, { urbanity: u, voted, desaDelayMinutes: desaDelayMinutes(options.seed, tps.desaCode, u) });
  // Own random streams, so adding them leaves every other draw of the day as it was.
  const onBehalf = seededRandom(`${options.seed}/on-behalf/${tps.code}`).float() < (options.onBehalfShare ?? 0)
    ? 'operator TPS tidak dapat dihubungi lewat aplikasi; angka dibacakan KPPS lewat telepon'
    : undefined;
  const submissions = sheets.map((sheet) => {
    const lean = (key: string) => desa.effect(`${sheet.ballot}/${key}`) + urbanLean(sheet.ballot, key, u);
    const trueForm = generateForm(sheet, { dpt, voted }, rng, lean);
    const planned: PlannedSubmission = { tpsCode: tps.code, desaCode: tps.desaCode, ballot: sheet.ballot, offsetSeconds: offsets[sheet.ballot], trueForm, form: trueForm };
    if (rng.float() < options.mistakeShare) {
      const made = applyMistake(trueForm, sheet.ballot, MISTAKE_KINDS[rng.int(MISTAKE_KINDS.length)], rng);
      planned.form = made.form;
      planned.mistake = made.mistake;
    } else {
      const slip = seededRandom(`${options.seed}/paper-slip/${tps.code}/${sheet.ballot}`);
      if (slip.float() < (options.asWrittenShare ?? 0)) Object.assign(planned, paperSlip(trueForm, slip));
    }
    if (onBehalf) planned.onBehalf = onBehalf;
    return planned;
  });
  return { tpsCode: tps.code, desaCode: tps.desaCode, dpt, dptGenerated: true, voted, submissions };
}

// ------------------------------------------------------------------ voters

interface DesaProfile {
  turnout: number;
  /** The desa's lean (logit shift) towards an option, stable for the whole day. */
  effect(key: string): number;
}

function desaProfile(seed: string, desaCode: string): DesaProfile {
  const rng = seededRandom(`${seed}/desa/${desaCode}`);
  const turnout = clamp(0.8 + 0.05 * normal(rng), 0.6, 0.95);
  const effects = new Map<string, number>();
  return {
    turnout,
    effect(key) {
      let e = effects.get(key);
      // the desa's own lean, and its kecamatan's
      if (e === undefined) {
        e = 0.45 * normal(seededRandom(`${seed}/desa/${desaCode}/${key}`)) + 0.25 * normal(seededRandom(`${seed}/kecamatan/${kecamatanOf(desaCode)}/${key}`));
        effects.set(key, e);
      }
      return e;
    },
  };
}

/** Labusel-like presidential lean (Sumatera Utara 2024: Prabowo–Gibran ahead); other options get seeded leans. */
const PASLON_BASE: Record<string, number> = { '01': Math.log(0.3), '02': Math.log(0.62), '03': Math.log(0.08) };

function baseLogit(ballot: Ballot, key: string): number {
  if (ballot === 'PPWP' && key in PASLON_BASE) return PASLON_BASE[key];
  return 1.0 * normal(seededRandom(`base/${ballot}/${key}`));
}

/** Invalid votes are rarer on the presidential ballot than on the long legislative ones. */
function invalidShare(ballot: Ballot, rng: SeededRandom): number {
  return ballot === 'PPWP' ? 0.01 + 0.02 * rng.float() : 0.03 + 0.05 * rng.float();
}

/** A KPPS's addition slip on the paper itself: the "suara sah" line one or two off the votes. */
function paperSlip(trueForm: CHasilForm, rng: SeededRandom): Pick<PlannedSubmission, 'trueForm' | 'form' | 'paperSlip'> {
  const delta = (1 + rng.int(2)) * (rng.float() < 0.5 || trueForm.valid < 3 ? 1 : -1);
  const paper = { ...structuredClone(trueForm), valid: trueForm.valid + delta };
  return { trueForm: paper, form: paper, paperSlip: `suara sah di kertas ${paper.valid}, jumlah suaranya ${trueForm.valid}` };
}

const split = (n: number): SexCounts => ({ l: Math.floor(n / 2), p: n - Math.floor(n / 2) });

/**
 * Section I of the paper for a TPS's DPT and turnout, with no random draw: about 1% DPTb and 1% DPK
 * (who all vote: DPK voters are registered on the day), the rest DPT; one or two voters with disabilities.
 */
export function administrasiOf(dpt: number, voted: number): Administrasi {
  const dpk = Math.round(dpt * 0.01);
  const dptb = Math.round(dpt * 0.01);
  const disabled = { l: dpt % 3 === 0 ? 1 : 0, p: dpt % 2 };
  return {
    registered: { dpt: split(dpt - dpk - dptb), dptb: split(dptb), dpk: split(dpk) },
    voted: { dpt: split(voted - dpk - dptb), dptb: split(dptb), dpk: split(dpk) },
    disabled: { registered: disabled, voted: disabled },
  };
}

/** A consistent, plausible C.Hasil for one ballot at a TPS: every identity of the form holds. */
export function generateForm(sheet: BallotSheet, voters: { dpt: number; voted: number }, rng: SeededRandom, lean: (key: string) => number = () => 0): CHasilForm {
  const { dpt, voted } = voters;
  const invalid = Math.round(voted * invalidShare(sheet.ballot, rng));
  const valid = voted - invalid;
  const received = dpt + Math.ceil(dpt * 0.02);
  const damaged = rng.float() < 0.1 ? 1 + rng.int(2) : 0;
  const ballots = { received, used: voted, damaged, unused: received - voted - damaged };
  const logit = (key: string) => baseLogit(sheet.ballot, key) + lean(key) + 0.25 * normal(rng);
  const options = sheet.options.map((o) => o.number);
  const perOption = apportion(valid, softmax(options.map(logit)));
  const base = { valid, invalid, voters: { dpt, voted }, ballots, administrasi: administrasiOf(dpt, voted), objections: 0 };
  if (!isPartyBallot(sheet.ballot)) {
    return { votes: Object.fromEntries(options.map((o, i) => [o, perOption[i]])), ...base };
  }
  const votes: PartyForm['votes'] = {};
  sheet.options.forEach((option, i) => {
    const candidates = (option.candidates ?? []).map((c) => c.number);
    // party-only votes vs each candidate's: a party list usually has one or two strong candidates
    const split = apportion(perOption[i], softmax([0.5 + 0.3 * normal(rng), ...candidates.map((c) => candidateLean(sheet, option.number, c) + 0.3 * normal(rng))]));
    votes[option.number] = { party: split[0], candidates: Object.fromEntries(candidates.map((c, j) => [c, split[j + 1]])) };
  });
  return { votes, ...base };
}

function candidateLean(sheet: BallotSheet, party: string, candidate: string): number {
  return 1.2 * normal(seededRandom(`cand/${sheet.ballot}/${sheet.dapil ?? ''}/${party}/${candidate}`)) - 0.5;
}

// ------------------------------------------------------------------ arrivals

/** "HH:MM" wall-clock time of an offset from poll close. */
export function formatClock(offsetSeconds: number): string {
  const minutes = POLL_CLOSE.hour * 60 + POLL_CLOSE.minute + Math.floor(offsetSeconds / 60);
  return `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

// ------------------------------------------------------------------ mistakes

/** Digits a tired eye confuses on a handwritten C.Hasil. */
const CONFUSABLE: Record<string, string[]> = {
  '0': ['8', '6'], '1': ['7', '4'], '2': ['7'], '3': ['8'], '4': ['9', '1'], '5': ['6'], '6': ['5', '0'], '7': ['1'], '8': ['3', '0'], '9': ['4'],
};

interface CountRef { path: string; get(): number; set(n: number): void }

/** Every vote count of a form (flat options; party-only and candidate counts of party ballots). */
function voteCounts(form: CHasilForm, ballot: Ballot): CountRef[] {
  if (!isPartyBallot(ballot)) {
    const votes = (form as FlatForm).votes;
    return Object.keys(votes).map((k) => ({ path: `form.votes.${k}`, get: () => votes[k], set: (n) => { votes[k] = n; } }));
  }
  const refs: CountRef[] = [];
  for (const [party, v] of Object.entries((form as PartyForm).votes)) {
    refs.push({ path: `form.votes.${party}.party`, get: () => v.party, set: (n) => { v.party = n; } });
    const cands = v.candidates ?? {};
    for (const c of Object.keys(cands)) refs.push({ path: `form.votes.${party}.candidates.${c}`, get: () => cands[c], set: (n) => { cands[c] = n; } });
  }
  return refs;
}

function misreadDigit(n: number, rng: SeededRandom): number | undefined {
  const digits = String(n).split('');
  const positions = digits.map((d, i) => i).filter((i) => CONFUSABLE[digits[i]]);
  if (positions.length === 0) return undefined;
  const i = positions[rng.int(positions.length)];
  const options = CONFUSABLE[digits[i]];
  digits[i] = options[rng.int(options.length)];
  const m = Number(digits.join(''));
  return m === n ? undefined : m;
}

function swapDigits(n: number, rng: SeededRandom): number | undefined {
  const digits = String(n).split('');
  const pairs = digits.slice(1).map((_, i) => i).filter((i) => digits[i] !== digits[i + 1]);
  if (pairs.length === 0) return undefined;
  const i = pairs[rng.int(pairs.length)];
  [digits[i], digits[i + 1]] = [digits[i + 1], digits[i]];
  return Number(digits.join(''));
}

const pick = <T>(items: readonly T[], rng: SeededRandom): T => items[rng.int(items.length)];

/**
 * A copy of `trueForm` with one operator's mistake of the given kind (or of a kind that fits the form
 * when that one cannot be made, e.g. no digit to misread). Rejected kinds break an identity the server
 * checks; flagged kinds keep every identity but put votes over DPT or an option over 300 voters.
 */
export function applyMistake(trueForm: CHasilForm, ballot: Ballot, kind: MistakeKind, rng: SeededRandom): { form: CHasilForm; mistake: Mistake } {
  const form = structuredClone(trueForm) as CHasilForm;
  const counts = voteCounts(form, ballot).filter((c) => c.get() > 0);
  const mistake = (k: MistakeKind, path: string, description: string): { form: CHasilForm; mistake: Mistake } =>
    ({ form, mistake: { kind: k, expect: REJECTED_MISTAKES.includes(k) ? 'rejected' : 'flagged', path, description } });
  switch (kind) {
    case 'misread_digit':
    case 'swapped_digits': {
      const change = kind === 'misread_digit' ? misreadDigit : swapDigits;
      const candidates = counts.map((c) => ({ c, to: change(c.get(), rng) })).filter((x) => x.to !== undefined);
      if (candidates.length === 0) return applyMistake(trueForm, ballot, 'sum_mismatch', rng);
      const { c, to } = pick(candidates, rng);
      const from = c.get();
      c.set(to!);
      return mistake(kind, c.path, kind === 'misread_digit'
        ? `angka ${from} terbaca ${to} pada ${c.path}`
        : `digit tertukar: ${from} ditulis ${to} pada ${c.path}`);
    }
    case 'sum_mismatch': {
      const delta = (1 + rng.int(10)) * (rng.float() < 0.5 || form.valid < 11 ? 1 : -1);
      form.valid += delta;
      return mistake(kind, 'form.valid', `jumlah suara sah salah hitung: ${trueForm.valid} ditulis ${form.valid}`);
    }
    case 'ballots_mismatch': {
      if (!form.ballots) return applyMistake(trueForm, ballot, 'sum_mismatch', rng);
      const from = form.ballots.unused;
      form.ballots.unused = from + 1 + rng.int(20);
      return mistake(kind, 'form.ballots.unused', `surat suara tidak terpakai salah tulis: ${from} ditulis ${form.ballots.unused}`);
    }
    case 'dpt_misread': {
      const voters = form.voters;
      // a misread or dropped digit that puts the turnout over DPT (e.g. 281 → 231 or 28)
      const lower = voters ? lowerDptMisreads(voters.dpt).filter((d) => voters.voted > d * 1.02 + 1) : [];
      if (!voters || lower.length === 0) return applyMistake(trueForm, ballot, 'extra_digit', rng);
      // This operator left section I empty: the one DPT line is where the misread lives.
      delete form.administrasi;
      const from = voters.dpt;
      voters.dpt = pick(lower, rng);
      return mistake(kind, 'form.voters.dpt', `DPT ${from} terbaca ${voters.dpt}, pemilih melebihi DPT`);
    }
    case 'extra_digit': {
      // a count read with a digit too many, and the totals added up from the wrong count: keep adding
      // digits until the server has something to flag (votes over DPT, or one count over 300 voters)
      const top = [...counts].sort((a, b) => b.get() - a.get())[0];
      if (!top) return applyMistake(trueForm, ballot, 'sum_mismatch', rng);
      const from = top.get();
      const voters = form.voters;
      const flaggable = (n: number) => (voters ? voters.voted + (n - from) > voters.dpt * 1.02 + 1 : n > MAX_DPT);
      let to = from * 10 + rng.int(10);
      while (!flaggable(to)) to = to * 10 + rng.int(10);
      top.set(to);
      form.valid += to - from;
      if (voters) voters.voted += to - from;
      delete form.ballots;
      delete form.administrasi;
      return mistake(kind, top.path, `angka ${from} ditulis ${to} (kelebihan digit), jumlah ikut salah`);
    }
  }
}

function lowerDptMisreads(dpt: number): number[] {
  const digits = String(dpt).split('');
  const out = new Set<number>();
  for (let i = 0; i < digits.length; i++) {
    for (const alt of CONFUSABLE[digits[i]] ?? []) {
      const d = Number([...digits.slice(0, i), alt, ...digits.slice(i + 1)].join(''));
      if (d < dpt && d > 0) out.add(d);
    }
    const dropped = Number([...digits.slice(0, i), ...digits.slice(i + 1)].join(''));
    if (dropped > 0) out.add(dropped);
  }
  return [...out].sort((a, b) => a - b);
}

// ------------------------------------------------------------------ numerics

function softmax(logits: readonly number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Splits `total` into integers proportional to `shares` by largest remainder: the parts add up exactly. */
export function apportion(total: number, shares: readonly number[]): number[] {
  if (shares.length === 0) return [];
  const raw = shares.map((s) => s * total);
  const parts = raw.map((r) => Math.floor(r));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => ({ f: r - Math.floor(r), i })).sort((a, b) => b.f - a.f || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k].i] += 1;
  return parts;
}
