import { isPartyBallot, type Ballot } from '@suara/contracts';
import type { SqlExecutor } from '../db/sql';
import { dapilLookupOf, type DapilIndex, type DapilLookup } from '../election/dapil-index';
import { isResultStreamEvent } from './current-result';
import type { ProjectionDefinition, ResultTransition, StoredProjection } from './projection-definition';
import { DAPIL_TALLIES, loadDapilLookup, readStoredTallies, sumTallyDeltas, tallySumsWrite } from './projection-store';
import { compareTallies, expectedDapilTallies } from './tally-check';
import type { ChangedRegions } from './tally-changes';
import { tallyFold } from './tally-fold';
import { addStreamDelta, showsChange, sumsOf, toDeltas, type Sums, type TallyEffects } from './tally.projection';

/**
 * Tallies per dapil (`dapil_tallies`) of the party-list ballots DPR, DPRD_PROV and DPRD_KAB: party-only
 * votes, candidates and party totals of the TPS voting in one dapil, so a candidate's sum is always
 * one person's. Same arithmetic as the region tallies (`addStreamDelta`), keyed by the TPS's dapil
 * from the master data instead of its regions. DPD is one province-wide list: its region tallies
 * carry its candidates, it has no dapil tally.
 *
 * Changes are reported with the dapil code in `regionCodes` (dapil codes are never region codes), so
 * the live gateway's dapil rooms are pushed like region rooms.
 */
export const dapilTalliesProjection: ProjectionDefinition = {
  name: 'dapil-tallies',
  canHandle: isResultStreamEvent,
  tables: [DAPIL_TALLIES.name],
  async project({ results, position }, tx) {
    if (!results.some((r) => isPartyBallot(r.after.ballot))) return { writes: [] };
    const { deltas, changed } = projectDapilTallies(results, await loadDapilLookup(tx));
    const sums = await sumTallyDeltas(tx, deltas, DAPIL_TALLIES);
    return { writes: [tallySumsWrite(sums, position, DAPIL_TALLIES)], changed };
  },
  async check(tx: SqlExecutor): Promise<StoredProjection> {
    const stored = await readStoredTallies(tx, DAPIL_TALLIES);
    const dapils = await loadDapilLookup(tx);
    return { rows: stored.length, differences: (expected) => compareTallies(expectedDapilTallies(expected.values(), dapils), stored) };
  },
  startRebuild: (options) => tallyFold(DAPIL_TALLIES, addToDapils, (sums) => toDeltas(sums.values()), options),
};

/** The dapil tally deltas (`regionCode` = dapil code) and changed dapils of a batch's result transitions. */
export function projectDapilTallies(results: readonly ResultTransition[], dapils: DapilIndex | DapilLookup): TallyEffects {
  const sums = new Map<string, Sums>();
  const changed = addToDapils(sums, results, dapilLookupOf(dapils));
  return { deltas: toDeltas(sums.values()), changed };
}

/** Adds the party-list result transitions to their dapil's sums; returns the dapils whose views changed. */
function addToDapils(sums: Map<string, Sums>, results: readonly ResultTransition[], dapilsOf: DapilLookup): ChangedRegions[] {
  const changed = new Map<string, ChangedRegions>();
  for (const { before, after } of results) {
    if (!isPartyBallot(after.ballot) || !showsChange(before, after)) continue;
    const dapil = dapilsOf(after.electionId).dapilOf(after.ballot, after.tpsCode);
    if (dapil === undefined) continue;
    addStreamDelta(sumsOf(sums, after.electionId, dapil, after.ballot), before, after);
    const key = `${after.electionId}|${after.ballot}`;
    const entry = changed.get(key) ?? { electionId: after.electionId, ballot: after.ballot as Ballot, regionCodes: [] };
    if (!entry.regionCodes.includes(dapil)) entry.regionCodes.push(dapil);
    changed.set(key, entry);
  }
  return [...changed.values()];
}
