import { ancestorCodes, flattenVotes, isPartyBallot, resultStreamId, ResultEvent, type Ballot, type CHasilForm } from '@suara/contracts';
import { DapilIndex, dapilLookupOf, type DapilLookup } from '../election/dapil-index';
import type { RecordedEvent } from '../eventstore/event-store.port';
import { evolve, initialState, toStoredResultEvent } from '../tabulation/result.decider';
import { isResultStreamEvent, resultStreamKey } from './current-result';
import { byDapilKey, isCandidateKey, isPartyTotalKey } from './dapil-keys';
import type { ProjectionDifference, RecomputedResult } from './projection-definition';

/**
 * The independent recomputation behind `checkTallies`: every result stream is folded with the write
 * side's own decider (`evolve`), and every tally is summed from scratch from the final states. It
 * shares nothing with the incremental projector (which walks forms with its own `addFormVotes`), so
 * a bug in the deltas, the roll-up or the vote keys shows up here.
 */

/** The event types the write side's decider folds (the contracts' union); any other only counts for the version. */
const DECIDED_TYPES: ReadonlySet<string> = new Set(ResultEvent.options.map((o) => o.shape.type.value));

/** Expected numbers of one `region_tallies` row. */
export interface TallyNumbers {
  votes: Record<string, number>;
  valid: number;
  invalid: number;
  tpsReported: number;
  tpsVerified: number;
}

export interface TallyRow extends TallyNumbers {
  electionId: string;
  regionCode: string;
  ballot: string;
}

/** A stored current result, as the check reads it. */
export interface StoredResult {
  electionId: string;
  tpsCode: string;
  ballot: string;
  status: string;
  version: number;
  form: CHasilForm | null;
}

/** Folds the events of every result stream one batch at a time (so a check does not hold the whole log). */
export class ResultRecomputation {
  private readonly streams = new Map<string, RecomputedResult>();

  add(events: readonly RecordedEvent[]): void {
    for (const recorded of events) {
      if (!isResultStreamEvent(recorded)) continue;
      let stream = this.streams.get(recorded.streamId);
      if (!stream) {
        const { electionId, tpsCode, ballot } = resultStreamKey(recorded.streamId);
        stream = { electionId, tpsCode, ballot, state: initialState() };
        this.streams.set(recorded.streamId, stream);
      }
      const { state } = stream;
      stream.state = DECIDED_TYPES.has(recorded.type) ? evolve(state, toStoredResultEvent(recorded)) : { ...state, version: state.version + 1 };
    }
  }

  /** The final state of every result stream, keyed by stream id. */
  results(): ReadonlyMap<string, RecomputedResult> {
    return this.streams;
  }
}

/**
 * Every non-empty tally row of desa and above the final states imply, keyed `election|region|ballot`.
 * A region above several dapils of a party-list ballot holds party totals, also per dapil, and no
 * candidate sums.
 */
export function expectedTallies(streams: Iterable<RecomputedResult>, dapilsByElection: DapilIndex | DapilLookup = new DapilIndex([])): Map<string, TallyRow> {
  const dapilsOf = dapilLookupOf(dapilsByElection);
  const rows = new Map<string, TallyRow>();
  for (const { electionId, tpsCode, ballot, state } of streams) {
    if (!state.form) continue;
    const dapils = dapilsOf(electionId);
    const votes = flattenVotes(ballot, state.form);
    const dapil = isPartyBallot(ballot) ? dapils.dapilOf(ballot, tpsCode) : undefined;
    for (const regionCode of ancestorCodes(tpsCode)) {
      const row = rowOf(rows, electionId, regionCode, ballot);
      const aboveDapils = isPartyBallot(ballot) && dapils.spans(ballot, regionCode);
      for (const [option, n] of Object.entries(votes)) {
        if (aboveDapils && isCandidateKey(option)) continue;
        row.votes[option] = (row.votes[option] ?? 0) + n;
        if (aboveDapils && dapil !== undefined && isPartyTotalKey(option)) {
          const key = byDapilKey(option, dapil);
          row.votes[key] = (row.votes[key] ?? 0) + n;
        }
      }
      addCounts(row, state.form, state.status);
    }
  }
  return rows;
}

/** Every non-empty row of `dapil_tallies` the final states imply (`regionCode` = dapil code). */
export function expectedDapilTallies(streams: Iterable<RecomputedResult>, dapils: DapilIndex | DapilLookup): Map<string, TallyRow> {
  const dapilsOf = dapilLookupOf(dapils);
  const rows = new Map<string, TallyRow>();
  for (const { electionId, tpsCode, ballot, state } of streams) {
    if (!state.form || !isPartyBallot(ballot)) continue;
    const dapil = dapilsOf(electionId).dapilOf(ballot, tpsCode);
    if (dapil === undefined) continue;
    const row = rowOf(rows, electionId, dapil, ballot);
    for (const [option, n] of Object.entries(flattenVotes(ballot, state.form))) row.votes[option] = (row.votes[option] ?? 0) + n;
    addCounts(row, state.form, state.status);
  }
  return rows;
}

function addCounts(row: TallyRow, form: CHasilForm, status: string): void {
  row.valid += form.valid;
  row.invalid += form.invalid;
  row.tpsReported += 1;
  if (status === 'verified') row.tpsVerified += 1;
}

function rowOf(rows: Map<string, TallyRow>, electionId: string, regionCode: string, ballot: Ballot): TallyRow {
  const key = tallyRowKey(electionId, regionCode, ballot);
  let row = rows.get(key);
  if (!row) {
    row = { electionId, regionCode, ballot, votes: {}, valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 0 };
    rows.set(key, row);
  }
  return row;
}

export const tallyRowKey = (electionId: string, regionCode: string, ballot: string): string => `${electionId}|${regionCode}|${ballot}`;

const ZERO_ROW: TallyNumbers = { votes: {}, valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 0 };

/**
 * Compares expected and stored rows field by field. A missing row equals an all-zero row, and an
 * option missing from `votes` counts as 0.
 */
export function compareTallies(expected: ReadonlyMap<string, TallyRow>, stored: readonly TallyRow[]): ProjectionDifference[] {
  const actual = new Map(stored.map((r) => [tallyRowKey(r.electionId, r.regionCode, r.ballot), r]));
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  const differences: ProjectionDifference[] = [];
  for (const key of [...keys].sort()) {
    const exp = expected.get(key);
    const act = actual.get(key);
    const id = (exp ?? act) as TallyRow;
    const at = { electionId: id.electionId, regionCode: id.regionCode, ballot: id.ballot };
    for (const d of diffNumbers(exp ?? ZERO_ROW, act ?? ZERO_ROW)) differences.push({ ...at, ...d });
  }
  return differences;
}

function diffNumbers(exp: TallyNumbers, act: TallyNumbers): Array<{ field: string; expected: number; actual: number }> {
  const out: Array<{ field: string; expected: number; actual: number }> = [];
  for (const field of ['valid', 'invalid', 'tpsReported', 'tpsVerified'] as const) {
    if (exp[field] !== act[field]) out.push({ field, expected: exp[field], actual: act[field] });
  }
  for (const option of new Set([...Object.keys(exp.votes), ...Object.keys(act.votes)])) {
    const e = exp.votes[option] ?? 0;
    const a = act.votes[option] ?? 0;
    if (e !== a) out.push({ field: `votes.${option}`, expected: e, actual: a });
  }
  return out;
}

/** Compares the stored current result of every stream with the fold of its events. */
export function compareResults(expected: ReadonlyMap<string, RecomputedResult>, stored: readonly StoredResult[]): ProjectionDifference[] {
  const actual = new Map(stored.map((r) => [resultStreamId(r.electionId, r.tpsCode, r.ballot as Ballot), r]));
  const differences: ProjectionDifference[] = [];
  for (const streamId of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const exp = expected.get(streamId)?.state;
    const act = actual.get(streamId);
    const { electionId, tpsCode: regionCode, ballot } = resultStreamKey(streamId);
    const at = { electionId, regionCode, ballot };
    const expStatus = exp?.status ?? 'empty';
    const actStatus = act?.status ?? 'empty';
    if (expStatus !== actStatus) differences.push({ ...at, field: 'status', expected: expStatus, actual: actStatus });
    if ((exp?.version ?? 0) !== (act?.version ?? 0)) differences.push({ ...at, field: 'version', expected: exp?.version ?? 0, actual: act?.version ?? 0 });
    const numbers = (form: CHasilForm | null | undefined): TallyNumbers =>
      form ? { votes: flattenVotes(ballot, form), valid: form.valid, invalid: form.invalid, tpsReported: 0, tpsVerified: 0 } : ZERO_ROW;
    for (const d of diffNumbers(numbers(exp?.form), numbers(act?.form))) differences.push({ ...at, ...d });
  }
  return differences;
}
