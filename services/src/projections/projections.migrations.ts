import type { Migration } from '../db/migration';

/**
 * Read models of the result streams. Everything here is derived from the events and can be dropped
 * and rebuilt (`rebuildProjections`); nothing reads these tables to decide a command.
 */
export const projectionsMigrations: Migration[] = [
  {
    version: 401,
    name: 'projections: checkpoints, current results, region tallies, audit trail',
    sql: `
      -- One row per projector. owner/lease_until elect a single active projector among processes.
      CREATE TABLE projection_checkpoints (
        name        text PRIMARY KEY,
        position    text NOT NULL,
        owner       text,
        lease_until timestamptz,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );

      -- The latest state of every (election, TPS, ballot) result stream.
      CREATE TABLE result_current (
        election_id  text NOT NULL,
        tps_code     text NOT NULL,
        ballot       text NOT NULL,
        status       text NOT NULL,
        form         jsonb,
        flags        jsonb NOT NULL DEFAULT '[]',
        flag_count   integer NOT NULL DEFAULT 0,
        severity     integer NOT NULL DEFAULT 0,
        version      integer NOT NULL,
        submitted_by text,
        submitted_at timestamptz,
        verified_by  text,
        verified_at  timestamptz,
        position     text NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (election_id, tps_code, ballot)
      );
      -- The flagged list (anomalies), worst first.
      CREATE INDEX result_current_flagged ON result_current (election_id, severity DESC, tps_code) WHERE flag_count > 0;

      -- Sums per region (TPS, desa, kecamatan, kabupaten, provinsi) and ballot, kept incrementally.
      CREATE TABLE region_tallies (
        election_id  text NOT NULL,
        region_code  text NOT NULL,
        ballot       text NOT NULL,
        votes        jsonb NOT NULL DEFAULT '{}',
        valid        bigint NOT NULL DEFAULT 0,
        invalid      bigint NOT NULL DEFAULT 0,
        tps_reported integer NOT NULL DEFAULT 0,
        tps_verified integer NOT NULL DEFAULT 0,
        position     text NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (election_id, region_code, ballot)
      );

      -- Every accepted result event, for the dashboard's audit views (who changed what, when).
      CREATE TABLE result_audit (
        election_id text NOT NULL,
        tps_code    text NOT NULL,
        ballot      text NOT NULL,
        version     integer NOT NULL,
        type        text NOT NULL,
        at          timestamptz NOT NULL,
        user_id     text NOT NULL,
        role        text NOT NULL,
        data        jsonb NOT NULL,
        hash        text,
        position    text NOT NULL,
        PRIMARY KEY (election_id, tps_code, ballot, version)
      );
      CREATE INDEX result_audit_at ON result_audit (election_id, at DESC);

      -- Adds vote maps key by key: {"01": 3} + {"01": -1, "02": 4} = {"01": 2, "02": 4}.
      CREATE FUNCTION suara_add_votes(a jsonb, b jsonb) RETURNS jsonb
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        SELECT coalesce(jsonb_object_agg(k, s), '{}'::jsonb)
          FROM (SELECT k, sum(v) AS s
                  FROM (SELECT key AS k, value::bigint AS v FROM jsonb_each_text(coalesce(a, '{}'::jsonb))
                        UNION ALL
                        SELECT key, value::bigint FROM jsonb_each_text(coalesce(b, '{}'::jsonb))) AS parts
                 GROUP BY k) AS sums
      $fn$;

      -- Progress totals count TPS under a kecamatan or kabupaten (master data, election context).
      CREATE INDEX IF NOT EXISTS tps_kecamatan_code ON tps (kecamatan_code);
      CREATE INDEX IF NOT EXISTS tps_kabupaten_code ON tps (kabupaten_code);
    `,
  },
  {
    version: 402,
    name: 'projections: forms as json (written per event, never searched), tallies merged by the projector',
    sql: `
      -- json is stored as sent, without jsonb's conversion: half the cost of the projector's hottest write.
      ALTER TABLE result_current ALTER COLUMN form TYPE json USING form::json;
      ALTER TABLE result_current ALTER COLUMN flags DROP DEFAULT;
      ALTER TABLE result_current ALTER COLUMN flags TYPE json USING flags::json;
      ALTER TABLE result_current ALTER COLUMN flags SET DEFAULT '[]'::json;
      ALTER TABLE result_audit ALTER COLUMN data TYPE json USING data::json;
      -- The projector adds vote maps itself (it is the only writer, under the checkpoint's row lock).
      DROP FUNCTION IF EXISTS suara_add_votes(jsonb, jsonb);
    `,
  },
  {
    version: 403,
    name: 'projections: index of the verifier queue',
    sql: `
      -- GET /api/results?status=…: results of given statuses, worst flags first, then oldest.
      CREATE INDEX result_current_queue ON result_current (election_id, status, severity DESC, submitted_at);
    `,
  },
  {
    version: 430,
    name: 'projections: tallies per dapil (DPR, DPRD_PROV, DPRD_KAB)',
    sql: `
      -- Sums per electoral district and party-list ballot: the only place candidate sums above one desa are
      -- sure to add up the votes of one person (a region above one dapil holds party totals only).
      CREATE TABLE dapil_tallies (
        election_id  text NOT NULL,
        dapil_code   text NOT NULL,
        ballot       text NOT NULL,
        votes        jsonb NOT NULL DEFAULT '{}',
        valid        bigint NOT NULL DEFAULT 0,
        invalid      bigint NOT NULL DEFAULT 0,
        tps_reported integer NOT NULL DEFAULT 0,
        tps_verified integer NOT NULL DEFAULT 0,
        position     text NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (election_id, dapil_code, ballot)
      );
    `,
  },
  {
    version: 440,
    name: 'projections: index of correction proposals and corrections in the audit trail',
    sql: `
      -- GET /api/proposals finds the results that had a proposal; the queue finds who corrected a result.
      CREATE INDEX result_audit_proposals ON result_audit (election_id, tps_code, ballot) WHERE type = 'CorrectionProposed';
      CREATE INDEX result_audit_corrections ON result_audit (election_id, tps_code, ballot, version DESC) WHERE type = 'ResultCorrected';
    `,
  },
];
