import type { Ballot, CHasilForm, Flag } from '@suara/contracts';
import type { NewEvent, RecordedEvent } from '../../eventstore/event-store.port';
import { desaOf } from '@suara/contracts';

/** Builders of result events for the read side's specs. */

export const flatForm = (votes: Record<string, number>, invalid = 0): CHasilForm => ({
  votes,
  valid: Object.values(votes).reduce((a, b) => a + b, 0),
  invalid,
});

const meta = (electionId: string, userId: string, role: 'operator' | 'verifier' = 'operator') => ({
  userId,
  role,
  at: '2024-02-14T10:00:00.000Z',
  requestId: `req-${userId}`,
  electionId,
});

export function submitted(electionId: string, tpsCode: string, ballot: Ballot, form: CHasilForm, flags: Flag[] = []): NewEvent {
  return {
    type: 'ResultSubmitted',
    data: { electionId, tpsCode, ballot, clientRequestId: `c-${tpsCode}-${ballot}`, form, flags },
    metadata: meta(electionId, `op-${desaOf(tpsCode)}`),
  };
}

export function verified(electionId: string, tpsCode: string, ballot: Ballot): NewEvent {
  return { type: 'ResultVerified', data: { electionId, tpsCode, ballot }, metadata: meta(electionId, 'verifier-1', 'verifier') };
}

export function corrected(electionId: string, tpsCode: string, ballot: Ballot, before: CHasilForm, after: CHasilForm, flags: Flag[] = []): NewEvent {
  return {
    type: 'ResultCorrected',
    data: { electionId, tpsCode, ballot, before, after, reason: 'salah salin', operatorConfirmation: 'dikonfirmasi lewat telepon', flags },
    metadata: meta(electionId, 'verifier-1', 'verifier'),
  };
}

/** Turns new events into recorded ones with increasing checkpoints "1:n" and per-stream versions. */
export function record(events: NewEvent[], start = 1): RecordedEvent[] {
  const versions = new Map<string, number>();
  return events.map((e, i) => {
    const d = e.data as { electionId: string; tpsCode: string; ballot: string };
    const streamId = `result-${d.electionId}-${d.tpsCode}-${d.ballot}`;
    const version = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, version);
    return { streamId, streamPosition: version, checkpoint: `1:${start + i}`, type: e.type, data: e.data, metadata: { ...e.metadata } };
  });
}
