import { isPartyBallot, type Ballot, type CHasilForm, type FlatForm, type PartyForm, type Totals } from '@suara/contracts';

/**
 * Votes per key as a tally shows them (API.md `Totals.votes`), computed here from the form the
 * simulator sent, not with the server's code: flat options as they are; a party `{p}` = party-only
 * + its candidates, `{p}.p` = party-only, `{p}.c{n}` = candidate n.
 */
export function tallyVotes(ballot: Ballot, form: CHasilForm): Record<string, number> {
  if (!isPartyBallot(ballot)) return { ...(form as FlatForm).votes };
  const out: Record<string, number> = {};
  for (const [party, v] of Object.entries((form as PartyForm).votes)) {
    const candidates = Object.entries(v.candidates ?? {});
    out[party] = v.party + candidates.reduce((a, [, n]) => a + n, 0);
    out[`${party}.p`] = v.party;
    for (const [candidate, n] of candidates) out[`${party}.c${candidate}`] = n;
  }
  return out;
}

/** Every count of a form by path (`votes.2.candidates.5`, `valid`, `voters.dpt`, …), zeros left out. */
function countsByPath(form: CHasilForm): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number') { if (value !== 0) out.set(path, value); return; }
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(form, '');
  return out;
}

/** True when two forms carry the same numbers (key order, absent zeros and default fields aside). */
export function sameNumbers(a: CHasilForm, b: CHasilForm): boolean {
  const x = countsByPath(a);
  const y = countsByPath(b);
  return x.size === y.size && [...x].every(([k, v]) => y.get(k) === v);
}

/** What a region's tally must show once these forms are in. */
export function expectedTotals(ballot: Ballot, forms: readonly CHasilForm[]): Totals {
  const votes: Record<string, number> = {};
  let valid = 0;
  let invalid = 0;
  for (const form of forms) {
    for (const [k, n] of Object.entries(tallyVotes(ballot, form))) votes[k] = (votes[k] ?? 0) + n;
    valid += form.valid;
    invalid += form.invalid;
  }
  return { votes, valid, invalid };
}

/** Differences between an expected and an actual tally, every key (candidates too), as readable lines (empty when they agree). */
export function compareTotals(expected: Totals, actual: Totals): string[] {
  const diffs: string[] = [];
  if (expected.valid !== actual.valid) diffs.push(`valid: expected ${expected.valid}, got ${actual.valid}`);
  if (expected.invalid !== actual.invalid) diffs.push(`invalid: expected ${expected.invalid}, got ${actual.invalid}`);
  const keys = new Set([...Object.keys(expected.votes), ...Object.keys(actual.votes)]);
  for (const k of [...keys].sort()) {
    const e = expected.votes[k] ?? 0;
    const a = actual.votes[k] ?? 0;
    if (e !== a) diffs.push(`votes ${k}: expected ${e}, got ${a}`);
  }
  return diffs;
}
