import type { BallotSheet, CHasilForm, FlatForm, PartyForm } from '@suara/contracts';

const int = (rnd: () => number, max: number) => Math.floor(rnd() * (max + 1));

/**
 * A valid C.Hasil for a ballot as printed at a TPS: every option on the sheet, sums that add up,
 * voters = valid + invalid, and counts small enough that a real TPS (≤ 300 voters) could hold them.
 */
export function validForm(sheet: BallotSheet, rnd: () => number): CHasilForm {
  const form = sheet.options.some((o) => o.candidates !== undefined) ? partyForm(sheet, rnd) : flatForm(sheet, rnd);
  // Under 5 % invalid: a verifier flags more than 10 %, and the bench wants plausible results.
  const invalid = int(rnd, Math.floor(form.valid * 0.05));
  const voted = form.valid + invalid;
  return { ...form, invalid, voters: { dpt: voted + 20 + int(rnd, 60), voted } };
}

function flatForm(sheet: BallotSheet, rnd: () => number): Omit<FlatForm, 'invalid'> {
  const perOption = Math.max(1, Math.floor(240 / sheet.options.length));
  const votes: Record<string, number> = {};
  for (const o of sheet.options) votes[o.number] = Math.floor(perOption / 4) + int(rnd, perOption - Math.floor(perOption / 4));
  return { votes, valid: sum(Object.values(votes)) };
}

function partyForm(sheet: BallotSheet, rnd: () => number): Omit<PartyForm, 'invalid'> {
  const candidateCount = sheet.options.reduce((n, o) => n + (o.candidates?.length ?? 0), 0);
  const perCandidate = Math.max(1, Math.floor(150 / Math.max(1, candidateCount)) * 2);
  const votes: PartyForm['votes'] = {};
  let valid = 0;
  for (const o of sheet.options) {
    const candidates: Record<string, number> = {};
    for (const c of o.candidates ?? []) candidates[c.number] = int(rnd, perCandidate);
    const party = int(rnd, 5);
    votes[o.number] = { party, candidates };
    valid += party + sum(Object.values(candidates));
  }
  return { votes, valid };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
