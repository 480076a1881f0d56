import type { Totals } from '@suara/contracts';

/**
 * In `region_tallies.votes` of a party-list ballot, a region above one dapil keeps its per-dapil party
 * totals under `{party}@{dapil}` (and no candidate keys); the read side lifts them into `byDapil`.
 */
export const byDapilKey = (party: string, dapil: string): string => `${party}@${dapil}`;

/** A candidate's key in a vote map (`{party}.c{candidate}`): summed only within one dapil. */
export const isCandidateKey = (key: string): boolean => key.includes('.c');

/** A party's total (party-only + candidates) in a vote map: the key is the bare party number. */
export const isPartyTotalKey = (key: string): boolean => !key.includes('.') && !key.includes('@');

/** Stored votes → `Totals.votes` and `Totals.byDapil` (only when the row has per-dapil keys). */
export function liftByDapil(stored: Record<string, number>): Pick<Totals, 'votes' | 'byDapil'> {
  let byDapil: Record<string, Record<string, number>> | undefined;
  const votes: Record<string, number> = {};
  for (const [key, n] of Object.entries(stored)) {
    const at = key.indexOf('@');
    if (at < 0) {
      votes[key] = n;
      continue;
    }
    byDapil ??= {};
    (byDapil[key.slice(at + 1)] ??= {})[key.slice(0, at)] = n;
  }
  return byDapil ? { votes, byDapil } : { votes };
}
