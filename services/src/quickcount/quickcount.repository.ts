import { Inject, Injectable } from '@nestjs/common';
import type { Ballot, CHasilForm } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { readCheckpoint, TALLIES_PROJECTION } from '../projections/projection-store';
import type { DrawnSample } from './sample';

export interface StoredSample extends DrawnSample {
  drawnBy: string;
  drawnAt: string;
}

/** Drawn samples, and the sample TPS's current results from the read model. */
@Injectable()
export class QuickcountRepository {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async sample(electionId: string, ballot: Ballot): Promise<StoredSample | undefined> {
    const { rows } = await this.db.query<{ seed: string; size: number; tps_codes: string[]; strata: DrawnSample['strata']; drawn_by: string; drawn_at: Date | string }>(
      'SELECT seed, size, tps_codes, strata, drawn_by, drawn_at FROM quickcount_samples WHERE election_id = $1 AND ballot = $2',
      [electionId, ballot],
    );
    const r = rows[0];
    return r && { seed: r.seed, size: r.size, tpsCodes: r.tps_codes, strata: r.strata, drawnBy: r.drawn_by, drawnAt: new Date(r.drawn_at).toISOString() };
  }

  /** Stores the sample unless results of that ballot exist (real election only); false when refused. */
  async saveSample(electionId: string, ballot: Ballot, sample: DrawnSample, drawnBy: string, refuseAfterResults: boolean): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (refuseAfterResults) {
        // A stream may hold only a photo so far (status empty): not a result yet.
        const { rows } = await tx.query(`SELECT 1 FROM result_current WHERE election_id = $1 AND ballot = $2 AND status <> 'empty' LIMIT 1`, [electionId, ballot]);
        if (rows.length > 0) return false;
      }
      await tx.query(
        `INSERT INTO quickcount_samples (election_id, ballot, seed, size, tps_codes, strata, drawn_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (election_id, ballot) DO UPDATE SET seed = EXCLUDED.seed, size = EXCLUDED.size, tps_codes = EXCLUDED.tps_codes,
           strata = EXCLUDED.strata, drawn_by = EXCLUDED.drawn_by, drawn_at = now()`,
        [electionId, ballot, sample.seed, sample.size, JSON.stringify(sample.tpsCodes), JSON.stringify(sample.strata), drawnBy],
      );
      return true;
    });
  }

  /** Current forms of the sample TPS that have reported, with when each first arrived. */
  async receivedForms(electionId: string, ballot: Ballot, tpsCodes: string[]): Promise<{ tpsCode: string; form: CHasilForm; submittedAt: string | null }[]> {
    const { rows } = await this.db.query<{ tps_code: string; form: CHasilForm; submitted_at: Date | string | null }>(
      `SELECT tps_code, form, submitted_at FROM result_current WHERE election_id = $1 AND ballot = $2 AND tps_code = ANY($3::text[]) AND form IS NOT NULL`,
      [electionId, ballot, tpsCodes],
    );
    return rows.map((r) => ({ tpsCode: r.tps_code, form: r.form, submittedAt: r.submitted_at === null ? null : new Date(r.submitted_at).toISOString() }));
  }

  position(): Promise<string> {
    return readCheckpoint(this.db, TALLIES_PROJECTION);
  }
}
