import { RESULT_STREAM_PREFIX, type Ballot, type CHasilForm, type Flag, type ResultStatus } from '@suara/contracts';
import type { RecordedEvent } from '../eventstore/event-store.port';
import type { ResultKey } from '../tabulation/result.decider';
import type { ResultTransition } from './projection-definition';

/**
 * The projector's base read model, pure: the current state of every (election, TPS, ballot) result
 * stream (a row of `result_current`), evolved through every event of the stream. Known event types
 * set status, form and who/when; any other type (a newer event) moves only `version` and
 * `position`, so `version` always equals the stream's version.
 */

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

/** Whether the event belongs to a result stream (`resultStreamId`), whatever its type. */
export const isResultStreamEvent = (event: Pick<RecordedEvent, 'streamId'>): boolean => event.streamId.startsWith(RESULT_STREAM_PREFIX);

/**
 * The key of a result stream from its id, the inverse of `resultStreamId`
 * (`result-{electionId}-{tpsCode}-{ballot}`: election ids hold dashes, TPS codes and ballots do not).
 */
export function resultStreamKey(streamId: string): ResultKey {
  const ballotAt = streamId.lastIndexOf('-');
  const tpsAt = streamId.lastIndexOf('-', ballotAt - 1);
  if (!streamId.startsWith(RESULT_STREAM_PREFIX) || tpsAt < RESULT_STREAM_PREFIX.length) throw new Error(`not a result stream: ${streamId}`);
  return {
    electionId: streamId.slice(RESULT_STREAM_PREFIX.length, tpsAt),
    tpsCode: streamId.slice(tpsAt + 1, ballotAt),
    ballot: streamId.slice(ballotAt + 1) as Ballot,
  };
}

// Properties spelled out rather than spread from the key: V8 builds these objects several times
// faster, and this runs once per stream on election night.
const emptyResult = (key: ResultKey, position: string): CurrentResult => ({
  electionId: key.electionId,
  tpsCode: key.tpsCode,
  ballot: key.ballot,
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

interface ResultEventData {
  form?: CHasilForm;
  after?: CHasilForm;
  flags?: Flag[];
}

/** Applies one event of a result stream to its current state (mirrors the write side's statuses). */
export function evolveCurrent(current: CurrentResult | undefined, event: RecordedEvent): CurrentResult {
  const d = event.data as ResultEventData;
  const base = current ?? emptyResult(resultStreamKey(event.streamId), event.checkpoint);
  const next = { ...base, version: event.streamPosition, position: event.checkpoint };
  switch (event.type) {
    case 'ResultSubmitted':
      return {
        ...next,
        status: 'submitted',
        form: d.form ?? null,
        flags: d.flags ?? [],
        submittedBy: event.metadata.userId,
        submittedAt: event.metadata.at,
        verifiedBy: null,
        verifiedAt: null,
      };
    case 'ResultVerified':
      return { ...next, status: 'verified', verifiedBy: event.metadata.userId, verifiedAt: event.metadata.at };
    case 'ResultCorrected':
      // A correction needs a fresh verification (as in the result decider).
      return { ...next, status: 'corrected', form: d.after ?? null, flags: d.flags ?? [], verifiedBy: null, verifiedAt: null };
    default:
      return next;
  }
}

/**
 * Evolves the current results through a batch's result-stream events (log order). `previous` holds
 * the stored state of (at least) every stream whose first event here is not its first ever, keyed
 * by stream id; the answer has one transition per stream touched, in order of first appearance.
 */
export function evolveResults(events: readonly RecordedEvent[], previous: ReadonlyMap<string, CurrentResult>): ResultTransition[] {
  const transitions = new Map<string, ResultTransition>();
  for (const event of events) {
    if (!isResultStreamEvent(event)) continue;
    let transition = transitions.get(event.streamId);
    if (!transition) {
      const before = previous.get(event.streamId);
      transition = { before, after: evolveCurrent(before, event) };
      transitions.set(event.streamId, transition);
    } else {
      transition.after = evolveCurrent(transition.after, event);
    }
  }
  return [...transitions.values()];
}

/**
 * The streams whose stored state a batch needs: a stream whose first event in the batch is its
 * very first event (position 1) has none, and on election night that is most of them, so the batch
 * skips reading them back.
 */
export function streamsProjectedBefore(events: readonly RecordedEvent[]): ResultKey[] {
  const seen = new Set<string>();
  const keys: ResultKey[] = [];
  for (const e of events) {
    if (!isResultStreamEvent(e) || seen.has(e.streamId)) continue;
    seen.add(e.streamId);
    if (e.streamPosition !== 1) keys.push(resultStreamKey(e.streamId));
  }
  return keys;
}
