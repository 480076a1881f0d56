/**
 * Pure translation between our EventStore port and KurrentDB/EventStoreDB (`@eventstore/db-client`).
 * Kept free of I/O so every rule is unit-tested here, where no KurrentDB server can run.
 *
 * Versions: ours are counts (0 = empty stream, n = n events; `streamPosition` is 1-based), KurrentDB
 * revisions are 0-based event numbers, so revision = version − 1 and "no revision" = NO_STREAM.
 *
 * Checkpoints: `"<commit>:<prepare>"` of the event's position in `$all`, both decimal, so the
 * contracts' `comparePositions` orders them exactly as the transaction log does (commit first, then
 * prepare). "0" (or "") is the beginning. No event can sit at commit 0: the log opens with an epoch
 * record, so "0" never collides with a real position. Every event written through gRPC commits
 * itself, and EventStoreDB 23.10+ / KurrentDB report it at (its log position, its log position)
 * from stream reads, `$all` reads and the append result alike (older servers gave stream reads the
 * transaction's first position as `prepare`), so one event always has one checkpoint.
 */
import {
  ANY,
  ErrorType,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type JSONEventData,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { comparePositions, RESULT_STREAM_PREFIX, type EventMetadata } from '@suara/contracts';
import { randomUUID } from 'node:crypto';
import { START_CHECKPOINT } from './checkpoint';
import { ConcurrencyError, type ExpectedVersion, type NewEvent, type RecordedEvent } from './event-store.port';
import { chainEvent, type StreamHead } from './hash-chain';

export { START_CHECKPOINT };

/** Streams suara writes; `$all` reads and subscriptions see only these. */
export const DEFAULT_STREAM_PREFIXES: readonly string[] = [RESULT_STREAM_PREFIX];

// ---------------------------------------------------------------- expected versions

function assertVersion(version: number, what: string): void {
  if (!Number.isSafeInteger(version) || version < 0) throw new RangeError(`${what}: version must be a non-negative integer, got ${version}`);
}

/** Our expected version → the revision the server checks. */
export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  switch (expected) {
    case 'NO_STREAM':
      return NO_STREAM;
    case 'STREAM_EXISTS':
      return STREAM_EXISTS;
    case 'ANY':
      return ANY;
    default:
      assertVersion(expected, 'expected version');
      return expected === 0 ? NO_STREAM : BigInt(expected - 1);
  }
}

/** A stream's current revision (as the server reports it) → our version; a missing stream has version 0. */
export function versionOfRevision(revision: CurrentRevision): number {
  if (revision === NO_STREAM) return 0;
  if (revision < 0n) throw new RangeError(`revision must be non-negative, got ${revision}`);
  return Number(revision) + 1;
}

// ---------------------------------------------------------------- errors

function errorType(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
}

export function isWrongExpectedVersion(err: unknown): err is { actualVersion: CurrentRevision } {
  return errorType(err) === ErrorType.WRONG_EXPECTED_VERSION;
}

export function isStreamNotFound(err: unknown): boolean {
  return errorType(err) === ErrorType.STREAM_NOT_FOUND;
}

/** The actual version a stream has, in our terms, from the client's wrong-expected-version error. */
export function actualVersionOf(err: { actualVersion: CurrentRevision }): number | null {
  return err.actualVersion === NO_STREAM ? null : versionOfRevision(err.actualVersion);
}

/** WrongExpectedVersionError → our ConcurrencyError; anything else is returned unchanged. */
export function translateAppendError(err: unknown, streamId: string, expected: ExpectedVersion): unknown {
  if (!isWrongExpectedVersion(err)) return err;
  return new ConcurrencyError(streamId, expected, actualVersionOf(err));
}

// ---------------------------------------------------------------- positions

export function encodePosition(position: Position): string {
  if (position.commit < 0n || position.prepare < 0n) throw new RangeError(`invalid position ${position.commit}:${position.prepare}`);
  return `${position.commit}:${position.prepare}`;
}

const CHECKPOINT = /^(\d+):(\d+)$/;

/** Our checkpoint → where to start a `$all` read or subscription. */
export function decodeCheckpoint(checkpoint: string): Position | typeof START {
  if (checkpoint === '' || checkpoint === START_CHECKPOINT) return START;
  const m = CHECKPOINT.exec(checkpoint);
  if (!m) throw new RangeError(`not a KurrentDB checkpoint: "${checkpoint}" (expected "<commit>:<prepare>")`);
  return { commit: BigInt(m[1]!), prepare: BigInt(m[2]!) };
}

/**
 * True when `position` lies strictly after `checkpoint`. A `$all` read from a position includes the
 * event at that position, so readers drop what this rejects.
 */
export function isAfterCheckpoint(position: Position, checkpoint: string): boolean {
  return comparePositions(encodePosition(position), checkpoint || START_CHECKPOINT) > 0;
}

// ---------------------------------------------------------------- events

export function matchesPrefixes(streamId: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => streamId.startsWith(p));
}

export interface StampedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  /** Complete metadata including the hash chain link. */
  metadata: EventMetadata;
}

/**
 * Gives each new event its id, its stream position (after `head`; undefined = no stream) and its
 * hash-chain link, exactly as the SQL store does, so one verifier checks both stores.
 */
export function stampEvents(streamId: string, events: NewEvent[], head: StreamHead | undefined, newId: () => string = randomUUID): StampedEvent[] {
  let version = head?.version ?? 0;
  let prevHash = head?.lastHash ?? '';
  return events.map((event) => {
    version += 1;
    const chained = chainEvent({ streamId, streamPosition: version, type: event.type, data: event.data, metadata: event.metadata }, prevHash);
    prevHash = chained.metadata.hash ?? '';
    return { id: newId(), type: chained.type, data: chained.data, metadata: chained.metadata };
  });
}

/** One of our events, hash already stamped, → the client's JSON event. */
export function toEventData(event: StampedEvent): JSONEventData {
  return { id: event.id, contentType: 'application/json', type: event.type, data: event.data, metadata: event.metadata };
}

type AnyResolved = ResolvedEvent | AllStreamResolvedEvent;

/**
 * A resolved event from a stream or `$all` read → our RecordedEvent; null for what is not one of our
 * JSON events (unresolved links, binary or system events).
 */
export function toRecordedEvent(resolved: AnyResolved): RecordedEvent | null {
  const e = resolved.event;
  if (!e || !e.isJson || e.type.startsWith('$')) return null;
  if (!e.position) throw new Error(`event ${e.streamId}@${e.revision} has no $all position (server older than 22.6?)`);
  if (!isRecord(e.data)) throw new Error(`event ${e.streamId}@${e.revision}: data is not a JSON object`);
  if (!isRecord(e.metadata)) throw new Error(`event ${e.streamId}@${e.revision}: metadata is not a JSON object`);
  return {
    streamId: e.streamId,
    streamPosition: versionOfRevision(e.revision),
    checkpoint: encodePosition(e.position),
    type: e.type,
    data: e.data,
    metadata: e.metadata as EventMetadata,
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}

/**
 * `$all` events → our events after `checkpoint` in our streams; `checkpoint` advances to the last
 * one kept (and stays put when none is), so callers never skip nor repeat.
 */
export function selectAfter(
  resolved: Iterable<AnyResolved>,
  checkpoint: string,
  prefixes: readonly string[],
): { events: RecordedEvent[]; checkpoint: string } {
  const events: RecordedEvent[] = [];
  let last = checkpoint;
  for (const r of resolved) {
    const e = r.event;
    if (!e?.position || !matchesPrefixes(e.streamId, prefixes) || !isAfterCheckpoint(e.position, last)) continue;
    const recorded = toRecordedEvent(r);
    if (!recorded) continue;
    events.push(recorded);
    last = recorded.checkpoint;
  }
  return { events, checkpoint: last };
}

// ---------------------------------------------------------------- resubscription

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000 };

/** Delay before resubscription attempt `attempt` (1-based): doubles from `initialMs`, capped at `maxMs`. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  if (attempt < 1) return 0;
  return Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt - 1, 30));
}

// ---------------------------------------------------------------- connection string

const SCHEMES: Record<string, string> = {
  esdb: 'esdb',
  'esdb+discover': 'esdb+discover',
  kurrentdb: 'esdb',
  'kurrentdb+discover': 'esdb+discover',
  kurrent: 'esdb',
  'kurrent+discover': 'esdb+discover',
};

/**
 * EVENTSTORE_URL → what `@eventstore/db-client` parses. KurrentDB's own clients name the scheme
 * `kurrentdb://` (or `kurrent://`); the wire protocol is the same, so only the scheme is rewritten.
 */
export function toClientConnectionString(url: string): string {
  const m = /^([a-z+]+):\/\//i.exec(url.trim());
  const scheme = m ? SCHEMES[m[1]!.toLowerCase()] : undefined;
  if (!m || !scheme) throw new Error(`EVENTSTORE_URL must start with esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://`);
  return `${scheme}://${url.trim().slice(m[0].length)}`;
}
