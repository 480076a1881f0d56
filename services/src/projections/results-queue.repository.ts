import { Inject, Injectable } from '@nestjs/common';
import type { Ballot, CHasilForm, Flag, PhotoView, ResultStatus, ResultsQueueFilter, ResultView } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';

/** Most results one queue page returns: a verifier works from the top. */
export const QUEUE_LIMIT = 500;

interface Row {
  tps_code: string; ballot: Ballot; status: ResultStatus; form: CHasilForm | null; version: number; flags: Flag[];
  submitted_by: string | null; submitted_at: Date | string | null; verified_by: string | null; verified_at: Date | string | null;
  photos: PhotoView[] | string; corrected_by: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The verifier's queue from the read model: results in the given statuses, flagged (worst) first, then oldest. */
@Injectable()
export class ResultsQueueRepository {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** `region`: only TPS inside that region (a kecamatan or desa code); `flag`: only results carrying that flag code. */
  async list(electionId: string, statuses: ResultStatus[], filter: ResultsQueueFilter = {}): Promise<ResultView[]> {
    const { ballot, photos, region, flag } = filter;
    const { rows } = await this.db.query<Row>(
      `SELECT c.tps_code, c.ballot, c.status, c.form, c.version, c.flags, c.submitted_by, c.submitted_at, c.verified_by, c.verified_at,
              (SELECT coalesce(json_agg(json_build_object('sha256', p.sha256, 'contentType', p.content_type, 'bytes', p.bytes,
                        'width', p.width, 'height', p.height, 'page', p.page, 'at', p.at, 'by', coalesce(p.username, p.user_id))
                        ORDER BY p.version), '[]'::json)
                 FROM result_photos p WHERE p.election_id = c.election_id AND p.tps_code = c.tps_code AND p.ballot = c.ballot) AS photos,
              -- Separation of duties: who wrote a corrected result's numbers (the proposer when the operator confirmed in the app).
              CASE WHEN c.status = 'corrected' THEN
                (SELECT coalesce(a.data->'proposedBy'->>'userId', a.user_id) FROM result_audit a
                  WHERE a.election_id = c.election_id AND a.tps_code = c.tps_code AND a.ballot = c.ballot AND a.type = 'ResultCorrected'
                  ORDER BY a.version DESC LIMIT 1)
              END AS corrected_by
         FROM result_current c
        WHERE c.election_id = $1 AND c.status = ANY($2::text[]) AND ($3::text IS NULL OR c.ballot = $3)
          AND ($4::text IS NULL OR ($4::text = 'some') = EXISTS (
                SELECT 1 FROM result_photos p WHERE p.election_id = c.election_id AND p.tps_code = c.tps_code AND p.ballot = c.ballot))
          AND ($5::text IS NULL OR c.tps_code LIKE $5 || '%')
          AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM json_array_elements(c.flags) f WHERE f->>'code' = $6))
        ORDER BY c.severity DESC, c.submitted_at ASC NULLS LAST, c.tps_code, c.ballot
        LIMIT ${QUEUE_LIMIT}`,
      [electionId, statuses, ballot ?? null, photos ?? null, region ?? null, flag ?? null],
    );
    return rows.map((r) => ({
      tpsCode: r.tps_code, ballot: r.ballot, status: r.status, form: r.form, version: r.version, flags: r.flags,
      submittedBy: r.submitted_by, submittedAt: iso(r.submitted_at), verifiedBy: r.verified_by, verifiedAt: iso(r.verified_at),
      photos: (typeof r.photos === 'string' ? (JSON.parse(r.photos) as PhotoView[]) : r.photos).map((p) => ({ ...p, at: iso(p.at)! })),
      correctedBy: r.corrected_by,
    }));
  }
}
