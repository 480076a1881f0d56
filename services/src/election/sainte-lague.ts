/**
 * Seats of one electoral district (dapil) by the Sainte-Laguë method, as UU 7/2017 art. 415 prescribes
 * for DPR and DPRD seats: each party's valid votes are divided by 1, 3, 5, 7, …; the `seats` largest
 * quotients win a seat each. Pure; used by the dapil seat projection and the quick count.
 *
 * Quotients are compared exactly (a / (2i+1) against b / (2j+1) by cross-multiplying integers), so no
 * float rounding decides a seat. A tie between quotients (rare with real vote counts) goes to the
 * party with more votes, then the lower party number: the law breaks it by the spread of votes over
 * the dapil, which a tally does not hold. Parties without votes win nothing, so when fewer parties
 * have votes than needed the seats stay partly unallocated (the sum is then less than `seats`).
 * Thresholds (the 4 % parliamentary threshold of the DPR) apply nationally and are not applied here.
 */

export interface PartySeats {
  /** Party number as on the ballot ("2", "24"). */
  party: string;
  seats: number;
}

/** One party's votes, as the allocation reads them. */
export type PartyVotes = Readonly<Record<string, number>>;

interface Contender {
  party: string;
  votes: number;
  seats: number;
}

/** true when `a`'s next quotient ranks before `b`'s. */
function ranksBefore(a: Contender, b: Contender): boolean {
  // a.votes / (2·a.seats + 1) vs b.votes / (2·b.seats + 1), without division.
  const left = a.votes * (2 * b.seats + 1);
  const right = b.votes * (2 * a.seats + 1);
  if (left !== right) return left > right;
  if (a.votes !== b.votes) return a.votes > b.votes;
  return comparePartyNumbers(a.party, b.party) < 0;
}

/** Party numbers compare as numbers ("2" before "10"), other keys as text. */
function comparePartyNumbers(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Allocates `seats` among the parties of `votes` (party number → valid votes of the party, party-only
 * plus its candidates'). Returns every party that won at least one seat, most seats first (then by
 * party number). Throws on negative, fractional or non-finite input.
 */
export function sainteLague(votes: PartyVotes, seats: number): PartySeats[] {
  if (!Number.isInteger(seats) || seats < 0) throw new RangeError(`seats must be a non-negative integer, got ${seats}`);
  const contenders: Contender[] = [];
  for (const [party, n] of Object.entries(votes)) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`votes of party ${party} must be a non-negative integer, got ${n}`);
    if (n > 0) contenders.push({ party, votes: n, seats: 0 });
  }
  if (contenders.length === 0) return [];
  for (let seat = 0; seat < seats; seat++) {
    let best = contenders[0];
    for (let i = 1; i < contenders.length; i++) if (ranksBefore(contenders[i], best)) best = contenders[i];
    best.seats += 1;
  }
  return contenders
    .filter((c) => c.seats > 0)
    .sort((a, b) => b.seats - a.seats || comparePartyNumbers(a.party, b.party))
    .map(({ party, seats: won }) => ({ party, seats: won }));
}
