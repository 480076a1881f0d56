import { createHash } from 'node:crypto';
import type { EventMetadata } from '@suara/contracts';
import type { RecordedEvent } from './event-store.port';

/**
 * JSON with every object's keys sorted, recursively, so equal values always hash alike whatever
 * order their keys were built or stored in (jsonb reorders keys). Otherwise like JSON.stringify:
 * undefined members are dropped, non-finite numbers become null.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return sortKeys((value as { toJSON(): unknown }).toJSON());
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** What an event's hash covers: its place in its stream, its content and its link to the previous event. */
export interface ChainedEvent {
  streamId: string;
  streamPosition: number;
  type: string;
  data: Record<string, unknown>;
  /** The event's metadata including `prevHash`; a `hash` member is ignored. */
  metadata: Omit<EventMetadata, 'hash'> & { hash?: string };
}

/** sha256 (hex) over the canonical JSON of {prevHash, streamId, streamPosition, type, data, metadata without hash}. */
export function eventHash(event: ChainedEvent): string {
  const { hash: _ignored, ...metadata } = event.metadata;
  const covered = {
    prevHash: metadata.prevHash ?? '',
    streamId: event.streamId,
    streamPosition: event.streamPosition,
    type: event.type,
    data: event.data,
    metadata,
  };
  return createHash('sha256').update(canonicalJson(covered)).digest('hex');
}

/** Adds `prevHash` and `hash` to an event about to be appended after `prevHash` ("" for a stream's first event). */
export function chainEvent<E extends Omit<ChainedEvent, 'metadata'> & { metadata: Omit<EventMetadata, 'prevHash' | 'hash'> }>(
  event: E,
  prevHash: string,
): E & { metadata: EventMetadata } {
  const metadata = { ...event.metadata, prevHash };
  const hash = eventHash({ ...event, metadata });
  return { ...event, metadata: { ...metadata, hash } };
}

export type ChainProblemKind =
  /** The event's content no longer matches its own hash. */
  | 'altered'
  /** `prevHash` does not match the previous event's hash. */
  | 'broken-link'
  /** Positions are not 1, 2, 3…: an event was deleted, inserted or moved. */
  | 'position'
  /** The stream's recorded head (version / last hash) does not match its last event. */
  | 'head';

export interface ChainProblem {
  streamId: string;
  streamPosition: number;
  problem: ChainProblemKind;
  detail: string;
}

export interface ChainReport {
  ok: boolean;
  problems: ChainProblem[];
}

/** The stream's recorded head, e.g. from the streams table, to detect events deleted from the end. */
export interface StreamHead {
  version: number;
  lastHash: string;
}

/**
 * Checks the hash chain of every stream in `events` (each stream's events oldest first, as
 * `read` returns them; several streams may be mixed). Given the streams' recorded heads, it also
 * detects events removed from a stream's end.
 */
export function verifyStreamChain(events: RecordedEvent[], heads?: ReadonlyMap<string, StreamHead>): ChainReport {
  const problems: ChainProblem[] = [];
  const streams = groupByStream(events);
  for (const [streamId, streamEvents] of streams) {
    problems.push(...verifyOneStream(streamId, streamEvents, heads?.get(streamId)));
  }
  for (const [streamId, head] of heads ?? []) {
    if (head.version > 0 && !streams.has(streamId)) {
      problems.push({ streamId, streamPosition: 1, problem: 'head', detail: `stream has version ${head.version} but no events` });
    }
  }
  return { ok: problems.length === 0, problems };
}

function groupByStream(events: RecordedEvent[]): Map<string, RecordedEvent[]> {
  const streams = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const list = streams.get(event.streamId) ?? [];
    list.push(event);
    streams.set(event.streamId, list);
  }
  return streams;
}

function verifyOneStream(streamId: string, events: RecordedEvent[], head: StreamHead | undefined): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const problem = (streamPosition: number, kind: ChainProblemKind, detail: string) =>
    problems.push({ streamId, streamPosition, problem: kind, detail });
  let prevHash = '';
  events.forEach((event, index) => {
    const expectedPosition = index + 1;
    if (event.streamPosition !== expectedPosition) {
      problem(event.streamPosition, 'position', `expected position ${expectedPosition}, found ${event.streamPosition}`);
    }
    if ((event.metadata.prevHash ?? '') !== prevHash) {
      problem(event.streamPosition, 'broken-link', `prevHash ${event.metadata.prevHash ?? '(none)'} does not match previous hash ${prevHash || '""'}`);
    }
    if (event.metadata.hash !== eventHash(event)) {
      problem(event.streamPosition, 'altered', `content does not match its hash ${event.metadata.hash ?? '(none)'}`);
    }
    prevHash = event.metadata.hash ?? '';
  });
  if (head && (head.version !== events.length || head.lastHash !== prevHash)) {
    problem(events.length, 'head', `stream head is version ${head.version} / ${head.lastHash}, events end at ${events.length} / ${prevHash}`);
  }
  return problems;
}
