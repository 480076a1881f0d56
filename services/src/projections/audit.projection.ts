import type { Ballot } from '@suara/contracts';
import { jsonLines } from '../db/json-lines';
import type { Statement } from '../db/statements';
import type { RecordedEvent } from '../eventstore/event-store.port';
import { isResultStreamEvent, resultStreamKey } from './current-result';
import type { ProjectionDefinition } from './projection-definition';

/** The audit trail of results (`result_audit`): one row per event of a result stream, whatever its type. */
export const auditProjection: ProjectionDefinition = {
  name: 'audit',
  canHandle: isResultStreamEvent,
  tables: ['result_audit'],
  project: async ({ events }) => ({ writes: [auditWrite(events.map(auditRow))] }),
};

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
  /**
   * A correction's reason, operator confirmation and path (with the proposer when confirmed in the
   * app); a proposal's id, reason and expiry; a dispute's reason; a submission's client request id.
   */
  data: Record<string, unknown>;
  hash: string | null;
  position: string;
}

function auditData(event: RecordedEvent): Record<string, unknown> {
  const d = event.data as {
    clientRequestId?: string; reason?: string; operatorConfirmation?: string; confirmedVia?: string; proposalId?: string; proposedBy?: unknown; expiresAt?: string;
  };
  switch (event.type) {
    case 'ResultSubmitted':
      return { clientRequestId: d.clientRequestId };
    case 'ResultCorrected':
      return {
        reason: d.reason, operatorConfirmation: d.operatorConfirmation,
        ...(d.confirmedVia ? { confirmedVia: d.confirmedVia } : {}), ...(d.proposalId ? { proposalId: d.proposalId, proposedBy: d.proposedBy } : {}),
      };
    case 'CorrectionProposed':
      return { proposalId: d.proposalId, reason: d.reason, expiresAt: d.expiresAt };
    case 'ProposalDisputed':
      return { proposalId: d.proposalId, reason: d.reason };
    case 'ProposalWithdrawn':
      return { proposalId: d.proposalId };
    default:
      return {};
  }
}

export function auditRow(event: RecordedEvent): AuditRow {
  const { electionId, tpsCode, ballot } = resultStreamKey(event.streamId);
  return {
    electionId,
    tpsCode,
    ballot,
    version: event.streamPosition,
    type: event.type,
    at: event.metadata.at,
    userId: event.metadata.userId,
    role: event.metadata.role,
    data: auditData(event),
    hash: event.metadata.hash ?? null,
    position: event.checkpoint,
  };
}

function auditWrite(audit: AuditRow[]): Statement | undefined {
  if (audit.length === 0) return undefined;
  const rows = audit.map((a) => ({ e: a.electionId, t: a.tpsCode, b: a.ballot, v: a.version, ty: a.type, at: a.at, u: a.userId, ro: a.role, h: a.hash, p: a.position }));
  return {
    sql: `INSERT INTO result_audit (election_id, tps_code, ballot, version, type, at, user_id, role, data, hash, position)
     SELECT e, t, b, v, ty, at, u, ro, d::json, h, p
       FROM ROWS FROM (
              json_to_recordset($1::json) AS (e text, t text, b text, v int, ty text, at timestamptz, u text, ro text, h text, p text),
              string_to_table($2, E'\\n')
            ) AS a(e, t, b, v, ty, at, u, ro, h, p, d)
     ON CONFLICT DO NOTHING`,
    params: [JSON.stringify(rows), jsonLines(audit.map((a) => JSON.stringify(a.data)))],
  };
}
