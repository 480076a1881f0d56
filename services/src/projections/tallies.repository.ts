import { Inject, Injectable } from '@nestjs/common';
import type { Anomaly, Ballot, CHasilForm, Flag, ResultStatus, Totals } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { TallyReader } from '../db/read-replica';
import { liftByDapil } from './dapil-keys';
import { TALLIES_PROJECTION } from './projection-store';

/** The numbers of one region (or TPS) and ballot as stored in `region_tallies`. */
export interface RegionNumbers {
  totals: Totals;
  tpsReported: number;
  tpsVerified: number;
  updatedAt: string | null;
}

/** A TPS's current result as the tally view needs it. */
export interface TpsResult {
  status: ResultStatus;
  form: CHasilForm | null;
  updatedAt: string | null;
}

/** Numbers of several regions and results of several TPS, read in one snapshot with the checkpoint they reflect. */
export interface TallySnapshot {
  position: string;
  numbers: Map<string, RegionNumbers>;
  results: Map<string, TpsResult>;
  /** TPS whose every submitted ballot has a photo: per region (desa and above) a count, per TPS 1 or 0 (evidence). */
  withPhoto: Map<string, number>;
}

interface TallyJson {
  c: string;
  v: Record<string, number>;
  va: number;
  iv: number;
  r: number;
  vf: number;
  u: string | null;
}

const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));
const isoOrNull = (v: string | null): string | null => (v ? new Date(v).toISOString() : null);

/** Reads of the tally read models (all I/O of the query side). */
@Injectable()
export class TalliesRepository {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly reader: TallyReader,
  ) {}

  /**
   * The stored numbers of `regionCodes` (desa and above) and current results of `tpsCodes` for one
   * election and ballot. One statement, so numbers, results and position come from the same snapshot,
   * on the replica when it has caught up (`atLeast`: the change a push must carry; see TallyReader).
   */
  snapshot(electionId: string, ballot: Ballot, regionCodes: string[], tpsCodes: string[], atLeast?: string): Promise<TallySnapshot> {
    return this.reader.read(async (db) => {
      const { rows } = await db.query<{ position: string | null; tallies: unknown; statuses: unknown; photos: unknown }>(
        `SELECT (SELECT position FROM projection_checkpoints WHERE name = $5) AS position,
                (SELECT coalesce(json_agg(json_build_object('c', region_code, 'v', votes, 'va', valid, 'iv', invalid,
                                                            'r', tps_reported, 'vf', tps_verified, 'u', updated_at)), '[]'::json)
                   FROM region_tallies WHERE election_id = $1 AND ballot = $2 AND region_code = ANY($3::text[])) AS tallies,
                (SELECT coalesce(json_agg(json_build_object('c', tps_code, 's', status, 'f', form, 'u', updated_at)), '[]'::json)
                   FROM result_current WHERE election_id = $1 AND ballot = $2 AND tps_code = ANY($4::text[])) AS statuses,
                (SELECT coalesce(json_agg(json_build_object('c', c, 'n', n)), '[]'::json) FROM (
                   SELECT region_code AS c, tps_with_photo AS n FROM region_photo_progress WHERE election_id = $1 AND region_code = ANY($3::text[])
                   UNION ALL
                   SELECT tps_code, 1 FROM tps_photo_status WHERE election_id = $1 AND tps_code = ANY($4::text[]) AND with_photo) AS p) AS photos`,
        [electionId, ballot, regionCodes, tpsCodes, TALLIES_PROJECTION],
      );
      const row = rows[0];
      const numbers = new Map<string, RegionNumbers>();
      for (const t of parseJson<TallyJson[]>(row.tallies)) {
        numbers.set(t.c, {
          totals: { ...liftByDapil(t.v), valid: Number(t.va), invalid: Number(t.iv) },
          tpsReported: t.r,
          tpsVerified: t.vf,
          updatedAt: isoOrNull(t.u),
        });
      }
      const results = new Map(
        parseJson<Array<{ c: string; s: ResultStatus; f: CHasilForm | null; u: string | null }>>(row.statuses).map((r) => [
          r.c,
          { status: r.s, form: r.f, updatedAt: isoOrNull(r.u) },
        ]),
      );
      const withPhoto = new Map(parseJson<Array<{ c: string; n: number }>>(row.photos).map((p) => [p.c, p.n]));
      return { position: row.position ?? '0', numbers, results, withPhoto };
    }, atLeast);
  }

  /** Flagged results, worst first (flag severity, then TPS code). */
  async anomalies(electionId: string, ballot: Ballot | undefined, limit: number): Promise<Anomaly[]> {
    const { rows } = await this.db.query<{ tps_code: string; ballot: Ballot; flags: Flag[]; status: ResultStatus; version: number }>(
      `SELECT tps_code, ballot, flags, status, version FROM result_current
        WHERE election_id = $1 AND flag_count > 0 AND ($2::text IS NULL OR ballot = $2)
        ORDER BY severity DESC, tps_code, ballot
        LIMIT $3`,
      [electionId, ballot ?? null, limit],
    );
    return rows.map((r) => ({ tpsCode: r.tps_code, ballot: r.ballot, flags: r.flags, status: r.status, version: r.version }));
  }
}
