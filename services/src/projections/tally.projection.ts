import { ancestorCodes, isPartyBallot, type Ballot, type CHasilForm, type FlatForm, type Flag, type PartyForm, type ResultStatus } from '@suara/contracts';
import type { RecordedEvent } from '../eventstore/event-store.port';
import { flagSeverity } from '../tabulation/chasil.validation';

/**
 * The pure part of the projector: from a batch of recorded events and the current results they
 * touch, the new current results, the tally deltas per (election, region, ballot), the audit rows
 * and the regions that changed. No I/O; the SQL side only loads and stores what this returns.
 *
 * Deltas are computed per result stream over the whole batch: contribution(after) − contribution(before).
 * A correction therefore applies (new − old) to the TPS (its current result holds the new form) and
 * to every ancestor. TPS numbers live in `result_current` only; `region_tallies` holds desa and
 * above, summed desa first and then rolled up, so a batch touches each vote map a few times only.
 */

export const RESULT_EVENT_TYPES = new Set(['ResultSubmitted', 'ResultVerified', 'ResultCorrected']);

/** The projected state of one (election, TPS, ballot) result stream: a row of `result_current`. */
export interface CurrentResult {
  electionId: string;
  tpsCode: string;
  ballot: Ballot;
  status: ResultStatus;
  form: CHasilForm | null;
  flags: Flag[];
  /** Stream version: number of events applied. */
  version: number;
  submittedBy: string | null;
  submittedAt: string | null;
  verifiedBy: string | null;
  verifiedAt: string | null;
  /** Checkpoint of the last event applied. */
  position: string;
}

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

/** One row of `result_audit`: who did what to which result, when (the forms stay in the event log). */
export interface AuditRow {
  electionId: string;
  tpsCode: string;
  ballot: Ballot;
  version: number;
  type: string;
  at: string;
  userId: string;
  role: string;
  /** A correction's reason and operator confirmation; a submission's client request id. */
  data: Record<string, unknown>;
  hash: string | null;
  position: string;
}

/** The regions of one (election, ballot) whose numbers or TPS statuses changed. */
export interface ChangedRegions {
  electionId: string;
  ballot: Ballot;
  /** Desa and above (a TPS changes exactly when its desa's children do). */
  regionCodes: string[];
}

export interface BatchEffects {
  /** New state of every result stream the batch touched. */
  results: CurrentResult[];
  /** Non-zero tally changes. */
  deltas: TallyDelta[];
  audit: AuditRow[];
  changed: ChangedRegions[];
}

export const resultKey = (electionId: string, tpsCode: string, ballot: string): string => `${electionId}|${tpsCode}|${ballot}`;

/** Whether a recorded event belongs to a result stream this projection reads. */
export function isResultEvent(event: Pick<RecordedEvent, 'type'>): boolean {
  return RESULT_EVENT_TYPES.has(event.type);
}

interface ResultEventData {
  electionId: string;
  tpsCode: string;
  ballot: Ballot;
  form?: CHasilForm;
  after?: CHasilForm;
  flags?: Flag[];
}

/** The (election, TPS, ballot) key of a result event. */
export function keyOfEvent(event: RecordedEvent): string {
  const d = event.data as unknown as ResultEventData;
  return resultKey(d.electionId, d.tpsCode, d.ballot);
}

const emptyResult = (d: ResultEventData, position: string): CurrentResult => ({
  electionId: d.electionId,
  tpsCode: d.tpsCode,
  ballot: d.ballot,
  status: 'empty',
  form: null,
  flags: [],
  version: 0,
  submittedBy: null,
  submittedAt: null,
  verifiedBy: null,
  verifiedAt: null,
  position,
});

/** Applies one result event to the stream's current state (mirrors the write side's statuses). */
export function evolveCurrent(current: CurrentResult | undefined, event: RecordedEvent): CurrentResult {
  const d = event.data as unknown as ResultEventData;
  const base = current ?? emptyResult(d, event.checkpoint);
  const common = { version: event.streamPosition, position: event.checkpoint };
  switch (event.type) {
    case 'ResultSubmitted':
      return {
        ...base,
        ...common,
        status: 'submitted',
        form: d.form ?? null,
        flags: d.flags ?? [],
        submittedBy: event.metadata.userId,
        submittedAt: event.metadata.at,
        verifiedBy: null,
        verifiedAt: null,
      };
    case 'ResultVerified':
      return { ...base, ...common, status: 'verified', verifiedBy: event.metadata.userId, verifiedAt: event.metadata.at };
    case 'ResultCorrected':
      // A correction needs a fresh verification (as in the result decider).
      return { ...base, ...common, status: 'corrected', form: d.after ?? null, flags: d.flags ?? [], verifiedBy: null, verifiedAt: null };
    default:
      return base;
  }
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

interface Sums {
  electionId: string;
  regionCode: string;
  ballot: Ballot;
  votes: Map<string, number>;
  valid: number;
  invalid: number;
  tpsReported: number;
  tpsVerified: number;
}

function sumsOf(map: Map<string, Sums>, electionId: string, regionCode: string, ballot: Ballot): Sums {
  const key = `${electionId}|${regionCode}|${ballot}`;
  let sums = map.get(key);
  if (!sums) {
    sums = { electionId, regionCode, ballot, votes: new Map(), valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 0 };
    map.set(key, sums);
  }
  return sums;
}

/** Adds what a result stream's change (before → after) does to its desa's numbers. */
function addStreamDelta(desa: Sums, before: CurrentResult | undefined, after: CurrentResult): void {
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

const isZero = (s: Sums): boolean =>
  s.valid === 0 && s.invalid === 0 && s.tpsReported === 0 && s.tpsVerified === 0 && [...s.votes.values()].every((n) => n === 0);

/**
 * Projects a batch. `previous` holds the stored current result of (at least) every stream the batch
 * touches; a missing key means the stream had not been projected yet.
 */
export function projectBatch(events: readonly RecordedEvent[], previous: ReadonlyMap<string, CurrentResult>): BatchEffects {
  const before = new Map<string, CurrentResult | undefined>();
  const after = new Map<string, CurrentResult>();
  const audit: AuditRow[] = [];
  for (const event of events) {
    if (!isResultEvent(event)) continue;
    const key = keyOfEvent(event);
    if (!before.has(key)) before.set(key, previous.get(key));
    const next = evolveCurrent(after.get(key) ?? previous.get(key), event);
    after.set(key, next);
    audit.push(auditRow(next, event));
  }
  const desas = new Map<string, Sums>();
  const changed = new Map<string, { electionId: string; ballot: Ballot; codes: Set<string> }>();
  for (const [key, result] of after) {
    markChanged(changed, result);
    addStreamDelta(sumsOf(desas, result.electionId, result.tpsCode.slice(0, 10), result.ballot), before.get(key), result);
  }
  // Roll desa sums up to kecamatan, kabupaten and provinsi.
  const all = new Map(desas);
  for (const desa of desas.values()) {
    for (const code of ancestorCodes(desa.regionCode)) addSums(sumsOf(all, desa.electionId, code, desa.ballot), desa);
  }
  const deltas: TallyDelta[] = [];
  for (const s of all.values()) {
    if (isZero(s)) continue;
    deltas.push({ electionId: s.electionId, regionCode: s.regionCode, ballot: s.ballot, votes: Object.fromEntries(s.votes), valid: s.valid, invalid: s.invalid, tpsReported: s.tpsReported, tpsVerified: s.tpsVerified });
  }
  return {
    results: [...after.values()],
    deltas,
    audit,
    changed: [...changed.values()].map(({ electionId, ballot, codes }) => ({ electionId, ballot, regionCodes: [...codes].sort() })),
  };
}

function markChanged(changed: Map<string, { electionId: string; ballot: Ballot; codes: Set<string> }>, result: CurrentResult): void {
  const key = `${result.electionId}|${result.ballot}`;
  let entry = changed.get(key);
  if (!entry) {
    entry = { electionId: result.electionId, ballot: result.ballot, codes: new Set() };
    changed.set(key, entry);
  }
  for (const code of ancestorCodes(result.tpsCode)) entry.codes.add(code);
}

function auditData(event: RecordedEvent): Record<string, unknown> {
  const d = event.data as { clientRequestId?: string; reason?: string; operatorConfirmation?: string };
  if (event.type === 'ResultSubmitted') return { clientRequestId: d.clientRequestId };
  if (event.type === 'ResultCorrected') return { reason: d.reason, operatorConfirmation: d.operatorConfirmation };
  return {};
}

function auditRow(result: CurrentResult, event: RecordedEvent): AuditRow {
  const data = auditData(event);
  return {
    electionId: result.electionId,
    tpsCode: result.tpsCode,
    ballot: result.ballot,
    version: event.streamPosition,
    type: event.type,
    at: event.metadata.at,
    userId: event.metadata.userId,
    role: event.metadata.role,
    data,
    hash: event.metadata.hash ?? null,
    position: event.checkpoint,
  };
}

/** Sort key of the flagged list: the worst flag dominates. */
export function severityOf(flags: readonly Flag[]): number {
  return flagSeverity(flags);
}
