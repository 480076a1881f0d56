import {
  FlatForm,
  MAX_COUNT,
  VOTER_ROWS,
  votersOfAdministrasi,
  PartyForm,
  flattenVotes,
  isPartyBallot,
  type Ballot,
  type BallotOption,
  type BallotSheet,
  type CHasilForm,
  type Flag,
  type Issue,
  type Administrasi,
  type SexCounts,
} from '@suara/contracts';
import type { z } from 'zod';

/**
 * Validation of a C.Hasil form against the ballot sheet printed at its TPS.
 *
 * Three layers, all reported at once so an operator fixes everything in one go:
 * 1. structure (zod): types, non-negative integers ≤ MAX_COUNT, no unknown fields;
 * 2. ballot sheet: every paslon / party / candidate number exists on that TPS's sheet;
 * 3. arithmetic identities of the form (sums). Each identity is checked as soon as the fields it
 *    needs are well-formed, even when other fields are not.
 * Options absent from `votes` count as 0: paper forms leave empty boxes, and requiring every
 * candidate of every party would make party ballots needlessly long.
 *
 * Plausibility flags never reject; they are computed once the whole form is well-formed
 * (even if a sum is wrong, so the dry run can show them), and are empty otherwise.
 *
 * Real forms carry KPPS arithmetic slips. Layers 1 and 2 always refuse; layer 3 refuses unless the
 * form says `asWritten: true` (the operator confirms the paper itself says so): then the form is
 * accepted exactly as written and every failed identity becomes an `inconsistent_as_written` flag,
 * which sorts first in the verifiers' queue.
 */

/** What the surrounding desa looks like, for the `off_desa_share` flag. */
export interface FlagContext {
  /** Each option's share of valid votes in the desa so far (keys as `flattenVotes` top level), in [0,1]. */
  desaShares?: Record<string, number>;
  /** How many other TPS of the desa have reported this ballot. */
  desaReported?: number;
}

export type ValidationResult =
  | { ok: true; form: CHasilForm; flags: Flag[] }
  /** `canStoreAsWritten`: every issue is an arithmetic one, so the form could be sent again with `asWritten: true`. */
  | { ok: false; issues: Issue[]; flags: Flag[]; canStoreAsWritten: boolean };

/** Thresholds of the plausibility flags (KPU rules where there is one). */
export const PLAUSIBILITY = {
  /** PKPU 2024: at most 300 voters per TPS. */
  maxVotersPerTps: 300,
  /** Ballots are printed for DPT + 2% reserve (surat suara cadangan). */
  dptReserveShare: 0.02,
  nearUnanimousShare: 0.95,
  nearUnanimousMinValid: 50,
  highInvalidShare: 0.1,
  offDesaShareDiff: 0.35,
  offDesaMinReported: 3,
  /** Administrasi: voters of a list may exceed its registered voters by this share (rounded up) before the form is refused. */
  votedOverRegisteredShare: 0.02,
} as const;

/** Validates a raw C.Hasil form of `ballot` against the options printed on `sheet`. Never throws. */
export function validateForm(ballot: Ballot, sheet: BallotSheet, rawForm: unknown, context: FlagContext = {}): ValidationResult {
  const party = isPartyBallot(ballot);
  const schema = party ? PartyForm : FlatForm;
  const parsed = schema.safeParse(rawForm);
  const refused = parsed.success ? [] : structureIssues(parsed.error.issues, rawForm);
  refused.push(...sheetIssues(ballot, sheet, rawForm));
  const arithmetic = dedupe(arithmeticIssues(ballot, partsOf(schema, rawForm)));

  const form = parsed.success ? withDerivedVoters(parsed.data as CHasilForm) : undefined;
  const flags = form ? plausibilityFlags(ballot, sheet, form, context) : [];
  if (refused.length > 0 || !form) return { ok: false, issues: dedupe([...refused, ...arithmetic]), flags, canStoreAsWritten: false };
  if (arithmetic.length === 0) return { ok: true, form, flags };
  if (form.asWritten === true) return { ok: true, form, flags: [...asWrittenFlags(arithmetic), ...flags] };
  return { ok: false, issues: arithmetic, flags, canStoreAsWritten: true };
}

/** Each identity the paper breaks, as a flag a verifier reads first. */
function asWrittenFlags(issues: readonly Issue[]): Flag[] {
  return issues.map((i) => ({ code: 'inconsistent_as_written', path: i.path, message: `sesuai tertulis di formulir: ${i.message}` }));
}

/** With an administrasi section and no `voters`, `voters` is what the section adds up to. */
function withDerivedVoters(form: CHasilForm): CHasilForm {
  if (!form.administrasi || form.voters) return form;
  return { ...form, voters: votersOfAdministrasi(form.administrasi) };
}

// ---------------------------------------------------------------- structure

type ZodIssue = z.core.$ZodIssue;

function structureIssues(zodIssues: readonly ZodIssue[], raw: unknown): Issue[] {
  return zodIssues.flatMap((issue) => describe(issue, raw));
}

function pathOf(segments: readonly PropertyKey[]): string {
  return ['form', ...segments.map(String)].join('.');
}

function describe(issue: ZodIssue, raw: unknown): Issue[] {
  const path = pathOf(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: `kolom "${key}" tidak dikenal` }));
    case 'invalid_key':
      return [{ path, message: `nomor urut "${String(issue.path.at(-1))}" tidak dikenal (harus angka 1–3 digit)` }];
    case 'invalid_type':
      return [{ path, message: typeMessage(issue.expected, valueAt(raw, issue.path), issue.path.length === 0) }];
    case 'too_small':
      return [{ path, message: Number(issue.minimum) === 0 ? 'tidak boleh negatif' : `paling kecil ${String(issue.minimum)}` }];
    case 'too_big':
      return [{ path, message: issue.origin === 'string' ? issue.message : `paling besar ${MAX_COUNT}` }];
    case 'custom':
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: 'isian tidak sah' }];
  }
}

function typeMessage(expected: string, value: unknown, isRoot: boolean): string {
  if (isRoot) return `formulir C.Hasil harus berupa objek JSON, bukan ${kindOf(value)}`;
  if (value === undefined) return 'wajib diisi';
  if (expected === 'int') return 'harus bilangan bulat';
  if (expected === 'number') {
    if (typeof value === 'number') return 'harus angka yang sah';
    return `harus berupa angka, bukan ${kindOf(value)}`;
  }
  if (expected === 'object' || expected === 'record') return `harus berupa objek, bukan ${kindOf(value)}`;
  return `jenis isian salah (${kindOf(value)})`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'kosong';
  if (Array.isArray(value)) return 'daftar (array)';
  switch (typeof value) {
    case 'string': return 'teks';
    case 'number': return 'angka';
    case 'boolean': return 'true/false';
    case 'object': return 'objek';
    default: return typeof value;
  }
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current = raw;
  for (const key of path) {
    if (!isPlainObject(current) && !Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------- ballot sheet

const OPTION_KEY = /^[0-9]{1,3}$/;

function optionNoun(ballot: Ballot): string {
  if (ballot === 'PPWP') return 'paslon';
  if (ballot === 'DPD') return 'calon DPD';
  return 'partai';
}

function listNumbers(numbers: readonly string[]): string {
  if (numbers.length === 0) return 'tidak ada';
  const shown = numbers.slice(0, 20).join(', ');
  return numbers.length > 20 ? `${shown}, …` : shown;
}

/** Unknown option and candidate numbers, read from the raw form so they are found even when values are malformed. */
function sheetIssues(ballot: Ballot, sheet: BallotSheet, raw: unknown): Issue[] {
  if (!isPlainObject(raw) || !isPlainObject(raw.votes)) return [];
  const options = new Map(sheet.options.map((o) => [o.number, o]));
  const numbers = sheet.options.map((o) => o.number);
  const issues: Issue[] = [];
  for (const [key, value] of Object.entries(raw.votes)) {
    if (key === '__proto__') {
      issues.push({ path: pathOf(['votes', key]), message: `nomor urut "${key}" tidak dikenal (harus angka 1–3 digit)` });
      continue;
    }
    if (!OPTION_KEY.test(key)) continue; // reported by the structure check
    const option = options.get(key);
    if (!option) {
      issues.push({
        path: pathOf(['votes', key]),
        message: `${optionNoun(ballot)} nomor ${key} tidak ada di surat suara TPS ini (yang ada: ${listNumbers(numbers)})`,
      });
      continue;
    }
    if (isPartyBallot(ballot) && isPlainObject(value) && isPlainObject(value.candidates)) {
      issues.push(...candidateIssues(key, option, value.candidates));
    }
  }
  return issues;
}

function candidateIssues(partyKey: string, party: BallotOption, candidates: Record<string, unknown>): Issue[] {
  const known = (party.candidates ?? []).map((c) => c.number);
  const issues: Issue[] = [];
  for (const key of Object.keys(candidates)) {
    const path = pathOf(['votes', partyKey, 'candidates', key]);
    if (key === '__proto__') {
      issues.push({ path, message: `nomor urut "${key}" tidak dikenal (harus angka 1–3 digit)` });
    } else if (OPTION_KEY.test(key) && !known.includes(key)) {
      issues.push({
        path,
        message: `calon nomor ${key} tidak ada di daftar partai ${partyKey} (${party.name}) untuk dapil TPS ini (yang ada: ${listNumbers(known)})`,
      });
    }
  }
  return issues;
}

// ---------------------------------------------------------------- arithmetic

/** Each top-level field parsed on its own: `undefined` = absent, `null` = present but malformed. */
interface FormParts {
  votes: Record<string, number | { party: number; candidates: Record<string, number> }> | null | undefined;
  valid: number | null | undefined;
  invalid: number | null | undefined;
  voters: { dpt: number; voted: number } | null | undefined;
  ballots: { received: number; used: number; damaged: number; unused: number } | null | undefined;
  administrasi: Administrasi | null | undefined;
}

function partsOf(schema: typeof FlatForm | typeof PartyForm, raw: unknown): FormParts {
  const field = <K extends keyof FormParts>(key: K): FormParts[K] => {
    if (!isPlainObject(raw) || raw[key] === undefined) return undefined;
    const result = schema.shape[key].safeParse(raw[key]);
    return result.success ? (result.data as FormParts[K]) : null;
  };
  return {
    votes: field('votes'), valid: field('valid'), invalid: field('invalid'), voters: field('voters'), ballots: field('ballots'),
    administrasi: field('administrasi'),
  };
}

function totalVotes(votes: NonNullable<FormParts['votes']>): number {
  let sum = 0;
  for (const v of Object.values(votes)) {
    if (typeof v === 'number') sum += v;
    else sum += v.party + Object.values(v.candidates ?? {}).reduce((a, b) => a + b, 0);
  }
  return sum;
}

const isCount = (n: number | null | undefined): n is number => typeof n === 'number';

function arithmeticIssues(ballot: Ballot, p: FormParts): Issue[] {
  const issues: Issue[] = p.administrasi ? administrasiIssues(p.administrasi, p.voters) : [];
  const { valid, invalid, ballots } = p;
  // Without `voters`, the administrasi section says what they are.
  const voters = p.voters === undefined && p.administrasi ? votersOfAdministrasi(p.administrasi) : p.voters;
  if (p.votes && isCount(valid)) {
    const total = totalVotes(p.votes);
    if (total !== valid) {
      const what = isPartyBallot(ballot) ? 'total suara partai dan calon' : 'total suara';
      issues.push({ path: 'form.valid', message: `jumlah suara sah ${valid} tidak sama dengan ${what} ${total}` });
    }
  }
  const cast = isCount(valid) && isCount(invalid) ? valid + invalid : undefined;
  if (voters && cast !== undefined && voters.voted !== cast) {
    issues.push({
      path: 'form.voters.voted',
      message: `jumlah pemilih yang menggunakan hak pilih ${voters.voted} tidak sama dengan suara sah ${valid} + suara tidak sah ${invalid} = ${cast}`,
    });
  }
  if (ballots) {
    if (voters) {
      if (ballots.used !== voters.voted) {
        issues.push({
          path: 'form.ballots.used',
          message: `surat suara terpakai ${ballots.used} tidak sama dengan jumlah pemilih yang menggunakan hak pilih ${voters.voted}`,
        });
      }
    } else if (voters === undefined && cast !== undefined && ballots.used !== cast) {
      issues.push({
        path: 'form.ballots.used',
        message: `surat suara terpakai ${ballots.used} tidak sama dengan suara sah ${valid} + suara tidak sah ${invalid} = ${cast}`,
      });
    }
    const accounted = ballots.used + ballots.damaged + ballots.unused;
    if (ballots.received !== accounted) {
      issues.push({
        path: 'form.ballots.received',
        message: `surat suara diterima ${ballots.received} tidak sama dengan terpakai ${ballots.used} + rusak ${ballots.damaged} + tidak terpakai ${ballots.unused} = ${accounted}`,
      });
    }
  }
  return issues;
}

// ---------------------------------------------------------------- administrasi

const LIST_NAME = { dpt: 'DPT', dptb: 'DPTb', dpk: 'DPK' } as const;
const SEX_NAME = { l: 'laki-laki', p: 'perempuan' } as const;

/**
 * The rules of section I of the C.Hasil: `voters` (when also given) agrees with the section's sums;
 * each list's voters stay within its registered voters plus a small margin (late DPTb/DPK entries);
 * voters with disabilities are among all voters of their sex, and those who voted among those registered.
 */
export function administrasiIssues(a: Administrasi, voters: FormParts['voters']): Issue[] {
  const issues: Issue[] = [];
  if (voters) {
    const sums = votersOfAdministrasi(a);
    if (voters.dpt !== sums.dpt) {
      issues.push({ path: 'form.voters.dpt', message: `jumlah pemilih terdaftar ${voters.dpt} tidak sama dengan DPT + DPTb + DPK di data pemilih = ${sums.dpt}` });
    }
    if (voters.voted !== sums.voted) {
      issues.push({ path: 'form.voters.voted', message: `jumlah pengguna hak pilih ${voters.voted} tidak sama dengan jumlah pengguna hak pilih DPT + DPTb + DPK = ${sums.voted}` });
    }
  }
  for (const row of VOTER_ROWS) {
    const registered = a.registered[row].l + a.registered[row].p;
    const voted = a.voted[row].l + a.voted[row].p;
    const limit = registered + Math.ceil(registered * PLAUSIBILITY.votedOverRegisteredShare);
    if (voted > limit) {
      issues.push({
        path: `form.administrasi.voted.${row}`,
        message: `pengguna hak pilih ${LIST_NAME[row]} ${voted} melebihi pemilih terdaftar ${LIST_NAME[row]} ${registered} (batas ${limit})`,
      });
    }
  }
  const all = (rows: Administrasi['registered'], sex: keyof SexCounts) => VOTER_ROWS.reduce((n, row) => n + rows[row][sex], 0);
  for (const sex of ['l', 'p'] as const) {
    const registered = all(a.registered, sex);
    const voted = all(a.voted, sex);
    const { disabled } = a;
    if (disabled.registered[sex] > registered) {
      issues.push({
        path: `form.administrasi.disabled.registered.${sex}`,
        message: `pemilih disabilitas ${SEX_NAME[sex]} ${disabled.registered[sex]} melebihi seluruh pemilih terdaftar ${SEX_NAME[sex]} ${registered}`,
      });
    }
    if (disabled.voted[sex] > voted) {
      issues.push({
        path: `form.administrasi.disabled.voted.${sex}`,
        message: `pengguna hak pilih disabilitas ${SEX_NAME[sex]} ${disabled.voted[sex]} melebihi seluruh pengguna hak pilih ${SEX_NAME[sex]} ${voted}`,
      });
    } else if (disabled.voted[sex] > disabled.registered[sex]) {
      issues.push({
        path: `form.administrasi.disabled.voted.${sex}`,
        message: `pengguna hak pilih disabilitas ${SEX_NAME[sex]} ${disabled.voted[sex]} melebihi pemilih disabilitas terdaftar ${SEX_NAME[sex]} ${disabled.registered[sex]}`,
      });
    }
  }
  return issues;
}

// ---------------------------------------------------------------- plausibility

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

function optionLabel(ballot: Ballot, sheet: BallotSheet, key: string): string {
  const name = sheet.options.find((o) => o.number === key)?.name;
  return name ? `${optionNoun(ballot)} ${key} (${name})` : `${optionNoun(ballot)} ${key}`;
}

/** Per-option totals (party ballots: party + candidates), the unit every share-based flag uses. */
function optionTotals(ballot: Ballot, form: CHasilForm): Record<string, number> {
  const flat = flattenVotes(ballot, form);
  return Object.fromEntries(Object.entries(flat).filter(([k]) => !k.includes('.')));
}

function plausibilityFlags(ballot: Ballot, sheet: BallotSheet, form: CHasilForm, context: FlagContext): Flag[] {
  const totals = optionTotals(ballot, form);
  const label = (key: string) => optionLabel(ballot, sheet, key);
  return [
    ...turnoutFlags(form),
    ...optionOver300(totals, label),
    ...nearUnanimous(totals, form.valid, label),
    ...offDesaShare(totals, form.valid, context, label),
    ...highInvalid(form),
    ...emptyResult(form),
  ];
}

function turnoutFlags(form: CHasilForm): Flag[] {
  const flags: Flag[] = [];
  const max = PLAUSIBILITY.maxVotersPerTps;
  if (!form.voters) {
    const cast = form.valid + form.invalid;
    if (cast > max) {
      flags.push({ code: 'total_over_300', path: 'form.valid', message: `suara sah + tidak sah ${cast} melebihi ${max} pemilih per TPS, dan DPT tidak diisi` });
    }
    return flags;
  }
  const { dpt, voted } = form.voters;
  const limit = dpt + Math.ceil(dpt * PLAUSIBILITY.dptReserveShare);
  if (voted > limit) {
    flags.push({
      code: 'turnout_over_dpt',
      path: 'form.voters.voted',
      message: `pemilih yang menggunakan hak pilih ${voted} melebihi DPT ${dpt} + 2% cadangan = ${limit}`,
    });
  } else if (dpt > 0 && voted === dpt) {
    flags.push({ code: 'full_turnout', path: 'form.voters.voted', message: `partisipasi tepat 100%: ${voted} dari DPT ${dpt}` });
  }
  if (dpt > max) {
    flags.push({ code: 'dpt_over_300', path: 'form.voters.dpt', message: `DPT ${dpt} melebihi batas ${max} pemilih per TPS` });
  }
  return flags;
}

function optionOver300(totals: Record<string, number>, label: (k: string) => string): Flag[] {
  const max = PLAUSIBILITY.maxVotersPerTps;
  return Object.entries(totals)
    .filter(([, n]) => n > max)
    .map(([key, n]) => ({ code: 'option_over_300', path: `form.votes.${key}`, message: `${label(key)} mendapat ${n} suara, lebih dari ${max} pemilih per TPS` }));
}

function nearUnanimous(totals: Record<string, number>, valid: number, label: (k: string) => string): Flag[] {
  if (valid < PLAUSIBILITY.nearUnanimousMinValid) return [];
  const top = Object.entries(totals).sort((a, b) => b[1] - a[1])[0];
  if (!top || top[1] / valid < PLAUSIBILITY.nearUnanimousShare) return [];
  const [key, n] = top;
  return [{ code: 'near_unanimous', path: `form.votes.${key}`, message: `${label(key)} mendapat ${n} dari ${valid} suara sah (${pct(n / valid)})` }];
}

function offDesaShare(totals: Record<string, number>, valid: number, context: FlagContext, label: (k: string) => string): Flag[] {
  const { desaShares, desaReported = 0 } = context;
  if (!desaShares || desaReported < PLAUSIBILITY.offDesaMinReported || valid <= 0) return [];
  let worst: { key: string; share: number; diff: number } | undefined;
  for (const key of new Set([...Object.keys(desaShares), ...Object.keys(totals)])) {
    const desa = desaShares[key] ?? 0;
    const share = (totals[key] ?? 0) / valid;
    const diff = Math.abs(share - desa);
    if (diff > PLAUSIBILITY.offDesaShareDiff && (!worst || diff > worst.diff)) worst = { key, share, diff };
  }
  if (!worst) return [];
  return [{
    code: 'off_desa_share',
    path: `form.votes.${worst.key}`,
    // The desa's own share stays out of the message: operators get it back, and recap data stays internal.
    message: `perolehan ${label(worst.key)} di TPS ini ${pct(worst.share)}, jauh dari perolehannya di ${desaReported} TPS lain desa ini`,
  }];
}

function highInvalid(form: CHasilForm): Flag[] {
  const voted = form.voters?.voted ?? form.valid + form.invalid;
  if (voted <= 0 || form.invalid <= voted * PLAUSIBILITY.highInvalidShare) return [];
  return [{ code: 'high_invalid', path: 'form.invalid', message: `suara tidak sah ${form.invalid} dari ${voted} pemilih (${pct(form.invalid / voted)}), di atas 10%` }];
}

function emptyResult(form: CHasilForm): Flag[] {
  if (form.valid + form.invalid > 0) return [];
  return [{ code: 'empty_result', path: 'form.valid', message: 'tidak ada suara sama sekali (sah dan tidak sah 0)' }];
}
