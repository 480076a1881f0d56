import { desaOf, ancestorCodes, isPartyBallot, type Ballot, type CHasilForm, type FlatForm, type PartyForm } from '@suara/contracts';
import type { SqlExecutor } from '../db/sql';
import { DapilIndex, dapilLookupOf, type DapilLookup } from '../election/dapil-index';
import { byDapilKey, isCandidateKey, isPartyTotalKey } from './dapil-keys';
import { isResultStreamEvent, type CurrentResult } from './current-result';
import type { ProjectionDefinition, ResultTransition, StoredProjection } from './projection-definition';
import { loadDapilLookup, readStoredTallies, REGION_TALLIES, sumTallyDeltas, tallySumsWrite } from './projection-store';
import { tallyFold } from './tally-fold';
import { compareTallies, expectedTallies } from './tally-check';
import type { ChangedRegions } from './tally-changes';

/**
 * Region tallies (`region_tallies`, desa and above) as a projection definition. Its math is pure
 * (`projectTallies`): from the batch's result transitions, the tally deltas per (election, region,
 * ballot) and the regions whose views changed; the definition only reads the rows to add to and
 * returns the write.
 *
 * Deltas are computed per result stream over the whole batch: contribution(after) − contribution(before).
 * A correction therefore applies (new − old) to the TPS (its current result holds the new form) and
 * to every ancestor. TPS numbers live in `result_current` only; `region_tallies` holds desa and
 * above, summed desa first and then rolled up, so a batch touches each vote map a few times only.
 * A region whose TPS vote in more than one dapil of a party-list ballot gets party totals and
 * per-dapil party totals (`byDapilKey`), never candidate sums: "party 2, candidate 5" is a different
 * person in each dapil. Candidate sums per dapil are the dapil tallies' (`dapil-tally.projection.ts`).
 */
export const talliesProjection: ProjectionDefinition = {
  name: 'tallies',
  canHandle: isResultStreamEvent,
  tables: ['region_tallies'],
  async project({ results, position }, tx) {
    const dapils = results.some((r) => isPartyBallot(r.after.ballot)) ? await loadDapilLookup(tx) : NO_DAPILS;
    const { deltas, changed } = projectTallies(results, dapils);
    const sums = await sumTallyDeltas(tx, deltas);
    return { writes: [tallySumsWrite(sums, position)], changed };
  },
  async check(tx: SqlExecutor): Promise<StoredProjection> {
    const stored = await readStoredTallies(tx);
    const dapils = await loadDapilLookup(tx);
    return { rows: stored.length, differences: (expected) => compareTallies(expectedTallies(expected.values(), dapils), stored) };
  },
  startRebuild: (options) => tallyFold(REGION_TALLIES, addToDesas, rollUp, options),
};

/** A change to one row of `region_tallies` (desa and above). */
export interface TallyDelta {
  electionId: string;
  regionCode: string;
  ballot: Ballot;
  /** Keyed like `Totals.votes` (see `flattenVotes`). */
  votes: Record<string, number>;
  valid: number;
  invalid: number;
  tpsReported: number;
  tpsVerified: number;
}

export interface TallyEffects {
  /** Non-zero tally changes. */
  deltas: TallyDelta[];
  /** Regions whose numbers or TPS statuses changed. */
  changed: ChangedRegions[];
}

/** Whether a result counts in the tallies, and as verified. */
const counts = (r: CurrentResult | undefined): r is CurrentResult & { form: CHasilForm } => !!r && r.status !== 'empty' && !!r.form;
const isVerified = (r: CurrentResult | undefined): boolean => counts(r) && r.status === 'verified';

/** "{party}.p" and "{party}.c{candidate}" built once: new strings per vote (and their hashing) dominated the loop below. */
const partyKeys = new Map<string, { partyOnly: string; candidates: Map<string, string> }>();
function keysOfParty(party: string): { partyOnly: string; candidates: Map<string, string> } {
  let keys = partyKeys.get(party);
  if (!keys) {
    keys = { partyOnly: `${party}.p`, candidates: new Map() };
    partyKeys.set(party, keys);
  }
  return keys;
}
function candidateKey(party: { candidates: Map<string, string> }, partyCode: string, candidate: string): string {
  let key = party.candidates.get(candidate);
  if (key === undefined) {
    key = `${partyCode}.c${candidate}`;
    party.candidates.set(candidate, key);
  }
  return key;
}

/**
 * Adds `sign` × a form's votes into `sums`, keyed like `flattenVotes` (flat ballots `{option}`;
 * party ballots `{party}` = party + candidates, `{party}.p`, `{party}.c{candidate}`), without
 * building the flat object: this walk is the projector's hottest loop.
 */
export function addFormVotes(sums: Map<string, number>, ballot: Ballot, form: CHasilForm, sign: 1 | -1): void {
  if (!isPartyBallot(ballot)) {
    const votes = (form as FlatForm).votes;
    for (const option in votes) sums.set(option, (sums.get(option) ?? 0) + sign * votes[option]);
    return;
  }
  const votes = (form as PartyForm).votes;
  for (const party in votes) {
    const v = votes[party];
    let total = v.party;
    const keys = keysOfParty(party);
    sums.set(keys.partyOnly, (sums.get(keys.partyOnly) ?? 0) + sign * v.party);
    const candidates = v.candidates ?? {};
    for (const c in candidates) {
      const n = candidates[c];
      const key = candidateKey(keys, party, c);
      sums.set(key, (sums.get(key) ?? 0) + sign * n);
      total += n;
    }
    sums.set(party, (sums.get(party) ?? 0) + sign * total);
  }
}

const NO_DAPILS = new DapilIndex([]);

export interface Sums {
  electionId: string;
  regionCode: string;
  ballot: Ballot;
  votes: Map<string, number>;
  valid: number;
  invalid: number;
  tpsReported: number;
  tpsVerified: number;
}

export function sumsOf(map: Map<string, Sums>, electionId: string, regionCode: string, ballot: Ballot): Sums {
  const key = `${electionId}|${regionCode}|${ballot}`;
  let sums = map.get(key);
  if (!sums) {
    sums = { electionId, regionCode, ballot, votes: new Map(), valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 0 };
    map.set(key, sums);
  }
  return sums;
}

/** Adds what a result stream's change (before → after) does to its desa's numbers. */
export function addStreamDelta(desa: Sums, before: CurrentResult | undefined, after: CurrentResult): void {
  desa.tpsVerified += Number(isVerified(after)) - Number(isVerified(before));
  const beforeCounts = counts(before);
  const afterCounts = counts(after);
  // A verification keeps the very same form object: only tps_verified moves.
  if (beforeCounts && afterCounts && before.form === after.form) return;
  if (afterCounts) {
    addFormVotes(desa.votes, after.ballot, after.form, 1);
    desa.valid += after.form.valid;
    desa.invalid += after.form.invalid;
    desa.tpsReported += 1;
  }
  if (beforeCounts) {
    addFormVotes(desa.votes, before.ballot, before.form, -1);
    desa.valid -= before.form.valid;
    desa.invalid -= before.form.invalid;
    desa.tpsReported -= 1;
  }
}

function addSums(target: Sums, source: Sums): void {
  for (const [option, n] of source.votes) target.votes.set(option, (target.votes.get(option) ?? 0) + n);
  target.valid += source.valid;
  target.invalid += source.invalid;
  target.tpsReported += source.tpsReported;
  target.tpsVerified += source.tpsVerified;
}

/** Adds a desa's sums to a region above several dapils: party totals, also per dapil; no candidate sums. */
function addPartySums(target: Sums, source: Sums, dapil: string | undefined): void {
  for (const [key, n] of source.votes) {
    if (isCandidateKey(key)) continue;
    target.votes.set(key, (target.votes.get(key) ?? 0) + n);
    if (dapil !== undefined && isPartyTotalKey(key)) {
      const perDapil = byDapilKey(key, dapil);
      target.votes.set(perDapil, (target.votes.get(perDapil) ?? 0) + n);
    }
  }
  target.valid += source.valid;
  target.invalid += source.invalid;
  target.tpsReported += source.tpsReported;
  target.tpsVerified += source.tpsVerified;
}

/** The non-zero sums as deltas. */
export function toDeltas(sums: Iterable<Sums>): TallyDelta[] {
  const deltas: TallyDelta[] = [];
  for (const s of sums) {
    if (isZero(s)) continue;
    deltas.push({ electionId: s.electionId, regionCode: s.regionCode, ballot: s.ballot, votes: Object.fromEntries(s.votes), valid: s.valid, invalid: s.invalid, tpsReported: s.tpsReported, tpsVerified: s.tpsVerified });
  }
  return deltas;
}

const isZero = (s: Sums): boolean =>
  s.valid === 0 && s.invalid === 0 && s.tpsReported === 0 && s.tpsVerified === 0 && [...s.votes.values()].every((n) => n === 0);

/**
 * The tally deltas and changed regions of a batch's result transitions. `dapils` tells which regions
 * lie in more than one dapil (without it every region counts as inside one), per election id: the
 * master-data version its results were entered against.
 */
export function projectTallies(results: readonly ResultTransition[], dapils: DapilIndex | DapilLookup = NO_DAPILS): TallyEffects {
  const desas = new Map<string, Sums>();
  const changed = addToDesas(desas, results);
  return { deltas: rollUp(desas, dapilLookupOf(dapils)), changed };
}

/** Adds the result transitions to their desa's sums; returns the regions whose views changed. */
function addToDesas(desas: Map<string, Sums>, results: readonly ResultTransition[]): ChangedRegions[] {
  const changed = new Map<string, { electionId: string; ballot: Ballot; codes: Set<string> }>();
  for (const { before, after } of results) {
    if (!showsChange(before, after)) continue;
    markChanged(changed, after);
    addStreamDelta(sumsOf(desas, after.electionId, desaOf(after.tpsCode), after.ballot), before, after);
  }
  return [...changed.values()].map(({ electionId, ballot, codes }) => ({ electionId, ballot, regionCodes: [...codes].sort() }));
}

/** The desa sums and their roll-up to kecamatan, kabupaten and provinsi, as deltas. */
function rollUp(desas: ReadonlyMap<string, Sums>, dapilsOf: DapilLookup): TallyDelta[] {
  const all = new Map(desas);
  for (const desa of desas.values()) {
    const party = isPartyBallot(desa.ballot);
    const index = dapilsOf(desa.electionId);
    const dapil = party ? index.dapilOf(desa.ballot, desa.regionCode) : undefined;
    for (const code of ancestorCodes(desa.regionCode)) {
      const target = sumsOf(all, desa.electionId, code, desa.ballot);
      if (party && index.spans(desa.ballot, code)) addPartySums(target, desa, dapil);
      else addSums(target, desa);
    }
  }
  return toDeltas(all.values());
}

/** Whether a tally view shows the change (its status or form); other events of the stream (photos, proposals) do not move tallies. */
export const showsChange = (before: CurrentResult | undefined, after: CurrentResult): boolean =>
  after.status !== (before?.status ?? 'empty') || after.form !== (before?.form ?? null);

function markChanged(changed: Map<string, { electionId: string; ballot: Ballot; codes: Set<string> }>, result: CurrentResult): void {
  const key = `${result.electionId}|${result.ballot}`;
  let entry = changed.get(key);
  if (!entry) {
    entry = { electionId: result.electionId, ballot: result.ballot, codes: new Set() };
    changed.set(key, entry);
  }
  for (const code of ancestorCodes(result.tpsCode)) entry.codes.add(code);
}
