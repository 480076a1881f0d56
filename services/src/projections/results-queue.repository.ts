import { Inject, Injectable } from '@nestjs/common';
import type { Ballot, CHasilForm, Flag, ResultStatus, ResultView } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';

/** Most results one queue page returns: a verifier works from the top. */
export const QUEUE_LIMIT = 500;

interface Row {
  tps_code: string; ballot: Ballot; status: ResultStatus; form: CHasilForm | null; version: number; flags: Flag[];
  submitted_by: string | null; submitted_at: Date | string | null; verified_by: string | null; verified_at: Date | string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The verifier's queue from the read model: results in the given statuses, flagged (worst) first, then oldest. */
@Injectable()
export class ResultsQueueRepository {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async list(electionId: string, statuses: ResultStatus[], ballot?: Ballot): Promise<ResultView[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT tps_code, ballot, status, form, version, flags, submitted_by, submitted_at, verified_by, verified_at
         FROM result_current
        WHERE election_id = $1 AND status = ANY($2::text[]) AND ($3::text IS NULL OR ballot = $3)
        ORDER BY severity DESC, submitted_at ASC NULLS LAST, tps_code, ballot
        LIMIT ${QUEUE_LIMIT}`,
      [electionId, statuses, ballot ?? null],
    );
    return rows.map((r) => ({
      tpsCode: r.tps_code, ballot: r.ballot, status: r.status, form: r.form, version: r.version, flags: r.flags,
      submittedBy: r.submitted_by, submittedAt: iso(r.submitted_at), verifiedBy: r.verified_by, verifiedAt: iso(r.verified_at),
    }));
  }
}
