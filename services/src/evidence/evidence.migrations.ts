import type { Migration } from '../db/migration';

/** Evidence (photos of the C.Hasil sheets): versions 410–419 and 601–609. */
export const evidenceMigrations: Migration[] = [
  {
    version: 410,
    name: 'evidence: derived copies of photos (thumbnails, copies without metadata)',
    sql: `
      -- What is served for a photo (sha256) in each variant: the derived blob's own SHA-256, so it is
      -- checked on every read like the original. A cache: any row may be dropped, it is made again
      -- from the original (which the events reference) on the next request.
      CREATE TABLE photo_variants (
        sha256         text NOT NULL,
        variant        text NOT NULL,
        variant_sha256 text NOT NULL,
        content_type   text NOT NULL,
        bytes          integer NOT NULL,
        width          integer NOT NULL,
        height         integer NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (sha256, variant)
      );
    `,
  },
  {
    version: 411,
    name: 'evidence: photo read models (photos per result, photo progress per TPS and region)',
    sql: `
      -- Projected from PhotoAttached: which result carries which photo (who may see it; the queue's
      -- "tanpa foto" filter). Rebuildable from the events like every read model.
      CREATE TABLE result_photos (
        election_id  text NOT NULL,
        tps_code     text NOT NULL,
        ballot       text NOT NULL,
        sha256       text NOT NULL,
        content_type text NOT NULL,
        bytes        bigint NOT NULL,
        width        integer NOT NULL,
        height       integer NOT NULL,
        page         integer,
        user_id      text NOT NULL,
        username     text,
        at           timestamptz NOT NULL,
        version      integer NOT NULL,
        position     text NOT NULL,
        PRIMARY KEY (election_id, tps_code, ballot, sha256)
      );
      CREATE INDEX result_photos_sha256 ON result_photos (sha256, election_id);

      -- TPS that have at least one photo: their submitted and photographed ballots.
      CREATE TABLE tps_photo_status (
        election_id  text NOT NULL,
        tps_code     text NOT NULL,
        submitted    text[] NOT NULL,
        photographed text[] NOT NULL,
        with_photo   boolean NOT NULL,
        PRIMARY KEY (election_id, tps_code)
      );

      -- tallies' progress.tpsWithPhoto for desa and above.
      CREATE TABLE region_photo_progress (
        election_id    text NOT NULL,
        region_code    text NOT NULL,
        tps_with_photo integer NOT NULL,
        PRIMARY KEY (election_id, region_code)
      );
    `,
  },
];
