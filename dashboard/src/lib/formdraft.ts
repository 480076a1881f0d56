import type { BallotSheet, CHasilForm, Issue } from '@suara/contracts';
import { VOTER_ROWS } from '@suara/contracts/lists';

/** What the operator typed, keyed by form path ("votes.01", "votes.2.party", "votes.2.candidates.5", "valid", …). */
export type Draft = Record<string, string>;

/** Draft keys that hold text, not counts. */
export const TEXT_FIELDS = new Set(['notes']);

/** The count fields of the administrasi section (section I of the paper), as draft keys. */
export const ADMINISTRASI_FIELDS: readonly string[] = [
  ...(['registered', 'voted'] as const).flatMap((part) => VOTER_ROWS.flatMap((row) => [`administrasi.${part}.${row}.l`, `administrasi.${part}.${row}.p`])),
  'administrasi.disabled.registered.l', 'administrasi.disabled.registered.p', 'administrasi.disabled.voted.l', 'administrasi.disabled.voted.p',
];

const INTEGER = /^\s*\d+\s*$/;

const toCount = (s: string | undefined): number | string | undefined => {
  if (s === undefined || s.trim() === '') return undefined;
  return INTEGER.test(s) ? Number(s) : s.trim();
};

export const isPartySheet = (sheet: BallotSheet): boolean => sheet.options.some((o) => o.candidates !== undefined);

/**
 * The form to send for a draft. Empty vote boxes count as 0 (the API does the same), so the
 * operator only types what is written on the C.Hasil; text that is not a whole number is sent
 * as typed so the server's check names the field.
 */
export function draftToForm(sheet: BallotSheet, d: Draft): CHasilForm {
  const votes: Record<string, unknown> = {};
  for (const o of sheet.options) {
    if (!isPartySheet(sheet)) { votes[o.number] = toCount(d[`votes.${o.number}`]) ?? 0; continue; }
    const candidates: Record<string, unknown> = {};
    for (const c of o.candidates ?? []) {
      const n = toCount(d[`votes.${o.number}.candidates.${c.number}`]);
      if (n !== undefined && n !== 0) candidates[c.number] = n;
    }
    votes[o.number] = { party: toCount(d[`votes.${o.number}.party`]) ?? 0, candidates };
  }
  const form: Record<string, unknown> = { votes, valid: toCount(d.valid), invalid: toCount(d.invalid) };
  const group = (name: string, fields: string[]) => {
    if (fields.every((f) => !d[`${name}.${f}`]?.trim())) return;
    form[name] = Object.fromEntries(fields.map((f) => [f, toCount(d[`${name}.${f}`])]));
  };
  group('voters', ['dpt', 'voted']);
  group('ballots', ['received', 'used', 'damaged', 'unused']);
  // Section I as soon as one box of it is filled; its empty boxes count as 0, as on the paper.
  if (ADMINISTRASI_FIELDS.some((f) => d[f]?.trim())) {
    const administrasi: Record<string, unknown> = {};
    for (const f of ADMINISTRASI_FIELDS) setPath(administrasi, f.split('.').slice(1), toCount(d[f]) ?? 0);
    form.administrasi = administrasi;
  }
  const objections = toCount(d.objections);
  if (objections !== undefined) form.objections = objections;
  if (d.notes?.trim()) form.notes = d.notes.trim();
  return form as unknown as CHasilForm;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]] = value;
}

/** The draft that shows a stored form (a correction starts from the current numbers). */
export function formToDraft(form: CHasilForm | null | undefined): Draft {
  const d: Draft = {};
  if (!form) return d;
  for (const [k, v] of Object.entries(form.votes)) {
    if (typeof v === 'number') d[`votes.${k}`] = String(v);
    else {
      d[`votes.${k}.party`] = String(v.party);
      for (const [c, n] of Object.entries(v.candidates ?? {})) d[`votes.${k}.candidates.${c}`] = String(n);
    }
  }
  d.valid = String(form.valid);
  d.invalid = String(form.invalid);
  if (form.voters) { d['voters.dpt'] = String(form.voters.dpt); d['voters.voted'] = String(form.voters.voted); }
  if (form.ballots) for (const [k, n] of Object.entries(form.ballots)) d[`ballots.${k}`] = String(n);
  if (form.administrasi) {
    for (const f of ADMINISTRASI_FIELDS) {
      const value = f.split('.').slice(1).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], form.administrasi);
      if (typeof value === 'number') d[f] = String(value);
    }
  }
  if (form.objections !== undefined) d.objections = String(form.objections);
  if (form.notes) d.notes = form.notes;
  return d;
}

/** Problems found before asking the server: only what a phone can tell for sure. */
export function localIssues(d: Draft): Issue[] {
  const issues: Issue[] = [];
  for (const [path, v] of Object.entries(d)) {
    if (TEXT_FIELDS.has(path)) continue;
    if (v.trim() !== '' && !INTEGER.test(v)) issues.push({ path: `form.${path}`, message: 'harus bilangan bulat, tidak negatif' });
  }
  if (!d.valid?.trim()) issues.push({ path: 'form.valid', message: 'wajib diisi' });
  if (!d.invalid?.trim()) issues.push({ path: 'form.invalid', message: 'wajib diisi' });
  return issues;
}

/** Issues grouped by field path (without the "form." prefix); "" holds those without a field. */
export function issuesByField(issues: readonly { path?: string; message: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of issues) {
    const messages = (out[fieldKey(i.path)] ??= []);
    // The local check and the server's may say the same thing ("wajib diisi"): say it once.
    if (!messages.includes(i.message)) messages.push(i.message);
  }
  return out;
}

/** An issue's path as the form's fields are named ("form.votes.01" → "votes.01"; none → ""). */
export const fieldKey = (path: string | undefined): string => (path ?? '').replace(/^form\.?/, '');

/**
 * Whether an issue of field `key` may be shown yet: after the operator left one of the fields it is
 * about ("votes" is about "votes.01", "administrasi.voted.dpt" about its L and P), or tried to send.
 * A form that shouts "wajib diisi" at every empty box before anything is typed only alarms.
 */
export function issueSeen(key: string, touched: ReadonlySet<string>, attempted: boolean): boolean {
  if (attempted) return true;
  if (key === '') return false;
  for (const t of touched) if (t === key || t.startsWith(`${key}.`)) return true;
  return false;
}

/** Whether two forms hold the same value at an issue's path ("form.votes.02"; "form" = the whole form). */
export function sameAt(a: CHasilForm | undefined, b: CHasilForm, path: string): boolean {
  const at = (form: unknown) => {
    let value = form;
    for (const key of fieldKey(path).split('.').filter(Boolean)) value = (value as Record<string, unknown> | undefined)?.[key];
    return JSON.stringify(value);
  };
  return at(a) === at(b);
}

/** Sum of all votes typed (party ballots: party + candidates), to compare with "suara sah" while typing. */
export function typedVoteSum(d: Draft): number {
  let sum = 0;
  for (const [k, v] of Object.entries(d)) {
    if (!k.startsWith('votes.') || !INTEGER.test(v)) continue;
    sum += Number(v);
  }
  return sum;
}

/** A clientRequestId as the API wants it (/^[A-Za-z0-9_-]{8,64}$/). */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID().replace(/-/g, '');
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
