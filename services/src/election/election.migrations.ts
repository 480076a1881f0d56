import type { Migration } from '../db/migration';

/** Master data (regions, TPS, the election config) and the deployment's phase. */
export const electionMigrations: Migration[] = [
  {
    version: 201,
    name: 'master data',
    sql: `
      CREATE TABLE regions (
        code text PRIMARY KEY,
        level text NOT NULL,
        name text NOT NULL,
        parent_code text REFERENCES regions(code)
      );
      CREATE INDEX regions_parent ON regions (parent_code);
      CREATE TABLE tps (
        code text PRIMARY KEY,
        desa_code text NOT NULL REFERENCES regions(code),
        kecamatan_code text NOT NULL,
        kabupaten_code text NOT NULL,
        number integer NOT NULL,
        name text NOT NULL
      );
      CREATE INDEX tps_desa ON tps (desa_code);
      CREATE TABLE election_config (
        id text PRIMARY KEY,
        config jsonb NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      );
      -- One row: which phase the deployment is in and which election id events are written under now.
      CREATE TABLE deployment (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        election_id text NOT NULL,
        phase text NOT NULL CHECK (phase IN ('simulation', 'real')),
        simulation_run integer NOT NULL DEFAULT 1,
        active_election_id text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 220,
    name: 'master data versions',
    sql: `
      -- Every master-data version ever loaded, whole (config, regions, TPS), never changed afterwards.
      -- regions, tps and election_config hold the current version only (what new submissions are checked against).
      CREATE TABLE master_data_versions (
        version     integer PRIMARY KEY CHECK (version >= 1),
        election_id text NOT NULL,
        config      jsonb NOT NULL,
        regions     jsonb NOT NULL,
        tps         jsonb NOT NULL,
        loaded_at   timestamptz NOT NULL DEFAULT now(),
        loaded_by   text,
        source      text NOT NULL
      );
      ALTER TABLE deployment ADD COLUMN master_data_version integer NOT NULL DEFAULT 1;
      -- Which version the results of an election id (the real one, each simulation run) were entered
      -- against. An id without a row predates versions: version 1.
      CREATE TABLE election_master_data (
        election_id text PRIMARY KEY,
        version     integer NOT NULL REFERENCES master_data_versions (version)
      );
      -- An existing deployment: what is loaded becomes version 1.
      INSERT INTO master_data_versions (version, election_id, config, regions, tps, loaded_at, source)
      SELECT 1, c.id, c.config,
        (SELECT coalesce(jsonb_agg(jsonb_build_object('code', r.code, 'level', r.level, 'name', r.name, 'parentCode', r.parent_code) ORDER BY r.code), '[]') FROM regions r),
        (SELECT coalesce(jsonb_agg(jsonb_build_object('code', t.code, 'desaCode', t.desa_code, 'kecamatanCode', t.kecamatan_code,
           'kabupatenCode', t.kabupaten_code, 'number', t.number, 'name', t.name) ORDER BY t.code), '[]') FROM tps t),
        c.loaded_at, 'first load'
      FROM election_config c;
    `,
  },
];
