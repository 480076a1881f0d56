import type { HistoryEntry } from '@suara/contracts';
import type { RecordedEvent } from '../eventstore/event-store.port';

/** The audit trail of one result stream, oldest first: who, when, and for a correction before and after. */
export function toHistory(events: RecordedEvent[]): HistoryEntry[] {
  return events.map((e) => ({
    type: e.type,
    version: e.streamPosition,
    at: e.metadata.at,
    by: { userId: e.metadata.userId, username: e.metadata.username, role: e.metadata.role },
    data: withoutKey(e.data),
    hash: e.metadata.hash,
  }));
}

/** The stream already says which election, TPS and ballot; keep the entry to what happened. */
function withoutKey(data: Record<string, unknown>): Record<string, unknown> {
  const { electionId: _e, tpsCode: _t, ballot: _b, ...rest } = data;
  return rest;
}
