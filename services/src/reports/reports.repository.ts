import { Inject, Injectable } from '@nestjs/common';
import type { Ballot } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { latestSeal } from '../integrity/integrity.repository';
import type { SealRecord } from '../integrity/seal';

/** Reads a report needs beyond the tally: the TPS forms' voter numbers and the latest seal. */
@Injectable()
export class ReportsRepository {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** The current form of every reported TPS inside `regionCode` (a TPS code is prefixed by its regions'). */
  async forms(electionId: string, ballot: Ballot, regionCode: string): Promise<Array<{ tpsCode: string; form: Record<string, unknown> | null }>> {
    const { rows } = await this.db.query<{ tpsCode: string; form: unknown }>(
      `SELECT tps_code AS "tpsCode", form FROM result_current
       WHERE election_id = $1 AND ballot = $2 AND tps_code LIKE $3 AND status <> 'empty'`,
      [electionId, ballot, `${regionCode}%`],
    );
    return rows.map((r) => ({ tpsCode: r.tpsCode, form: typeof r.form === 'string' ? JSON.parse(r.form) : (r.form as Record<string, unknown> | null) }));
  }

  async latestSeal(): Promise<SealRecord | undefined> {
    return (await latestSeal(this.db))?.record;
  }
}
