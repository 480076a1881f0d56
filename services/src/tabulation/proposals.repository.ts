import { Inject, Injectable } from '@nestjs/common';
import type { Ballot, ProposalStatus, ProposalView } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { toProposalView } from './result.decider';
import { ResultRepository } from './result.repository';

/** Most results one proposals list looks at (newest first). */
export const PROPOSALS_LIMIT = 200;

/**
 * Proposals of the active election. The audit trail (`result_audit`, a projection) says which
 * results had one; each of those streams is then read from the event store and folded by the
 * decider, so a listed proposal's status is the one a confirm would meet.
 */
@Injectable()
export class ProposalsRepository {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase, private readonly results: ResultRepository) {}

  /**
   * @param within TPS codes or desa codes (an operator's scope); undefined = everywhere.
   * @param statuses `open` alone looks only at results whose last change (photos aside) is a proposal.
   */
  async list(electionId: string, statuses: readonly ProposalStatus[], within: readonly string[] | undefined, now: string): Promise<ProposalView[]> {
    const onlyOpen = statuses.length === 1 && statuses[0] === 'open';
    const { rows } = await this.db.query<{ tps_code: string; ballot: Ballot }>(
      `SELECT a.tps_code, a.ballot, max(a.at) AS last
         FROM result_audit a
        WHERE a.election_id = $1 AND a.type = 'CorrectionProposed'
          AND ($2::text[] IS NULL OR a.tps_code LIKE ANY ($2::text[]))
          AND (NOT $3::boolean OR NOT EXISTS (
                SELECT 1 FROM result_audit b
                 WHERE b.election_id = a.election_id AND b.tps_code = a.tps_code AND b.ballot = a.ballot
                   AND b.version > a.version AND b.type <> 'PhotoAttached'))
        GROUP BY a.tps_code, a.ballot
        ORDER BY last DESC
        LIMIT ${PROPOSALS_LIMIT}`,
      [electionId, within ? within.map((code) => `${code}%`) : null, onlyOpen],
    );
    const views: ProposalView[] = [];
    for (const { tps_code: tpsCode, ballot } of rows) {
      const { state } = await this.results.load({ electionId, tpsCode, ballot });
      for (const p of state.proposals) {
        const view = toProposalView(tpsCode, ballot, state, p, now);
        if (statuses.includes(view.status)) views.push(view);
      }
    }
    return views.sort((a, b) => (a.proposedAt < b.proposedAt ? 1 : a.proposedAt > b.proposedAt ? -1 : 0));
  }
}
