import { Inject, Injectable } from '@nestjs/common';
import type { PhotoContentType } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';

/** What is served for a photo: `thumb` (at most 480 px wide) or `display` (full size, no metadata). */
export type PhotoVariant = 'thumb' | 'display';

export interface StoredVariant {
  /** The served blob's own SHA-256 (the original's when it can be served as it is). */
  sha256: string;
  contentType: PhotoContentType;
  bytes: number;
  width: number;
  height: number;
}

/** The `photo_variants` cache: which blob is served for a photo in each variant. */
@Injectable()
export class PhotoVariantsRepository {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async find(sha256: string, variant: PhotoVariant): Promise<StoredVariant | undefined> {
    const { rows } = await this.db.query<{ variant_sha256: string; content_type: PhotoContentType; bytes: number; width: number; height: number }>(
      'SELECT variant_sha256, content_type, bytes, width, height FROM photo_variants WHERE sha256 = $1 AND variant = $2',
      [sha256, variant],
    );
    const r = rows[0];
    return r && { sha256: r.variant_sha256, contentType: r.content_type, bytes: r.bytes, width: r.width, height: r.height };
  }

  async save(sha256: string, variant: PhotoVariant, v: StoredVariant): Promise<void> {
    await this.db.query(
      `INSERT INTO photo_variants (sha256, variant, variant_sha256, content_type, bytes, width, height) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (sha256, variant) DO UPDATE SET variant_sha256 = EXCLUDED.variant_sha256, content_type = EXCLUDED.content_type,
         bytes = EXCLUDED.bytes, width = EXCLUDED.width, height = EXCLUDED.height, created_at = now()`,
      [sha256, variant, v.sha256, v.contentType, v.bytes, v.width, v.height],
    );
  }
}
