import { z } from 'zod';
import { isPartyBallot, type Ballot } from './ids';
import { textField } from './text';

/** Upper bound on any single count: far above any TPS (≤ 300 voters) yet keeps sums exact. */
export const MAX_COUNT = 100_000;
export const Count = z.number().int('harus bilangan bulat').min(0, 'tidak boleh negatif').max(MAX_COUNT, `paling besar ${MAX_COUNT}`);

const OptionKey = z.string().regex(/^[0-9]{1,3}$/, 'nomor urut tidak dikenal');

/** PPWP and DPD: votes per paslon / candidate number. */
export const FlatVotes = z.record(OptionKey, Count);
/** DPR, DPRD_PROV, DPRD_KAB: per party, party-only votes and votes per candidate number. */
export const PartyVotes = z.record(
  OptionKey,
  z.strictObject({ party: Count, candidates: z.record(OptionKey, Count).default({}) }),
);

/** One row of the administrasi section as printed: men (`l`, laki-laki) and women (`p`, perempuan). */
export const SexCounts = z.strictObject({ l: Count, p: Count });
export type SexCounts = z.infer<typeof SexCounts>;
/** The three voter lists of the real C.Hasil: DPT, DPTb (moved in) and DPK (registered on the day). */
export const VoterRows = z.strictObject({ dpt: SexCounts, dptb: SexCounts, dpk: SexCounts });
export type VoterRows = z.infer<typeof VoterRows>;
/** Section I of the Pemilu 2024 C.Hasil: registered voters, voters who voted by list, voters with disabilities. */
export const Administrasi = z.strictObject({
  registered: VoterRows,
  voted: VoterRows,
  disabled: z.strictObject({ registered: SexCounts, voted: SexCounts }),
});
export type Administrasi = z.infer<typeof Administrasi>;
import { VOTER_ROWS } from './lists';
export { VOTER_ROWS, type VoterRow } from './lists';

/** Most characters of the kejadian khusus notes. */
export const MAX_NOTES = 2000;

const formBase = {
  valid: Count,
  invalid: Count,
  voters: z.strictObject({ dpt: Count, voted: Count }).optional(),
  ballots: z.strictObject({ received: Count, used: Count, damaged: Count, unused: Count }).optional(),
  administrasi: Administrasi.optional(),
  /** Kejadian khusus as the KPPS wrote them. */
  notes: textField({ label: 'catatan kejadian khusus', min: 0, max: MAX_NOTES, multiline: true }).optional(),
  /** Number of objections (keberatan) recorded on the form. */
  objections: Count.optional(),
  /** The operator confirms the paper itself says these numbers, even where they do not add up. */
  asWritten: z.boolean().optional(),
};

export const FlatForm = z.strictObject({ votes: FlatVotes, ...formBase });
export const PartyForm = z.strictObject({ votes: PartyVotes, ...formBase });
/** The C.Hasil form of any ballot; which votes shape applies depends on the ballot. */
export const CHasilForm = z.union([FlatForm, PartyForm]);
export type FlatForm = z.infer<typeof FlatForm>;
export type PartyForm = z.infer<typeof PartyForm>;
export type CHasilForm = FlatForm | PartyForm;

const sumRow = (r: SexCounts) => r.l + r.p;
/** Sum of the three lists (DPT + DPTb + DPK), as the "jumlah" line of the paper. */
export const sumRows = (rows: VoterRows): number => VOTER_ROWS.reduce((n, row) => n + sumRow(rows[row]), 0);
/** `voters` as the administrasi section implies it: registered and voted over all three lists. */
export function votersOfAdministrasi(a: Administrasi): { dpt: number; voted: number } {
  return { dpt: sumRows(a.registered), voted: sumRows(a.voted) };
}

export const Flag = z.object({ code: z.string(), message: z.string(), path: z.string().optional() });
export type Flag = z.infer<typeof Flag>;

export const Issue = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof Issue>;

/**
 * Votes keyed as read-model `Totals.votes`: flat ballots `{option: n}`; party ballots
 * `{"2": party + candidates, "2.p": party-only, "2.c5": candidate 5 of party 2}`.
 */
export function flattenVotes(ballot: Ballot, form: CHasilForm): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isPartyBallot(ballot)) {
    for (const [option, n] of Object.entries((form as FlatForm).votes)) out[option] = n;
    return out;
  }
  for (const [party, v] of Object.entries((form as PartyForm).votes)) {
    let total = v.party;
    out[`${party}.p`] = v.party;
    for (const [cand, n] of Object.entries(v.candidates ?? {})) {
      out[`${party}.c${cand}`] = n;
      total += n;
    }
    out[party] = total;
  }
  return out;
}
