import { ConcurrencyError, type ExpectedVersion, type NewEvent } from './event-store.port';
import { chainEvent, type StreamHead } from './hash-chain';
import type { MessageToInsert } from './sql/insert-messages';
import type { NewStreamRow } from './sql/insert-streams';
import type { StreamVersionChange } from './sql/update-streams';

export interface AppendRequest {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedVersion;
}

export type AppendDecision =
  | { accepted: true; streamId: string; nextVersion: number }
  | { accepted: false; error: Error };

/** What one group of appends writes, decided in memory from the locked stream heads. */
export interface AppendPlan {
  /** One per request, in request order. */
  decisions: AppendDecision[];
  newStreams: NewStreamRow[];
  changedStreams: StreamVersionChange[];
  /** Accepted events in request order, each stream's positions ascending. */
  messages: MessageToInsert[];
}

/**
 * Decides each append in order against the streams' current heads. Appends to the same stream
 * apply one after another, so a later one sees the earlier one's events; a rejected append
 * changes nothing.
 */
export function planAppends(requests: AppendRequest[], heads: ReadonlyMap<string, StreamHead>): AppendPlan {
  const current = new Map<string, StreamHead | undefined>();
  const decisions: AppendDecision[] = [];
  const messages: MessageToInsert[] = [];
  for (const request of requests) {
    if (!current.has(request.streamId)) current.set(request.streamId, heads.get(request.streamId));
    const head = current.get(request.streamId);
    const rejection = checkExpected(request, head);
    if (rejection) {
      decisions.push({ accepted: false, error: rejection });
      continue;
    }
    const chained = chainRequest(request, head);
    if (chained instanceof Error) {
      decisions.push({ accepted: false, error: chained });
      continue;
    }
    messages.push(...chained.messages);
    current.set(request.streamId, chained.head);
    decisions.push({ accepted: true, streamId: request.streamId, nextVersion: chained.head.version });
  }
  return { decisions, messages, ...streamWrites(heads, current) };
}

/** `undefined` when the expectation holds for a stream at `head` (undefined = no stream). */
export function checkExpected(request: AppendRequest, head: StreamHead | undefined): ConcurrencyError | undefined {
  const { streamId, expected } = request;
  const actual = head?.version ?? null;
  const holds =
    expected === 'ANY' ||
    (expected === 'NO_STREAM' && head === undefined) ||
    (expected === 'STREAM_EXISTS' && head !== undefined) ||
    (typeof expected === 'number' && (head?.version ?? 0) === expected);
  return holds ? undefined : new ConcurrencyError(streamId, expected, actual);
}

function chainRequest(request: AppendRequest, head: StreamHead | undefined): { messages: MessageToInsert[]; head: StreamHead } | Error {
  let version = head?.version ?? 0;
  let lastHash = head?.lastHash ?? '';
  const messages: MessageToInsert[] = [];
  try {
    for (const event of request.events) {
      version += 1;
      const chained = chainEvent({ streamId: request.streamId, streamPosition: version, type: event.type, data: event.data, metadata: event.metadata }, lastHash);
      lastHash = chained.metadata.hash ?? '';
      messages.push({
        streamId: request.streamId,
        streamPosition: version,
        type: event.type,
        dataJson: JSON.stringify(event.data),
        metadataJson: JSON.stringify(chained.metadata),
      });
    }
  } catch (err) {
    return new Error(`stream ${request.streamId}: event cannot be stored as JSON: ${(err as Error).message}`);
  }
  return { messages, head: { version, lastHash } };
}

function streamWrites(before: ReadonlyMap<string, StreamHead>, after: Map<string, StreamHead | undefined>) {
  const newStreams: NewStreamRow[] = [];
  const changedStreams: StreamVersionChange[] = [];
  for (const [streamId, head] of after) {
    const old = before.get(streamId);
    if (!head || head.version === (old?.version ?? 0)) continue;
    if (old) changedStreams.push({ streamId, fromVersion: old.version, version: head.version, lastHash: head.lastHash });
    else newStreams.push({ streamId, version: head.version, lastHash: head.lastHash });
  }
  return { newStreams, changedStreams };
}
