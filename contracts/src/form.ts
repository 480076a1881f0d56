import { z } from 'zod';

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

const formBase = {
  valid: Count,
  invalid: Count,
  voters: z.strictObject({ dpt: Count, voted: Count }).optional(),
  ballots: z.strictObject({ received: Count, used: Count, damaged: Count, unused: Count }).optional(),
};

export const FlatForm = z.strictObject({ votes: FlatVotes, ...formBase });
export const PartyForm = z.strictObject({ votes: PartyVotes, ...formBase });
/** The C.Hasil form of any ballot; which votes shape applies depends on the ballot. */
export const CHasilForm = z.union([FlatForm, PartyForm]);
export type FlatForm = z.infer<typeof FlatForm>;
export type PartyForm = z.infer<typeof PartyForm>;
export type CHasilForm = FlatForm | PartyForm;

export const Flag = z.object({ code: z.string(), message: z.string(), path: z.string().optional() });
export type Flag = z.infer<typeof Flag>;

export const Issue = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof Issue>;
