import { ancestorCodes, type Ballot, type CHasilForm, type Flag, type ResultStatus } from '@suara/contracts';
import type { RecordedEvent } from '../eventstore/event-store.port';
import { flagSeverity, flattenVotes } from '../tabulation/chasil.validation';

/**
 * The pure part of the projector: from a batch of recorded events and the current results they
 * touch, the new current results, the tally deltas per (election, region, ballot), the audit rows
 * and the regions that changed. No I/O; the SQL side only loads and stores what this returns.
 *
 * Deltas are computed per result stream over the whole batch: contribution(after) − contribution(before),
 * added to the TPS and to every ancestor. A correction therefore applies (new − old) everywhere.
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

/** What one result adds to each of its regions' tallies. */
export interface TallyContribution {
  votes: Record<string, number>;
  valid: number;
  invalid: number;
  tpsReported: number;
  tpsVerified: number;
}

/** A change to one row of `region_tallies`. */
export interface TallyDelta extends TallyContribution {
  electionId: string;
  regionCode: string;
  ballot: Ballot;
}

/** One row of `result_audit`. */
export interface AuditRow {
  electionId: string;
  tpsCode: string;
  ballot: Ballot;
  version: number;
  type: string;
  at: string;
  userId: string;
  role: string;
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

const ZERO: TallyContribution = { votes: {}, valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 0 };

/** What a result counts for in every tally that contains its TPS. */
export function contributionOf(result: CurrentResult | undefined): TallyContribution {
  if (!result || result.status === 'empty' || !result.form) return ZERO;
  return {
    votes: flattenVotes(result.ballot, result.form),
    valid: result.form.valid,
    invalid: result.form.invalid,
    tpsReported: 1,
    tpsVerified: result.status === 'verified' ? 1 : 0,
  };
}

/** after − before, key by key (keys of either side kept, so options with 0 votes still show). */
export function subtractContribution(after: TallyContribution, before: TallyContribution): TallyContribution {
  const votes: Record<string, number> = {};
  for (const [k, n] of Object.entries(after.votes)) votes[k] = n;
  for (const [k, n] of Object.entries(before.votes)) votes[k] = (votes[k] ?? 0) - n;
  return {
    votes,
    valid: after.valid - before.valid,
    invalid: after.invalid - before.invalid,
    tpsReported: after.tpsReported - before.tpsReported,
    tpsVerified: after.tpsVerified - before.tpsVerified,
  };
}

export function isZeroContribution(c: TallyContribution): boolean {
  return c.valid === 0 && c.invalid === 0 && c.tpsReported === 0 && c.tpsVerified === 0 && Object.values(c.votes).every((n) => n === 0);
}

function addInto(target: TallyContribution, delta: TallyContribution): void {
  for (const [k, n] of Object.entries(delta.votes)) target.votes[k] = (target.votes[k] ?? 0) + n;
  target.valid += delta.valid;
  target.invalid += delta.invalid;
  target.tpsReported += delta.tpsReported;
  target.tpsVerified += delta.tpsVerified;
}

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
  const deltas = new Map<string, TallyDelta>();
  const changed = new Map<string, { electionId: string; ballot: Ballot; codes: Set<string> }>();
  for (const [key, result] of after) {
    const delta = subtractContribution(contributionOf(result), contributionOf(before.get(key)));
    markChanged(changed, result);
    if (isZeroContribution(delta)) continue;
    for (const regionCode of [result.tpsCode, ...ancestorCodes(result.tpsCode)]) {
      const rowKey = `${result.electionId}|${regionCode}|${result.ballot}`;
      let row = deltas.get(rowKey);
      if (!row) {
        row = { electionId: result.electionId, regionCode, ballot: result.ballot, votes: {}, valid: 0, invalid: 0, tpsReported: 0, tpsVerified: 0 };
        deltas.set(rowKey, row);
      }
      addInto(row, delta);
    }
  }
  return {
    results: [...after.values()],
    deltas: [...deltas.values()],
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

function auditRow(result: CurrentResult, event: RecordedEvent): AuditRow {
  const { electionId: _e, tpsCode: _t, ballot: _b, ...data } = event.data as Record<string, unknown>;
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
