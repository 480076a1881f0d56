import { Inject, Injectable } from '@nestjs/common';
import type { Ballot, PhotoContentType } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';

export interface PhotoCarrier {
  tpsCode: string;
  ballot: Ballot;
  contentType: PhotoContentType;
}

/** Which results carry a photo: the `result_photos` read model (projected from `PhotoAttached`). */
@Injectable()
export class PhotoAccessRepository {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async resultsCarrying(electionId: string, sha256: string): Promise<PhotoCarrier[]> {
    const { rows } = await this.db.query<{ tps_code: string; ballot: Ballot; content_type: PhotoContentType }>(
      'SELECT tps_code, ballot, content_type FROM result_photos WHERE sha256 = $1 AND election_id = $2 ORDER BY tps_code, ballot',
      [sha256, electionId],
    );
    return rows.map((r) => ({ tpsCode: r.tps_code, ballot: r.ballot, contentType: r.content_type }));
  }
}
