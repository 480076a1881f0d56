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

/**
 * What a region's tally must show when its TPS vote in several dapils of a party-list ballot (`areas`
 * given): party totals and party-only votes, no candidate keys (a candidate number is another person
 * in each dapil), and each dapil's party totals in `byDapil`. Without `areas`, `expectedTotals`.
 */
export function expectedRegionTotals(ballot: Ballot, results: ReadonlyArray<{ tpsCode: string; form: CHasilForm }>, areas?: readonly DapilArea[]): Totals {
  const totals = expectedTotals(ballot, results.map((r) => r.form));
  if (!areas) return totals;
  const byDapil: Record<string, Record<string, number>> = {};
  for (const r of results) {
    const dapil = dapilOfTps(areas, r.tpsCode);
    if (dapil === undefined) continue;
    const sums = (byDapil[dapil] ??= {});
    for (const [k, n] of Object.entries(tallyVotes(ballot, r.form))) if (!k.includes('.')) sums[k] = (sums[k] ?? 0) + n;
  }
  const votes = Object.fromEntries(Object.entries(totals.votes).filter(([k]) => !/\.c/.test(k)));
  return { ...totals, votes, byDapil };
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
  for (const dapil of new Set([...Object.keys(expected.byDapil ?? {}), ...Object.keys(actual.byDapil ?? {})])) {
    const e = expected.byDapil?.[dapil] ?? {};
    const a = actual.byDapil?.[dapil] ?? {};
    for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if ((e[k] ?? 0) !== (a[k] ?? 0)) diffs.push(`byDapil ${dapil} ${k}: expected ${e[k] ?? 0}, got ${a[k] ?? 0}`);
    }
  }
  return diffs;
}

/** A dapil as the election view lists it: which regions vote in it. */
export interface DapilArea { code: string; regionCodes: readonly string[] }

/** The dapil a TPS votes in: the one listing the TPS's nearest region (longest code prefix). */
export function dapilOfTps(dapils: readonly DapilArea[], tpsCode: string): string | undefined {
  let best: { code: string; length: number } | undefined;
  for (const d of dapils) {
    for (const r of d.regionCodes) if (tpsCode.startsWith(r) && (!best || r.length > best.length)) best = { code: d.code, length: r.length };
  }
  return best?.code;
}

/** A dapil tally's party totals (`{party, candidates, total}` per party) in the keys of `tallyVotes`, to compare with `compareTotals`. */
export function dapilTotalsAsVotes(parties: Readonly<Record<string, { party: number; candidates: Record<string, number>; total: number }>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [p, t] of Object.entries(parties)) {
    out[p] = t.total;
    out[`${p}.p`] = t.party;
    for (const [c, n] of Object.entries(t.candidates)) out[`${p}.c${c}`] = n;
  }
  return out;
}

/**
 * Seats by Sainte-Laguë (divisors 1, 3, 5, …) computed here as a check of the server's projection:
 * the table of every party's first `seats` quotients, the `seats` largest win. Quotients compare
 * exactly (cross-multiplied); a tie goes to the party with more votes, then the lower number — the
 * rule the server documents (election/sainte-lague.ts). Parties with seats, most first, then by number.
 */
export function expectedSeats(partyVotes: Readonly<Record<string, number>>, seats: number): Array<{ party: string; seats: number }> {
  const quotients: Array<{ party: string; votes: number; divisor: number }> = [];
  for (const [party, votes] of Object.entries(partyVotes)) {
    if (votes > 0) for (let i = 0; i < seats; i++) quotients.push({ party, votes, divisor: 2 * i + 1 });
  }
  const byNumber = (a: string, b: string) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
  quotients.sort((a, b) => b.votes * a.divisor - a.votes * b.divisor || b.votes - a.votes || byNumber(a.party, b.party));
  const won = new Map<string, number>();
  for (const q of quotients.slice(0, seats)) won.set(q.party, (won.get(q.party) ?? 0) + 1);
  return [...won].map(([party, n]) => ({ party, seats: n })).sort((a, b) => b.seats - a.seats || byNumber(a.party, b.party));
}
